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
import { MAX_PLAIN_STRINGS, PLAIN_STRINGS } from './json-value-writer.js';
import { JsonNumber, parseJsonText } from './lossless-json.js';

/**
 * The row (unneeded columns null), null for a JSON null document, undefined: use the general path.
 * `utf8`: the text is decoded UTF-8 (no lone surrogates), so its plain string tokens may be
 * handed to the writer as needing no escapes (json-value-writer.ts PLAIN_STRINGS).
 * `into`: a row (of the reader's width) to fill and return instead of a new one.
 */
export type ProjectedReader = ((text: string, utf8?: boolean, into?: unknown[]) => unknown[] | null | undefined) & {
  /**
   * The row of a record of the last record's shape whose characters are all ASCII, given its
   * bytes decoded as Latin-1 (cheaper than UTF-8, and the same text when every byte is ASCII,
   * which a match proves); undefined: decode the bytes as UTF-8 and call the reader itself.
   */
  readonly ascii: (latin1: string, into?: unknown[]) => unknown[] | undefined;
};

/** token kinds of a field's value */
const STRING = 1;
const ESCAPED_STRING = 2;
const NUMBER = 3;
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
const OBJECT = 7;
const ARRAY = 8;

/** types whose JSON reader gives a primitive (number or bigint) for a number token */
const PRIMITIVE_NUMERIC: ReadonlySet<StructField['type']['kind']> = new Set(['INTEGER', 'BIGINT', 'DOUBLE', 'DATE', 'TIME', 'TIMESTAMP']);

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
 * Rows are `rowWidth` long when that is more than the fields (the slots past them left empty).
 */
