import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { SqlTypes } from '../../src/common/sql-types.js';
import { canImplicitlyCast, castValue, commonSuperType, evaluateConstant, isCastSupported, javaDoubleToString } from '../../src/expr/index.js';
import { formatSqlType } from '../../src/common/sql-types.js';
import { arr, call, cast, col, decType, evaluate, int, nul, prim, str, testRegistry } from './helpers.js';

const { INTEGER, BIGINT, DOUBLE, STRING, BOOLEAN, DATE, TIME, TIMESTAMP } = SqlTypes;

test('string <-> numeric casts', () => {
  assert.equal(castValue(' 42 ', STRING, INTEGER), 42);
  assert.equal(castValue('9223372036854775807', STRING, BIGINT), 9223372036854775807n);
  assert.equal(castValue('1.5e3', STRING, DOUBLE), 1500);
  assert.throws(() => castValue('abc', STRING, INTEGER));
  assert.throws(() => castValue('2147483648', STRING, INTEGER));
  assert.equal(castValue(-1, INTEGER, STRING), '-1');
  assert.equal(castValue(1, DOUBLE, STRING), '1.0');
  assert.equal(castValue(1e21, DOUBLE, STRING), '1.0E21');
  assert.equal(javaDoubleToString(0.0001), '1.0E-4');
  assert.equal(castValue(new Decimal('1'), SqlTypes.decimal(4, 2), STRING), '1.00');
});

test('numeric narrowing follows Java casts', () => {
  assert.equal(castValue(2147483648n, BIGINT, INTEGER), -2147483648);
  assert.equal(castValue(1.2, DOUBLE, INTEGER), 1);
  assert.equal(castValue(-1.9, DOUBLE, INTEGER), -1);
  assert.equal(castValue(1e300, DOUBLE, BIGINT), 9223372036854775807n);
  assert.equal(castValue(new Decimal('-12.99'), SqlTypes.decimal(4, 2), BIGINT), -12n);
});

test('casts to DECIMAL round HALF_UP and overflow fails', () => {
  const d21 = SqlTypes.decimal(2, 1);
  assert.equal((castValue(0.99, DOUBLE, d21) as Decimal).toFixed(1), '1.0');
  assert.equal((castValue(0.05, DOUBLE, d21) as Decimal).toFixed(1), '0.1');
  assert.equal((castValue('0.01', STRING, d21) as Decimal).toFixed(1), '0.0');
  assert.equal((castValue(-1, INTEGER, d21) as Decimal).toFixed(1), '-1.0');
  assert.throws(() => castValue(10, INTEGER, d21), /overflow/);
  assert.equal((castValue(new Decimal('10.12'), SqlTypes.decimal(4, 2), SqlTypes.decimal(5, 3)) as Decimal).toFixed(3), '10.120');
  // a failing cast in an expression is NULL plus a report
  const errors: string[] = [];
  assert.equal(evaluate(cast(col('I'), decType(2, 1)), [10], undefined, errors), null);
  assert.equal(errors.length, 1);
});

test('string <-> boolean and temporal casts', () => {
  assert.equal(castValue('TrUe', STRING, BOOLEAN), true);
  assert.equal(castValue('no', STRING, BOOLEAN), false);
  assert.equal(castValue(true, BOOLEAN, STRING), 'true');
  assert.equal(castValue('1970-01-10', STRING, DATE), 9);
  assert.equal(castValue('1970-01', STRING, DATE), 0);
  assert.equal(castValue('1969-12-31', STRING, DATE), -1);
  assert.equal(castValue('00:01', STRING, TIME), 60000);
  assert.equal(castValue('00:00:00.010', STRING, TIME), 10);
  assert.equal(castValue('2022-04-28T21:44:47.943', STRING, TIMESTAMP), 1651182287943);
  assert.equal(castValue('2022-04-28T21:44:47.943Z', STRING, TIMESTAMP), 1651182287943);
  assert.equal(castValue('2022-04-28T23:44:47.943+02:00', STRING, TIMESTAMP), 1651182287943);
  assert.throws(() => castValue('foo', STRING, TIMESTAMP));
  assert.equal(castValue(10, DATE, STRING), '1970-01-11');
  assert.equal(castValue(4000, TIME, STRING), '00:00:04');
  assert.equal(castValue(1651182287943, TIMESTAMP, STRING), '2022-04-28T21:44:47.943');
  assert.equal(castValue(86_400_000 * 2 + 5, TIMESTAMP, DATE), 2);
  assert.equal(castValue(86_400_000 * 2 + 5, TIMESTAMP, TIME), 5);
  assert.equal(castValue(2, DATE, TIMESTAMP), 86_400_000 * 2);
});

