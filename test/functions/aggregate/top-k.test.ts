import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, accumulate, create, resultsOf, rows } from './aggregate-harness.js';

test('TOPK keeps the K largest, duplicates included (conformance: topk long)', () => {
  const agg = create('TOPK', [T.BIGINT], [3]);
  assert.deepEqual(agg.returnType, T.array(T.BIGINT));
  assert.deepEqual(resultsOf(agg, rows(2147483648n, 100n, 99n, 7n, 100n, null)), [
    [2147483648n],
    [2147483648n, 100n],
    [2147483648n, 100n, 99n],
    [2147483648n, 100n, 99n],
    [2147483648n, 100n, 100n],
    [2147483648n, 100n, 100n],
  ]);
});

test('TOPK over strings (conformance: topk string)', () => {
  const agg = create('TOPK', [T.STRING], [3]);
  assert.deepEqual(resultsOf(agg, rows('a', 'b', 'c', 'b', 'd')), [['a'], ['b', 'a'], ['c', 'b', 'a'], ['c', 'b', 'b'], ['d', 'c', 'b']]);
});

test('TOPK with other columns returns structs; ties keep arrival order (conformance: topk integer struct)', () => {
  const agg = create('TOPK', [T.INT, T.STRING], [3]);
  assert.deepEqual(agg.returnType, {
    kind: 'ARRAY',
    element: { kind: 'STRUCT', fields: [{ name: 'sort_col', type: T.INT }, { name: 'col0', type: T.STRING }] },
  });
  const out = resultsOf(agg, [[0, 'zero'], [100, 'one'], [99, 'two'], [null, 'three'], [100, null]]);
  assert.deepEqual(out[3], [{ sort_col: 100, col0: 'one' }, { sort_col: 99, col0: 'two' }, { sort_col: 0, col0: 'zero' }]);
  assert.deepEqual(out[4], [{ sort_col: 100, col0: 'one' }, { sort_col: 100, col0: null }, { sort_col: 99, col0: 'two' }]);
  const wide = create('TOPK', [T.DOUBLE, T.STRING, T.INT], [1]);
  assert.deepEqual(wide.result(accumulate(wide, [[1.5, 'a', 1], [2.5, 'b', 2]])), [{ sort_col: 2.5, col0: 'b', col1: 2 }]);
});

test('TOPK merge takes the K largest of both', () => {
  const agg = create('TOPK', [T.INT], [3]);
  const merged = agg.merge!(accumulate(agg, rows(9, 5, 1)), accumulate(agg, rows(7, 5)));
  assert.deepEqual(agg.result(merged), [9, 7, 5]);
  assert.equal(agg.undo, undefined);
});

test('TOPK requires a positive K', () => {
  assert.throws(() => create('TOPK', [T.INT], [0]));
});

test('TOPKDISTINCT keeps the K largest distinct values (conformance: topk distinct)', () => {
  const agg = create('TOPKDISTINCT', [T.BIGINT], [3]);
  assert.deepEqual(resultsOf(agg, rows(2147483648n, 100n, 99n, 7n, 100n)).at(-1), [2147483648n, 100n, 99n]);
  const time = create('TOPKDISTINCT', [T.TIME], [3]);
  assert.deepEqual(resultsOf(time, rows(0, 100, 99, null, 7, 100)), [[0], [100, 0], [100, 99, 0], [100, 99, 0], [100, 99, 7], [100, 99, 7]]);
  const b = (s: string) => Buffer.from(s, 'base64');
  const bytes = create('TOPKDISTINCT', [T.BYTES], [3]);
  assert.deepEqual(bytes.result(accumulate(bytes, rows(b('Qg=='), b('Rg=='), b('Rw=='), null, b('QQ=='), b('Rg==')))), [b('Rw=='), b('Rg=='), b('Qg==')]);
});

test('TOPKDISTINCT merge is distinct', () => {
  const agg = create('TOPKDISTINCT', [T.INT], [3]);
  assert.deepEqual(agg.result(agg.merge!(accumulate(agg, rows(5, 3)), accumulate(agg, rows(5, 4, 1)))), [5, 4, 3]);
});
