/**
 * Java regular expressions on top of JS RegExp. ksqlDB's REGEXP_* functions and SPLIT use
 * java.util.regex; this translates the Java-only syntax users commonly write and reproduces
 * Matcher.find / String.split / replaceAll semantics.
 */
import { ExecutionError } from '../../common/errors.js';
import { LRUCache } from 'lru-cache';

const POSIX_CLASSES: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  javaLowerCase: 'a-z',
  javaUpperCase: 'A-Z',
  javaWhitespace: ' \\t\\n\\x0B\\f\\r\\x1C-\\x1F',
};

const cache = new LRUCache<string, RegExp>({ max: 500 });

/** Compiles a Java regex into a global JS RegExp (callers reset lastIndex). Throws on bad syntax. */
export function compileJavaRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const { source, flags } = translateJavaRegex(pattern);
    try {
      re = new RegExp(source, flags + 'g');
    } catch (e) {
      throw new ExecutionError(`Invalid regular expression pattern: ${pattern}`, {}, { cause: e });
    }
    cache.set(pattern, re);
  }
  return re;
}

export function translateJavaRegex(pattern: string): { source: string; flags: string } {
  let flags = '';
  let src = pattern;
  // leading embedded flags (?i) (?s) (?m) (?is) ...: JS has them only as RegExp flags
  const lead = /^\(\?([imsux]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) if (f === 'i' || f === 'm' || f === 's') flags += f;
    src = src.slice(lead[0].length);
  }
  let out = '';
  let inClass = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new ExecutionError(`Invalid regular expression pattern: ${pattern}`);
      if (n === 'Q') {
        // \Q...\E quotes everything literally
        const end = src.indexOf('\\E', i + 2);
        const lit = src.slice(i + 2, end < 0 ? src.length : end);
        out += lit.replace(/[\\^$.*+?()[\]{}|\/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if ((n === 'p' || n === 'P') && src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        const name = src.slice(i + 3, close);
        const posix = POSIX_CLASSES[name.replace(/^Is/, '')];
        if (posix !== undefined) {
          const body = n === 'P' ? `^${posix}` : posix;
          out += inClass ? (n === 'P' ? `\\P{ASCII}` : posix) : `[${body}]`;
        } else {
          out += `\\${n}{${name.replace(/^Is/, '')}}`;
          if (!flags.includes('u')) flags += 'u';
        }
        i = close;
        continue;
      }
      if (!inClass && n === 'A') {
        out += '^';
        i++;
        continue;
      }
      if (!inClass && n === 'z') {
        out += '$';
        i++;
        continue;
      }
      if (!inClass && n === 'Z') {
        out += '(?=\\n?$)';
        i++;
        continue;
      }
      if (n === 'h') {
        out += inClass ? ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000' : '[ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]';
        i++;
        continue;
      }
      out += c + n;
      i++;
      continue;
    }
    if (c === '[') {
      inClass++;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      // a ']' right after '[' or '[^' is a literal in Java
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === ']' && inClass) {
      inClass--;
      out += c;
      continue;
    }
    if (!inClass && c === '(' && src.startsWith('(?>', i)) {
      // atomic group: approximated by a plain non-capturing group
      out += '(?:';
      i += 2;
      continue;
    }
    if (!inClass && c === '+' && endsWithQuantifier(out)) {
      // possessive quantifier: approximated by the greedy one
      continue;
    }
    out += c;
  }
  if (flags.includes('u')) {
    // unicode mode rejects identity escapes of non-syntax characters that Java accepts
    out = out.replace(/\\([\s\S])/g, (all, ch: string) => (/[A-Za-z0-9_\\^$.*+?()[\]{}|\/-]/.test(ch) ? all : ch));
  }
  return { source: out, flags };
}

/** Whether the translated pattern so far ends with a quantifier (so a '+' makes it possessive). */
function endsWithQuantifier(out: string): boolean {
  return /(?:^|[^\\])(?:\\\\)*[*+?]$/.test(out) || /(?:^|[^\\])(?:\\\\)*\{\d+(?:,\d*)?\}$/.test(out);
}

export interface JavaMatch {
  readonly start: number;
  readonly end: number;
  /** group 0 is the whole match; undefined for a group that did not participate */
  readonly groups: readonly (string | undefined)[];
  readonly named: { readonly [name: string]: string | undefined } | undefined;
}

/** All successive matches as Matcher.find() finds them. */
export function findAll(re: RegExp, input: string): JavaMatch[] {
  const out: JavaMatch[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(input)) !== null) {
    out.push({ start: m.index, end: m.index + m[0].length, groups: [...m], named: m.groups });
    if (m[0].length === 0) re.lastIndex = m.index + 1;
    if (re.lastIndex > input.length) break;
  }
  return out;
}

/** The first match, or null. */
export function findFirst(re: RegExp, input: string): JavaMatch | null {
  re.lastIndex = 0;
  const m = re.exec(input);
  re.lastIndex = 0;
  return m ? { start: m.index, end: m.index + m[0].length, groups: [...m], named: m.groups } : null;
}

/**
 * Pattern.split(input, -1): trailing empty strings kept; a zero-width match at the start never
 * yields a leading empty string.
 */
export function javaSplit(re: RegExp, input: string): string[] {
  if (input.length === 0) return [''];
  const out: string[] = [];
  let index = 0;
  for (const m of findAll(re, input)) {
    // a zero-width match at the very start yields no leading empty string
    if (m.end === 0) continue;
    out.push(input.slice(index, m.start));
    index = m.end;
  }
  if (out.length === 0) return [input];
  out.push(input.slice(index));
  return out;
}

/**
 * Matcher.replaceAll with a Java replacement string: $n and ${name} refer to groups, a
 * backslash quotes the next character.
 */
export function javaReplaceAll(re: RegExp, input: string, replacement: string): string {
  let out = '';
  let index = 0;
  for (const m of findAll(re, input)) {
    out += input.slice(index, m.start) + expandReplacement(replacement, m);
    index = m.end;
  }
  return out + input.slice(index);
}

function expandReplacement(rep: string, m: JavaMatch): string {
  let out = '';
  const groupCount = m.groups.length - 1;
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i]!;
    if (c === '\\') {
      i++;
      if (i >= rep.length) throw new ExecutionError('character to be escaped is missing');
      out += rep[i];
    } else if (c === '$') {
      i++;
      if (i >= rep.length) throw new ExecutionError('Illegal group reference: group index is missing');
      if (rep[i] === '{') {
        const close = rep.indexOf('}', i);
        if (close < 0) throw new ExecutionError("named capturing group is missing trailing '}'");
        const name = rep.slice(i + 1, close);
        if (!m.named || !(name in m.named)) throw new ExecutionError(`No group with name {${name}}`);
        out += m.named[name] ?? '';
        i = close;
      } else {
        let num = rep.charCodeAt(i) - 48;
        if (num < 0 || num > 9) throw new ExecutionError('Illegal group reference');
        // Java keeps consuming digits while the number stays a valid group
        while (i + 1 < rep.length) {
          const d = rep.charCodeAt(i + 1) - 48;
          if (d < 0 || d > 9) break;
          const next = num * 10 + d;
          if (next > groupCount) break;
          num = next;
          i++;
        }
        if (num > groupCount) throw new ExecutionError(`No group ${num}`);
        out += m.groups[num] ?? '';
      }
    } else {
      out += c;
    }
  }
  return out;
}
