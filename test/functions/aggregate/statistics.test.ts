import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, accumulate, create, ctx, resultsOf, rows } from './aggregate-harness.js';

const close = (actual: unknown, expected: number) =>
  assert.ok(Math.abs((actual as number) - expected) <= Math.abs(expected) * 1e-12, `${actual} != ${expected}`);

test('STDDEV_SAMPLE matches ksqlDB (conformance: stddev_sample int / long / double)', () => {
  const i = create('STDDEV_SAMPLE', [T.INT]);
  assert.deepEqual(i.returnType, T.DOUBLE);
  assert.deepEqual(resultsOf(i, rows(0, 10, 7, 6)), [0, 7.0710678118654755, 5.131601439446884, 4.193248541803041]);
  assert.deepEqual(resultsOf(create('STDDEV_SAMPLE', [T.BIGINT]), rows(500n, 100n, 0n, -6n, null)), [0, 282.842712474619, 264.5751311064591, 239.32335169528832, 239.32335169528832]);
  assert.deepEqual(resultsOf(create('STDDEV_SAMPLE', [T.DOUBLE]), rows(-1.8, 2.3, 100.2, null)), [0, 2.899137802864845, 57.74256084841869, 57.74256084841869]);
});

test('STDDEV_SAMP returns the sample variance, as ksqlDB does (conformance: stddev_samp)', () => {
  assert.deepEqual(resultsOf(create('STDDEV_SAMP', [T.INT]), rows(0, 10, 7, 6)), [0, 50, 26.333333333333332, 17.583333333333332]);
  assert.deepEqual(resultsOf(create('STDDEV_SAMP', [T.INT]), rows(50, 10, 3, null)), [0, 800, 643, 643]);
  assert.deepEqual(resultsOf(create('STDDEV_SAMP', [T.DOUBLE]), rows(10, 12, 13, 14, 16)), [0, 2, 2.333333333333333, 2.9166666666666665, 5]);
});

test('STDDEV undo returns to the earlier result; merge combines', () => {
  for (const name of ['STDDEV_SAMPLE', 'STDDEV_SAMP']) {
    const agg = create(name, [T.DOUBLE]);
    const before = accumulate(agg, rows(1, 4, 9));
    const after = agg.add(before, [16], ctx());
    close(agg.result(agg.undo!(after, [16], ctx())), agg.result(before) as number);
    const merged = agg.merge!(accumulate(agg, rows(1, 4)), accumulate(agg, rows(9, 16)));
    close(agg.result(merged), agg.result(after) as number);
    assert.equal(agg.result(agg.merge!(agg.initial(), before)), agg.result(before));
  }
  const ints = create('STDDEV_SAMPLE', [T.BIGINT]);
  const b = accumulate(ints, rows(2n, 4n, 9n));
  close(ints.result(ints.undo!(ints.add(b, [5n], ctx()), [5n], ctx())), ints.result(b) as number);
});

test('CORRELATION matches ksqlDB (conformance: correlation double)', () => {
  const agg = create('CORRELATION', [T.DOUBLE, T.DOUBLE]);
  assert.deepEqual(agg.returnType, T.DOUBLE);
  const out = resultsOf(agg, [[1.5, 8], [-1, -2], [-4.5, -1], [null, -6]]);
  assert.ok(Number.isNaN(out[0]));
  assert.deepEqual(out.slice(1), [1, 0.7580764521133173, 0.7580764521133173]);
  // INT columns arrive widened; stray integers and bigints still work
  assert.equal(agg.result(accumulate(agg, [[1, 8], [-1, -2], [-4, -1]])), 0.7455284088780169);
  assert.equal(agg.result(accumulate(agg, [[1n, 8n], [-1n, -2n], [-4n, -1n]])), 0.7455284088780169);
});

test('CORRELATION undo and merge (conformance: correlation udaf with table)', () => {
  const agg = create('CORRELATION', [T.DOUBLE, T.DOUBLE]);
  let acc = accumulate(agg, [[1.5, 8], [-3.5, -2]]);
  assert.equal(agg.result(acc), 1);
  acc = agg.add(agg.undo!(acc, [1.5, 8], ctx()), [-1, -2], ctx());
  assert.ok(Number.isNaN(agg.result(acc)));
  acc = agg.add(acc, [-4.5, -1], ctx());
  assert.equal(agg.result(acc), -0.7205766921228921);
  const merged = agg.merge!(accumulate(agg, [[1.5, 8]]), accumulate(agg, [[-1, -2], [-4.5, -1]]));
  close(agg.result(merged), 0.7580764521133173);
});

test('ATTR returns the single value, NULL once values differ, and undo restores it', () => {
  const agg = create('ATTR', [T.STRING]);
  assert.deepEqual(agg.returnType, T.STRING);
  assert.deepEqual(resultsOf(agg, rows('s', 's', 's')), ['s', 's', 's']);
  assert.deepEqual(resultsOf(agg, rows('1', '2', '3')), ['1', null, null]);
  assert.deepEqual(resultsOf(agg, rows('1', null, '1')), ['1', null, null]);
  const acc = accumulate(agg, rows('a', 'b'));
  assert.equal(agg.result(agg.undo!(acc, ['b'], ctx())), 'a');
  const structs = create('ATTR', [T.STRING]);
  assert.deepEqual(structs.result(accumulate(structs, rows({ A: 'a', B: 1 }, { A: 'a', B: 1 }))), { A: 'a', B: 1 });
  assert.equal(agg.result(agg.merge!(accumulate(agg, rows('x')), accumulate(agg, rows('x')))), 'x');
  assert.equal(agg.result(agg.merge!(accumulate(agg, rows('x')), accumulate(agg, rows('y')))), null);
});
