import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BYTES, STRING, call } from './scalar-test-helper.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

test('INT_FROM_BYTES, BIGINT_FROM_BYTES, DOUBLE_FROM_BYTES in both byte orders', () => {
  assert.equal(call('INT_FROM_BYTES', [BYTES, STRING], b64('5QcAAA=='), 'LITTLE_ENDIAN'), 2021);
  assert.equal(call('INT_FROM_BYTES', [BYTES], Buffer.from([0, 0, 0x07, 0xe5])), 2021);
  assert.equal(call('INT_FROM_BYTES', [BYTES], Buffer.from([0xff, 0xff, 0xff, 0xff])), -1);
  assert.equal(call('BIGINT_FROM_BYTES', [BYTES, STRING], b64('APIFKgEAAAA='), 'LITTLE_ENDIAN'), 5000000000n);
  assert.equal(call('BIGINT_FROM_BYTES', [BYTES, STRING], Buffer.from('00000001' + '2a05f200', 'hex'), 'BIG_ENDIAN'), 5000000000n);
  assert.equal(call('DOUBLE_FROM_BYTES', [BYTES, STRING], b64('gvXJm/2mgEA='), 'LITTLE_ENDIAN'), 532.8738323);
  const be = Buffer.alloc(8);
  be.writeDoubleBE(-1.5);
  assert.equal(call('DOUBLE_FROM_BYTES', [BYTES], be), -1.5);
});

test('byte-count and byte-order errors, NULLs', () => {
  assert.throws(() => call('INT_FROM_BYTES', [BYTES], Buffer.alloc(3)), /equal to 4/);
  assert.throws(() => call('BIGINT_FROM_BYTES', [BYTES], Buffer.alloc(4)), /equal to 8/);
  assert.throws(() => call('INT_FROM_BYTES', [BYTES, STRING], Buffer.alloc(4), 'MIDDLE_ENDIAN'), /byte order/i);
  assert.equal(call('DOUBLE_FROM_BYTES', [BYTES], null), null);
  assert.equal(call('INT_FROM_BYTES', [BYTES, STRING], Buffer.alloc(4), null), null);
});
