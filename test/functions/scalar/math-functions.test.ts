import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { BIGINT, BYTES, DATE, DOUBLE, INT, STRING, TIMESTAMP, call, returnTypeOf, t } from './scalar-test-helper.js';
import { SqlTypes } from '../../../src/common/sql-types.js';

const D21 = t('DECIMAL(2, 1)');
const dec = (s: string) => new Decimal(s);
const decEq = (actual: unknown, expected: string) => {
  assert.ok(Decimal.isDecimal(actual), `expected a Decimal, got ${String(actual)}`);
  assert.equal((actual as Decimal).toString(), new Decimal(expected).toString());
};

test('ABS keeps the argument type and representation', () => {
  assert.equal(call('ABS', [INT], -1), 1);
  assert.equal(call('ABS', [BIGINT], -2n), 2n);
  assert.equal(call('ABS', [DOUBLE], -3.1), 3.1);
  decEq(call('ABS', [D21], dec('-3.2')), '3.2');
  assert.deepEqual(returnTypeOf('ABS', [D21]), D21);
  assert.equal(call('ABS', [INT], -2147483648), -2147483648);
  assert.equal(call('ABS', [BIGINT], -(2n ** 63n)), -(2n ** 63n));
  for (const ty of [INT, BIGINT, DOUBLE, D21]) assert.equal(call('ABS', [ty], null), null);
});

test('CEIL and FLOOR', () => {
  assert.equal(call('CEIL', [DOUBLE], 1.1), 2);
  assert.equal(call('CEIL', [DOUBLE], -1.7), -1);
  assert.equal(call('FLOOR', [DOUBLE], -1.1), -2);
  assert.equal(call('CEIL', [INT], 3), 3);
  assert.equal(call('FLOOR', [BIGINT], 3n), 3n);
  decEq(call('CEIL', [D21], dec('1.1')), '2');
  decEq(call('CEIL', [D21], dec('-1.5')), '-1');
  decEq(call('FLOOR', [D21], dec('-1.5')), '-2');
  assert.deepEqual(returnTypeOf('FLOOR', [D21]), D21);
  assert.equal(call('CEIL', [DOUBLE], null), null);
});

test('ROUND(DOUBLE) returns BIGINT rounding half up (towards +infinity)', () => {
  const r = (v: number) => call('ROUND', [DOUBLE], v);
  assert.equal(r(1.2), 1n);
  assert.equal(r(1.5), 2n);
  assert.equal(r(-1.5), -1n);
  assert.equal(r(-1.7), -2n);
  assert.equal(r(12345.678), 12346n);
  assert.equal(r(NaN), 0n);
  assert.equal(r(1e300), 2n ** 63n - 1n);
  assert.equal(returnTypeOf('ROUND', [DOUBLE]).kind, 'BIGINT');
  assert.equal(call('ROUND', [INT], 5), 5n);
  assert.equal(call('ROUND', [BIGINT], 5n), 5n);
  assert.equal(call('ROUND', [DOUBLE], null), null);
});

test('ROUND(DOUBLE, INT) rounds to decimal places, negative places left of the point', () => {
  const r = (v: number, n: number) => call('ROUND', [DOUBLE, INT], v, n);
  assert.equal(r(1.234567, 2), 1.23);
  assert.equal(r(1.234567, 10), 1.234567);
  assert.equal(r(12345.678, 1), 12345.7);
  assert.equal(r(-12345.678, 2), -12345.68);
  assert.equal(r(12345.678, -1), 12350);
  assert.equal(r(-12345.678, -2), -12300);
  assert.equal(r(1.5, -1), 0);
  assert.equal(r(-1.25, 1), -1.2);
  assert.equal(r(1.25, 1), 1.3);
  assert.equal(call('ROUND', [DOUBLE, INT], 1.5, null), null);
});

test('ROUND(DECIMAL) gives scale 0; ROUND(DECIMAL, INT) keeps the type', () => {
  const big = t('DECIMAL(33, 16)');
  const v = dec('12345678987654321.2345678987654321');
  decEq(call('ROUND', [big], v), '12345678987654321');
  assert.deepEqual(returnTypeOf('ROUND', [big]), SqlTypes.decimal(17, 0));
  decEq(call('ROUND', [big, INT], v, 10), '12345678987654321.2345678988');
  decEq(call('ROUND', [big, INT], v, -1), '12345678987654320');
  decEq(call('ROUND', [big, INT], v, -2), '12345678987654300');
  assert.deepEqual(returnTypeOf('ROUND', [big, INT]), big);
  decEq(call('ROUND', [D21], dec('-1.5')), '-1');
  decEq(call('ROUND', [D21], dec('1.5')), '2');
});

