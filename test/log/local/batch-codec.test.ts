import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, encodeBatch, readBatchHeader, type FetchAccumulator, decodeForFetch } from '../../../src/log/local/batch-codec.js';
import type { FetchedRecord } from '../../../src/log/log.js';

test('round-trips keys, values, nulls, headers and timestamps with implied offsets', () => {
  const records = [
    { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000, headers: [] },
    { key: null, value: null, timestamp: 1_600_000_000_000, headers: [{ key: 'h', value: null }, { key: 'ü', value: Buffer.from([0, 255]) }] },
    { key: Buffer.alloc(0), value: Buffer.alloc(300, 7), headers: [{ key: 'h', value: Buffer.alloc(0) }] },
    { key: Buffer.from('neg'), value: Buffer.from('x'), timestamp: -1 },
  ];
  const buf = encodeBatch(1000, 1003, records, undefined, 0, 42);
  const h = readBatchHeader(buf);
  assert.equal(h.count, 4);
  assert.equal(h.lastOffsetDelta, 3);
  assert.equal(h.maxTimestamp, 1_700_000_000_000);
  const out = decodeBatch(buf, 1000);
  assert.deepEqual(out.map((r) => r.offset), [1000, 1001, 1002, 1003]);
  assert.deepEqual(out.map((r) => r.timestamp), [1_700_000_000_000, 1_600_000_000_000, 42, -1]);
  assert.deepEqual(out[0].key, Buffer.from('k1'));
  assert.equal(out[1].key, null);
  assert.equal(out[1].value, null);
  assert.deepEqual(out[1].headers, [{ key: 'h', value: null }, { key: 'ü', value: Buffer.from([0, 255]) }]);
  assert.deepEqual(out[2].key, Buffer.alloc(0));
  assert.deepEqual(out[2].value, Buffer.alloc(300, 7));
  assert.deepEqual(out[2].headers, [{ key: 'h', value: Buffer.alloc(0) }]);
  assert.deepEqual(out[3].headers, []);
});

test('explicit offsets with gaps, large deltas and a delete horizon survive', () => {
  const records = [
    { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 5 },
    { key: Buffer.from('b'), value: null, timestamp: 2 ** 40 },
  ];
  const base = 2 ** 40;
  const buf = encodeBatch(base, base + 900_000, records, [base + 3, base + 500_000], 99, 0);
  const h = readBatchHeader(buf);
  assert.equal(h.lastOffsetDelta, 900_000);
  assert.equal(h.deleteHorizonMs, 99);
  assert.deepEqual(decodeBatch(buf, base).map((r) => [r.offset, r.timestamp]), [[base + 3, 5], [base + 500_000, 2 ** 40]]);
});

test('decodeForFetch skips records before the offset and respects limits', () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ key: null, value: Buffer.alloc(10, i), timestamp: i }));
  const buf = encodeBatch(0, 9, records, undefined, 0, 0);
  const out: FetchedRecord[] = [];
  const acc: FetchAccumulator = { topic: 't', partition: 0, out, maxRecords: 3, maxBytes: 1e9, bytes: 0, full: false, lastOffset: -1 };
  decodeForFetch(buf, 0, 4, acc);
  assert.deepEqual(out.map((r) => r.offset), [4n, 5n, 6n]);
  assert.equal(acc.full, true);
  assert.equal(acc.lastOffset, 6);
  const out2: FetchedRecord[] = [];
  const acc2: FetchAccumulator = { topic: 't', partition: 0, out: out2, maxRecords: 100, maxBytes: 25, bytes: 0, full: false, lastOffset: -1 };
  decodeForFetch(buf, 0, 0, acc2);
  assert.equal(out2.length, 2, 'stops before exceeding maxBytes');
  assert.equal(acc2.full, true);
});

test('rejects a corrupt batch', () => {
  assert.throws(() => readBatchHeader(Buffer.from([9, 9, 9])), /corrupt/);
});
