import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { SqlTypes } from '../../../src/common/sql-types.js';
import { BOOLEAN, INT, STRING, call, returnTypeOf, t } from './scalar-test-helper.js';

const AI = t('ARRAY<INT>');
const AS = t('ARRAY<STRING>');
const AB = t('ARRAY<BOOLEAN>');
const AD = t('ARRAY<DOUBLE>');
const AL = t('ARRAY<BIGINT>');
const ADEC = t('ARRAY<DECIMAL(5, 2)>');
const AAS = t('ARRAY<ARRAY<STRING>>');
const AM = t('ARRAY<MAP<STRING, INT>>');
const dec = (s: string) => new Decimal(s);

test('ARRAY_CONTAINS', () => {
  assert.equal(call('ARRAY_CONTAINS', [AS, STRING], ['Pink', null], 'Pink'), true);
  assert.equal(call('ARRAY_CONTAINS', [AS, STRING], ['Red'], 'Pink'), false);
  assert.equal(call('ARRAY_CONTAINS', [AS, STRING], ['Red', null], null), true);
  assert.equal(call('ARRAY_CONTAINS', [AS, STRING], null, 'Pink'), false);
  assert.equal(call('ARRAY_CONTAINS', [AAS, AS], [['a', 'b']], ['a', 'b']), true);
  assert.equal(returnTypeOf('ARRAY_CONTAINS', [AI, INT]).kind, 'BOOLEAN');
  assert.throws(() => returnTypeOf('ARRAY_CONTAINS', [AI, STRING]));
});

test('ARRAY_DISTINCT keeps first occurrences, deep equality for nested values', () => {
  assert.deepEqual(call('ARRAY_DISTINCT', [AI], [0, null, 1, 0, -1, null]), [0, null, 1, -1]);
  assert.deepEqual(call('ARRAY_DISTINCT', [t('ARRAY<DECIMAL(2, 1)>')], [dec('1'), dec('-0.2'), dec('1.0')]), [dec('1'), dec('-0.2')]);
  assert.deepEqual(call('ARRAY_DISTINCT', [AAS], [['foo', 'bar'], ['foo', 'bar'], ['foo']]), [['foo', 'bar'], ['foo']]);
  const m = (a: number, b: number) => new Map([['apple', a], ['banana', b]]);
  assert.deepEqual(call('ARRAY_DISTINCT', [AM], [m(1, 2), m(3, 4), new Map([['banana', 2], ['apple', 1]]), null]), [m(1, 2), m(3, 4), null]);
  assert.deepEqual(call('ARRAY_DISTINCT', [AI], []), []);
  assert.equal(call('ARRAY_DISTINCT', [AI], null), null);
});

test('ARRAY_EXCEPT, ARRAY_INTERSECT, ARRAY_UNION', () => {
  assert.deepEqual(call('ARRAY_EXCEPT', [AS, AS], ['foo', 'bar', 'foo'], ['bar', 'baz']), ['foo']);
  assert.deepEqual(call('ARRAY_INTERSECT', [AI, AI], [0, 0, 1, 0, -1], [1, -2, 0]), [0, 1]);
  assert.deepEqual(call('ARRAY_INTERSECT', [AI, AI], [0, 1], []), []);
  assert.deepEqual(call('ARRAY_UNION', [AI, AI], [0, 0, 1, 0, -1], [1, -2, 0]), [0, 1, -1, -2]);
  assert.deepEqual(call('ARRAY_UNION', [AI, AI], [], [1, -2]), [1, -2]);
  for (const f of ['ARRAY_EXCEPT', 'ARRAY_INTERSECT', 'ARRAY_UNION']) {
    assert.equal(call(f, [AI, AI], null, [1]), null);
    assert.equal(call(f, [AI, AI], [1], null), null);
  }
});

test('ARRAY_CONCAT treats one NULL side as empty', () => {
  assert.deepEqual(call('ARRAY_CONCAT', [AS, AS], ['foo', 'bar'], ['foo', 'baz']), ['foo', 'bar', 'foo', 'baz']);
  assert.deepEqual(call('ARRAY_CONCAT', [AI, AI], null, [1, -2]), [1, -2]);
  assert.deepEqual(call('ARRAY_CONCAT', [AI, AI], [0, 3], null), [0, 3]);
  assert.equal(call('ARRAY_CONCAT', [AI, AI], null, null), null);
});

test('ARRAY_JOIN prints elements as Java does', () => {
  assert.equal(call('ARRAY_JOIN', [AB], [true, null, false]), 'true,null,false');
  assert.equal(call('ARRAY_JOIN', [AI, STRING], [1, 23, -42, 0], '?'), '1?23?-42?0');
  assert.equal(call('ARRAY_JOIN', [AL, STRING], [-4294967297n, 8589934592n], ''), '-42949672978589934592');
  assert.equal(call('ARRAY_JOIN', [AD, STRING], [1.23, -23.42, 0], ' '), '1.23 -23.42 0.0');
  assert.equal(call('ARRAY_JOIN', [ADEC, STRING], [dec('123.45'), dec('987.6')], '#'), '123.45#987.60');
  assert.equal(call('ARRAY_JOIN', [AS, STRING], ['Hello', 'From', '', 'Udf'], null), 'HelloFromUdf');
  assert.equal(call('ARRAY_JOIN', [AS], null), null);
  assert.throws(() => call('ARRAY_JOIN', [AAS], [['a']]), /not supported/);
});