test('TRUNC', () => {
  const d = t('DECIMAL(12, 7)');
  decEq(call('TRUNC', [d], dec('-12345.678')), '-12345');
  decEq(call('TRUNC', [d, INT], dec('12345.678'), 2), '12345.67');
  decEq(call('TRUNC', [d, INT], dec('-12345.678'), -2), '-12300');
  assert.deepEqual(returnTypeOf('TRUNC', [d]), SqlTypes.decimal(5, 0));
  assert.equal(call('TRUNC', [DOUBLE], -1.7), -1n);
  assert.equal(call('TRUNC', [DOUBLE, INT], 1.789, 1), 1.7);
  assert.equal(call('TRUNC', [INT], 7), 7n);
  assert.equal(call('TRUNC', [BIGINT], 2147483648n), 2147483648n);
  assert.equal(call('TRUNC', [DOUBLE, INT], 1.7, null), null);
});

test('SIGN returns an INTEGER for every numeric type', () => {
  assert.equal(call('SIGN', [INT], -5), -1);
  assert.equal(call('SIGN', [BIGINT], 0n), 0);
  assert.equal(call('SIGN', [DOUBLE], 3.5), 1);
  assert.equal(call('SIGN', [DOUBLE], NaN), 0);
  assert.equal(call('SIGN', [D21], dec('-0.1')), -1);
  assert.equal(returnTypeOf('SIGN', [BIGINT]).kind, 'INTEGER');
  assert.equal(call('SIGN', [INT], null), null);
});

test('SQRT, CBRT, EXP, LN, LOG, POWER return DOUBLE with Java special values', () => {
  assert.equal(call('SQRT', [INT], 4), 2);
  assert.ok(Number.isNaN(call('SQRT', [BIGINT], -2n) as number));
  assert.equal(call('CBRT', [DOUBLE], -27), -3);
  assert.equal(call('EXP', [INT], 1), Math.E);
  assert.equal(call('EXP', [DOUBLE], 0), 1);
  assert.equal(call('LN', [INT], 0), -Infinity);
  assert.equal(call('LN', [BIGINT], 2n), 0.6931471805599453);
  // correctly rounded like the JVM (V8's Math.log(3) is one ulp lower): conformance math.json ln
  assert.equal(call('LN', [DOUBLE], 3), 1.0986122886681098);
  assert.equal(call('LOG', [DOUBLE], Math.E), 1);
  assert.equal(call('LOG', [INT, INT], 15, 13), 0.9471572411831843);
  assert.equal(call('LOG', [BIGINT, BIGINT], 15n, 1n), 0);
  assert.equal(call('LOG', [DOUBLE, DOUBLE], 15, 0), -Infinity);
  for (const [b, v] of [[15, -13], [-15, 13], [0, 13], [1, 13]]) {
    assert.ok(Number.isNaN(call('LOG', [DOUBLE, DOUBLE], b, v) as number), `LOG(${b}, ${v})`);
  }
  assert.equal(call('POWER', [INT, INT], 2, 10), 1024);
  assert.equal(call('POWER', [DOUBLE, DOUBLE], 4, 0.5), 2);
  assert.equal(call('LOG', [INT, INT], null, 13), null);
  assert.equal(call('EXP', [DOUBLE], null), null);
  assert.equal(returnTypeOf('SQRT', [INT]).kind, 'DOUBLE');
});

test('trigonometry, DEGREES, RADIANS, PI, RANDOM', () => {
  const near = (a: unknown, b: number) => assert.ok(Math.abs((a as number) - b) < 1e-12, `${a} != ${b}`);
  near(call('SIN', [INT], 7), 0.6569865987188);
  near(call('COS', [DOUBLE], 9.1), -0.9477216021311);
  near(call('TAN', [BIGINT], -6n), 0.2910061913847);
  near(call('COT', [DOUBLE], 0.43), 2.1804495406685);
  assert.equal(call('COT', [INT], 0), Infinity);
  near(call('ASIN', [DOUBLE], 0.43), 0.4444927769358);
  assert.ok(Number.isNaN(call('ACOS', [INT], 2) as number));
  near(call('ATAN', [BIGINT], -6n), -1.4056476493803);
  near(call('ATAN2', [INT, INT], -2, -3), -2.5535900500422);
  near(call('ATAN2', [DOUBLE, DOUBLE], 0, -0.24), Math.PI);
  near(call('COSH', [INT], 7), 548.317035155212);
  near(call('SINH', [DOUBLE], 1), 1.1752011936438014);
  near(call('TANH', [DOUBLE], 1), 0.7615941559557649);
  near(call('DEGREES', [INT], -2), -114.591559026165);
  near(call('RADIANS', [DOUBLE], 70.73163980890013), 1.2345);
  assert.equal(call('PI', []), Math.PI);
  const r = call('RANDOM', []) as number;
  assert.ok(r >= 0 && r < 1);
  assert.equal(call('SIN', [DOUBLE], null), null);
  assert.equal(call('ATAN2', [DOUBLE, DOUBLE], 1, null), null);
});

