/**
 * The log's paths for a reader and a writer on another thread: fetchStored hands out stored
 * batches that the reader decodes (unpackStoredFetch), commitEncoded writes records a writer
 * encoded (encodeProduceRuns). Each must read and write exactly what fetch and commitTransaction do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalLog } from '../../../src/log/local/local-log.js';
import { encodeProduceRuns, unpackProduceRuns } from '../../../src/log/local/produce-runs.js';
import { packStoredFetch, unpackStoredFetch } from '../../../src/log/local/batch-codec.js';
import type { FetchedRecord, ProduceRecord } from '../../../src/log/log.js';
import { buf, withLog } from '../log-test-helpers.js';

const shape = (rs: readonly FetchedRecord[]) =>
  rs.map((r) => [r.partition, r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp, r.headers.map((h) => [h.key, h.value?.toString() ?? null])]);

/** what a task thread reads with fetchStored from `from`, `max` records at a time, up to the high watermark */
async function readStored(log: LocalLog, topic: string, partition: number, from: bigint, max: number): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  for (let at = from; ; ) {
    const f = await log.fetchStored(topic, partition, at, max);
    const r = unpackStoredFetch(packStoredFetch(f), topic, partition, Number(at), max);
    assert.ok(r.records.length <= max);
    out.push(...r.records);
    if (r.nextOffset >= r.highWatermark) return out;
    assert.ok(r.nextOffset > Number(at), 'a stored fetch moves on');
    at = BigInt(r.nextOffset);
  }
}

async function readAll(log: LocalLog, topic: string, partition: number, from: bigint): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  for (let at = from; ; ) {
    const r = await log.fetch(topic, partition, at, { maxRecords: 3 });
    out.push(...r.records);
    if (r.nextOffset >= r.highWatermark) return out;
    at = r.nextOffset;
  }
}

for (const tailCacheBytes of [0, 1 << 20]) {
  test(`fetchStored decoded where it is used reads what fetch reads, from any offset, across compaction gaps (tail cache ${tailCacheBytes ? 'on' : 'off'})`, () =>
    withLog(
      async (log) => {
        await log.createTopic('c', { partitions: 1, config: { 'cleanup.policy': 'compact' } });
        for (let b = 0; b < 12; b++) {
          await log.produce(
            Array.from({ length: 1 + (b % 5) }, (_, i) => ({
              topic: 'c',
              key: buf(`k${(b * 7 + i) % 6}`),
              value: b % 4 === 3 && i === 0 ? null : buf(`v${b}.${i}`),
              timestamp: 1000 + b,
              ...(i === 1 ? { headers: [{ key: 'h', value: buf(`x${b}`) }] } : {}),
            })),
          );
        }
        const hwm = (await log.describeTopic('c')).partitions[0]!.highWatermark;
        const check = async (when: string) => {
          for (let from = 0n; from <= hwm; from++) {
            const expected = shape(await readAll(log, 'c', 0, from));
            for (const max of [1, 2, 7, 100]) assert.deepEqual(shape(await readStored(log, 'c', 0, from, max)), expected, `${when}: from ${from}, ${max} at a time`);
          }
        };
        await check('before compaction');
        assert.ok((await log.compact('c', 0, 10_000)) > 0);
        await check('after compaction');
      },
      { tailCacheBytes },
    ));
}

test('fetchStored: offsets out of range are refused as fetch refuses them; at the high watermark it is empty', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await log.produce([{ topic: 't', key: null, value: buf('a') }]);
    await assert.rejects(log.fetchStored('t', 0, 2n, 10), { code: 'OFFSET_OUT_OF_RANGE' });
    const f = await log.fetchStored('t', 0, 1n, 10);
    assert.deepEqual([f.batches.length, f.end, f.highWatermark], [0, 1, 1]);
  }));

test('a read continuing where the last stopped finds its batch again after compaction rewrote the batches', () =>
  withLog(
    async (log) => {
      await log.createTopic('c', { partitions: 1, config: { 'cleanup.policy': 'compact' } });
      for (let b = 0; b < 6; b++) await log.produce([0, 1, 2].map((i) => ({ topic: 'c', key: buf(`k${i}`), value: buf(`v${b}.${i}`), timestamp: 1000 + b })));
      // stops mid-batch: the log remembers where the next read starts
      const first = await log.fetch('c', 0, 0n, { maxRecords: 4 });
      assert.equal(first.nextOffset, 4n);
      assert.ok((await log.compact('c', 0, 10_000)) > 0);
      const rest = await readAll(log, 'c', 0, 4n);
      assert.deepEqual(
        rest.map((r) => [r.offset, r.value?.toString()]),
        [
          [15n, 'v5.0'],
          [16n, 'v5.1'],
          [17n, 'v5.2'],
        ],
      );
    },
    { tailCacheBytes: 0 },
  ));

