/**
 * ksqlDB's DecimalUtil.ensureFit, used when reading DECIMAL values from JSON and DELIMITED data:
 * the value must be below 10^(precision - scale) and must not need rounding to reach the type's
 * scale (serdes never round silently).
 */
import { Decimal } from 'decimal.js';
import type { DecimalType } from '../common/sql-types.js';
import { decimalPrecision, decimalToPlainString, parseDecimalText } from './java-number-text.js';
import { RecordFailure } from './serde-failure.js';

const limits = new Map<number, Decimal>();
function limitFor(intDigits: number): Decimal {
  let l = limits.get(intDigits);
  if (l === undefined) {
    l = new Decimal(10).pow(intDigits);
    limits.set(intDigits, l);
  }
  return l;
}

const ZERO = new Decimal(0);

/** Parses decimal text (BigDecimal grammar) and checks it fits the type; throws RecordFailure. */
export function fitDecimalText(text: string, type: DecimalType): Decimal {
  const parts = parseDecimalText(text);
  if (parts === undefined) throw new RecordFailure(`Invalid decimal value: '${text}'`);
  const sign = parts.negative ? '-' : '';
  // decimal.js keeps every digit on construction; only arithmetic is precision-limited
  const value = new Decimal(`${sign}${parts.unscaled}e${-parts.scale}`);
  if (value.abs().gte(limitFor(type.precision - type.scale))) {
    throw new RecordFailure(
      `Numeric field overflow: A field with precision ${type.precision} and scale ${type.scale} ` +
        `must round to an absolute value less than 10^${type.precision - type.scale}. Got ${decimalToPlainString(parts)}`,
    );
  }
  if (value.decimalPlaces() > type.scale) {
    throw new RecordFailure(
      `Cannot fit decimal '${decimalToPlainString(parts)}' into DECIMAL(${type.precision}, ${type.scale}) ` +
        `without rounding. (Requires ${decimalPrecision(parts)},${parts.scale})`,
    );
  }
  // no negative zero: it would print as "-0.00"
  return value.isZero() ? ZERO : value;
}
