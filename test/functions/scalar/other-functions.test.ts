import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOLEAN, INT, call, returnTypeOf, t } from './scalar-test-helper.js';

test('AS_VALUE returns its argument unchanged, with its type', () => {
  assert.equal(call('AS_VALUE', [INT], 2), 2);
  assert.equal(call('AS_VALUE', [BOOLEAN], true), true);
  const st = t('ARRAY<STRING>');
  assert.deepEqual(call('AS_VALUE', [st], ['foo']), ['foo']);
  assert.deepEqual(returnTypeOf('AS_VALUE', [st]), st);
  assert.equal(call('AS_VALUE', [INT], null), null);
});
