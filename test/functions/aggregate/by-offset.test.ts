import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, accumulate, create, ctx, resultsOf, rows } from './aggregate-harness.js';

test('LATEST_BY_OFFSET returns the last non-NULL value by default', () => {
  const agg = create('LATEST_BY_OFFSET', [T.INT]);
  assert.deepEqual(agg.returnType, T.INT);
  assert.deepEqual(resultsOf(agg, rows(12, null, 13)), [12, 12, 13]);
  const keep = create('LATEST_BY_OFFSET', [T.INT], [false]);
  assert.deepEqual(resultsOf(keep, rows(12, null, 13)), [12, null, 13]);
});

test('LATEST_BY_OFFSET with N returns the last N, oldest first', () => {
  const agg = create('LATEST_BY_OFFSET', [T.INT], [2]);
  assert.deepEqual(agg.returnType, T.array(T.INT));
  assert.deepEqual(resultsOf(agg, rows(12, null, 13, 14)), [[12], [12], [12, 13], [13, 14]]);
  const keep = create('LATEST_BY_OFFSET', [T.INT], [2, false]);
  assert.deepEqual(resultsOf(keep, rows(12, null, 13)), [[12], [12, null], [null, 13]]);
});

test('EARLIEST_BY_OFFSET keeps the first value; NULLs count only when not ignored', () => {
  assert.deepEqual(resultsOf(create('EARLIEST_BY_OFFSET', [T.INT]), rows(null, 12, 13)), [null, 12, 12]);
  assert.deepEqual(resultsOf(create('EARLIEST_BY_OFFSET', [T.INT], [false]), rows(null, 13)), [null, null]);
  assert.deepEqual(resultsOf(create('EARLIEST_BY_OFFSET', [T.INT], [2, false]), rows(12, null, 13)), [[12], [12, null], [12, null]]);
  assert.deepEqual(resultsOf(create('EARLIEST_BY_OFFSET', [T.INT], [2]), rows(null, null)), [[], []]);
  assert.deepEqual(resultsOf(create('EARLIEST_BY_OFFSET', [T.STRING], [2]), rows('foo', 'bar', 'baz')).at(-1), ['foo', 'bar']);
});

test('by-offset merges pick by record position (conformance: merging session windows)', () => {
  // two sessions, then a record that bridges them arrives last: Kafka Streams merges the
  // sessions into an empty aggregate, then adds the bridging record
  const latest = create('LATEST_BY_OFFSET', [T.INT]);
  const s1 = accumulate(latest, rows(1));
  const s2 = accumulate(latest, rows(3));
  let m = latest.merge!(latest.merge!(latest.initial(), s1), s2);
  assert.equal(latest.result(m), 3);
  m = latest.add(m, [2], ctx());
  assert.equal(latest.result(m), 2);
  // merge order must not matter: position decides
  assert.equal(latest.result(latest.merge!(s2, s1)), 3);

  const earliest = create('EARLIEST_BY_OFFSET', [T.INT]);
  const e1 = accumulate(earliest, rows(1));
  const e2 = accumulate(earliest, rows(3));
  assert.equal(earliest.result(earliest.add(earliest.merge!(e2, e1), [2], ctx())), 1);

  const latestN = create('LATEST_BY_OFFSET', [T.INT], [2, false]);
  const n1 = accumulate(latestN, rows(1));
  const n2 = accumulate(latestN, rows(null));
  const mergedN = latestN.merge!(latestN.merge!(latestN.initial(), n1), n2);
  assert.deepEqual(latestN.result(latestN.add(mergedN, [2], ctx())), [null, 2]);

  const earliestN = create('EARLIEST_BY_OFFSET', [T.INT], [2, false]);
  const x1 = accumulate(earliestN, rows(null));
  const x2 = accumulate(earliestN, rows(1));
  assert.deepEqual(earliestN.result(earliestN.add(earliestN.merge!(x2, x1), [null], ctx())), [null, 1]);
});

test('by-offset works on complex values and has no undo', () => {
  const agg = create('LATEST_BY_OFFSET', [T.array(T.INT)]);
  assert.deepEqual(agg.result(accumulate(agg, rows([1, 2], [3]))), [3]);
  assert.equal(agg.undo, undefined);
  assert.throws(() => create('LATEST_BY_OFFSET', [T.INT], [0]));
});
