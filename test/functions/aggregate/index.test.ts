import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinAggregateFunctions } from '../../../src/functions/aggregate/index.js';
import { decodeValue, encodeValue } from '../../../src/common/value-codec.js';
import { T, accumulate, create, ctx } from './aggregate-harness.js';

test('built-in aggregates: the ksqlDB set, upper-case and unique', () => {
  const names = builtinAggregateFunctions.map((f) => f.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.equal(n, n.toUpperCase());
  for (const expected of ['AVG', 'COLLECT_LIST', 'COLLECT_SET', 'CORRELATION', 'COUNT', 'COUNT_DISTINCT', 'EARLIEST_BY_OFFSET', 'HISTOGRAM', 'LATEST_BY_OFFSET', 'MAX', 'MIN', 'STDDEV_SAMP', 'STDDEV_SAMPLE', 'SUM', 'SUM_LIST', 'TOPK', 'TOPKDISTINCT', 'ATTR']) {
    assert.ok(names.includes(expected), expected);
  }
  for (const f of builtinAggregateFunctions) assert.ok(f.overloads.length > 0 && f.description.length > 0, f.name);
});

test('table-capable (undo) aggregates are exactly those ksqlDB allows on tables', () => {
  const withUndo = builtinAggregateFunctions
    .filter((f) => {
      const o = f.overloads.find((x) => !x.params.some((p) => p.kind === 'array')) ?? f.overloads[0]!;
      const types = o.params.map(() => T.INT);
      const argTypes = o.params.map((p, i) => (p.kind === 'array' ? T.array(T.INT) : p.kind === 'exact' ? p.type : types[i]!));
      const init = (o.initParams ?? []).map((p) => (p.kind === 'exact' && p.type.kind === 'BOOLEAN' ? true : 2));
      return o.create({ argTypes, returnType: T.INT, initArgs: init }).undo !== undefined;
    })
    .map((f) => f.name)
    .sort();
  assert.deepEqual(withUndo, ['ATTR', 'AVG', 'COLLECT_LIST', 'CORRELATION', 'COUNT', 'HISTOGRAM', 'STDDEV_SAMP', 'STDDEV_SAMPLE', 'SUM', 'SUM_LIST']);
});

test('every aggregate merges, does not mutate its input accumulator, and survives the codec', () => {
  const cases: [string, ReturnType<typeof T.array> | typeof T.INT | typeof T.STRING, unknown[], unknown[]][] = [
    ['COLLECT_LIST', T.INT, [], [1, 2, 3]],
    ['COLLECT_SET', T.INT, [], [1, 2, 1]],
    ['HISTOGRAM', T.STRING, [], ['a', 'b', 'a']],
    ['TOPK', T.INT, [2], [1, 5, 3]],
    ['TOPKDISTINCT', T.INT, [2], [1, 5, 5]],
    ['LATEST_BY_OFFSET', T.INT, [2], [1, 5, 3]],
    ['EARLIEST_BY_OFFSET', T.INT, [], [1, 5, 3]],
    ['ATTR', T.INT, [], [1, 1]],
    ['COUNT_DISTINCT', T.INT, [], [1, 2, 2]],
    ['AVG', T.INT, [], [1, 2, 4]],
    ['STDDEV_SAMPLE', T.INT, [], [1, 2, 4]],
    ['MIN', T.INT, [], [3, 1, 2]],
  ];
  for (const [name, type, init, values] of cases) {
    const agg = create(name, [type], init);
    assert.ok(agg.merge, `${name} has merge`);
    const acc = accumulate(agg, values.map((v) => [v]));
    const snapshot = encodeValue(acc);
    agg.add(acc, [values[0]], ctx());
    agg.merge!(acc, acc);
    if (agg.undo) agg.undo(acc, [values[0]], ctx());
    assert.deepEqual(encodeValue(acc), snapshot, `${name} must not mutate its accumulator`);
    assert.deepEqual(agg.result(decodeValue(snapshot)), agg.result(acc), name);
  }
});

test('createBuiltinRegistry builds configurable aggregates from the properties in force', async () => {
  const { createBuiltinRegistry } = await import('../../../src/functions/builtin-registry.js');
  const { SqlTypes } = await import('../../../src/common/sql-types.js');
  const collect = (props: Record<string, unknown>) => {
    const res = createBuiltinRegistry(props).resolveAggregate('COLLECT_LIST', [{ kind: 'type', type: SqlTypes.INTEGER }]);
    const agg = res.overload.create({ argTypes: res.argTypes, returnType: res.returnType, initArgs: [] });
    const ctx = { timestamp: 0, offset: 0n, partition: 0 };
    return agg.result(agg.add(agg.add(agg.initial(), [0], ctx), [100], ctx));
  };
  assert.deepEqual(collect({ 'ksql.functions.collect_list.limit': 1 }), [0]);
  assert.deepEqual(collect({}), [0, 100]);
});
