/** ConfigDef validators with the messages of Kafka's ConfigDef.ValidString, ValidList, Range... */
import { ConnectConfigError, type ConfigValidator } from '../../api/index.js';
import { compileJavaRegex } from '../../../functions/scalar/java-regex.js';

export const Validators = {
  /** ConfigDef.ValidString.in */
  validString(...allowed: string[]): ConfigValidator {
    return (name, value) => {
      if (!allowed.includes(value as string)) throw new ConnectConfigError(name, value, `String must be one of: ${allowed.join(', ')}`);
    };
  },
  /** ConfigDef.CaseInsensitiveValidString.in */
  caseInsensitiveValidString(...allowed: string[]): ConfigValidator {
    const upper = allowed.map((a) => a.toUpperCase());
    // Kafka keeps them in a HashSet and prints them in its iteration order
    const printed = javaHashSetOrder(upper).join(', ');
    return (name, value) => {
      if (typeof value !== 'string' || !upper.includes(value.toUpperCase())) throw new ConnectConfigError(name, value, `String must be one of (case insensitive): ${printed}`);
    };
  },
  /** ConfigDef.NonEmptyString */
  nonEmptyString(): ConfigValidator {
    return (name, value) => {
      if (typeof value === 'string' && value.length === 0) throw new ConnectConfigError(name, value, 'String must be non-empty');
    };
  },
  /** ConfigDef.NonEmptyStringWithoutControlChars */
  nonEmptyStringWithoutControlChars(): ConfigValidator {
    return (name, value) => {
      if (value === null || value === undefined) throw new ConnectConfigError(name, null, 'String value cannot be null');
      const s = String(value);
      if (s.trim().length === 0) throw new ConnectConfigError(name, value, 'String may not be empty');
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(s)) throw new ConnectConfigError(name, value, 'String may not contain control sequences but had the following ASCII chars: ' + [...s].filter((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f).map((c) => c.charCodeAt(0)).join(', '));
    };
  },
  /** transforms.util.NonEmptyListValidator */
  nonEmptyList(): ConfigValidator {
    return (name, value) => {
      if (value === null || value === undefined || (value as unknown[]).length === 0) throw new ConnectConfigError(name, value === undefined ? null : '[]', 'Empty list');
    };
  },
  /** ConfigDef.Range.atLeast */
  atLeast(min: number): ConfigValidator {
    return (name, value) => {
      if (value === null || value === undefined) throw new ConnectConfigError(name, null, 'Value must be non-null');
      if ((value as number) < min) throw new ConnectConfigError(name, value, `Value must be at least ${min}`);
    };
  },
  /** transforms.util.RegexValidator */
  regex(): ConfigValidator {
    return (name, value) => {
      try {
        compileJavaRegex(String(value));
      } catch (err) {
        throw new ConnectConfigError(name, value, `Invalid regex: ${(err as Error).message}`);
      }
    };
  },
  /** ConfigDef.ValidList.in */
  validList(...allowed: string[]): ConfigValidator {
    return (name, value) => {
      const list = (value ?? []) as string[];
      for (const v of list) {
        if (!allowed.includes(v)) throw new ConnectConfigError(name, v, `String must be one of: ${allowed.join(', ')}`);
      }
    };
  },
};

/**
 * Java's Matcher replacement syntax ($1, ${name}, \$ for a literal dollar) applied to one match:
 * `groups` are the numbered groups (1..n), `named` the named ones
 */
export function javaReplacement(replacement: string, match: string, groups: readonly (string | undefined)[], named: Readonly<Record<string, string | undefined>> = {}): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      i++;
      if (i >= replacement.length) throw new Error('character to be escaped is missing');
      out += replacement[i];
    } else if (c === '$') {
      i++;
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        const name = replacement.slice(i + 1, end);
        if (end < 0 || !(name in named)) throw new Error(`No group with name {${name}}`);
        out += named[name] ?? '';
        i = end;
      } else {
        if (i >= replacement.length || !/\d/.test(replacement[i]!)) throw new Error('Illegal group reference');
        // Java reads the first digit, then more digits while the number stays a group that exists
        let num = Number(replacement[i]);
        if (num > groups.length) throw new Error(`No group ${num}`);
        while (i + 1 < replacement.length && /\d/.test(replacement[i + 1]!) && num * 10 + Number(replacement[i + 1]) <= groups.length) {
          num = num * 10 + Number(replacement[i + 1]);
          i++;
        }
        out += num === 0 ? match : (groups[num - 1] ?? '');
      }
    } else out += c;
  }
  return out;
}

/** String.hashCode() */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** iteration order of a small java.util.HashSet<String> (16 buckets) holding these strings */
export function javaHashSetOrder(items: readonly string[]): string[] {
  const bucket = (s: string): number => {
    const h = javaStringHash(s);
    return (h ^ (h >>> 16)) & 15;
  };
  return items.map((s, i) => ({ s, i, b: bucket(s) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.s);
}