export function compileProjectedFieldsReader(fields: readonly StructField[], needed: readonly boolean[], rowWidth = fields.length): ProjectedReader {
  const n = fields.length;
  // rows may come out wider than the fields (the slots past them left empty) for a caller that adds columns
  const width = Math.max(n, rowWidth);
  const readers: JsonReader[] = fields.map((f) => compileJsonReader(f.type));
  // per unneeded field: bit k set when token kind k is accepted without converting (0: needed)
  const skipMask = new Int32Array(fields.map((f, i) => (needed[i] ? 0 : [...alwaysAccepted(f.type)].reduce((m, k) => m | (1 << k), 0))));
  const fieldIndex = new Map(fields.map((f, i) => [f.name, i]));
  // needed numeric fields read to a primitive (number or bigint): the last token and its value,
  // reused when the next record repeats the number (ids and times often repeat record to record)
  const cachesNumbers = Uint8Array.from(fields, (f, i) => (needed[i] && PRIMITIVE_NUMERIC.has(f.type.kind) ? 1 : 0));
  // (kept as the number a token reads to: comparing numbers beats comparing token strings, and a
  // reader gives the same value for the same number; NaN: none yet)
  const lastNumber = new Float64Array(n).fill(Number.NaN);
  const lastNumberValue: unknown[] = new Array<unknown>(n).fill(null);
  const keyCache = new Map<string, KeyTarget>();
  const NO_TARGET: KeyTarget = { exact: -1, upper: -1 };
  /** the keys of the last record read, in order, and where they go */
  const lastKeys: string[] = [];
  const lastTargets: KeyTarget[] = [];
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

  /** the value JSON parsing gives for a token the scanner passed (same numbers, same strings) */
  const tokenValue = (s: string, start: number, end: number, kind: number): unknown => {
    switch (kind) {
      case STRING:
        return s.slice(start + 1, end - 1);
      case NUMBER:
        return numberValue(s, start, end);
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

  /**
   * The field each remembered key goes to when a record repeats the last one's keys exactly (in
   * order, every key once: no field reached by two keys), or undefined: no fast plan.
   */
  let planFields: Int32Array | undefined;
  /** plans made and records read, to bound how often plans are made */
  let plansMade = 0;
  let reads = 0;
  /** the whole record's shape for the remembered keys, capturing the tokens to convert (see planShape) */
  let planShape: RegExp = /$^/;
  /** the same shape with only ASCII characters in its strings (undefined: a key is not ASCII) */
  let planShapeAscii: RegExp | undefined;
  /** per field: the capture group of its token in planShape's match, 0 when it comes out null */
  let planGroups = new Int32Array(n);
  const makePlan = (): Int32Array | undefined => {
    const fieldOf = new Int32Array(lastKeys.length);
    const taken = new Uint8Array(n);
    for (let k = 0; k < lastKeys.length; k++) {
      const t = lastTargets[k]!;
      if (t === NO_TARGET) {
        fieldOf[k] = -1;
        continue;
      }
      // a field reached by two keys (repeated, or two casings): which wins is the careful path's
      if (t.exact >= 0 && t.upper >= 0 && t.exact !== t.upper) return undefined;
      const f = t.exact >= 0 ? t.exact : t.upper;
      if (taken[f]) return undefined;
      taken[f] = 1;
      fieldOf[k] = f;
    }
    const groups = new Int32Array(n);
    planShape = plainRecordShape(lastKeys, fieldOf, skipMask, groups, PLAIN_VALUE);
    planShapeAscii = lastKeys.every((k) => /^[\u0000-\u007f]*$/.test(k)) ? plainRecordShape(lastKeys, fieldOf, skipMask, new Int32Array(n), PLAIN_ASCII_VALUE) : undefined;
    planGroups = groups;
    return fieldOf;
  };

  /**
   * The common case, machine-written records: no whitespace, no escapes, no nesting, the same
   * keys in the same order as the record before. One native match checks the whole record's
   * syntax and captures the tokens to convert; undefined (nothing decided) on anything else, and
   * the careful scan runs.
   */
  const assembleMatch = (m: RegExpExecArray, utf8: boolean, into: unknown[] | undefined): unknown[] | undefined => {
    const plain = PLAIN_STRINGS;
    if (utf8) plain.count = 0;
    try {
      const out = into ?? new Array<unknown>(width);
      for (let i = 0; i < n; i++) {
        const g = planGroups[i]!;
        if (g === 0) {
          out[i] = null;
          continue;
        }
        const t = m[g]!;
        const c = t.charCodeAt(0);
        let kind: number;
        let token: unknown;
        if (c === 0x22) {
          kind = STRING;
          token = t.slice(1, -1);
        } else if (c === 0x6e) {
          out[i] = null;
          continue;
        } else if (c === 0x74) {
          kind = TRUE;
          token = true;
        } else if (c === 0x66) {
          kind = FALSE;
          token = false;
        } else {
          kind = NUMBER;
          token = numberValue(t, 0, t.length);
          if (cachesNumbers[i] === 1 && token === lastNumber[i] && (token !== 0 || Object.is(token, lastNumber[i]))) {
            out[i] = lastNumberValue[i];
            continue;
          }
        }
        const skip = skipMask[i]!;
        if ((skip & (1 << kind)) !== 0) {
          out[i] = null;
          continue;
        }
        const v = readers[i]!(token);
        out[i] = skip === 0 ? v : null;
        if (kind === NUMBER && cachesNumbers[i] === 1 && typeof token === 'number') {
          lastNumber[i] = token;
          lastNumberValue[i] = v;
        }
        // a string token without escapes (the shape says) of UTF-8 text
        if (kind === STRING && utf8 && skip === 0 && plain.count < MAX_PLAIN_STRINGS) plain.strings[plain.count++] = token as string;
      }
      return out;
    } catch {
      // a failed conversion: the general path says what it is
      return undefined;
    }
  };

  const read = (s: string, utf8 = false, into?: unknown[]): unknown[] | null | undefined => {
    const len = s.length;
    reads++;
    if (planFields !== undefined) {
      const m = planShape.exec(s);
      if (m !== null) return assembleMatch(m, utf8, into);
    }
    exKind.fill(0);
    upKind.fill(0);
    upAmbiguous.fill(0);
    const scan: Scan = { s, len };
    let keyNo = 0;
    try {
      let pos = skipWs(s, 0, len);
      const c = s.charCodeAt(pos);
      if (c === 0x6e) {
        pos = scanLiteral(s, pos, 'null');
        return skipWs(s, pos, len) === len ? null : undefined;
      }
      if (c !== 0x7b) return undefined;
      pos = skipWs(s, pos + 1, len);
      if (s.charCodeAt(pos) === 0x7d) pos++;
      else
        for (;;) {
          pos = skipWs(s, pos, len);
          if (s.charCodeAt(pos) !== 0x22) return undefined;
          const keyStart = pos;
          // records of a topic repeat their keys in the same order: try the last record's key here
          // first (compared in place, no string made or hashed)
          let key = keyNo < lastKeys.length ? lastKeys[keyNo]! : undefined;
          let t: KeyTarget;
          if (key !== undefined && s.charCodeAt(keyStart + 1 + key.length) === 0x22 && sameText(s, keyStart + 1, key)) {
            t = lastTargets[keyNo]!;
            pos = keyStart + 2 + key.length;
          } else {
            const keyEnd = scanString(scan, pos);
            key = keyEnd < 0 ? (JSON.parse(s.slice(keyStart, -keyEnd)) as string) : s.slice(keyStart + 1, keyEnd - 1);
            t = targetOf(key);
            // only keys without escapes can be compared in place next time
            if (keyEnd > 0 && keyNo < MAX_REMEMBERED_KEYS) {
              lastKeys.length = keyNo;
              lastTargets.length = keyNo;
              lastKeys.push(key);
              lastTargets.push(t);
              planFields = undefined;
            }
            pos = keyEnd < 0 ? -keyEnd : keyEnd;
          }
          keyNo++;
          pos = skipWs(s, pos, len);
          if (s.charCodeAt(pos++) !== 0x3a) return undefined;
          pos = skipWs(s, pos, len);
          const valueStart = pos;
          const packed = scanValue(scan, pos, 1);
          const kind = packed % 16;
          pos = (packed - kind) / 16;
          if (t !== NO_TARGET) {
            if (t.exact >= 0) {
              exStart[t.exact] = valueStart;
              exEnd[t.exact] = pos;
              exKind[t.exact] = kind;
            }
            if (t.upper >= 0) {
              const u = t.upper;
              if (upKind[u] !== 0 && upKey[u] !== key) upAmbiguous[u] = 1;
              upStart[u] = valueStart;
              upEnd[u] = pos;
              upKind[u] = kind;
              upKey[u] = key;
            }
          }
          pos = skipWs(s, pos, len);
          const d = s.charCodeAt(pos++);
          if (d === 0x7d) break;
          if (d !== 0x2c) return undefined;
        }
      if (skipWs(s, pos, len) !== len) return undefined;
      // the next record with these keys (all of them remembered, in order) may take the fast scan
      // (a plan compiles a regular expression: records whose keys keep changing get few plans)
      if (planFields === undefined && keyNo === lastKeys.length && keyNo < MAX_REMEMBERED_KEYS && plansMade <= 16 + reads / PLAN_EVERY) {
        plansMade++;
        planFields = makePlan();
      }
      return assemble(s, utf8, into);
    } catch {
      // a syntax error, a failed conversion, anything: the general path says what it is
      return undefined;
    }
  };

  /** the row from the chosen tokens of each field */
  const assemble = (s: string, utf8: boolean, into: unknown[] | undefined): unknown[] | undefined => {
    const plain = PLAIN_STRINGS;
    if (utf8) plain.count = 0;
    try {
      const out = into ?? new Array<unknown>(width);
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
        const skip = skipMask[i]!;
        if ((skip & (1 << kind)) !== 0) {
          out[i] = null;
          continue;
        }
        const token = tokenValue(s, start, end, kind);
        const v = readers[i]!(token);
        out[i] = skip === 0 ? v : null;
        // a string token without escapes (no quote, backslash or control character) of UTF-8 text
        if (kind === STRING && utf8 && skip === 0 && plain.count < MAX_PLAIN_STRINGS) plain.strings[plain.count++] = token as string;
      }
      return out;
    } catch {
      // a syntax error, a failed conversion, anything: the general path says what it is
      return undefined;
    }
  };
  const ascii = (s: string, into?: unknown[]): unknown[] | undefined => {
    if (planFields === undefined || planShapeAscii === undefined) return undefined;
    const m = planShapeAscii.exec(s);
    return m === null ? undefined : assembleMatch(m, true, into);
  };
  return Object.assign(read, { ascii });
}

/** whether `key` is in `s` at `at` (short keys: a loop beats the builtin call) */
function sameText(s: string, at: number, key: string): boolean {
  const n = key.length;
  if (n > 24) return s.startsWith(key, at);
  for (let i = 0; i < n; i++) if (s.charCodeAt(at + i) !== key.charCodeAt(i)) return false;
  return true;
}

/** one document being scanned */
interface Scan {
  readonly s: string;
  readonly len: number;
}

/** the rest of a string without escapes or control characters, up to its closing quote (sticky) */
const PLAIN_STRING = /[^"\\\u0000-\u001f]*"/y;

/** beyond the first few, at most one fast plan per this many records read */
const PLAN_EVERY = 1024;

/** keys remembered per record for in-place comparison */
const MAX_REMEMBERED_KEYS = 64;

function skipWs(s: string, pos: number, len: number): number {
  while (pos < len) {
    const c = s.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else break;
  }
  return pos;
}

function scanLiteral(s: string, pos: number, word: string): number {
  if (!s.startsWith(word, pos)) throw FALLBACK;
  return pos + word.length;
}

/**
 * Past the string whose opening quote is at pos: the index after its closing quote, negated when
 * the string holds an escape. Escapes are checked; raw control characters refused (as JSON.parse).
 */
function scanString(scan: Scan, pos: number): number {
  const s = scan.s;
  // the common case, a string of ordinary characters, in one native regex match
  PLAIN_STRING.lastIndex = pos + 1;
  if (PLAIN_STRING.test(s)) return PLAIN_STRING.lastIndex;
  const len = scan.len;
  let escaped = false;
  pos++;
  for (;;) {
    let c = s.charCodeAt(pos);
    // the common case: a run of ordinary characters
    while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = s.charCodeAt(++pos);
    if (c === 0x22) return escaped ? -(pos + 1) : pos + 1;
    // NaN (the end of the text) and control characters
    if (c !== 0x5c) throw FALLBACK;
    escaped = true;
    pos++;
    if (pos >= len) throw FALLBACK;
    const e = s.charCodeAt(pos++);
    if (e === 0x75) {
      for (let k = 0; k < 4; k++) {
        const h = s.charCodeAt(pos++);
        if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) throw FALLBACK;
      }
    } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) throw FALLBACK;
  }
}

