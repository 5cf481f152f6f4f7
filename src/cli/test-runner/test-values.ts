/**
 * Converts between the JSON values of test files and runtime values, and compares records the
 * way ksqlDB's test tool does: numbers (and decimals) by value, objects by field, arrays in order.
 */
import { Decimal } from 'decimal.js';
import { JsonNumber } from '../../index.js';
import type { SqlType } from '../../index.js';

/** Runtime value -> plain JSON-like value. */
export function toTestValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (Decimal.isDecimal(v)) return (v as Decimal).toNumber();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toTestValue(x)]));
  if (Array.isArray(v)) return v.map(toTestValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toTestValue(x)]));
  return v;
}

/** Plain JSON value from a test file -> runtime value of a column type (for KAFKA/DELIMITED inputs). */
export function fromTestValue(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  // a number of more digits than a double holds, kept as its text (ksqlDB's harness reads BigDecimals)
  if (v instanceof JsonNumber) {
    if (type.kind === 'DECIMAL') return new Decimal(v.text).toDecimalPlaces(type.scale);
    if (type.kind === 'BIGINT') return bigintFromTest(v.isIntegral ? v.text : new Decimal(v.text).trunc().toFixed());
    if (type.kind === 'STRING') return v.text;
    return fromTestValue(Number(v.text), type);
  }
  switch (type.kind) {
    case 'BIGINT':
      return typeof v === 'string' || typeof v === 'number' ? bigintFromTest(v) : v;
    case 'INTEGER':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      return Number(v);
    case 'DECIMAL':
      return new Decimal(String(v)).toDecimalPlaces(type.scale);
    case 'STRING':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'BOOLEAN':
      return Boolean(v);
    case 'BYTES':
      return Buffer.from(String(v), 'base64');
    case 'ARRAY':
      return (v as unknown[]).map((x) => fromTestValue(x, type.element));
    case 'MAP':
      return new Map(Object.entries(v as object).map(([k, x]) => [fromTestValue(k, type.key), fromTestValue(x, type.value)]));
    case 'STRUCT': {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(type.fields.map((f) => [f.name, fromTestValue(fieldOf(o, f.name), f.type)]));
    }
  }
}

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/**
 * A BIGINT of a test file. The sample's files were written through doubles, so Long.MAX_VALUE
 * reads as 2^63 (9223372036854776000): a value just past the range is that bound.
 */
export function bigintFromTest(v: string | number): bigint {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : BigInt(Math.trunc(Number(v)));
  return n > LONG_MAX ? LONG_MAX : n < LONG_MIN ? LONG_MIN : n;
}

/** A JSON value of a test file as JSON text for these columns, BIGINT fields written exactly. */
export function testJsonText(v: unknown, columns: readonly { readonly name: string; readonly type: SqlType }[], unwrapped: boolean): string {
  // a BIGINT a double cannot hold goes as its exact digits (within the Long range)
  const exact = (x: unknown): unknown =>
    (x instanceof JsonNumber && x.isIntegral) || (typeof x === 'number' && !Number.isSafeInteger(x))
      ? new JsonNumber(bigintFromTest(x instanceof JsonNumber ? x.text : (x as number)).toString())
      : x;
  let value = v;
  if (unwrapped && columns[0]?.type.kind === 'BIGINT') value = exact(v);
  else if (!unwrapped && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const bigints = new Set(columns.filter((c) => c.type.kind === 'BIGINT').map((c) => c.name.toUpperCase()));
    value = Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, bigints.has(k.toUpperCase()) ? exact(x) : x]));
  }
  return stringifyTestJson(value);
}

/** JSON.stringify, with JsonNumbers written as their own digits */
export function stringifyTestJson(value: unknown): string {
  const digits: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof JsonNumber)) return v;
    digits.push(v.text);
    return `\u0000number${digits.length - 1}\u0000`;
  });
  return digits.reduce((out, d, i) => out.replace(JSON.stringify(`\u0000number${i}\u0000`), d), text);
}

/** A field by its exact name, else the one whose upper-cased name matches (ksqlDB's leniency). */
export function fieldOf(o: Record<string, unknown> | null | undefined, name: string): unknown {
  if (!o || typeof o !== 'object') return null;
  if (name in o) return o[name];
  const k = Object.keys(o).find((x) => x.toUpperCase() === name.toUpperCase());
  return k === undefined ? null : o[k];
}

export function testValuesEqual(expected: unknown, actual: unknown): boolean {
  if (expected instanceof JsonNumber) return testValuesEqual(Number(expected.text), actual);
  if (actual instanceof JsonNumber) return testValuesEqual(expected, Number(actual.text));
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = typeof actual === 'string' && typeof expected === 'number' ? NaN : Number(actual);
    return Number(expected) === a || (Number.isNaN(Number(expected)) && Number.isNaN(a));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => testValuesEqual(e, actual[i]));
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || Array.isArray(actual)) return false;
    const ek = Object.keys(expected as object);
    const ak = Object.keys(actual as object);
    // like ksqlDB's comparator: an expected field matches its exact name, else the upper-cased one
    const field = (k: string) => (k in (actual as object) ? (actual as never)[k] : (actual as never)[k.toUpperCase()]);
    return ek.length === ak.length && ek.every((k) => (k in (actual as object) || k.toUpperCase() in (actual as object)) && testValuesEqual((expected as never)[k], field(k)));
  }
  return expected === actual;
}

/** JSON.parse that keeps integers beyond 2^53 as exact text-derived numbers where possible. */
export function parseJsonLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
