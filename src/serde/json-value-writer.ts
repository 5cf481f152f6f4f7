/**
 * Compiled converters from Sluice runtime values to JSON text, shaped like ksqlDB's JSON output:
 * BIGINT as plain digits (exact), DECIMAL as a number at the type's scale (1.50), BYTES base64,
 * DATE/TIME/TIMESTAMP as integers, MAP as an object, STRUCT fields in declared order, and
 * non-finite doubles as the strings "NaN"/"Infinity" (Jackson's default).
 */
import { Decimal } from 'decimal.js';
import type { SqlType } from '../common/sql-types.js';
import { encodeBase64 } from './base64-text.js';
import { RecordFailure } from './serde-failure.js';

/** Writes a non-null runtime value; throws RecordFailure for a value of the wrong JS type. */
export type JsonWriter = (v: unknown) => string;

function wrongValue(v: unknown, t: SqlType): RecordFailure {
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'object' ? (v?.constructor?.name ?? 'object') : JSON.stringify(v);
  return new RecordFailure(`Value ${shown} is not a valid ${t.kind} value`);
}

function writeNumber(v: number): string {
  if (Number.isFinite(v)) return Object.is(v, -0) ? '-0.0' : String(v);
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

function integerWriter(t: SqlType): JsonWriter {
  return (v) => {
    if (typeof v === 'number' && Number.isInteger(v)) return String(v);
    throw wrongValue(v, t);
  };
}

const writeBoolean: JsonWriter = (v) => {
  if (v === true) return 'true';
  if (v === false) return 'false';
  throw wrongValue(v, { kind: 'BOOLEAN' });
};

/**
 * One per column: consecutive records often repeat a BIGINT (a timestamp of one millisecond, an
 * id), and the reader hands the repeated value on, so the last text is kept for it.
 */
function bigintWriter(): JsonWriter {
  let last: bigint | undefined;
  let lastText = '';
  return (v) => {
    if (typeof v === 'bigint') {
      if (v !== last) {
        lastText = v.toString();
        last = v;
      }
      return lastText;
    }
    if (typeof v === 'number' && Number.isInteger(v)) return String(v);
    throw wrongValue(v, { kind: 'BIGINT' });
  };
}

const writeDouble: JsonWriter = (v) => {
  if (typeof v === 'number') return writeNumber(v);
  throw wrongValue(v, { kind: 'DOUBLE' });
};

/** what JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Strings known to need no escaping: the JSON reader puts here the strings of the record it last
 * read that were plain tokens of UTF-8 text (no quote, backslash, control character or lone
 * surrogate), so a value written back unchanged is not tested again. Whatever else runs between
 * the read and the write, every string here is plain (equal text, equally plain): a miss only
 * costs the test.
 */
export const PLAIN_STRINGS: { readonly strings: string[]; count: number } = { strings: [], count: 0 };
/** at most this many per record */
export const MAX_PLAIN_STRINGS = 16;

const writeString: JsonWriter = (v) => {
  if (typeof v === 'string') {
    const plain = PLAIN_STRINGS;
    for (let i = 0; i < plain.count; i++) if (plain.strings[i] === v) return `"${v}"`;
    // most strings need no escaping: quoting them by concatenation skips a copy
    return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
  }
  throw wrongValue(v, { kind: 'STRING' });
};

const writeBytes: JsonWriter = (v) => {
  if (v instanceof Uint8Array) return `"${encodeBase64(v)}"`;
  throw wrongValue(v, { kind: 'BYTES' });
};

function decimalWriter(t: Extract<SqlType, { kind: 'DECIMAL' }>): JsonWriter {
  const scale = t.scale;
  return (v) => {
    // toFixed never uses exponent notation, and pads to the scale ("1.50")
    if (v instanceof Decimal) return v.toFixed(scale);
    if (Decimal.isDecimal(v)) return (v as Decimal).toFixed(scale);
    throw wrongValue(v, t);
  };
}

function arrayWriter(t: Extract<SqlType, { kind: 'ARRAY' }>): JsonWriter {
  const element = compileJsonWriter(t.element);
  return (v) => {
    if (!Array.isArray(v)) throw wrongValue(v, t);
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ',';
      const e = v[i];
      s += e === null || e === undefined ? 'null' : element(e);
    }
    return `${s}]`;
  };
}

function mapWriter(t: Extract<SqlType, { kind: 'MAP' }>): JsonWriter {
  const value = compileJsonWriter(t.value);
  return (v) => {
    if (!(v instanceof Map)) throw wrongValue(v, t);
    let s = '{';
    let first = true;
    for (const [k, e] of v) {
      if (!first) s += ',';
      first = false;
      s += `${JSON.stringify(String(k))}:${e === null || e === undefined ? 'null' : value(e)}`;
    }
    return `${s}}`;
  };
}

function structWriter(t: Extract<SqlType, { kind: 'STRUCT' }>): JsonWriter {
  const names = t.fields.map((f) => f.name);
  const writers = t.fields.map((f) => compileJsonWriter(f.type));
  const prefixes = names.map((n, i) => `${i === 0 ? '' : ','}${JSON.stringify(n)}:`);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map) throw wrongValue(v, t);
    const o = v as Record<string, unknown>;
    let s = '{';
    for (let i = 0; i < names.length; i++) {
      const e = o[names[i]!];
      s += prefixes[i]! + (e === null || e === undefined ? 'null' : writers[i]!(e));
    }
    return `${s}}`;
  };
}

export function compileJsonWriter(t: SqlType): JsonWriter {
  switch (t.kind) {
    case 'BOOLEAN':
      return writeBoolean;
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      return integerWriter(t);
    case 'BIGINT':
      return bigintWriter();
    case 'DOUBLE':
      return writeDouble;
    case 'DECIMAL':
      return decimalWriter(t);
    case 'STRING':
      return writeString;
    case 'BYTES':
      return writeBytes;
    case 'ARRAY':
      return arrayWriter(t);
    case 'MAP':
      return mapWriter(t);
    case 'STRUCT':
      return structWriter(t);
  }
}