function digitRun(s: string, pos: number): number {
  for (;;) {
    const c = s.charCodeAt(pos);
    if (c >= 0x30 && c <= 0x39) pos++;
    else return pos;
  }
}

/** a JSON value without whitespace, escapes or nesting: a plain string, a number, a literal */
const PLAIN_VALUE = '(?:"[^"\\\\\\u0000-\\u001f]*"|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)';

/** PLAIN_VALUE with strings of ASCII characters only */
const PLAIN_ASCII_VALUE = '(?:"[^"\\\\\\u0000-\\u001f\\u0080-\\uffff]*"|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)';

/** a JSON number (its grammar exactly) */
const NUMBER_TOKEN = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
/** kinds of plain values, as skip-mask bits */
const PLAIN_KINDS = (1 << STRING) | (1 << NUMBER) | (1 << TRUE) | (1 << FALSE) | (1 << NULL);
const NUMBER_KINDS = (1 << NUMBER) | (1 << NULL);
const BOOLEAN_KINDS = (1 << TRUE) | (1 << FALSE) | (1 << NULL);

/**
 * A record of exactly these keys in this order, each once, with plain values (PLAIN_VALUE) and no
 * whitespace: JSON's grammar for such a record, so a match is valid JSON. Keys hold no escapes.
 * The token of each field to convert (needed, or its conversion may fail) is captured; its group
 * goes in `groups` (by field). An unneeded field whose every token of some kinds reads without
 * failing is matched by those kinds only: a record with another kind there takes the careful scan.
 */
