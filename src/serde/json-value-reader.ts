/**
 * Compiled converters from parsed JSON (JSON.parse output, plus JsonNumber for long numbers) to
 * Sluice runtime values, following ksqlDB's KsqlJsonDeserializer: lenient numeric/string
 * coercions, struct fields matched exactly first and then by the upper-cased JSON key, missing
 * fields read as NULL. Converters are built once per schema; records only run closures.
 */
import { Decimal } from 'decimal.js';
import type { SqlType, StructField } from '../common/sql-types.js';
import { decodeBase64 } from './base64-text.js';
import { fitDecimalText } from './decimal-fit.js';
import { decimalToJavaString, parseDecimalText, parseJavaDouble, parseJavaInt, parseJavaLong } from './java-number-text.js';
import { JsonNumber, MAX_JSON_DEPTH } from './lossless-json.js';
import { RecordFailure } from './serde-failure.js';

/** Converts a non-null JSON value; throws JsonCoercionFailure. */
export type JsonReader = (v: unknown) => unknown;

/** A conversion failure; containers prepend their path part while it unwinds. */
export class JsonCoercionFailure extends RecordFailure {
  path = '';
  constructor(readonly raw: string) {
    super(raw);
  }
  describe(): string {
    // a path 1,000 levels deep would be most of the message
    const path = this.path.length > 120 ? `${this.path.slice(0, 120)}...` : this.path;
    return `${this.raw}, path: $${path}`;
  }
}

function withPath(e: unknown, part: string): unknown {
  if (e instanceof JsonCoercionFailure) e.path = part + e.path;
  else if (e instanceof Error && !(e instanceof RangeError)) {
    const f = new JsonCoercionFailure(e.message);
    f.path = part;
    return f;
  }
  return e;
}

/** Jackson's node class names, which ksqlDB puts in its "sourceType" messages. */
function nodeName(v: unknown): string {
  if (typeof v === 'string') return 'TextNode';
  if (typeof v === 'boolean') return 'BooleanNode';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return 'DecimalNode';
    if (v >= -2147483648 && v <= 2147483647) return 'IntNode';
    return Number.isSafeInteger(v) ? 'LongNode' : 'DecimalNode';
  }
  if (v instanceof JsonNumber) {
    if (!v.isIntegral) return 'DecimalNode';
    const n = BigInt(v.text);
    return n === BigInt.asIntN(64, n) ? 'LongNode' : 'BigIntegerNode';
  }
  if (Array.isArray(v)) return 'ArrayNode';
  return 'ObjectNode';
}

/** Type names as ksqlDB prints them in conversion errors (no identifier quoting). */
export function schemaName(t: SqlType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'ARRAY':
      return `ARRAY<${schemaName(t.element)}>`;
    case 'MAP':
      return `MAP<${schemaName(t.key)}, ${schemaName(t.value)}>`;
    case 'STRUCT':
      return `STRUCT<${t.fields.map((f) => `${f.name} ${schemaName(f.type)}`).join(', ')}>`;
    default:
      return t.kind;
  }
}

export function invalidConversion(v: unknown, required: string): JsonCoercionFailure {
  return new JsonCoercionFailure(`Can't convert type. sourceType: ${nodeName(v)}, requiredType: ${required}`);
}

function failedStringCoercion(target: string): JsonCoercionFailure {
  return new JsonCoercionFailure(`Can't coerce string to type. targetType: ${target}`);
}

/** Truncated integer value of a JSON number, as a bigint (Java's BigDecimal.toBigInteger). */
function truncatedBigInt(v: number | JsonNumber): bigint {
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (v.isIntegral) return BigInt(v.text);
  return BigInt(new Decimal(v.text).trunc().toFixed(0));
}

/** NumericNode.intValue(): truncation, then the low 32 bits. */
function readInt32(v: unknown, name: string): number {
  if (typeof v === 'number') {
    const i = v | 0;
    return i === v ? i : Number(BigInt.asIntN(32, truncatedBigInt(v)));
  }
  if (typeof v === 'string') {
    const n = parseJavaInt(v);
    if (n === undefined) throw failedStringCoercion(name);
    return n;
  }
  if (v instanceof JsonNumber) return Number(BigInt.asIntN(32, truncatedBigInt(v)));
  throw invalidConversion(v, name);
}

