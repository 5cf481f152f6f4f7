import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { encodeValue } from '../../src/common/value-codec.js';
import type { StreamRecord } from '../../src/runtime/processor.js';
import { decodeRepartitioned, encodeRepartitioned, repartitionKey, repartitionPartition } from '../../src/runtime/repartition-codec.js';

const base = { timestamp: 1_234, partition: 3, offset: 42n, headers: [{ key: 'h', value: Buffer.from('x') }] };
const cases: [string, StreamRecord][] = [
  ['scalars of every kind', { ...base, row: [1, 2n ** 70n, -0, Number.NaN, 'text', true, null, new Decimal('12.50'), Buffer.from([0, 255])] }],
  ['nested arrays, maps and structs', { ...base, row: [[1, [2, 3]], new Map([['a', 1]]), { F1: 'x', F2: { G: [null] } }] }],
  ['a tombstone', { ...base, row: ['k', null, null], tombstone: true }],
  ['a record read without a key', { ...base, row: [null, 5], nullKey: true }],
  ['a windowed record', { ...base, row: ['k', 7n], window: { start: 10_000, end: 20_000 } }],
];

for (const [name, rec] of cases) {
  test(`a repartitioned record reads back as written: ${name}`, () => {
    const value = encodeRepartitioned(rec);
    const back = decodeRepartitioned({ topic: 'r', partition: 1, offset: 9n, key: null, value, timestamp: rec.timestamp, headers: [...rec.headers] });
    assert.deepEqual(back.row, rec.row);
    assert.equal(back.tombstone, rec.tombstone);
    assert.equal(back.nullKey, rec.nullKey);
    assert.deepEqual(back.window, rec.window);
    assert.equal(back.timestamp, rec.timestamp);
    assert.deepEqual(back.headers, rec.headers);
    // the position is the repartition topic's
    assert.equal(back.partition, 1);
    assert.equal(back.offset, 9n);
  });
}

test('a repartitioned record written with its needed columns reads back those, the others NULL', () => {
  const rec: StreamRecord = { ...base, row: [1n, 'skipped', 3.5, 'kept', 9n], window: { start: 0, end: 10 }, tombstone: true };
  const value = encodeRepartitioned(rec, [0, 3]);
  const back = decodeRepartitioned({ topic: 'r', partition: 0, offset: 1n, key: null, value, timestamp: rec.timestamp, headers: [] });
  assert.deepEqual(back.row, [1n, null, null, 'kept', null]);
  assert.equal(back.tombstone, true);
  assert.deepEqual(back.window, rec.window);
  // the record itself is left as it was
  assert.deepEqual(rec.row, [1n, 'skipped', 3.5, 'kept', 9n]);
  assert.ok(value.length < encodeRepartitioned(rec).length);
});

test('a repartitioned record is written byte for byte in the layout of the tuple [row, flags, start?, end?]', () => {
  // records already in a repartition topic (written by an earlier version) read back the same way
  const rec: StreamRecord = { ...base, row: [1n, 'skipped', 3.5, 'kept', 9n], window: { start: 0, end: 10 }, nullKey: true };
  assert.deepEqual(encodeRepartitioned(rec, [0, 3]), encodeValue([[1n, null, null, 'kept', null], 2, 0, 10]));
  assert.deepEqual(encodeRepartitioned({ ...base, row: ['a', 2] }), encodeValue([['a', 2], 0]));
  // needed columns out of order still keep exactly those
  assert.deepEqual(encodeRepartitioned({ ...base, row: ['a', 2, 3] }, [2, 0]), encodeValue([['a', null, 3], 0]));
});

test('equal key values pick the same partition, and keys spread over all of them', () => {
  for (const partitions of [1, 3, 16]) {
    const a = repartitionPartition(repartitionKey(['x', 1]), partitions);
    assert.equal(repartitionPartition(repartitionKey(['x', 1]), partitions), a);
    assert.ok(a >= 0 && a < partitions);
  }
  const spread = new Set(Array.from({ length: 200 }, (_, i) => repartitionPartition(repartitionKey([`k${i}`]), 8)));
  assert.equal(spread.size, 8, 'keys spread over every partition');
});
