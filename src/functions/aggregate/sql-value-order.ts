/**
 * Equality and ordering of runtime SQL values as ksqlDB's Java implementations see them:
 * equality is Java `equals` (Double.equals: NaN equals NaN, 0.0 differs from -0.0; maps and structs
 * compare by content, not order), ordering is Java `compareTo` (Double.compare, String by UTF-16
 * code units, ByteBuffer by signed bytes).
 */
import { Decimal } from 'decimal.js';

export function sqlValuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || a !== 0 || Object.is(a, b);
  if (a === null || b === null || typeof a !== typeof b) return false;
  if (typeof a === 'number') return Object.is(a, b);
  if (typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sqlValuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Decimal) return b instanceof Decimal && a.eq(b);
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (b.has(k)) {
        if (!sqlValuesEqual(v, b.get(k))) return false;
        continue;
      }
      // keys that are objects (Decimal, Buffer, ...) need a content lookup
      let found = false;
      for (const [k2, v2] of b) {
        if (sqlValuesEqual(k, k2)) {
          if (!sqlValuesEqual(v, v2)) return false;
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  if (Array.isArray(b) || b instanceof Map || b instanceof Decimal || b instanceof Uint8Array) return false;
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(bo, k)) return false;
    if (!sqlValuesEqual((a as Record<string, unknown>)[k], bo[k])) return false;
  }
  return true;
}

/** Java Double.compare: -0.0 < 0.0, NaN above everything and equal to itself. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const na = Object.is(a, -0);
    const nb = Object.is(b, -0);
    return na === nb ? 0 : na ? -1 : 1;
  }
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

function compareSignedBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = (a[i]! << 24) >> 24;
    const y = (b[i]! << 24) >> 24;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/**
 * Orders two non-null values of the same comparable SQL type (numbers, BIGINT, DECIMAL, STRING,
 * BYTES, BOOLEAN; DATE/TIME/TIMESTAMP are numbers). Returns <0, 0 or >0.
 */
export function compareSqlValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return compareDoubles(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Decimal && b instanceof Decimal) return a.cmp(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareSignedBytes(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  throw new TypeError(`cannot compare ${describe(a)} with ${describe(b)}`);
}

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}
