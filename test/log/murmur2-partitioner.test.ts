import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, partitionForKey, toPositive } from '../../src/log/murmur2-partitioner.js';

// Kafka's UtilsTest.testMurmur2 vectors (Java Utils.murmur2 on the UTF-8 bytes)
const VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test('murmur2 matches Kafka test vectors bit for bit', () => {
  for (const [input, expected] of VECTORS) assert.equal(murmur2(Buffer.from(input, 'utf8')), expected, input);
});

test('murmur2 handles every tail length and the empty key', () => {
  // all lengths 0..3 mod 4 go through different tail branches; the result is a Java int
  for (let len = 0; len < 9; len++) {
    const h = murmur2(Buffer.alloc(len, 0xab));
    assert.ok(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31, `len ${len}`);
  }
  assert.notEqual(murmur2(Buffer.from([1])), murmur2(Buffer.from([1, 0])));
});

test('toPositive clears the sign bit like Kafka (not Math.abs)', () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-(2 ** 31)), 0);
  assert.equal(toPositive(5), 5);
});

test('partitionForKey = toPositive(murmur2) % n', () => {
  for (const [input, hash] of VECTORS) {
    for (const n of [1, 3, 6, 12, 100]) {
      assert.equal(partitionForKey(Buffer.from(input), n), (hash & 0x7fffffff) % n);
    }
  }
  // "foobar": (-790332482 & 0x7fffffff) % 6
  assert.equal(partitionForKey(Buffer.from('foobar'), 6), 1357151166 % 6);
});
