/**
 * Number <-> text rules of the Java APIs ksqlDB's serdes rely on (Integer.parseInt,
 * Long.parseLong, Double.parseDouble, Boolean.parseBoolean, Double.toString, BigDecimal text),
 * so coercions and printed text match ksqlDB exactly.
 */
import { javaDoubleToString } from '../functions/scalar/java-format.js';

export { javaDoubleToString };

const INT_RE = /^[+-]?\d+$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Integer.parseInt: optional sign and ASCII digits only, in range; undefined otherwise. */
export function parseJavaInt(text: string): number | undefined {
  if (!INT_RE.test(text)) return undefined;
  const n = Number(text);
  if (n < INT32_MIN || n > INT32_MAX) return undefined;
  return n | 0;
}

/** Long.parseLong: optional sign and ASCII digits only, in range; undefined otherwise. */
export function parseJavaLong(text: string): bigint | undefined {
  if (!INT_RE.test(text)) return undefined;
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) return undefined;
  return n;
}

// Double.parseDouble trims ASCII control chars and spaces, accepts NaN/Infinity and an optional
// float/double suffix. (Hexadecimal floating literals are not supported here.)
const DOUBLE_RE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?$/;

export function parseJavaDouble(text: string): number | undefined {
  // eslint-disable-next-line no-control-regex
  const t = text.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
  if (!DOUBLE_RE.test(t)) return undefined;
  const last = t.charCodeAt(t.length - 1);
  // strip an f/F/d/D suffix (0x44 'D', 0x46 'F', 0x64 'd', 0x66 'f')
  const body = last === 0x44 || last === 0x46 || last === 0x64 || last === 0x66 ? t.slice(0, -1) : t;
  return Number(body);
}

/** Boolean.parseBoolean: "true" in any case is true, everything else is false. */
export function parseJavaBoolean(text: string): boolean {
  return text.length === 4 && text.toLowerCase() === 'true';
}

/** A decimal literal split the way java.math.BigDecimal sees it. */
export interface DecimalText {
  readonly negative: boolean;
  /** digits of the unscaled value, no leading zeros ("0" for zero) */
  readonly unscaled: string;
  /** BigDecimal scale: digits after the point minus the exponent (may be negative) */
  readonly scale: number;
}

const BIG_DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** new BigDecimal(text) grammar; undefined when the text is not a decimal number. */
export function parseDecimalText(text: string): DecimalText | undefined {
  const m = BIG_DECIMAL_RE.exec(text);
  if (!m) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int.length === 0 && frac.length === 0) return undefined;
  const exp = m[4] !== undefined ? Number(m[4]) : 0;
  if (!Number.isSafeInteger(exp)) return undefined;
  const unscaled = (int + frac).replace(/^0+(?=\d)/, '');
  return { negative: m[1] === '-', unscaled, scale: frac.length - exp };
}

/** BigDecimal.precision(): digits in the unscaled value (1 for zero). */
export function decimalPrecision(d: DecimalText): number {
  return d.unscaled.length;
}

/** BigDecimal.toPlainString(). */
export function decimalToPlainString(d: DecimalText): string {
  const sign = d.negative && /[1-9]/.test(d.unscaled) ? '-' : '';
  if (d.scale <= 0) return sign + d.unscaled + '0'.repeat(-d.scale);
  const padded = d.unscaled.padStart(d.scale + 1, '0');
  return `${sign}${padded.slice(0, padded.length - d.scale)}.${padded.slice(padded.length - d.scale)}`;
}

/** BigDecimal.toString(): plain unless the adjusted exponent is below -6 or the scale negative. */
export function decimalToJavaString(d: DecimalText): string {
  const adjusted = d.unscaled.length - 1 - d.scale;
  if (d.scale >= 0 && adjusted >= -6) return decimalToPlainString(d);
  const sign = d.negative && /[1-9]/.test(d.unscaled) ? '-' : '';
  const mant = d.unscaled.length > 1 ? `${d.unscaled[0]}.${d.unscaled.slice(1)}` : d.unscaled;
  return `${sign}${mant}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}