function plainRecordShape(keys: readonly string[], fieldOf: Int32Array, skipMask: Int32Array, groups: Int32Array, plainValue: string): RegExp {
  let group = 0;
  const fields = keys.map((k, i) => {
    const f = fieldOf[i]!;
    const skip = f < 0 ? PLAIN_KINDS : skipMask[f]!;
    let value: string;
    if ((skip & PLAIN_KINDS) === PLAIN_KINDS) value = plainValue;
    else if ((skip & NUMBER_KINDS) === NUMBER_KINDS) value = `(?:${NUMBER_TOKEN}|null)`;
    else if ((skip & BOOLEAN_KINDS) === BOOLEAN_KINDS) value = '(?:true|false|null)';
    else {
      value = `(${plainValue})`;
      groups[f] = ++group;
    }
    return `"${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}":${value}`;
  });
  return new RegExp(`^\\{${fields.join(',')}\\}$`);
}

/** past a number at pos (JSON's grammar exactly) */
function scanNumber(s: string, pos: number): number {
  if (s.charCodeAt(pos) === 0x2d) pos++;
  const first = s.charCodeAt(pos);
  if (first === 0x30) pos++;
  else if (first >= 0x31 && first <= 0x39) pos = digitRun(s, pos + 1);
  else throw FALLBACK;
  if (s.charCodeAt(pos) === 0x2e) {
    const f = digitRun(s, pos + 1);
    if (f === pos + 1) throw FALLBACK;
    pos = f;
  }
  const e = s.charCodeAt(pos);
  if (e === 0x65 || e === 0x45) {
    pos++;
    const sign = s.charCodeAt(pos);
    if (sign === 0x2b || sign === 0x2d) pos++;
    const x = digitRun(s, pos);
    if (x === pos) throw FALLBACK;
    pos = x;
  }
  return pos;
}

