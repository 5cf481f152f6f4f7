/**
 * MATHEMATICAL scalar functions. Return representations follow the declared types: BIGINT
 * results are bigint, DECIMAL results Decimal; rounding follows java.lang.Math / BigDecimal as
 * ksqlDB uses them (ROUND rounds half towards positive infinity).
 */
import { ExecutionError } from '../../common/errors.js';
import { Decimal } from 'decimal.js';
import type { DecimalType, SqlType } from '../../common/sql-types.js';
import { SqlTypes } from '../../common/sql-types.js';
import type { ScalarFunction, ScalarOverload } from '../function-types.js';
import { fn, sig, strict, type Impl } from './define.js';
import { compareSqlValues } from './value-semantics.js';
import { shiftDecimal } from './java-format.js';

const MATH = 'MATHEMATICAL';
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
/** Java's Math.toDegrees / toRadians constants, for bit-identical results */
const RADIANS_TO_DEGREES = 57.29577951308232;
const DEGREES_TO_RADIANS = 0.017453292519943295;

/** Java's (long) cast of a double: truncation, saturating, NaN to 0. */
function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 9.223372036854776e18) return LONG_MAX;
  if (d <= -9.223372036854776e18) return LONG_MIN;
  return BigInt(Math.trunc(d));
}

/** java.lang.Math.round(double) */
function javaRound(d: number): bigint {
  // JS Math.round also rounds ties towards +infinity, without floor(x + 0.5) precision loss
  return doubleToLong(Math.round(d));
}

/** BigDecimal.setScale(places, mode), negative places allowed. */
function setScale(v: Decimal, places: number, mode: Decimal.Rounding): Decimal {
  if (places >= 0) return v.toDecimalPlaces(places, mode);
  return shiftDecimal(shiftDecimal(v, places).toDecimalPlaces(0, mode), -places);
}

/** ksqlDB's ROUND: HALF_UP for positive values and HALF_DOWN otherwise, i.e. half towards +infinity. */
function roundDecimal(v: Decimal, places: number): Decimal {
  return setScale(v, places, v.gt(0) ? Decimal.ROUND_HALF_UP : Decimal.ROUND_HALF_DOWN);
}

/** BigDecimal.valueOf(double): the shortest decimal form of the double. */
function decimalOfDouble(d: number): Decimal {
  if (!Number.isFinite(d)) throw new ExecutionError(`Cannot convert ${d} to a decimal`);
  return new Decimal(String(d));
}

const firstDecimal = (t: readonly SqlType[]) => t[0]!;
const decimalScaleZero = (t: readonly SqlType[]) => {
  const d = t[0] as DecimalType;
  return SqlTypes.decimal(Math.max(d.precision - d.scale, 1), 0);
};

/** An overload per integral/floating type for a DOUBLE-valued function of one argument. */
function unaryDouble(f: (x: number) => number): ScalarOverload[] {
  return [
    sig(['INT'], 'DOUBLE', strict((x: number) => f(x))),
    sig(['BIGINT'], 'DOUBLE', strict((x: bigint) => f(Number(x)))),
    sig(['DOUBLE'], 'DOUBLE', strict(f)),
  ];
}

function binaryDouble(f: (x: number, y: number) => number): ScalarOverload[] {
  return [
    sig(['INT', 'INT'], 'DOUBLE', strict((x: number, y: number) => f(x, y))),
    sig(['BIGINT', 'BIGINT'], 'DOUBLE', strict((x: bigint, y: bigint) => f(Number(x), Number(y)))),
    sig(['DOUBLE', 'DOUBLE'], 'DOUBLE', strict(f)),
  ];
}

const LN_CONTEXT = Decimal.clone({ precision: 40 });

/**
 * The natural logarithm rounded correctly to the nearest double, as the JVM's Math.log gives it;
 * V8's Math.log can be one ulp off (ln(3) is 1.0986122886681098, not ...096).
 */
