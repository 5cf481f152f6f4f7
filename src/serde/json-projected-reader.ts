/**
 * A JSON object reader for queries that need only some of a source's value columns: one pass over
 * the text that checks its syntax, extracts the top-level values of the needed fields and skips
 * everything else without building it (JSON.parse builds every field of every record).
 *
 * It answers only when the answer is certainly the general path's (json-format.ts): every
 * declared column is still checked to be readable (an unneeded column whose token could fail its
 * conversion is converted and dropped), and anything unusual (a syntax error, a failed conversion,
 * two differently cased keys for one column, deep nesting, a document that is not an object)
 * returns undefined, and the caller runs the general path, which gives the exact value or error.
 */
import type { StructField } from '../common/sql-types.js';
import { compileJsonReader, type JsonReader } from './json-value-reader.js';
import { JsonNumber, parseJsonText } from './lossless-json.js';

/** The row (unneeded columns null), null for a JSON null document, undefined: use the general path. */
export type ProjectedReader = (text: string) => unknown[] | null | undefined;

/** token kinds of a field's value */
const STRING = 1;
const ESCAPED_STRING = 2;
const NUMBER = 3;
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
const OBJECT = 7;
const ARRAY = 8;

/** nesting skipped without building; deeper documents go to the general path (it limits depth) */
const MAX_SKIP_DEPTH = 256;
const MAX_DOUBLE_DIGITS = 15;

/** the general path's own failure; only says "fall back" */
class Fallback {}
const FALLBACK = new Fallback();

/** which token kinds a column's conversion accepts whatever the token holds (so it may be skipped) */
function alwaysAccepted(t: StructField['type']): ReadonlySet<number> {
  switch (t.kind) {
    case 'BOOLEAN':
      return new Set([TRUE, FALSE, NULL]);
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      // any JSON number converts (truncated, wrapped, or rounded, never refused)
      return new Set([NUMBER, NULL]);
    case 'STRING':
      // anything reads as a string (numbers, booleans and containers as their text)
      return new Set([STRING, ESCAPED_STRING, NUMBER, TRUE, FALSE, NULL, OBJECT, ARRAY]);
    default:
      // DECIMAL (precision), BYTES (base64), containers (their elements): converted to be checked
      return new Set([NULL]);
  }
}

interface KeyTarget {
  /** field whose name is the key itself, or -1 */
  readonly exact: number;
  /** field whose name is the key upper-cased, or -1 */
  readonly upper: number;
}

/** bounds the per-reader cache of JSON keys (objects used as maps bring ever new keys) */
const KEY_CACHE_LIMIT = 1024;

/**
 * `needed[i]` says whether field i's value is wanted; unneeded fields come out null. Field
 * matching is the general path's: the exact key (last occurrence wins), else the key upper-cased.
 */
