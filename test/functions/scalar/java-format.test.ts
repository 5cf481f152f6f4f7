import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { javaDecimalToString, javaDoubleToString } from '../../../src/functions/scalar/java-format.js';

test('javaDoubleToString matches Double.toString', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [-23.42, '-23.42'],
    [100, '100.0'],
    [1234567, '1234567.0'],
    [9999999.5, '9999999.5'],
    [1e7, '1.0E7'],
    [1e10, '1.0E10'],
    [12345678.9, '1.23456789E7'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1.5e-7, '1.5E-7'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
    [Number.MIN_VALUE, '4.9E-324'],
    [0.1 + 0.2, '0.30000000000000004'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ];
  for (const [d, s] of cases) assert.equal(javaDoubleToString(d), s, `for ${d}`);
});

test('javaDecimalToString matches BigDecimal.toString at the given scale', () => {
  assert.equal(javaDecimalToString(new Decimal('123.4'), 3), '123.400');
  assert.equal(javaDecimalToString(new Decimal('-0.5'), 2), '-0.50');
  assert.equal(javaDecimalToString(new Decimal('0'), 2), '0.00');
  assert.equal(javaDecimalToString(new Decimal('42'), 0), '42');
  assert.equal(javaDecimalToString(new Decimal('0.0000001'), 7), '1E-7');
  assert.equal(javaDecimalToString(new Decimal('0.000001'), 6), '0.000001');
  assert.equal(javaDecimalToString(new Decimal('12300'), -2), '1.23E+4');
  assert.equal(javaDecimalToString(new Decimal('12345678987654321.2345678987654321'), 16), '12345678987654321.2345678987654321');
});
