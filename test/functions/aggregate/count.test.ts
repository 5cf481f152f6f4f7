import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, accumulate, create, ctx, resultsOf, rows } from './aggregate-harness.js';

test('COUNT(*) counts every row, NULL or not', () => {
  const agg = create('COUNT', []);
  assert.deepEqual(agg.returnType, T.BIGINT);
  assert.deepEqual(resultsOf(agg, [[], [], []]), [1n, 2n, 3n]);
});

test('COUNT(col) counts only non-NULL values', () => {
  const agg = create('COUNT', [T.STRING]);
  assert.deepEqual(resultsOf(agg, rows('a', null, 'b', null)), [1n, 1n, 2n, 2n]);
});

test('COUNT undo reverses add, ignoring NULLs', () => {
  const agg = create('COUNT', [T.INT]);
  const acc = accumulate(agg, rows(1, 2, null));
  assert.equal(agg.result(acc), 2n);
  assert.equal(agg.result(agg.undo!(acc, [2], ctx())), 1n);
  assert.equal(agg.result(agg.undo!(acc, [null], ctx())), 2n);
  // the conformance "count table" case: a row moves group, then is deleted
  const star = create('COUNT', []);
  let john = star.add(star.initial(), [], ctx());
  john = star.add(john, [], ctx());
  john = star.undo!(john, [], ctx());
  assert.equal(star.result(john), 1n);
});

test('COUNT merge adds both counts', () => {
  const agg = create('COUNT', [T.INT]);
  const a = accumulate(agg, rows(1, 2));
  const b = accumulate(agg, rows(3, null, 4));
  assert.equal(agg.result(agg.merge!(a, b)), 4n);
});

test('COUNT_DISTINCT counts distinct non-NULL values of any type', () => {
  const agg = create('COUNT_DISTINCT', [T.STRING]);
  assert.deepEqual(resultsOf(agg, rows('a', 'b', 'a', null, 'c')), [1n, 2n, 2n, 2n, 3n]);
  const arrays = create('COUNT_DISTINCT', [T.array(T.INT)]);
  assert.deepEqual(resultsOf(arrays, rows([1, 2], [1, 2], [2, 1])), [1n, 1n, 2n]);
  assert.equal(agg.undo, undefined, 'COUNT_DISTINCT is stream only in ksqlDB');
});

test('COUNT_DISTINCT merge is a union and survives the codec', () => {
  const agg = create('COUNT_DISTINCT', [T.BIGINT]);
  const a = accumulate(agg, rows(1n, 2n, 3n));
  const b = accumulate(agg, rows(3n, 4n));
  assert.equal(agg.result(agg.merge!(a, b)), 4n);
});
