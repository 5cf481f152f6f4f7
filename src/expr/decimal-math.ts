/**
 * DECIMAL runtime helpers. decimal.js rounds every operation to the constructor's precision (20
 * significant digits by default), so arithmetic runs on a private high-precision clone and results
 * are converted back to the shared `Decimal` class that the rest of Sluice expects.
 */
import { Decimal } from 'decimal.js';
import type { DecimalType } from '../common/sql-types.js';
import { ExecutionError } from '../common/errors.js';

/** Exact for add/sub/mul of DECIMAL(38)s; division is rounded far below the result scale. */
export const WideDecimal = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_UP, modulo: Decimal.ROUND_DOWN });

const limits = new Map<number, Decimal>();
function limitFor(intDigits: number): Decimal {
  let l = limits.get(intDigits);
  if (!l) {
    l = new Decimal(10).pow(intDigits);
    limits.set(intDigits, l);
  }
  return l;
}

/**
 * Rounds HALF_UP to the type's scale and checks precision: more integer digits than p - s is an
 * overflow (ksqlDB fails the record, which the runtime turns into NULL plus a log entry).
 */
export function fitDecimal(value: Decimal, type: DecimalType): Decimal {
  let r = value.toDecimalPlaces(type.scale, Decimal.ROUND_HALF_UP);
  if (!(r instanceof Decimal)) r = new Decimal(r);
  if (!r.isFinite()) throw new ExecutionError(`Cannot represent ${r.toString()} as ${decimalName(type)}`);
  if (r.abs().gte(limitFor(type.precision - type.scale))) {
    throw new ExecutionError(`Numeric field overflow: ${r.toFixed()} does not fit ${decimalName(type)}`);
  }
  return r;
}

function decimalName(t: DecimalType): string {
  return `DECIMAL(${t.precision}, ${t.scale})`;
}

export function decimalAdd(a: Decimal, b: Decimal): Decimal {
  return WideDecimal.add(a, b);
}
export function decimalSub(a: Decimal, b: Decimal): Decimal {
  return WideDecimal.sub(a, b);
}
export function decimalMul(a: Decimal, b: Decimal): Decimal {
  return WideDecimal.mul(a, b);
}
export function decimalDiv(a: Decimal, b: Decimal): Decimal {
  if (b.isZero()) throw new ExecutionError('Division by zero');
  return WideDecimal.div(a, b);
}
export function decimalMod(a: Decimal, b: Decimal): Decimal {
  if (b.isZero()) throw new ExecutionError('Division by zero');
  return WideDecimal.mod(a, b);
}

/** BigDecimal.toPlainString at the type's scale: trailing zeros are kept (DECIMAL(4,2) 1 -> "1.00"). */
export function formatDecimal(d: Decimal, scale: number): string {
  return d.toFixed(scale);
}
