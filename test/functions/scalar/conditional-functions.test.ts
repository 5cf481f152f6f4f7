import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INT, STRING, call, returnTypeOf, t } from './scalar-test-helper.js';

const ARR = t('ARRAY<INT>');

test('COALESCE returns the first non-NULL argument', () => {
  assert.equal(call('COALESCE', [INT, INT, INT], null, 2, 3), 2);
  assert.equal(call('COALESCE', [STRING], 'a'), 'a');
  assert.equal(call('COALESCE', [INT, INT], null, null), null);
  assert.deepEqual(call('COALESCE', [ARR, ARR], null, [1]), [1]);
  assert.deepEqual(returnTypeOf('COALESCE', [ARR, ARR]), ARR);
  assert.throws(() => returnTypeOf('COALESCE', [INT, STRING]));
});

test('IFNULL', () => {
  assert.equal(call('IFNULL', [INT, INT], 1, 10), 1);
  assert.equal(call('IFNULL', [INT, INT], null, 10), 10);
  assert.equal(call('IFNULL', [STRING, STRING], null, null), null);
  assert.deepEqual(call('IFNULL', [ARR, ARR], null, [10, 20]), [10, 20]);
});

test('NULLIF compares deeply', () => {
  assert.equal(call('NULLIF', [INT, INT], 1, 1), null);
  assert.equal(call('NULLIF', [INT, INT], 1, 2), 1);
  assert.equal(call('NULLIF', [INT, INT], 1, null), 1);
  assert.equal(call('NULLIF', [INT, INT], null, 1), null);
  assert.equal(call('NULLIF', [ARR, ARR], [1, 2], [1, 2]), null);
  assert.deepEqual(call('NULLIF', [ARR, ARR], [1, 2], [2, 1]), [1, 2]);
});