/** past one value at pos: (end * 16 + token kind) */
function scanValue(scan: Scan, pos: number, depth: number): number {
  const s = scan.s;
  const len = scan.len;
  pos = skipWs(s, pos, len);
  if (pos >= len) throw FALLBACK;
  const c = s.charCodeAt(pos);
  if (c === 0x22) {
    const end = scanString(scan, pos);
    return end < 0 ? -end * 16 + ESCAPED_STRING : end * 16 + STRING;
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(s, pos) * 16 + NUMBER;
  if (c === 0x74) return scanLiteral(s, pos, 'true') * 16 + TRUE;
  if (c === 0x66) return scanLiteral(s, pos, 'false') * 16 + FALSE;
  if (c === 0x6e) return scanLiteral(s, pos, 'null') * 16 + NULL;
  if (depth >= MAX_SKIP_DEPTH) throw FALLBACK;
  if (c === 0x7b) {
    pos = skipWs(s, pos + 1, len);
    if (s.charCodeAt(pos) === 0x7d) return (pos + 1) * 16 + OBJECT;
    for (;;) {
      pos = skipWs(s, pos, len);
      if (s.charCodeAt(pos) !== 0x22) throw FALLBACK;
      const keyEnd = scanString(scan, pos);
      pos = skipWs(s, keyEnd < 0 ? -keyEnd : keyEnd, len);
      if (s.charCodeAt(pos++) !== 0x3a) throw FALLBACK;
      const packed = scanValue(scan, pos, depth + 1);
      pos = skipWs(s, (packed - (packed % 16)) / 16, len);
      const d = s.charCodeAt(pos++);
      if (d === 0x7d) return pos * 16 + OBJECT;
      if (d !== 0x2c) throw FALLBACK;
    }
  }
  if (c === 0x5b) {
    pos = skipWs(s, pos + 1, len);
    if (s.charCodeAt(pos) === 0x5d) return (pos + 1) * 16 + ARRAY;
    for (;;) {
      const packed = scanValue(scan, pos, depth + 1);
      pos = skipWs(s, (packed - (packed % 16)) / 16, len);
      const d = s.charCodeAt(pos++);
      if (d === 0x5d) return pos * 16 + ARRAY;
      if (d !== 0x2c) throw FALLBACK;
    }
  }
  throw FALLBACK;
}

/** a number token as JSON parsing gives it: more digits than a double holds exactly stay text */
function numberValue(s: string, start: number, end: number): number | JsonNumber {
  // a plain integer of up to 15 digits: its digits summed up are exactly Number(text)
  if (end - start <= MAX_DOUBLE_DIGITS) {
    let i = start;
    const negative = s.charCodeAt(i) === 0x2d;
    if (negative) i++;
    let v = 0;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
    }
    if (i === end) return negative ? -v : v;
  }
  const text = s.slice(start, end);
  return countDigits(text) > MAX_DOUBLE_DIGITS ? new JsonNumber(text) : Number(text);
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