export function compileProjectedFieldsReader(fields: readonly StructField[], needed: readonly boolean[]): ProjectedReader {
  const n = fields.length;
  const readers: JsonReader[] = fields.map((f) => compileJsonReader(f.type));
  const skippable = fields.map((f, i) => (needed[i] ? undefined : alwaysAccepted(f.type)));
  const fieldIndex = new Map(fields.map((f, i) => [f.name, i]));
  const keyCache = new Map<string, KeyTarget>();
  const NO_TARGET: KeyTarget = { exact: -1, upper: -1 };
  const targetOf = (k: string): KeyTarget => {
    let t = keyCache.get(k);
    if (t === undefined) {
      const exact = fieldIndex.get(k) ?? -1;
      const upper = fieldIndex.get(k.toUpperCase()) ?? -1;
      t = exact < 0 && upper < 0 ? NO_TARGET : { exact, upper };
      if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(k, t);
    }
    return t;
  };

  // per-record scratch, reused: token start/end/kind of each field's chosen occurrence
  const exStart = new Int32Array(n);
  const exEnd = new Int32Array(n);
  const exKind = new Int8Array(n);
  const upStart = new Int32Array(n);
  const upEnd = new Int32Array(n);
  const upKind = new Int8Array(n);
  const upKey: (string | undefined)[] = new Array(n);
  const upAmbiguous = new Uint8Array(n);

  let s = '';
  let pos = 0;
  let len = 0;
  /** kind of the token the last scanValue call passed over */
  let tokenKind = 0;

  const skipWs = (): void => {
    while (pos < len) {
      const c = s.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };

  /** past a string whose opening quote is at pos; returns whether it held an escape */
  const scanString = (): boolean => {
    pos++;
    let escaped = false;
    for (;;) {
      if (pos >= len) throw FALLBACK;
      const c = s.charCodeAt(pos++);
      if (c === 0x22) return escaped;
      if (c === 0x5c) {
        escaped = true;
        if (pos >= len) throw FALLBACK;
        const e = s.charCodeAt(pos++);
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            const h = s.charCodeAt(pos++);
            if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) throw FALLBACK;
          }
        } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) throw FALLBACK;
      } else if (c < 0x20) throw FALLBACK;
    }
  };

  const digitRun = (): number => {
    const start = pos;
    while (pos < len) {
      const c = s.charCodeAt(pos);
      if (c >= 0x30 && c <= 0x39) pos++;
      else break;
    }
    return pos - start;
  };

  /** past a number at pos (JSON's grammar exactly) */
  const scanNumber = (): void => {
    if (s.charCodeAt(pos) === 0x2d) pos++;
    const first = s.charCodeAt(pos);
    if (first === 0x30) pos++;
    else if (first >= 0x31 && first <= 0x39) digitRun();
    else throw FALLBACK;
    if (s.charCodeAt(pos) === 0x2e) {
      pos++;
      if (digitRun() === 0) throw FALLBACK;
    }
    const e = s.charCodeAt(pos);
    if (e === 0x65 || e === 0x45) {
      pos++;
      const sign = s.charCodeAt(pos);
      if (sign === 0x2b || sign === 0x2d) pos++;
      if (digitRun() === 0) throw FALLBACK;
    }
  };

  const scanLiteral = (word: string): void => {
    if (!s.startsWith(word, pos)) throw FALLBACK;
    pos += word.length;
  };

  /** past one value at pos (whitespace skipped before it); sets tokenKind */
  const scanValue = (depth: number): void => {
    skipWs();
    if (pos >= len) throw FALLBACK;
    const c = s.charCodeAt(pos);
    if (c === 0x22) {
      tokenKind = scanString() ? ESCAPED_STRING : STRING;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      scanNumber();
      tokenKind = NUMBER;
    } else if (c === 0x74) {
      scanLiteral('true');
      tokenKind = TRUE;
    } else if (c === 0x66) {
      scanLiteral('false');
      tokenKind = FALSE;
    } else if (c === 0x6e) {
      scanLiteral('null');
      tokenKind = NULL;
    } else if (c === 0x7b) {
      if (depth >= MAX_SKIP_DEPTH) throw FALLBACK;
      pos++;
      skipWs();
      if (s.charCodeAt(pos) === 0x7d) pos++;
      else
        for (;;) {
          skipWs();
          if (s.charCodeAt(pos) !== 0x22) throw FALLBACK;
          scanString();
          skipWs();
          if (s.charCodeAt(pos++) !== 0x3a) throw FALLBACK;
          scanValue(depth + 1);
          skipWs();
          const d = s.charCodeAt(pos++);
          if (d === 0x7d) break;
          if (d !== 0x2c) throw FALLBACK;
        }
      tokenKind = OBJECT;
    } else if (c === 0x5b) {
      if (depth >= MAX_SKIP_DEPTH) throw FALLBACK;
      pos++;
      skipWs();
      if (s.charCodeAt(pos) === 0x5d) pos++;
      else
        for (;;) {
          scanValue(depth + 1);
          skipWs();
          const d = s.charCodeAt(pos++);
          if (d === 0x5d) break;
          if (d !== 0x2c) throw FALLBACK;
        }
      tokenKind = ARRAY;
    } else throw FALLBACK;
  };

  /** the value JSON parsing gives for a token the scanner passed (same numbers, same strings) */
  const tokenValue = (start: number, end: number, kind: number): unknown => {
    switch (kind) {
      case STRING:
        return s.slice(start + 1, end - 1);
      case NUMBER: {
        const text = s.slice(start, end);
        // the lossless parser's rule: more digits than a double holds exactly stay text
        return countDigits(text) > MAX_DOUBLE_DIGITS ? new JsonNumber(text) : Number(text);
      }
      case TRUE:
        return true;
      case FALSE:
        return false;
      case NULL:
        return null;
      default:
        return parseJsonText(s.slice(start, end));
    }
  };

  const read = (text: string): unknown[] | null | undefined => {
    s = text;
    len = text.length;
    pos = 0;
    exKind.fill(0);
    upKind.fill(0);
    upAmbiguous.fill(0);
    try {
      skipWs();
      const c = s.charCodeAt(pos);
      if (c === 0x6e) {
        scanLiteral('null');
        skipWs();
        return pos === len ? null : undefined;
      }
      if (c !== 0x7b) return undefined;
      pos++;
      skipWs();
      if (s.charCodeAt(pos) === 0x7d) pos++;
      else
        for (;;) {
          skipWs();
          if (s.charCodeAt(pos) !== 0x22) return undefined;
          const keyStart = pos;
          const keyEscaped = scanString();
          const key = keyEscaped ? (JSON.parse(s.slice(keyStart, pos)) as string) : s.slice(keyStart + 1, pos - 1);
          skipWs();
          if (s.charCodeAt(pos++) !== 0x3a) return undefined;
          skipWs();
          const valueStart = pos;
          scanValue(1);
          const t = targetOf(key);
          if (t.exact >= 0) {
            exStart[t.exact] = valueStart;
            exEnd[t.exact] = pos;
            exKind[t.exact] = tokenKind;
          }
          if (t.upper >= 0) {
            const u = t.upper;
            if (upKind[u] !== 0 && upKey[u] !== key) upAmbiguous[u] = 1;
            upStart[u] = valueStart;
            upEnd[u] = pos;
            upKind[u] = tokenKind;
            upKey[u] = key;
          }
          skipWs();
          const d = s.charCodeAt(pos++);
          if (d === 0x7d) break;
          if (d !== 0x2c) return undefined;
        }
      skipWs();
      if (pos !== len) return undefined;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        let start: number;
        let end: number;
        let kind: number;
        if (exKind[i] !== 0) {
          start = exStart[i]!;
          end = exEnd[i]!;
          kind = exKind[i]!;
        } else if (upKind[i] !== 0) {
          // keys differing only in case: which one wins depends on key order rules; general path
          if (upAmbiguous[i]) return undefined;
          start = upStart[i]!;
          end = upEnd[i]!;
          kind = upKind[i]!;
        } else {
          out[i] = null;
          continue;
        }
        if (kind === NULL) {
          out[i] = null;
          continue;
        }
        const skip = skippable[i];
        if (skip !== undefined && skip.has(kind)) {
          out[i] = null;
          continue;
        }
        const v = readers[i]!(tokenValue(start, end, kind));
        out[i] = skip === undefined ? v : null;
      }
      return out;
    } catch {
      // a syntax error, a failed conversion, anything: the general path says what it is
      return undefined;
    } finally {
      s = '';
    }
  };
  return read;
}

/** digits of a JSON number's mantissa (integer and fraction parts), as the lossless parser counts */
function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break;
    if (c >= 0x30 && c <= 0x39) digits++;
  }
  return digits;
}