/** NumericNode.asLong(): truncation, then the low 64 bits. */
function readInt64(v: unknown, name: string): bigint {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : BigInt.asIntN(64, truncatedBigInt(v));
  if (typeof v === 'string') {
    const n = parseJavaLong(v);
    if (n === undefined) throw failedStringCoercion(name);
    return n;
  }
  if (v instanceof JsonNumber) return BigInt.asIntN(64, truncatedBigInt(v));
  throw invalidConversion(v, name);
}

const readBoolean: JsonReader = (v) => {
  if (typeof v === 'boolean') return v;
  throw invalidConversion(v, 'BOOLEAN');
};

const readInteger: JsonReader = (v) => readInt32(v, 'INTEGER');
const readBigint: JsonReader = (v) => readInt64(v, 'BIGINT');
const readDate: JsonReader = (v) => readInt32(v, 'DATE');
const readTime: JsonReader = (v) => readInt32(v, 'TIME');
const readTimestamp: JsonReader = (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : Number(readInt64(v, 'TIMESTAMP')));

const readDouble: JsonReader = (v) => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const d = parseJavaDouble(v);
    if (d === undefined) throw failedStringCoercion('DOUBLE');
    return d;
  }
  if (v instanceof JsonNumber) return Number(v.text);
  throw invalidConversion(v, 'DOUBLE');
};

/** JsonNode.asText() of a number: integers in canonical form, fractions as BigDecimal.toString. */
function numberText(v: number | JsonNumber): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
    const parts = parseDecimalText(String(v));
    return parts === undefined ? String(v) : decimalToJavaString(parts);
  }
  if (v.isIntegral) return BigInt(v.text).toString();
  const parts = parseDecimalText(v.text);
  return parts === undefined ? v.text : decimalToJavaString(parts);
}

/**
 * Deeper values than the lossless parser accepts are refused here too (JSON.parse takes any depth),
 * rather than recursing until the stack overflows.
 */
function tooDeep(): JsonCoercionFailure {
  return new JsonCoercionFailure(`Nesting depth exceeds the maximum allowed (${MAX_JSON_DEPTH})`);
}

/** Compact JSON text of a parsed value (what ksqlDB gives for an object read as STRING). */
function jsonText(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? numberText(v) : 'null';
  if (v instanceof JsonNumber) return numberText(v);
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (depth >= MAX_JSON_DEPTH) throw tooDeep();
  if (Array.isArray(v)) return `[${v.map((e) => jsonText(e, depth + 1)).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).map((k) => `${JSON.stringify(k)}:${jsonText(o[k], depth + 1)}`).join(',')}}`;
}

const readString: JsonReader = (v) => stringOf(v, 0);

function stringOf(v: unknown, depth: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || v instanceof JsonNumber) return numberText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (depth >= MAX_JSON_DEPTH) throw tooDeep();
  // ksqlDB renders an array read as STRING as "[a, b]" of the elements read as strings
  if (Array.isArray(v)) return `[${v.map((e, i) => (e === null ? 'null' : elementAsString(e, i, depth + 1))).join(', ')}]`;
  return jsonText(v, depth);
}

function elementAsString(e: unknown, i: number, depth: number): string {
  try {
    return stringOf(e, depth);
  } catch (err) {
    throw withPath(err, `[${i}]`);
  }
}

const readBytes: JsonReader = (v) => {
  if (typeof v === 'string') {
    const b = decodeBase64(v);
    if (b === undefined) throw new JsonCoercionFailure(`Value is not a valid Base64 encoded string: ${v}`);
    return b;
  }
  throw invalidConversion(v, 'BYTES');
};

function decimalReader(t: Extract<SqlType, { kind: 'DECIMAL' }>): JsonReader {
  const name = schemaName(t);
  return (v) => {
    let text: string;
    if (typeof v === 'number') text = String(v);
    else if (typeof v === 'string') text = v;
    else if (v instanceof JsonNumber) text = v.text;
    else throw invalidConversion(v, name);
    try {
      return fitDecimalText(text, t);
    } catch (e) {
      throw new JsonCoercionFailure(e instanceof Error ? e.message : String(e));
    }
  };
}

