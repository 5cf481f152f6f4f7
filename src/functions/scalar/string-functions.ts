/**
 * STRING (and BYTES) scalar functions, with ksqlDB's (Java's) edge-case behaviour: SPLIT keeps
 * empty strings, regexes are Java regexes, encodings follow commons-codec and the JDK charsets.
 */
import { ExecutionError } from '../../common/errors.js';
import { createHash, randomUUID } from 'node:crypto';
import type { ScalarFunction } from '../function-types.js';
import { fn, sig, strict } from './define.js';
import { compileJavaRegex, findAll, findFirst, javaReplaceAll, javaSplit } from './java-regex.js';

const STRING = 'STRING';
const REGEX = 'REGULAR EXPRESSION';

// ---- helpers -------------------------------------------------------------------------------

/** Java's String.trim(): strips every char <= U+0020. */
const trimStart = (s: string) => s.replace(/^[\x00-\x20]+/, '');
const trimEnd = (s: string) => s.replace(/[\x00-\x20]+$/, '');

function substringStart(len: number, pos: number): number {
  return pos < 0 ? Math.max(len + pos, 0) : Math.max(Math.min(pos - 1, len), 0);
}

function substringEnd(len: number, start: number, length: number): number {
  return Math.max(Math.min(start + length, len), start);
}

function padString(input: string, targetLen: number, padding: string, left: boolean): string | null {
  if (padding.length === 0 || targetLen < 0) return null;
  const padLen = Math.max(targetLen - input.length, 0);
  const pad = padding.repeat(Math.ceil(padLen / padding.length)).slice(0, padLen);
  return (left ? pad + input : input + pad).slice(0, targetLen);
}

function padBytes(input: Buffer, targetLen: number, padding: Buffer, left: boolean): Buffer | null {
  if (padding.length === 0 || targetLen < 0) return null;
  if (input.length >= targetLen) return Buffer.from(input.subarray(0, targetLen));
  const out = Buffer.alloc(targetLen);
  const padLen = targetLen - input.length;
  for (let i = 0; i < padLen; i++) out[left ? i : input.length + i] = padding[i % padding.length]!;
  input.copy(out, left ? padLen : 0);
  return out;
}

/** Guava Splitter.on(delimiter): every empty piece kept. */
function splitBytes(input: Buffer, delim: Buffer): Buffer[] {
  if (delim.length === 0) return input.length === 0 ? [Buffer.alloc(0)] : [...input].map((b) => Buffer.from([b]));
  const out: Buffer[] = [];
  let start = 0;
  for (let i = input.indexOf(delim); i >= 0; i = input.indexOf(delim, start)) {
    out.push(Buffer.from(input.subarray(start, i)));
    start = i + delim.length;
  }
  out.push(Buffer.from(input.subarray(start)));
  return out;
}

/** commons-lang3 StringUtils.ordinalIndexOf. */
function ordinalIndexOf(str: string, search: string, ordinal: number): number {
  if (ordinal <= 0) return -1;
  if (search.length === 0) return 0;
  let index = -1;
  for (let found = 0; found < ordinal; found++) {
    index = str.indexOf(search, index + 1);
    if (index < 0) return -1;
  }
  return index;
}

/** commons-lang3 StringUtils.substring(str, start): a negative start counts from the end. */
function commonsSubstring(str: string, start: number): string {
  let s = start < 0 ? str.length + start : start;
  if (s < 0) s = 0;
  return s > str.length ? '' : str.slice(s);
}

function instr(str: string | null, sub: string | null, position: number | null, occurrence: number | null): number | null {
  if (str === null || sub === null) return 0;
  if (position === null || occurrence === null) return null;
  if (Math.abs(position) > str.length) return 0;
  const reversed = position < 0;
  const s = reversed ? [...str].reverse().join('') : str;
  const t = reversed ? [...sub].reverse().join('') : sub;
  const pos = reversed ? -position : position;
  const i = ordinalIndexOf(commonsSubstring(s, pos - 1), t, occurrence);
  if (i < 0) return 0;
  // reversed: map the match start in the reversed string back to a 1-based position
  return reversed ? s.length - pos - i - t.length + 2 : i + pos;
}

