import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, returnTypeOf, t } from './scalar-test-helper.js';

const MI = t('MAP<STRING, INT>');

test('AS_MAP pairs keys with values by position', () => {
  const AS = t('ARRAY<STRING>');
  const AI = t('ARRAY<INT>');
  assert.deepEqual(call('AS_MAP', [AS, AI], ['a', 'b'], [1, 2]), new Map([['a', 1], ['b', 2]]));
  assert.deepEqual(call('AS_MAP', [AS, AI], ['a', 'b'], [1]), new Map([['a', 1], ['b', null]]));
  assert.deepEqual(call('AS_MAP', [AS, AI], ['a'], [1, 2]), new Map([['a', 1]]));
  assert.equal(call('AS_MAP', [AS, AI], null, [1]), null);
  assert.deepEqual(returnTypeOf('AS_MAP', [AS, AI]), MI);
});

test('MAP_KEYS and MAP_VALUES', () => {
  const m = new Map([['foo', 10], ['bar', null]]);
  // java.util.HashMap order ("bar" lands in an earlier bucket than "foo"), not insertion order
  assert.deepEqual(call('MAP_KEYS', [MI], m), ['bar', 'foo']);
  assert.deepEqual(call('MAP_VALUES', [MI], m), [null, 10]);
  assert.deepEqual(call('MAP_KEYS', [MI], new Map()), []);
  assert.equal(call('MAP_KEYS', [MI], null), null);
  assert.equal(call('MAP_VALUES', [MI], null), null);
  assert.deepEqual(returnTypeOf('MAP_VALUES', [t('MAP<STRING, ARRAY<INT>>')]), t('ARRAY<ARRAY<INT>>'));
});

test('MAP_UNION: the second map wins, one NULL map is empty', () => {
  const a = new Map([['foo', 10], ['bar', 20], ['baz', 30]]);
  const b = new Map([['foo', 99], ['apple', -1]]);
  assert.deepEqual(call('MAP_UNION', [MI, MI], a, b), new Map([['foo', 99], ['bar', 20], ['baz', 30], ['apple', -1]]));
  assert.deepEqual(call('MAP_UNION', [MI, MI], new Map([['foo', 10]]), new Map([['foo', null]])), new Map([['foo', null]]));
  assert.deepEqual(call('MAP_UNION', [MI, MI], null, new Map([['foo', null]])), new Map([['foo', null]]));
  assert.equal(call('MAP_UNION', [MI, MI], null, null), null);
  assert.equal(a.get('foo'), 10, 'inputs are not mutated');
});