test('GREATEST and LEAST ignore NULLs', () => {
  assert.equal(call('GREATEST', [INT, INT, INT, INT, INT], 2147483647, -2147483648, null, null, 5), 2147483647);
  assert.equal(call('LEAST', [INT, INT, INT], 7, null, -3), -3);
  assert.equal(call('GREATEST', [BIGINT, BIGINT], 9223372036854775807n, -1n), 9223372036854775807n);
  assert.equal(call('LEAST', [DOUBLE, DOUBLE, DOUBLE], 50000.555, -99999.555, null), -99999.555);
  assert.equal(call('LEAST', [STRING, STRING, STRING, STRING], 'apple', 'banana', 'aardvark', null), 'aardvark');
  assert.equal(call('LEAST', [STRING, STRING], null, 'hello'), 'hello');
  assert.equal(call('LEAST', [STRING, STRING], '!', 'Zebra'), '!');
  assert.deepEqual(call('LEAST', [BYTES, BYTES], Buffer.from('apple'), Buffer.from('aardvark')), Buffer.from('aardvark'));
  assert.equal(call('GREATEST', [DATE, DATE, DATE], 19071, -5883, 19157), 19157);
  assert.equal(call('LEAST', [TIMESTAMP, TIMESTAMP], 1647734400000, -508291200000), -508291200000);
  assert.equal(call('GREATEST', [INT, INT], null, null), null);
  const d1 = t('DECIMAL(9, 2)');
  const d2 = t('DECIMAL(7, 6)');
  decEq(call('GREATEST', [d1, d2], dec('1234567.89'), dec('0.123456')), '1234567.89');
  decEq(call('LEAST', [d1, d2], dec('1234567.89'), dec('0.123456')), '0.123456');
  assert.deepEqual(returnTypeOf('GREATEST', [d1, d2]), SqlTypes.decimal(13, 6));
});

test('GENERATE_SERIES', () => {
  assert.deepEqual(call('GENERATE_SERIES', [INT, INT], 0, 3), [0, 1, 2, 3]);
  assert.deepEqual(call('GENERATE_SERIES', [INT, INT], 3, 0), [3, 2, 1, 0]);
  assert.deepEqual(call('GENERATE_SERIES', [INT, INT, INT], -2, 1, 2), [-2, 0]);
  assert.deepEqual(call('GENERATE_SERIES', [INT, INT, INT], 9, 0, -3), [9, 6, 3, 0]);
  assert.deepEqual(call('GENERATE_SERIES', [INT, INT, INT], 1, -2, -2), [1, -1]);
  assert.deepEqual(call('GENERATE_SERIES', [BIGINT, BIGINT], 1n, 3n), [1n, 2n, 3n]);
  assert.deepEqual(call('GENERATE_SERIES', [BIGINT, BIGINT, INT], 0n, 9n, 3), [0n, 3n, 6n, 9n]);
  assert.throws(() => call('GENERATE_SERIES', [INT, INT, INT], 0, 3, 0), /zero/);
  assert.throws(() => call('GENERATE_SERIES', [INT, INT, INT], 0, 3, -1), /wrong sign/);
  assert.equal(call('GENERATE_SERIES', [INT, INT], null, 3), null);
  assert.deepEqual(returnTypeOf('GENERATE_SERIES', [BIGINT, BIGINT]), { kind: 'ARRAY', element: BIGINT });
});

test('GEO_DISTANCE in kilometers and miles', () => {
  const D = DOUBLE;
  assert.equal(call('GEO_DISTANCE', [D, D, D, D], 37.4439, -122.1663, 51, 0), 8682.459061368269);
  const mi = call('GEO_DISTANCE', [D, D, D, D, STRING], 37.4439, -122.1663, 51, 0, 'mi') as number;
  assert.ok(Math.abs(mi - (8682.459061368269 / 6371) * 3959) < 1e-9);
  assert.throws(() => call('GEO_DISTANCE', [D, D, D, D, STRING], 0, 0, 0, 0, 'parsecs'));
  assert.throws(() => call('GEO_DISTANCE', [D, D, D, D], 91, 0, 0, 0));
  assert.equal(call('GEO_DISTANCE', [D, D, D, D], null, 0, 0, 0), null);
});
