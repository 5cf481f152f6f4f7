import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { T, accumulate, create, resultsOf, rows } from './aggregate-harness.js';

test('MAX over BIGINT skips NULLs (conformance: max long group by)', () => {
  const agg = create('MAX', [T.BIGINT]);
  assert.deepEqual(agg.returnType, T.BIGINT);
  assert.deepEqual(resultsOf(agg, rows(null, -1000000n, 5n, null, 9223372036854775807n, 100n)), [
    null, -1000000n, 5n, 5n, 9223372036854775807n, 9223372036854775807n,
  ]);
});

test('MIN over INT, STRING, TIME, and DECIMAL keeps the type', () => {
  assert.deepEqual(resultsOf(create('MIN', [T.INT]), rows(-2147483647, 5, null, 2000)), [-2147483647, -2147483647, -2147483647, -2147483647]);
  assert.deepEqual(resultsOf(create('MIN', [T.STRING]), rows(null, 'B', 'A', null, 'F')), [null, 'B', 'A', 'A', 'A']);
  assert.deepEqual(resultsOf(create('MIN', [T.TIME]), rows(5, 2647, null, 1)), [5, 5, 5, 1]);
  const dt = T.decimal(4, 2);
  const d = create('MIN', [dt]);
  assert.deepEqual(d.returnType, dt);
  const out = resultsOf(d, rows(new Decimal('21.79'), new Decimal('1.10'), null, new Decimal('-1.79'))) as Decimal[];
  assert.deepEqual(out.map((x) => x.toFixed(2)), ['21.79', '1.10', '1.10', '-1.79']);
});

test('MAX over BYTES compares bytes (conformance: max bytes group by)', () => {
  const b = (s: string) => Buffer.from(s, 'base64');
  const out = resultsOf(create('MAX', [T.BYTES]), rows(null, b('Qg=='), b('QQ=='), b('Rg=='), b('RA==')));
  assert.deepEqual(out, [null, b('Qg=='), b('Qg=='), b('Rg=='), b('Rg==')]);
});

test('MAX over DOUBLE orders like Java: -0.0 < 0.0, NaN largest', () => {
  const agg = create('MAX', [T.DOUBLE]);
  assert.ok(Object.is(agg.result(accumulate(agg, rows(-0, 0))), 0));
  assert.ok(Number.isNaN(agg.result(accumulate(agg, rows(1, NaN, 2))) as number));
  const min = create('MIN', [T.DOUBLE]);
  assert.ok(Object.is(min.result(accumulate(min, rows(0, -0))), -0));
});

test('MIN/MAX merge keeps the extreme and have no undo (stream only)', () => {
  const max = create('MAX', [T.INT]);
  const min = create('MIN', [T.INT]);
  assert.equal(max.result(max.merge!(accumulate(max, rows(1, 9)), accumulate(max, rows(4)))), 9);
  assert.equal(min.result(min.merge!(accumulate(min, rows(null)), accumulate(min, rows(4, 3)))), 3);
  assert.equal(max.undo, undefined);
  assert.equal(min.undo, undefined);
});

test('MIN/MAX reject types without an order', () => {
  assert.throws(() => create('MAX', [T.array(T.INT)]));
  assert.throws(() => create('MIN', [T.BOOLEAN]));
});