/** both logs get `records`: one through commitTransaction, the other encoded through commitEncoded */
async function commitBoth(plain: LocalLog, encoded: LocalLog, records: ProduceRecord[]): Promise<void> {
  const runs = encodeProduceRuns(records);
  assert.ok(runs, 'encodable');
  const offsets = { group: 'g', offsets: [{ topic: 'in', partition: 0, offset: 7n }] };
  const a = await plain.commitTransaction({ produce: records, offsets, extraWrites: [{ key: buf('s'), value: buf('1') }] });
  const b = await encoded.commitEncoded(unpackProduceRuns(runs), { offsets, extraWrites: [{ key: buf('s'), value: buf('1') }] });
  // the same partitions get the same offsets (listed in another order: runs are grouped by topic)
  const byPartition = (r: typeof a) => [...r.produced].sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
  assert.deepEqual(byPartition(b), byPartition(a));
}

test('commitEncoded writes what commitTransaction writes: partitions (sticky for keyless records), offsets, state, headers, batches over the size limits', () =>
  withLog((plain) =>
    withLog(async (encoded) => {
      for (const log of [plain, encoded]) {
        await log.createTopic('in', { partitions: 1 });
        await log.createTopic('a', { partitions: 3 });
        await log.createTopic('b', { partitions: 2 });
        await log.createTopic('c', { partitions: 3 });
      }
      const big = buf('x'.repeat(300));
      for (let round = 0; round < 3; round++) {
        const records: ProduceRecord[] = [];
        for (let i = 0; i < 5000; i++) {
          if (i % 3 === 0) records.push({ topic: 'a', key: null, value: i % 50 === 0 ? big : buf(`a${round}.${i}`), timestamp: 5000 + i });
          else if (i % 3 === 1) records.push({ topic: 'b', partition: i % 2, key: buf(`k${i}`), value: null, timestamp: 4000 - i });
          else records.push({ topic: 'c', partition: 2, key: null, value: buf(`p${i}`), timestamp: 7, headers: [{ key: 'h', value: i % 2 ? null : buf('y') }] });
        }
        await commitBoth(plain, encoded, records);
      }
      for (const [topic, n] of [['a', 3], ['b', 2], ['c', 3]] as const) {
        for (let p = 0; p < n; p++) {
          const x = shape(await readAll(plain, topic, p, 0n));
          if (topic !== 'c' || p === 2) assert.ok(x.length > 0, `${topic}-${p} has records`);
          assert.deepEqual(shape(await readAll(encoded, topic, p, 0n)), x, `${topic}-${p}`);
        }
      }
      assert.deepEqual(await encoded.committedOffsets('g'), await plain.committedOffsets('g'));
      assert.deepEqual(await encoded.extras.get(buf('s')), buf('1'));
    }),
  ));

test('encodeProduceRuns leaves to the log what only it decides or checks: keys to partition, missing or bad timestamps, malformed records', () => {
  assert.equal(encodeProduceRuns([{ topic: 't', key: buf('k'), value: buf('v'), timestamp: 1 }]), undefined);
  assert.equal(encodeProduceRuns([{ topic: 't', key: null, value: buf('v') }]), undefined);
  assert.equal(encodeProduceRuns([{ topic: 't', key: null, value: buf('v'), timestamp: 1.5 }]), undefined);
  assert.equal(encodeProduceRuns([{ topic: 't', key: null, value: 'v' as unknown as Buffer, timestamp: 1 }]), undefined);
  assert.equal(encodeProduceRuns([{ topic: 't', partition: -1, key: null, value: buf('v'), timestamp: 1 }]), undefined);
  assert.equal(encodeProduceRuns([{ topic: 't', key: null, value: buf('v'), timestamp: 1, headers: [{ key: 1 as unknown as string, value: null }] }]), undefined);
  assert.equal(
    encodeProduceRuns([
      { topic: 't', key: null, value: buf('v'), timestamp: 1 },
      { topic: 't', partition: 0, key: null, value: buf('w'), timestamp: 1 },
    ]),
    undefined,
  );
  const runs = unpackProduceRuns(encodeProduceRuns([{ topic: 't', partition: 1, key: buf('k'), value: null, timestamp: 1 }])!);
  assert.deepEqual(
    runs.map((r) => [r.topic, r.partition, r.count]),
    [['t', 1, 1]],
  );
});

test('commitEncoded refuses what commitTransaction refuses (a missing partition, a record over max.message.bytes) and writes nothing', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 2, config: { 'max.message.bytes': 200 } });
    const ok = { topic: 't', partition: 0, key: null, value: buf('ok'), timestamp: 1 };
    await assert.rejects(log.commitEncoded(unpackProduceRuns(encodeProduceRuns([ok, { ...ok, partition: 2 }])!), {}), { code: 'INVALID_PARTITION' });
    await assert.rejects(log.commitEncoded(unpackProduceRuns(encodeProduceRuns([ok, { ...ok, value: buf('x'.repeat(300)) }])!), {}), { code: 'RECORD_TOO_LARGE' });
    await assert.rejects(log.commitEncoded(unpackProduceRuns(encodeProduceRuns([{ ...ok, topic: 'nope' }])!), {}));
    assert.deepEqual(
      (await log.describeTopic('t')).partitions.map((p) => p.highWatermark),
      [0n, 0n],
    );
    await log.commitEncoded(unpackProduceRuns(encodeProduceRuns([ok])!), {});
    assert.equal((await log.fetch('t', 0, 0n)).records[0]?.value?.toString(), 'ok');
  }));