function arrayReader(t: Extract<SqlType, { kind: 'ARRAY' }>): JsonReader {
  const name = schemaName(t);
  const element = compileJsonReader(t.element);
  return (v) => {
    if (!Array.isArray(v)) throw invalidConversion(v, name);
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const e = v[i];
      if (e === null) {
        out[i] = null;
        continue;
      }
      try {
        out[i] = element(e);
      } catch (err) {
        throw withPath(err, `[${i}]`);
      }
    }
    return out;
  };
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function mapReader(t: Extract<SqlType, { kind: 'MAP' }>): JsonReader {
  const name = schemaName(t);
  // JSON maps always have STRING keys (checked when the serde is created)
  const value = compileJsonReader(t.value);
  return (v) => {
    if (!isJsonObject(v)) throw invalidConversion(v, name);
    const out = new Map<string, unknown>();
    for (const k of Object.keys(v)) {
      const e = v[k];
      if (e === null) {
        out.set(k, null);
        continue;
      }
      try {
        out.set(k, value(e));
      } catch (err) {
        throw withPath(err, `.${k}.value`);
      }
    }
    return out;
  };
}

/**
 * Reads the declared fields out of a JSON object, in declared order: exact key first, then the
 * JSON key upper-cased (ksqlDB's rule, so unquoted SQL names match any JSON casing).
 */
export function compileFieldsReader(fields: readonly StructField[]): (o: Record<string, unknown>) => unknown[] {
  const names = fields.map((f) => f.name);
  const readers = fields.map((f) => compileJsonReader(f.type));
  // names that exist on Object.prototype ("constructor", ...) need an own-property check
  const guarded = names.map((n) => n in Object.prototype);
  const n = names.length;
  // JSON key -> index of the field its upper-cased form names (-1: none). The keys of one
  // topic's records repeat, so this is computed once per key rather than once per record.
  const fieldIndex = new Map(names.map((name, i) => [name, i]));
  const keyIndex = new Map<string, number>();
  const indexOfKey = (k: string): number => {
    let i = keyIndex.get(k);
    if (i === undefined) {
      i = fieldIndex.get(k.toUpperCase()) ?? -1;
      if (keyIndex.size < KEY_INDEX_LIMIT) keyIndex.set(k, i);
    }
    return i;
  };
  /** each field's value under its upper-cased JSON key (the last such key wins) */
  const upperCaseValues = (o: Record<string, unknown>): unknown[] => {
    const values = new Array<unknown>(n);
    for (const k of Object.keys(o)) {
      const i = indexOfKey(k);
      if (i >= 0) values[i] = o[k];
    }
    return values;
  };
  return (o) => {
    const out = new Array<unknown>(n);
    let upper: unknown[] | undefined;
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      let fv = guarded[i] ? (Object.hasOwn(o, name) ? o[name] : undefined) : o[name];
      if (fv === undefined) {
        if (upper === undefined) upper = upperCaseValues(o);
        fv = upper[i];
      }
      if (fv === undefined || fv === null) {
        out[i] = null;
        continue;
      }
      try {
        out[i] = readers[i]!(fv);
      } catch (err) {
        throw withPath(err, `.${name}`);
      }
    }
    return out;
  };
}

/** bounds the per-reader cache of JSON keys (objects used as maps bring ever new keys) */
const KEY_INDEX_LIMIT = 1024;

function structReader(t: Extract<SqlType, { kind: 'STRUCT' }>): JsonReader {
  const name = schemaName(t);
  const names = t.fields.map((f) => f.name);
  const read = compileFieldsReader(t.fields);
  return (v) => {
    if (!isJsonObject(v)) throw invalidConversion(v, name);
    const values = read(v);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]!] = values[i];
    return out;
  };
}

export function compileJsonReader(t: SqlType): JsonReader {
  switch (t.kind) {
    case 'BOOLEAN':
      return readBoolean;
    case 'INTEGER':
      return readInteger;
    case 'BIGINT':
      return readBigint;
    case 'DOUBLE':
      return readDouble;
    case 'DECIMAL':
      return decimalReader(t);
    case 'STRING':
      return readString;
    case 'BYTES':
      return readBytes;
    case 'DATE':
      return readDate;
    case 'TIME':
      return readTime;
    case 'TIMESTAMP':
      return readTimestamp;
    case 'ARRAY':
      return arrayReader(t);
    case 'MAP':
      return mapReader(t);
    case 'STRUCT':
      return structReader(t);
  }
}

export { isJsonObject };