export function javaLn(x: number): number {
  if (!(x > 0) || x === Infinity || x === 1) return Math.log(x);
  // the double's own value to 30 digits (Decimal(number) would start from its shortest repr)
  return new LN_CONTEXT(x.toPrecision(30)).ln().toNumber();
}

function logBase(base: number, value: number): number {
  if (base <= 0 || base === 1) return NaN;
  return javaLn(value) / javaLn(base);
}

/** The widest DECIMAL that holds every argument's values. */
function widestDecimal(types: readonly SqlType[]): SqlType {
  let intDigits = 1;
  let scale = 0;
  for (const t of types) {
    if (t.kind !== 'DECIMAL') continue;
    intDigits = Math.max(intDigits, t.precision - t.scale);
    scale = Math.max(scale, t.scale);
  }
  return SqlTypes.decimal(Math.min(intDigits + scale, 38), scale);
}

function extremum(name: string, description: string, sign: 1 | -1): ScalarFunction {
  const pick: Impl = (...xs: unknown[]) => {
    let best: unknown = null;
    for (const x of xs) {
      if (x === null || x === undefined) continue;
      if (best === null || sign * compareSqlValues(x, best) > 0) best = x;
    }
    return best;
  };
  const types = ['INT', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP'];
  return fn(name, MATH, description, [
    ...types.map((t) => sig([t, t], t, pick, { variadic: true })),
    sig(['DECIMAL', 'DECIMAL'], widestDecimal, pick, { variadic: true }),
  ]);
}

function series(start: number | bigint, end: number | bigint, step: number, big: boolean): (number | bigint)[] {
  if (step === 0) throw new ExecutionError('GENERATE_SERIES step cannot be zero');
  const s = BigInt(start);
  const diff = BigInt(end) - s;
  const st = BigInt(step);
  if ((diff > 0n && st < 0n) || (diff < 0n && st > 0n)) throw new ExecutionError('GENERATE_SERIES step has wrong sign');
  const size = 1n + diff / st;
  const out: (number | bigint)[] = [];
  for (let i = 0n, v = s; i < size; i++, v += st) out.push(big ? v : Number(v));
  return out;
}

function geoDistance(lat1: number, lon1: number, lat2: number, lon2: number, unit: string): number {
  for (const lat of [lat1, lat2]) {
    if (lat < -90 || lat > 90) throw new ExecutionError(`valid latitude values for GEO_DISTANCE are in the range -90 to 90, but got ${lat}`);
  }
  for (const lon of [lon1, lon2]) {
    if (lon < -180 || lon > 180) throw new ExecutionError(`valid longitude values for GEO_DISTANCE are in the range -180 to 180, but got ${lon}`);
  }
  const u = unit.toLowerCase();
  let radius: number;
  if (['mi', 'mile', 'miles'].includes(u)) radius = 3959;
  else if (['km', 'kilometer', 'kilometers', 'kilometre', 'kilometres'].includes(u)) radius = 6371;
  else throw new ExecutionError('GEO_DISTANCE function units parameter must be one of MI, MILES, KM or KILOMETERS');
  const haversin = (v: number) => Math.pow(Math.sin(v / 2), 2);
  const a =
    haversin((lat2 - lat1) * DEGREES_TO_RADIANS) +
    haversin((lon2 - lon1) * DEGREES_TO_RADIANS) * Math.cos(lat1 * DEGREES_TO_RADIANS) * Math.cos(lat2 * DEGREES_TO_RADIANS);
  return 2 * Math.asin(Math.sqrt(a)) * radius;
}

const int32 = (x: number) => x | 0;

export const mathFunctions: ScalarFunction[] = [
  fn('ABS', MATH, 'Returns the absolute value of a number.', [
    sig(['INT'], 'INT', strict((x: number) => int32(Math.abs(x)))),
    sig(['BIGINT'], 'BIGINT', strict((x: bigint) => BigInt.asIntN(64, x < 0n ? -x : x))),
    sig(['DOUBLE'], 'DOUBLE', strict((x: number) => Math.abs(x))),
    sig(['DECIMAL'], firstDecimal, strict((x: Decimal) => x.abs())),
  ]),
  fn('CEIL', MATH, 'Returns the smallest integer value greater than or equal to a number.', [
    sig(['INT'], 'INT', strict((x: number) => x)),
    sig(['BIGINT'], 'BIGINT', strict((x: bigint) => x)),
    sig(['DOUBLE'], 'DOUBLE', strict((x: number) => Math.ceil(x))),
    sig(['DECIMAL'], firstDecimal, strict((x: Decimal) => x.ceil())),
  ]),
  fn('FLOOR', MATH, 'Returns the largest integer value less than or equal to a number.', [
    sig(['INT'], 'INT', strict((x: number) => x)),
    sig(['BIGINT'], 'BIGINT', strict((x: bigint) => x)),
    sig(['DOUBLE'], 'DOUBLE', strict((x: number) => Math.floor(x))),
    sig(['DECIMAL'], firstDecimal, strict((x: Decimal) => x.floor())),
  ]),
  fn(
    'ROUND',
    MATH,
    'Rounds a value to the number of decimal places given by scale (default 0; negative rounds to the ' +
      'left of the decimal point). Values equidistant from the two nearest are rounded up, towards ' +
      'positive infinity.',
    [
      sig(['INT'], 'BIGINT', strict((x: number) => BigInt(x))),
      sig(['BIGINT'], 'BIGINT', strict((x: bigint) => x)),
      sig(['DOUBLE'], 'BIGINT', strict((x: number) => javaRound(x))),
      sig(['DOUBLE', 'INT'], 'DOUBLE', strict((x: number, places: number) => roundDecimal(decimalOfDouble(x), places).toNumber())),
      sig(['DECIMAL'], decimalScaleZero, strict((x: Decimal) => roundDecimal(x, 0))),
      sig(['DECIMAL', 'INT'], firstDecimal, strict((x: Decimal, places: number) => roundDecimal(x, places))),
    ],
  ),
  fn(
    'TRUNC',
    MATH,
    'Truncates a value to the number of decimal places given by scale (default 0; negative truncates to ' +
      'the left of the decimal point).',
    [
      sig(['INT'], 'BIGINT', strict((x: number) => BigInt(x))),
      sig(['BIGINT'], 'BIGINT', strict((x: bigint) => x)),
      sig(['DOUBLE'], 'BIGINT', strict((x: number) => doubleToLong(x))),
      sig(['DOUBLE', 'INT'], 'DOUBLE', strict((x: number, places: number) =>
        setScale(decimalOfDouble(x), places, Decimal.ROUND_DOWN).toNumber())),
      sig(['DECIMAL'], decimalScaleZero, strict((x: Decimal) => setScale(x, 0, Decimal.ROUND_DOWN))),
      sig(['DECIMAL', 'INT'], firstDecimal, strict((x: Decimal, places: number) => setScale(x, places, Decimal.ROUND_DOWN))),
    ],
  ),
  fn('SIGN', MATH, 'Returns the sign of a number as an INTEGER: -1, 0 or 1.', [
    sig(['INT'], 'INT', strict((x: number) => Math.sign(x))),
    sig(['BIGINT'], 'INT', strict((x: bigint) => (x > 0n ? 1 : x < 0n ? -1 : 0))),
    sig(['DOUBLE'], 'INT', strict((x: number) => (Number.isNaN(x) ? 0 : Math.sign(x) | 0))),
    sig(['DECIMAL'], 'INT', strict((x: Decimal) => (x.isZero() ? 0 : x.isNeg() ? -1 : 1))),
  ]),
  fn('SQRT', MATH, 'Returns the positive square root of a number (NaN for negative values).', unaryDouble(Math.sqrt)),
  fn('CBRT', MATH, 'Returns the cube root of a number.', unaryDouble(Math.cbrt)),
  fn('EXP', MATH, "Returns Euler's number e raised to the power of a number.", unaryDouble(Math.exp)),
  fn('LN', MATH, 'Returns the natural logarithm of a number.', unaryDouble(javaLn)),
  fn(
    'LOG',
    MATH,
    'Returns the logarithm of value in the given base (natural logarithm when no base is given). A base ' +
      'that is not positive, or is 1, gives NaN.',
    [...unaryDouble(javaLn), ...binaryDouble(logBase)],
  ),
  fn('POWER', MATH, 'Returns base raised to the power of exponent.', binaryDouble(Math.pow)),
  fn('RANDOM', MATH, 'Returns a random DOUBLE between 0.0 (inclusive) and 1.0 (exclusive).', [sig([], 'DOUBLE', () => Math.random())]),
  fn('PI', MATH, 'Returns an approximate value of pi.', [sig([], 'DOUBLE', () => Math.PI)]),
  fn('DEGREES', MATH, 'Converts an angle in radians to degrees.', unaryDouble((x) => x * RADIANS_TO_DEGREES)),
  fn('RADIANS', MATH, 'Converts an angle in degrees to radians.', unaryDouble((x) => x * DEGREES_TO_RADIANS)),
  fn('SIN', MATH, 'Returns the sine of an angle in radians.', unaryDouble(Math.sin)),
  fn('COS', MATH, 'Returns the cosine of an angle in radians.', unaryDouble(Math.cos)),
  fn('TAN', MATH, 'Returns the tangent of an angle in radians.', unaryDouble(Math.tan)),
  fn('COT', MATH, 'Returns the cotangent of an angle in radians.', unaryDouble((x) => 1 / Math.tan(x))),
  fn('ASIN', MATH, 'Returns the arc sine of a value, in radians (NaN outside [-1, 1]).', unaryDouble(Math.asin)),
  fn('ACOS', MATH, 'Returns the arc cosine of a value, in radians (NaN outside [-1, 1]).', unaryDouble(Math.acos)),
  fn('ATAN', MATH, 'Returns the arc tangent of a value, in radians.', unaryDouble(Math.atan)),
  fn('ATAN2', MATH, 'Returns the angle theta, in radians, of the polar coordinates of the point (x, y): ATAN2(y, x).', binaryDouble(Math.atan2)),
  fn('SINH', MATH, 'Returns the hyperbolic sine of a value.', unaryDouble(Math.sinh)),
  fn('COSH', MATH, 'Returns the hyperbolic cosine of a value.', unaryDouble(Math.cosh)),
  fn('TANH', MATH, 'Returns the hyperbolic tangent of a value.', unaryDouble(Math.tanh)),
  extremum('GREATEST', 'Returns the highest non-NULL value among a variable number of comparable values (NULL if all are NULL).', 1),
  extremum('LEAST', 'Returns the lowest non-NULL value among a variable number of comparable values (NULL if all are NULL).', -1),
  fn(
    'GENERATE_SERIES',
    'ARRAY',
    'Constructs an array of values from start to end (inclusive), by step (default 1 or -1).',
    [
      sig(['INT', 'INT'], 'ARRAY<INT>', strict((s: number, e: number) => series(s, e, e - s > 0 ? 1 : -1, false))),
      sig(['INT', 'INT', 'INT'], 'ARRAY<INT>', strict((s: number, e: number, st: number) => series(s, e, st, false))),
      sig(['BIGINT', 'BIGINT'], 'ARRAY<BIGINT>', strict((s: bigint, e: bigint) => series(s, e, e - s > 0n ? 1 : -1, true))),
      sig(['BIGINT', 'BIGINT', 'INT'], 'ARRAY<BIGINT>', strict((s: bigint, e: bigint, st: number) => series(s, e, st, true))),
    ],
  ),
  fn(
    'GEO_DISTANCE',
    MATH,
    'Returns the great-circle distance between two lat-long points, in kilometers (default) or miles ' +
      "('KM' or 'MI').",
    [
      sig(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE'], 'DOUBLE', strict((a: number, b: number, c: number, d: number) => geoDistance(a, b, c, d, 'KM'))),
      sig(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'STRING'], 'DOUBLE', strict(geoDistance)),
    ],
  ),
];
