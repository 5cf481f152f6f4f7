/** Result values as text (tables) and as ksqlDB's REST API prints them (JSON). */
import { Decimal } from 'decimal.js';

/** ksqlDB's JSON form of a runtime value: BIGINT and DECIMAL as numbers, BYTES as base64, MAP as an object. */
export function toJsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v) === Number(v) && Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (v instanceof Decimal) return v;
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toJsonValue(x)]));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}

/** One value for a result table cell. */
export function formatResultValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Decimal) return String(v);
  return JSON.stringify(toJsonValue(v), (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Decimal ? x.toString() : x));
}