const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const DIGIT = /^\p{Nd}$/u;
/** A mask slot whose class is left as is. */
const NO_MASK = -1;

interface Masks {
  upper: number;
  lower: number;
  digit: number;
  other: number;
}

const DEFAULT_MASKS: Masks = { upper: 'X'.codePointAt(0)!, lower: 'x'.codePointAt(0)!, digit: 'n'.codePointAt(0)!, other: '-'.codePointAt(0)! };

function maskChar(mask: string | null): number {
  if (mask === null) return NO_MASK;
  if (mask.length !== 1) throw new ExecutionError(`Invalid mask character. Must be only single character, but was '${mask}'`);
  return mask.codePointAt(0)!;
}

function masksOf(upper: string | null, lower: string | null, digit: string | null, other: string | null): Masks {
  return { upper: maskChar(upper), lower: maskChar(lower), digit: maskChar(digit), other: maskChar(other) };
}

/** Masker.mask: walks UTF-16 units and masks the code point at each, as ksqlDB does. */
function maskString(input: string, m: Masks): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const cp = input.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const slot = UPPER.test(ch) ? m.upper : LOWER.test(ch) ? m.lower : DIGIT.test(ch) ? m.digit : m.other;
    out += String.fromCodePoint(slot === NO_MASK ? cp : slot);
  }
  return out;
}

function checkCount(name: string, n: number): void {
  if (n < 0) throw new ExecutionError(`function ${name} requires a non-negative number of characters to mask or skip`);
}

type MaskPart = (input: string, n: number, m: Masks) => string;

function maskFunction(name: string, description: string, part: MaskPart): ScalarFunction {
  const run = (input: string | null, n: number | null, m: Masks) => {
    if (n === null) return null;
    checkCount(name.toLowerCase(), n);
    if (input === null) return null;
    return part(input, n, m);
  };
  return fn(name, STRING, description, [
    sig(['STRING', 'INT'], STRING, (s: string | null, n: number | null) => run(s, n, DEFAULT_MASKS)),
    sig(['STRING', 'INT', 'STRING', 'STRING', 'STRING', 'STRING'], STRING, (s, n, u, l, d, o) =>
      run(s, n, masksOf(u, l, d, o)),
    ),
  ]);
}

/** StringEscapeUtils.unescapeJava, enough for CHR('\u004b'). */
function unescapeJava(s: string): string {
  return s.replace(/\\(u+([0-9a-fA-F]{4})|[btnfr"'\\]|[0-7]{1,3})/g, (all, esc: string, hex?: string) => {
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };
    if (esc in simple) return simple[esc]!;
    return String.fromCharCode(parseInt(esc, 8));
  });
}

// ---- encodings -----------------------------------------------------------------------------

/** Java String(bytes, US_ASCII): bytes above 0x7F become U+FFFD. */
function decodeAscii(b: Buffer): string {
  let out = '';
  for (const x of b) out += x < 0x80 ? String.fromCharCode(x) : '\uFFFD';
  return out;
}

/** Java getBytes(US_ASCII): each non-ASCII code point becomes '?'. */
function encodeAscii(s: string): Buffer {
  return Buffer.from(Array.from(s, (c) => (c.codePointAt(0)! < 0x80 ? c.codePointAt(0)! : 0x3f)));
}

const utf8Decoder = new TextDecoder('utf-8');

function decodeHex(s: string): Buffer {
  if (s.length % 2 !== 0) throw new ExecutionError('Odd number of characters.');
  if (!/^[0-9a-fA-F]*$/.test(s)) throw new ExecutionError(`Illegal hexadecimal character in '${s}'`);
  return Buffer.from(s, 'hex');
}

