import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, INT, STRING, call, lambda, returnTypeOf, t } from './scalar-test-helper.js';

const AI = t('ARRAY<INT>');

test('TRANSFORM over arrays', () => {
  assert.deepEqual(call('TRANSFORM', [AI, lambda('STRING')], [1, null, 3], (x: number | null) => (x === null ? null : `n${x}`)), ['n1', null, 'n3']);
  assert.equal(call('TRANSFORM', [AI, lambda('INT')], null, (x: number) => x), null);
  assert.deepEqual(returnTypeOf('TRANSFORM', [AI, lambda('STRING')]), t('ARRAY<STRING>'));
});

test('TRANSFORM over maps; duplicate keys or NULL values are errors', () => {
  const m = new Map([['a', [2, 4, 5]], ['b', [-1, -2]]]);
  const mt = t('MAP<STRING, ARRAY<INT>>');
  const out = call('TRANSFORM', [mt, lambda('STRING'), lambda('INT')], m,
    (k: string) => `${k}_test`, (_k: string, v: number[]) => Math.min(...v) + 1);
  assert.deepEqual(out, new Map([['a_test', 3], ['b_test', -1]]));
  assert.deepEqual(returnTypeOf('TRANSFORM', [mt, lambda('STRING'), lambda('INT')]), t('MAP<STRING, INT>'));
  assert.throws(() => call('TRANSFORM', [mt, lambda('STRING'), lambda('INT')], m, () => 'same', () => 1), /Duplicate/);
  assert.throws(() => call('TRANSFORM', [mt, lambda('STRING'), lambda('INT')], m, (k: string) => k, () => null));
  assert.equal(call('TRANSFORM', [mt, lambda('STRING'), lambda('INT')], null, (k: string) => k, () => 1), null);
});

test('FILTER over arrays and maps', () => {
  assert.deepEqual(call('FILTER', [AI, lambda('BOOLEAN')], [3, 6, 2, 10], (x: number) => x > 5), [6, 10]);
  assert.deepEqual(call('FILTER', [AI, lambda('BOOLEAN')], [5, null], (x: number | null) => (x === null ? null : x > 5)), []);
  assert.equal(call('FILTER', [AI, lambda('BOOLEAN')], null, () => true), null);
  const mt = t('MAP<STRING, INT>');
  const m = new Map([['a', 15], ['abcd', 15], ['ab', 6]]);
  assert.deepEqual(call('FILTER', [mt, lambda('BOOLEAN')], m, (k: string, v: number) => k.length > 3 && v % 5 === 0), new Map([['abcd', 15]]));
  assert.deepEqual(returnTypeOf('FILTER', [mt, lambda('BOOLEAN')]), mt);
  assert.equal(call('FILTER', [mt, lambda('BOOLEAN')], null, () => true), null);
});

test('REDUCE over arrays and maps', () => {
  const add = (s: number | null, x: number | null) => (s === null || x === null ? null : s + x);
  assert.equal(call('REDUCE', [AI, INT, lambda('INT')], [3, 6], 2, add), 11);
  assert.equal(call('REDUCE', [AI, INT, lambda('INT')], [5, null], 2, add), null);
  assert.equal(call('REDUCE', [AI, INT, lambda('INT')], null, 2, add), 2);
  const mt = t('MAP<STRING, INT>');
  const m = new Map([['12', 7], ['123', 3], ['1234', 2]]);
  assert.equal(call('REDUCE', [mt, INT, lambda('INT')], m, 0, (s: number, k: string, v: number) => (k.length > 3 ? s + v : s - v)), -8);
  assert.equal(call('REDUCE', [mt, BIGINT, lambda('BIGINT')], null, 5n, () => 0n), 5n);
  assert.equal(returnTypeOf('REDUCE', [mt, STRING, lambda('STRING')]).kind, 'STRING');
});
