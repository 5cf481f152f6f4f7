import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeTimeUnit, unitToMillis, unitToNanos } from '../../../../src/functions/scalar/datetime/time-units.js';

test('unit names normalise to the plural upper-case form', () => {
  assert.equal(normalizeTimeUnit('days'), 'DAYS');
  assert.equal(normalizeTimeUnit('SECOND'), 'SECONDS');
  assert.equal(normalizeTimeUnit('MilliSeconds'), 'MILLISECONDS');
  assert.throws(() => normalizeTimeUnit('WEEKS'), /Unknown time unit: WEEKS/);
});

test('conversion to milliseconds truncates sub-millisecond units toward zero', () => {
  assert.equal(unitToMillis('DAYS', 2), 172_800_000);
  assert.equal(unitToMillis('HOURS', -1), -3_600_000);
  assert.equal(unitToMillis('MINUTES', 3), 180_000);
  assert.equal(unitToMillis('SECONDS', 5), 5000);
  assert.equal(unitToMillis('MILLISECONDS', 7), 7);
  assert.equal(unitToMillis('MICROSECONDS', 1999), 1);
  assert.equal(unitToMillis('MICROSECONDS', -1999), -1);
  assert.equal(unitToMillis('NANOSECONDS', 999_999), 0);
});

test('conversion to nanoseconds saturates like TimeUnit.toNanos', () => {
  assert.equal(unitToNanos('MILLISECONDS', 3), 3_000_000n);
  assert.equal(unitToNanos('DAYS', 2_147_483_647), (1n << 63n) - 1n);
  assert.equal(unitToNanos('DAYS', -2_147_483_648), -(1n << 63n));
});