/** Encode's hexStrip: accepts 0xAB (odd digit counts padded) and X'AB' forms. */
function hexStrip(s: string): string {
  if (s.startsWith('0x')) return s.length % 2 !== 0 ? '0' + s.slice(2) : s.slice(2);
  if (/^[xX]'.*'$/s.test(s)) return s.slice(2, -1);
  return s;
}

const ENCODE_DECODERS: Record<string, (s: string) => Buffer> = {
  hex: (s) => decodeHex(hexStrip(s)),
  utf8: (s) => Buffer.from(s, 'utf8'),
  ascii: encodeAscii,
  base64: (s) => Buffer.from(s, 'base64'),
};

const ENCODE_ENCODERS: Record<string, (b: Buffer) => string> = {
  hex: (b) => b.toString('hex'),
  utf8: (b) => utf8Decoder.decode(b),
  ascii: decodeAscii,
  base64: (b) => b.toString('base64'),
};

function encode(input: string, from: string, to: string): string {
  const f = from.toLowerCase();
  const t = to.toLowerCase();
  const decoder = ENCODE_DECODERS[f];
  const encoder = ENCODE_ENCODERS[t];
  if (!decoder || !encoder || f === t) {
    throw new ExecutionError('Supported input and output encodings are: hex, utf8, ascii and base64');
  }
  return encoder(decoder(input));
}

function toBytes(s: string, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'hex':
      return decodeHex(s);
    case 'utf8':
      return Buffer.from(s, 'utf8');
    case 'ascii':
      return encodeAscii(s);
    case 'base64':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw new ExecutionError(`Invalid base64 value: ${s}`);
      return Buffer.from(s, 'base64');
    default:
      throw new ExecutionError(`Supported encoding types are: hex, utf8, ascii and base64. Got: ${encoding}`);
  }
}

function fromBytes(b: Buffer, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'hex':
      return b.toString('hex').toUpperCase();
    case 'utf8':
      return utf8Decoder.decode(b);
    case 'ascii':
      return decodeAscii(b);
    case 'base64':
      return b.toString('base64');
    default:
      throw new ExecutionError(`Supported encoding types are: hex, utf8, ascii and base64. Got: ${encoding}`);
  }
}

