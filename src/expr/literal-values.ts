/** Typing of numeric literal text, as ksqlDB does (shared by the type checker and IN-list coercion). */
import { Decimal } from 'decimal.js';
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes } from '../common/sql-types.js';

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

export type TypedValue = { readonly type: SqlType; readonly value: unknown };

/** INTEGER when it fits 32 bits, else BIGINT; undefined beyond 64 bits. */
export function integerLiteral(text: string): TypedValue | undefined {
  const n = BigInt(text);
  if (n >= INT_MIN && n <= INT_MAX) return { type: SqlTypes.INTEGER, value: Number(n) };
  if (n >= LONG_MIN && n <= LONG_MAX) return { type: SqlTypes.BIGINT, value: n };
  return undefined;
}

/** DECIMAL(p, s) with the literal's own digits: `2.345` is DECIMAL(4, 3), `0.01` DECIMAL(2, 2). */
export function decimalLiteral(text: string): TypedValue {
  const t = text.replace(/^[+-]/, '');
  const [intPart = '', frac = ''] = t.split('.');
  const scale = frac.length;
  const digits = (intPart + frac).replace(/^0+/, '');
  const precision = Math.max(digits.length, scale, 1);
  return { type: SqlTypes.decimal(precision, scale), value: new Decimal(text) };
}

/** undefined when it overflows DOUBLE. */
export function doubleLiteral(text: string): TypedValue | undefined {
  const v = Number(text);
  return Number.isFinite(v) ? { type: SqlTypes.DOUBLE, value: v } : undefined;
}

/** A string read as a number literal (for implicit coercion of string literals): undefined if not numeric. */
export function numericTextLiteral(text: string): TypedValue | undefined {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return integerLiteral(t);
  if (/^[+-]?(\d+\.\d*|\.\d+)$/.test(t)) return decimalLiteral(t.startsWith('.') ? '0' + t : t);
  if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(t)) return doubleLiteral(t);
  return undefined;
}
