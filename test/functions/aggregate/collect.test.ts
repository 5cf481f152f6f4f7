import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBuiltinAggregateFunctions } from '../../../src/functions/aggregate/index.js';
import { T, accumulate, create, ctx, resultsOf, rows } from './aggregate-harness.js';

test('COLLECT_LIST keeps every value in order, NULLs included', () => {
  const agg = create('COLLECT_LIST', [T.STRING]);
  assert.deepEqual(agg.returnType, T.array(T.STRING));
  assert.deepEqual(resultsOf(agg, rows('baz', 'baz', 'foo', null)), [['baz'], ['baz', 'baz'], ['baz', 'baz', 'foo'], ['baz', 'baz', 'foo', null]]);
});

test('COLLECT_LIST collects complex values', () => {
  const agg = create('COLLECT_LIST', [T.map(T.STRING, T.INT)]);
  const m1 = new Map([['Record0', 1]]);
  const acc = accumulate(agg, rows(m1, null, [1, 2]));
  assert.deepEqual(agg.result(acc), [m1, null, [1, 2]]);
});

test('COLLECT_LIST undo removes the last equal value (table: value replaced)', () => {
  const agg = create('COLLECT_LIST', [T.INT]);
  let acc = accumulate(agg, rows(0));
  acc = agg.add(agg.undo!(acc, [0], ctx()), [100], ctx());
  assert.deepEqual(agg.result(acc), [100]);
  const dup = accumulate(agg, rows(1, 2, 1, 3));
  assert.deepEqual(agg.result(agg.undo!(dup, [1], ctx())), [1, 2, 3]);
  assert.deepEqual(agg.result(agg.undo!(dup, [42], ctx())), [1, 2, 1, 3], 'unknown values are ignored');
});

test('COLLECT_LIST honours ksql.functions.collect_list.limit, in add and merge', () => {
  const fns = createBuiltinAggregateFunctions({ 'ksql.functions.collect_list.limit': 1 });
  const agg = create(fns.find((f) => f.name === 'COLLECT_LIST')!, [T.INT]);
  assert.deepEqual(resultsOf(agg, rows(0, 100)), [[0], [0]]);
  const three = createBuiltinAggregateFunctions({ 'ksql.functions.collect_list.limit': '3' });
  const agg3 = create(three.find((f) => f.name === 'COLLECT_LIST')!, [T.INT]);
  assert.deepEqual(agg3.result(agg3.merge!(accumulate(agg3, rows(1, 2)), accumulate(agg3, rows(3, 4)))), [1, 2, 3]);
  const unlimited = create('COLLECT_LIST', [T.INT]);
  assert.equal((unlimited.result(accumulate(unlimited, rows(...Array.from({ length: 1500 }, (_, i) => i)))) as unknown[]).length, 1500);
});

test('COLLECT_SET keeps distinct values by content, first-seen order', () => {
  const agg = create('COLLECT_SET', [T.STRING]);
  assert.deepEqual(resultsOf(agg, rows('baz', 'baz', 'foo', null, null)), [['baz'], ['baz'], ['baz', 'foo'], ['baz', 'foo', null], ['baz', 'foo', null]]);
  const maps = create('COLLECT_SET', [T.map(T.STRING, T.INT)]);
  const a = new Map([['Record0', 100], ['Record2', 2]]);
  const b = new Map([['Record2', 2], ['Record0', 100]]);
  assert.deepEqual(maps.result(accumulate(maps, rows(a, b))), [a]);
  const structs = create('COLLECT_SET', [T.STRING]);
  assert.deepEqual(structs.result(accumulate(structs, rows({ A: 'x', B: 1 }, { B: 1, A: 'x' }))), [{ A: 'x', B: 1 }]);
  assert.equal(agg.undo, undefined, 'COLLECT_SET is stream only');
});

test('COLLECT_SET merge and limit', () => {
  const agg = create('COLLECT_SET', [T.INT]);
  assert.deepEqual(agg.result(agg.merge!(accumulate(agg, rows(1, 2)), accumulate(agg, rows(2, 3)))), [1, 2, 3]);
  const fns = createBuiltinAggregateFunctions({ 'ksql.functions.collect_set.limit': 1 });
  const limited = create(fns.find((f) => f.name === 'COLLECT_SET')!, [T.INT]);
  assert.deepEqual(resultsOf(limited, rows(0, 100)), [[0], [0]]);
});

test('HISTOGRAM counts values; undo decrements and drops zero counts', () => {
  const agg = create('HISTOGRAM', [T.STRING]);
  assert.deepEqual(agg.returnType, T.map(T.STRING, T.BIGINT));
  const out = resultsOf(agg, rows('baz', 'baz', 'foo'));
  assert.deepEqual(out[2], new Map([['baz', 2n], ['foo', 1n]]));
  const east = accumulate(agg, rows('alice', 'bob'));
  assert.deepEqual(agg.result(agg.undo!(east, ['bob'], ctx())), new Map([['alice', 1n]]));
  const merged = agg.merge!(accumulate(agg, rows('a', 'b')), accumulate(agg, rows('b', 'c')));
  assert.deepEqual(agg.result(merged), new Map([['a', 1n], ['b', 2n], ['c', 1n]]));
});

test('HISTOGRAM tracks at most 1000 distinct values', () => {
  const agg = create('HISTOGRAM', [T.STRING]);
  let acc = agg.initial();
  for (let i = 0; i < 1001; i++) acc = agg.add(acc, [`v${i}`], ctx());
  acc = agg.add(acc, ['v0'], ctx());
  const m = agg.result(acc) as Map<string, bigint>;
  assert.equal(m.size, 1000);
  assert.equal(m.get('v0'), 2n);
  assert.equal(m.has('v1000'), false);
});