function uuidFromBytes(b: Buffer): string | null {
  if (b.length < 16) return null;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- the functions ---------------------------------------------------------------------------

const nonNull = <T>(xs: readonly (T | null)[]): T[] => xs.filter((x): x is T => x !== null && x !== undefined);

export const stringFunctions: ScalarFunction[] = [
  fn('CONCAT', STRING, 'Concatenates two or more string or bytes expressions. Any input that is NULL is skipped.', [
    sig(['STRING'], STRING, (...xs: (string | null)[]) => nonNull(xs).join(''), { variadic: true }),
    sig(['BYTES'], 'BYTES', (...xs: (Buffer | null)[]) => Buffer.concat(nonNull(xs)), { variadic: true }),
  ]),
  fn(
    'CONCAT_WS',
    STRING,
    'Concatenates two or more string or bytes expressions, inserting a separator between each. ' +
      'If the separator is NULL, returns NULL. Any expression that is NULL is skipped.',
    [
      sig(['STRING', 'STRING'], STRING, (sep: string | null, ...xs: (string | null)[]) =>
        sep === null ? null : nonNull(xs).join(sep), { variadic: true }),
      sig(['BYTES', 'BYTES'], 'BYTES', (sep: Buffer | null, ...xs: (Buffer | null)[]) => {
        if (sep === null) return null;
        const parts = nonNull(xs);
        return Buffer.concat(parts.flatMap((x, i) => (i === 0 ? [x] : [sep, x])));
      }, { variadic: true }),
    ],
  ),
  fn('LCASE', STRING, 'Converts a string to lower-case.', [sig(['STRING'], STRING, strict((s: string) => s.toLowerCase()))]),
  fn('UCASE', STRING, 'Converts a string to upper-case.', [sig(['STRING'], STRING, strict((s: string) => s.toUpperCase()))]),
  fn('TRIM', STRING, 'Removes leading and trailing whitespace from a string.', [
    sig(['STRING'], STRING, strict((s: string) => trimEnd(trimStart(s)))),
  ]),
  fn('LTRIM', STRING, 'Removes leading whitespace from a string.', [sig(['STRING'], STRING, strict(trimStart))]),
  fn('RTRIM', STRING, 'Removes trailing whitespace from a string.', [sig(['STRING'], STRING, strict(trimEnd))]),
  fn('LEN', STRING, 'Returns the length of a string in characters, or of a bytes value in bytes.', [
    sig(['STRING'], 'INT', strict((s: string) => s.length)),
    sig(['BYTES'], 'INT', strict((b: Buffer) => b.length)),
  ]),
  fn(
    'LPAD',
    STRING,
    'Pads the input string or bytes, starting from the beginning, with the specified padding until the ' +
      'target length is reached. Longer input is truncated. If the padding is empty or NULL, or the ' +
      'target length is negative, returns NULL.',
    [
      sig(['STRING', 'INT', 'STRING'], STRING, strict((s: string, n: number, pad: string) => padString(s, n, pad, true))),
      sig(['BYTES', 'INT', 'BYTES'], 'BYTES', strict((b: Buffer, n: number, pad: Buffer) => padBytes(b, n, pad, true))),
    ],
  ),
  fn(
    'RPAD',
    STRING,
    'Pads the input string or bytes, starting from the end, with the specified padding until the ' +
      'target length is reached. Longer input is truncated. If the padding is empty or NULL, or the ' +
      'target length is negative, returns NULL.',
    [
      sig(['STRING', 'INT', 'STRING'], STRING, strict((s: string, n: number, pad: string) => padString(s, n, pad, false))),
      sig(['BYTES', 'INT', 'BYTES'], 'BYTES', strict((b: Buffer, n: number, pad: Buffer) => padBytes(b, n, pad, false))),
    ],
  ),
  fn(
    'SUBSTRING',
    STRING,
    'Returns the portion of the string or bytes passed in value, from the 1-based position pos (negative ' +
      'positions count from the end), optionally of length len.',
    [
      sig(['STRING', 'INT'], STRING, strict((s: string, pos: number) => s.slice(substringStart(s.length, pos)))),
      sig(['STRING', 'INT', 'INT'], STRING, strict((s: string, pos: number, len: number) => {
        const start = substringStart(s.length, pos);
        return s.slice(start, substringEnd(s.length, start, len));
      })),
      sig(['BYTES', 'INT'], 'BYTES', strict((b: Buffer, pos: number) => Buffer.from(b.subarray(substringStart(b.length, pos))))),
      sig(['BYTES', 'INT', 'INT'], 'BYTES', strict((b: Buffer, pos: number, len: number) => {
        const start = substringStart(b.length, pos);
        return Buffer.from(b.subarray(start, substringEnd(b.length, start, len)));
      })),
    ],
  ),
  fn('REPLACE', STRING, 'Replaces all occurrences of a substring in a string with a new substring.', [
    sig(['STRING', 'STRING', 'STRING'], STRING, strict((s: string, from: string, to: string) => s.replaceAll(from, () => to))),
  ]),
  fn(
    'REGEXP_REPLACE',
    REGEX,
    'Replaces all matches of a Java regular expression in a string with a replacement, which may refer ' +
      'to groups as $1 or ${name}.',
    [
      sig(['STRING', 'STRING', 'STRING'], STRING, strict((s: string, re: string, rep: string) =>
        javaReplaceAll(compileJavaRegex(re), s, rep))),
    ],
  ),
  fn(
    'REGEXP_EXTRACT',
    REGEX,
    'Extracts the first substring matched by a Java regular expression, or the given capturing group of ' +
      'that match. Returns NULL if there is no match.',
    [
      sig(['STRING', 'STRING'], STRING, strict((re: string, s: string) => findFirst(compileJavaRegex(re), s)?.groups[0] ?? null)),
      sig(['STRING', 'STRING', 'INT'], STRING, strict((re: string, s: string, group: number) => {
        const m = findFirst(compileJavaRegex(re), s);
        if (!m) return null;
        if (group < 0 || group >= m.groups.length) throw new ExecutionError(`No group ${group}`);
        return m.groups[group] ?? null;
      })),
    ],
  ),
  fn(
    'REGEXP_EXTRACT_ALL',
    REGEX,
    'Extracts all substrings matched by a Java regular expression, or the given capturing group of each match.',
    [
      sig(['STRING', 'STRING'], 'ARRAY<STRING>', strict((re: string, s: string) =>
        findAll(compileJavaRegex(re), s).map((m) => m.groups[0] ?? null))),
      sig(['STRING', 'STRING', 'INT'], 'ARRAY<STRING>', strict((re: string, s: string, group: number) =>
        findAll(compileJavaRegex(re), s).map((m) => {
          if (group < 0 || group >= m.groups.length) throw new ExecutionError(`No group ${group}`);
          return m.groups[group] ?? null;
        }))),
    ],
  ),
  fn(
    'REGEXP_SPLIT_TO_ARRAY',
    REGEX,
    'Splits a string into an array of substrings around the matches of a Java regular expression. Empty ' +
      'substrings are kept.',
    [
      sig(['STRING', 'STRING'], 'ARRAY<STRING>', strict((s: string, re: string) => {
        const pattern = compileJavaRegex(re);
        if (re.length === 0 || findFirst(pattern, '')?.end === 0) {
          // a pattern matching the empty string: Java's String.split, trailing empties dropped
          const parts = javaSplit(pattern, s);
          while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
          return parts;
        }
        return javaSplit(pattern, s);
      })),
    ],
  ),
  fn(
    'SPLIT',
    STRING,
    'Splits a string or bytes value into an array around a delimiter. Empty pieces are kept; an empty ' +
      'delimiter splits into single characters or bytes.',
    [
      sig(['STRING', 'STRING'], 'ARRAY<STRING>', strict((s: string, d: string) => (d.length === 0 ? (s.length === 0 ? [''] : s.split('')) : s.split(d)))),
      sig(['BYTES', 'BYTES'], 'ARRAY<BYTES>', strict(splitBytes)),
    ],
  ),
  fn(
    'SPLIT_TO_MAP',
    STRING,
    'Splits a string into key-value pairs and creates a map from them: entryDelimiter separates the pairs, ' +
      'kvDelimiter each key from its value. Empty entries and entries without the kvDelimiter are ignored. ' +
      'Returns NULL if any argument is NULL or a delimiter is empty.',
    [
      sig(['STRING', 'STRING', 'STRING'], 'MAP<STRING, STRING>', strict((s: string, entryDelim: string, kvDelim: string) => {
        if (entryDelim.length === 0 || kvDelim.length === 0) return null;
        const out = new Map<string, string>();
        for (const entry of s.split(entryDelim)) {
          if (entry.length === 0 || !entry.includes(kvDelim)) continue;
          const parts = entry.split(kvDelim);
          out.set(parts[0]!, parts[1]!);
        }
        return out;
      })),
    ],
  ),
  fn(
    'INSTR',
    STRING,
    'Returns the 1-based position of the nth occurrence of a substring in a string, searching from the ' +
      'given position (negative: from the end, backwards). Returns 0 if not found.',
    [
      sig(['STRING', 'STRING'], 'INT', (s: string | null, sub: string | null) => instr(s, sub, 1, 1)),
      sig(['STRING', 'STRING', 'INT'], 'INT', (s: string | null, sub: string | null, pos: number | null) => instr(s, sub, pos, 1)),
      sig(['STRING', 'STRING', 'INT', 'INT'], 'INT', instr),
    ],
  ),
  fn('INITCAP', STRING, 'Capitalizes the first letter of each word and lower-cases the rest.', [
    sig(['STRING'], STRING, strict((s: string) =>
      (s.toLowerCase().match(/\S+\s*/g) ?? []).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(''))),
  ]),
  fn(
    'MASK',
    STRING,
    "Returns a masked version of the input string: upper-case letters become 'X', lower-case 'x', digits " +
      "'n' and anything else '-', unless other mask characters are given (NULL leaves that class unmasked).",
    [
      sig(['STRING'], STRING, strict((s: string) => maskString(s, DEFAULT_MASKS))),
      sig(['STRING', 'STRING', 'STRING', 'STRING', 'STRING'], STRING, (s: string | null, u, l, d, o) =>
        s === null ? null : maskString(s, masksOf(u, l, d, o))),
    ],
  ),
  maskFunction('MASK_LEFT', 'Returns a version of the input string with the first n characters masked.', (s, n, m) =>
    maskString(s.slice(0, n), m) + s.slice(n)),
  maskFunction('MASK_RIGHT', 'Returns a version of the input string with the last n characters masked.', (s, n, m) => {
    const keep = Math.max(s.length - n, 0);
    return s.slice(0, keep) + maskString(s.slice(keep), m);
  }),
  maskFunction('MASK_KEEP_LEFT', 'Returns a version of the input string with all but the first n characters masked.', (s, n, m) =>
    s.slice(0, n) + maskString(s.slice(n), m)),
  maskFunction('MASK_KEEP_RIGHT', 'Returns a version of the input string with all but the last n characters masked.', (s, n, m) => {
    const cut = Math.max(s.length - n, 0);
    return maskString(s.slice(0, cut), m) + s.slice(cut);
  }),
  fn('CHR', STRING, "Returns a single-character string for a decimal code point or a UTF-16 code such as '\\u004b'.", [
    sig(['INT'], STRING, strict((cp: number) => (cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : null))),
    sig(['STRING'], STRING, strict((code: string) => (code.length < 6 || !code.startsWith('\\u') ? null : unescapeJava(code)))),
  ]),
  fn('ELT', STRING, 'Returns the nth (1-based) of the string arguments, or NULL if n is out of range.', [
    sig(['INT', 'STRING'], STRING, (n: number | null, ...xs: (string | null)[]) =>
      n === null || n < 1 || n > xs.length ? null : xs[n - 1] ?? null, { variadic: true }),
  ]),
  fn('FIELD', STRING, 'Returns the 1-based position of a string among the following arguments, or 0 if absent or NULL.', [
    sig(['STRING', 'STRING'], 'INT', (s: string | null, ...xs: (string | null)[]) => (s === null ? 0 : xs.indexOf(s) + 1), { variadic: true }),
  ]),
  fn('UUID', STRING, 'Returns a random RFC 4122 version 4 UUID, or formats 16 bytes as a UUID string.', [
    sig([], STRING, () => randomUUID()),
    sig(['BYTES'], STRING, strict(uuidFromBytes)),
  ]),
  fn(
    'ENCODE',
    STRING,
    'Takes an input string s, which is encoded as input_encoding, and encodes it as output_encoding. The ' +
      'accepted input and output encodings are: hex, utf8, ascii and base64.',
    [sig(['STRING', 'STRING', 'STRING'], STRING, strict(encode))],
  ),
  fn('TO_BYTES', STRING, "Converts a string to bytes using the given encoding: 'hex', 'utf8', 'ascii' or 'base64'.", [
    sig(['STRING', 'STRING'], 'BYTES', strict(toBytes)),
  ]),
  fn('FROM_BYTES', STRING, "Converts bytes to a string using the given encoding: 'hex', 'utf8', 'ascii' or 'base64'.", [
    sig(['BYTES', 'STRING'], STRING, strict(fromBytes)),
  ]),
  fn('MD5', STRING, 'Returns the hex-encoded MD5 hash of the UTF-8 bytes of a string.', [
    sig(['STRING'], STRING, strict((s: string) => createHash('md5').update(s, 'utf8').digest('hex'))),
  ]),
];