test('containers cast element-wise and print like Java', () => {
  assert.deepEqual(castValue([1n, 3n, 2147483648n], SqlTypes.array(BIGINT), SqlTypes.array(INTEGER)), [1, 3, -2147483648]);
  assert.equal(castValue([1, 3], SqlTypes.array(INTEGER), STRING), '[1, 3]');
  assert.equal(castValue(new Map([['this', 1]]), SqlTypes.map(STRING, INTEGER), STRING), '{this=1}');
  const st = SqlTypes.struct([{ name: 'F0', type: INTEGER }, { name: 'f1', type: INTEGER }]);
  assert.equal(castValue({ F0: 1, f1: 3 }, st, STRING), 'Struct{F0=1,f1=3}');
  const m = castValue(new Map([['k1', new Map([['k2', '10']])]]), SqlTypes.map(STRING, SqlTypes.map(STRING, STRING)), SqlTypes.map(STRING, SqlTypes.map(STRING, INTEGER))) as Map<string, Map<string, number>>;
  assert.equal(m.get('k1')!.get('k2'), 10);
  assert.equal(isCastSupported(STRING, SqlTypes.array(INTEGER)), false);
  assert.throws(() => evaluate(cast(col('S'), { kind: 'ArrayType', element: prim('INTEGER') })), /Cast of STRING to ARRAY<INTEGER> is not supported/);
  assert.equal(evaluate(cast(nul, { kind: 'ArrayType', element: prim('INTEGER') })), null);
});

test('implicit widening and common super types', () => {
  assert.ok(canImplicitlyCast(INTEGER, BIGINT));
  assert.ok(canImplicitlyCast(INTEGER, DOUBLE));
  assert.ok(canImplicitlyCast(BIGINT, SqlTypes.decimal(19, 0)));
  assert.ok(!canImplicitlyCast(BIGINT, SqlTypes.decimal(10, 0)));
  assert.ok(!canImplicitlyCast(DOUBLE, BIGINT));
  assert.ok(!canImplicitlyCast(STRING, INTEGER));
  assert.equal(formatSqlType(commonSuperType([INTEGER, SqlTypes.decimal(4, 2)])!), 'DECIMAL(12, 2)');
  assert.equal(formatSqlType(commonSuperType([BIGINT, SqlTypes.decimal(4, 2)])!), 'DECIMAL(21, 2)');
  assert.equal(commonSuperType([INTEGER, BIGINT, DOUBLE])!.kind, 'DOUBLE');
  assert.equal(formatSqlType(commonSuperType([SqlTypes.array(INTEGER), SqlTypes.array(BIGINT)])!), 'ARRAY<BIGINT>');
  assert.equal(commonSuperType([INTEGER, STRING]), undefined);
});

test('evaluateConstant evaluates literals and converts to a target type', () => {
  const reg = testRegistry();
  assert.equal(evaluateConstant(int(5), reg, BIGINT), 5n);
  assert.equal(evaluateConstant(nul, reg, STRING), null);
  assert.equal(evaluateConstant(str('2022-04-28T21:44:47.943'), reg, TIMESTAMP), 1651182287943);
  assert.deepEqual(evaluateConstant(arr(int(1), int(2)), reg), [1, 2]);
  assert.equal(evaluateConstant(call('LEN', str('abcd')), reg), 4);
  assert.throws(() => evaluateConstant(cast(str('x'), prim('INTEGER')), reg));
});
