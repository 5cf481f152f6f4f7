/**
 * ksqlDB's aggregates do Java arithmetic: INTEGER sums wrap at 32 bits and BIGINT sums at 64 bits
 * instead of failing, and DECIMAL sums fail with "Numeric field overflow" past the precision.
 */
import { Decimal } from 'decimal.js';
import type { SqlType } from '../../common/sql-types.js';
import { ExecutionError } from '../../common/errors.js';

export const int32 = (n: number): number => n | 0;
export const int64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/** Enough significant digits that sums of any DECIMAL are exact (the default context keeps 20). */
const ExactDecimal = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_HALF_UP });

export const ZERO_DECIMAL: Decimal = new ExactDecimal(0);

export function decimalAdd(a: Decimal, b: Decimal): Decimal {
  return ExactDecimal.add(a, b);
}

export function decimalSub(a: Decimal, b: Decimal): Decimal {
  return ExactDecimal.sub(a, b);
}

/** Fits the value to the DECIMAL type: rounds to the scale, fails past the precision. */
export function fitDecimal(v: Decimal, type: SqlType): Decimal {
  if (type.kind !== 'DECIMAL') return v;
  const scaled = new ExactDecimal(v).toDecimalPlaces(type.scale, Decimal.ROUND_HALF_UP);
  const limit = new ExactDecimal(10).pow(type.precision - type.scale);
  if (scaled.abs().gte(limit)) throw new ExecutionError('Numeric field overflow');
  return scaled;
}

/** Integer division truncating toward zero, as Java `int / int`. */
export function javaIntDiv(a: number, b: number): number {
  return Math.trunc(a / b) | 0;
}

/** Java `long / long`. */
export function javaLongDiv(a: bigint, b: bigint): bigint {
  return BigInt.asIntN(64, a / b);
}

/** Any SQL number as a double (Java's widening conversion). */
export function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toNumber();
  throw new TypeError(`not a number: ${String(v)}`);
}
