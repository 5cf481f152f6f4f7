import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { ExecutionError } from '../../../src/common/errors.js';
import { T, accumulate, create, ctx, resultsOf, rows } from './aggregate-harness.js';

test('SUM keeps the input type: INT, BIGINT, DOUBLE', () => {
  const i = create('SUM', [T.INT]);
  assert.deepEqual(i.returnType, T.INT);
  assert.deepEqual(resultsOf(i, rows(2, 2, null, 2)), [2, 4, 4, 6]);
  const l = create('SUM', [T.BIGINT]);
  assert.deepEqual(l.returnType, T.BIGINT);
  assert.deepEqual(resultsOf(l, rows(2147483648n, 100n)), [2147483648n, 2147483748n]);
  const d = create('SUM', [T.DOUBLE]);
  assert.deepEqual(resultsOf(d, rows(0.5, 0.25, null)), [0.5, 0.75, 0.75]);
});

test('SUM of nothing or only NULLs is 0', () => {
  assert.equal(create('SUM', [T.INT]).result(create('SUM', [T.INT]).initial()), 0);
  const l = create('SUM', [T.BIGINT]);
  assert.equal(l.result(accumulate(l, rows(null, null))), 0n);
});

test('SUM wraps like Java on INT and BIGINT overflow', () => {
  const i = create('SUM', [T.INT]);
  assert.deepEqual(resultsOf(i, rows(2147483647, 1)), [2147483647, -2147483648]);
  const l = create('SUM', [T.BIGINT]);
  assert.deepEqual(resultsOf(l, rows(9223372036854775807n, 1n)), [9223372036854775807n, -9223372036854775808n]);
});

test('SUM of DECIMAL keeps its type and fails on overflow', () => {
  const t = T.decimal(4, 1);
  const agg = create('SUM', [t]);
  assert.deepEqual(agg.returnType, t);
  const out = resultsOf(agg, rows(new Decimal('500.9'), new Decimal('300.8'))) as Decimal[];
  assert.equal(out[1]!.toFixed(1), '801.7');
  const acc = accumulate(agg, rows(new Decimal('500.9'), new Decimal('300.8')));
  assert.throws(() => agg.add(acc, [new Decimal('400.8')], ctx()), (e: unknown) => e instanceof ExecutionError && /Numeric field overflow/.test(e.message));
  const small = create('SUM', [T.decimal(3, 1)]);
  const acc2 = accumulate(small, rows(new Decimal('50.9')));
  assert.throws(() => small.add(acc2, [new Decimal('50.8')], ctx()), ExecutionError);
  const empty = small.result(small.initial()) as Decimal;
  assert.ok(empty instanceof Decimal && empty.isZero());
});

test('SUM of DECIMAL stays exact beyond 20 significant digits', () => {
  const agg = create('SUM', [T.decimal(38, 2)]);
  const big = new Decimal('123456789012345678901234567890.11');
  const acc = accumulate(agg, rows(big, new Decimal('0.01')));
  assert.equal((agg.result(acc) as Decimal).toFixed(2), '123456789012345678901234567890.12');
});

test('SUM undo reverses add; merge adds', () => {
  for (const [type, a, b] of [
    [T.INT, 5, 7],
    [T.BIGINT, 5n, 7n],
    [T.DOUBLE, 0.5, 2.25],
  ] as const) {
    const agg = create('SUM', [type]);
    const before = accumulate(agg, rows(a));
    const after = accumulate(agg, rows(b), before);
    assert.deepEqual(agg.result(agg.undo!(after, [b], ctx())), agg.result(before));
    assert.deepEqual(agg.result(agg.undo!(after, [null], ctx())), agg.result(after));
    assert.deepEqual(agg.result(agg.merge!(before, accumulate(agg, rows(b)))), agg.result(after));
  }
  const dec = create('SUM', [T.decimal(5, 2)]);
  const x = accumulate(dec, rows(new Decimal('1.25'), new Decimal('2.50')));
  assert.equal((dec.result(dec.undo!(x, [new Decimal('2.50')], ctx())) as Decimal).toFixed(2), '1.25');
});

test('SUM_LIST sums the elements of each list, skipping NULLs', () => {
  const d = create('SUM_LIST', [T.array(T.DOUBLE)]);
  assert.deepEqual(d.returnType, T.DOUBLE);
  assert.deepEqual(resultsOf(d, rows([1, 1], [2, 2], [922337203685, 1], [1, 1, null], null)), [2, 6, 922337203692, 922337203694, 922337203694]);
  const i = create('SUM_LIST', [T.array(T.INT)]);
  assert.deepEqual(i.returnType, T.INT);
  assert.deepEqual(resultsOf(i, rows([1, 1], [2, 2], [100, 100], [100, 100, null])), [2, 6, 206, 406]);
  const l = create('SUM_LIST', [T.array(T.BIGINT)]);
  const acc = accumulate(l, rows([1n, 2n], [3n, null]));
  assert.equal(l.result(acc), 6n);
  assert.equal(l.result(l.undo!(acc, [[3n, null]], ctx())), 3n);
  assert.equal(l.result(l.merge!(acc, acc)), 12n);
});
