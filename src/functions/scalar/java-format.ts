/**
 * Java's text forms of numbers. ksqlDB runs on the JVM, so wherever it turns a DOUBLE or a
 * DECIMAL into text (CAST to STRING, ARRAY_JOIN, CONCAT of numbers, JSON output) the result is
 * what Double.toString / BigDecimal.toString print. Shared with the CAST implementation.
 */
import { Decimal } from 'decimal.js';

/**
 * Double.toString: plain notation for 1e-3 <= |d| < 1e7 (always with a fractional digit, "1.0"),
 * otherwise computerized scientific notation "1.0E10" / "1.234E-5". Uses the shortest digits
 * that round-trip, as JDK 19+ does (and as JS does).
 */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  const abs = Math.abs(d);
  // toExponential() without an argument gives the shortest round-tripping digits
  let [mant, expText] = abs.toExponential().split('e') as [string, string];
  if (mant.length === 1) {
    // Java never prints fewer than two digits: it picks the closest two-digit decimal that still
    // reads back as the same double (4.9E-324 rather than 5e-324)
    const two = abs.toExponential(1);
    if (Number(two) === abs) [mant, expText] = two.split('e') as [string, string];
  }
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  const exp = Number(expText);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
      const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
      return `${sign}${intPart}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const frac = digits.length > 1 ? digits.slice(1) : '0';
  return `${sign}${digits[0]}.${frac}E${exp}`;
}

/** Float.toString is not needed: ksqlDB has no FLOAT type. */

/**
 * BigDecimal.toString for a value at a given scale: plain when scale >= 0 and the adjusted
 * exponent is >= -6, else scientific ("1E-7", "1.23E+5" for negative scales).
 */
export function javaDecimalToString(value: Decimal, scale: number): string {
  const unscaled = unscaledDigits(value, scale);
  const negative = unscaled.startsWith('-');
  const coeff = negative ? unscaled.slice(1) : unscaled;
  const sign = negative ? '-' : '';
  const adjusted = -scale + (coeff.length - 1);
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) return sign + coeff;
    const padded = coeff.padStart(scale + 1, '0');
    return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  }
  const mant = coeff.length > 1 ? `${coeff[0]}.${coeff.slice(1)}` : coeff;
  return `${sign}${mant}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/**
 * The unscaled integer of value at scale, as text. Works on text so that decimal.js's
 * significant-digit precision never rounds it.
 */
function unscaledDigits(value: Decimal, scale: number): string {
  if (scale >= 0) {
    const fixed = value.toFixed(scale);
    const neg = fixed.startsWith('-');
    const digits = fixed.replace('-', '').replace('.', '').replace(/^0+(?=\d)/, '');
    return (neg && /[1-9]/.test(digits) ? '-' : '') + digits;
  }
  const fixed = value.toFixed(0);
  const cut = fixed.slice(0, fixed.length + scale);
  return cut === '' || cut === '-' ? '0' : cut;
}

/** value * 10^n, exactly (decimal.js arithmetic would round to its configured precision). */
export function shiftDecimal(value: Decimal, n: number): Decimal {
  return new Decimal(`${value.toFixed()}e${n}`);
}

/**
 * The scale a DECIMAL value prints with when its declared type is not at hand: its own
 * number of fractional digits (decimal.js drops trailing zeros).
 */
export function decimalScaleOf(value: Decimal): number {
  return Math.max(value.decimalPlaces(), 0);
}
