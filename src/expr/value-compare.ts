/**
 * Ordering and equality of runtime SQL values of one type (operands are cast to a common type by
 * the type checker first). Containers support equality only, as in ksqlDB.
 */
import type { Decimal } from 'decimal.js';
import type { SqlType, SqlStruct } from '../common/sql-types.js';

/** Negative, zero or positive. Both values non-null and of `type`. */
export function compareValues(a: unknown, b: unknown, type: SqlType): number {
  switch (type.kind) {
    case 'DECIMAL':
      return (a as Decimal).comparedTo(b as Decimal);
    case 'BYTES':
      return Buffer.compare(a as Buffer, b as Buffer);
    case 'BOOLEAN':
      return a === b ? 0 : a ? 1 : -1;
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return valuesEqual(a, b, type) ? 0 : compareFallback(String(a), String(b));
    default:
      return compareFallback(a as number, b as number);
  }
}

function compareFallback<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SQL equality of two non-null values of `type` (deep for containers; NULL elements equal NULL). */
export function valuesEqual(a: unknown, b: unknown, type: SqlType): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  switch (type.kind) {
    case 'DECIMAL':
      return (a as Decimal).eq(b as Decimal);
    case 'BYTES':
      return (a as Buffer).equals(b as Buffer);
    case 'DOUBLE':
      return a === b || (Number.isNaN(a) && Number.isNaN(b));
    case 'ARRAY': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i], y[i], type.element)) return false;
      return true;
    }
    case 'MAP': {
      const x = a as Map<unknown, unknown>;
      const y = b as Map<unknown, unknown>;
      if (x.size !== y.size) return false;
      for (const [k, v] of x) {
        const key = findKey(y, k, type.key);
        if (key === NOT_FOUND || !valuesEqual(v, y.get(key), type.value)) return false;
      }
      return true;
    }
    case 'STRUCT': {
      const x = a as SqlStruct;
      const y = b as SqlStruct;
      return type.fields.every((f) => valuesEqual(x[f.name] ?? null, y[f.name] ?? null, f.type));
    }
    default:
      return false;
  }
}

const NOT_FOUND = Symbol('not found');

function findKey(m: Map<unknown, unknown>, k: unknown, keyType: SqlType): unknown {
  if (m.has(k)) return k;
  if (typeof k !== 'object' || k === null) return NOT_FOUND;
  for (const key of m.keys()) if (valuesEqual(key, k, keyType)) return key;
  return NOT_FOUND;
}