test('ARRAY_LENGTH, ARRAY_MAX, ARRAY_MIN', () => {
  assert.equal(call('ARRAY_LENGTH', [AAS], [[]]), 1);
  assert.equal(call('ARRAY_LENGTH', [AI], null), null);
  assert.equal(call('ARRAY_MAX', [AB], [null, false, true]), true);
  assert.equal(call('ARRAY_MAX', [AI], [0, null, 1, 0, -1]), 1);
  assert.equal(call('ARRAY_MIN', [AL], [null, -123n, 345n]), -123n);
  assert.equal(call('ARRAY_MIN', [AD], [0, 0.1, -12345.678, null]), -12345.678);
  assert.equal(call('ARRAY_MAX', [AS], ['foo', 'fo', 'Food', null, 'F', 'food']), 'food');
  assert.equal(call('ARRAY_MIN', [AS], ['foo', 'Food', 'F']), 'F');
  assert.deepEqual(call('ARRAY_MAX', [t('ARRAY<DECIMAL(2, 1)>')], [dec('1.1'), dec('9'), dec('-9.9')]), dec('9'));
  assert.equal(call('ARRAY_MAX', [AI], []), null);
  assert.equal(call('ARRAY_MIN', [AI], [null]), null);
  assert.equal(call('ARRAY_MIN', [AI], null), null);
  assert.deepEqual(returnTypeOf('ARRAY_MAX', [AL]), SqlTypes.BIGINT);
});

test('ARRAY_REMOVE removes every equal element, NULL removes NULLs', () => {
  assert.deepEqual(call('ARRAY_REMOVE', [AS, STRING], ['foo', 'bar', 'foo'], 'foo'), ['bar']);
  assert.deepEqual(call('ARRAY_REMOVE', [AB, BOOLEAN], [null, false, true], null), [false, true]);
  assert.deepEqual(call('ARRAY_REMOVE', [AAS, AS], [null, ['foo'], ['foo', 'bar']], ['foo']), [null, ['foo', 'bar']]);
  assert.equal(call('ARRAY_REMOVE', [AI, INT], null, 1), null);
});

test('ARRAY_SORT puts NULLs last in both directions', () => {
  assert.deepEqual(call('ARRAY_SORT', [AI], [0, null, 1, 0, -1]), [-1, 0, 0, 1, null]);
  assert.deepEqual(call('ARRAY_SORT', [AS, STRING], ['foo', 'fo', 'Food', null, 'F', 'food'], 'desc'), ['food', 'foo', 'fo', 'Food', 'F', null]);
  assert.deepEqual(call('ARRAY_SORT', [AB], [true, false, false]), [false, false, true]);
  assert.deepEqual(call('ARRAY_SORT', [t('ARRAY<DECIMAL(2, 1)>'), STRING], [dec('1'), dec('-9.9'), null, dec('1.9')], 'DESCENDING'),
    [dec('1.9'), dec('1'), dec('-9.9'), null]);
  const input = [3, 1, 2];
  call('ARRAY_SORT', [AI], input);
  assert.deepEqual(input, [3, 1, 2], 'the input is not mutated');
  assert.equal(call('ARRAY_SORT', [AI, STRING], [1], 'sideways'), null);
  assert.equal(call('ARRAY_SORT', [AI], null), null);
});

test('SLICE is 1-based and inclusive; out of range gives NULL', () => {
  assert.deepEqual(call('SLICE', [AS, INT, INT], ['a', 'b', 'c', 'd'], 2, 3), ['b', 'c']);
  assert.deepEqual(call('SLICE', [AAS, INT, INT], [['a'], ['b'], ['c']], 2, 3), [['b'], ['c']]);
  assert.deepEqual(call('SLICE', [AS, INT, INT], ['a', 'b', 'c'], null, 2), ['a', 'b']);
  assert.deepEqual(call('SLICE', [AS, INT, INT], ['a', 'b', 'c'], 2, null), ['b', 'c']);
  assert.equal(call('SLICE', [AS, INT, INT], ['a', 'b'], 1, 5), null);
  assert.equal(call('SLICE', [AS, INT, INT], ['a', 'b'], 0, 1), null);
  assert.equal(call('SLICE', [AS, INT, INT], null, 1, 1), null);
});

test('ENTRIES returns K/V structs, optionally sorted', () => {
  const m = new Map([['K2', 2], ['K1', 1], ['K3', 3]]);
  const mt = t('MAP<STRING, INT>');
  assert.deepEqual(call('ENTRIES', [mt, BOOLEAN], m, true), [{ K: 'K1', V: 1 }, { K: 'K2', V: 2 }, { K: 'K3', V: 3 }]);
  assert.deepEqual(call('ENTRIES', [mt, BOOLEAN], m, false), [{ K: 'K2', V: 2 }, { K: 'K1', V: 1 }, { K: 'K3', V: 3 }]);
  assert.equal(call('ENTRIES', [mt, BOOLEAN], null, true), null);
  assert.deepEqual(returnTypeOf('ENTRIES', [mt, BOOLEAN]),
    SqlTypes.array(SqlTypes.struct([{ name: 'K', type: STRING }, { name: 'V', type: INT }])));
});
