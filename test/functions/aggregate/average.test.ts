import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, accumulate, create, ctx, resultsOf, rows } from './aggregate-harness.js';

test('AVG of INT returns DOUBLE, ignoring NULLs (conformance: average int)', () => {
  const agg = create('AVG', [T.INT]);
  assert.deepEqual(agg.returnType, T.DOUBLE);
  assert.deepEqual(resultsOf(agg, rows(1, 2, 2, null)), [1, 1.5, 5 / 3, 5 / 3]);
});

test('AVG of BIGINT sums in 64 bits (conformance: average long)', () => {
  const agg = create('AVG', [T.BIGINT]);
  const out = resultsOf(agg, rows(-1n, 9223372036854775807n, 1n, null));
  assert.deepEqual(out, [-1, 4611686018427387903 / 1, 9223372036854775807 / 3, 9223372036854775807 / 3]);
  assert.equal(out[2], 3074457345618258400);
});

test('AVG of DOUBLE and of no rows', () => {
  const agg = create('AVG', [T.DOUBLE]);
  assert.equal(agg.result(agg.initial()), 0);
  assert.deepEqual(resultsOf(agg, rows(1.5, 2.5)), [1.5, 2]);
});

test('AVG undo and merge (conformance: average udaf with table)', () => {
  const agg = create('AVG', [T.INT]);
  let acc = accumulate(agg, rows(1, 2));
  assert.equal(agg.result(acc), 1.5);
  // alice changes 1 -> null: undo 1, add null
  acc = agg.add(agg.undo!(acc, [1], ctx()), [null], ctx());
  assert.equal(agg.result(acc), 2);
  // alice changes null -> 4
  acc = agg.add(agg.undo!(acc, [null], ctx()), [4], ctx());
  assert.equal(agg.result(acc), 3);
  const merged = agg.merge!(accumulate(agg, rows(1, 2)), accumulate(agg, rows(6)));
  assert.equal(agg.result(merged), 3);
});
