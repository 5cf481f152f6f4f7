import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalLog } from '../../../src/log/local/local-log.js';
import type { FetchResult } from '../../../src/log/log.js';
import { newPartitionState } from '../../../src/log/local/partition-state.js';
import { TailCache } from '../../../src/log/local/tail-cache.js';
import { buf, withLog } from '../log-test-helpers.js';

/** counts the LevelDB snapshots fetches take (one per fetch that reads LevelDB) */
function countSnapshots(log: LocalLog): () => number {
  const db = log.storage();
  const original = db.snapshot.bind(db);
  let n = 0;
  db.snapshot = ((...args: Parameters<typeof db.snapshot>) => {
    n++;
    return original(...args);
  }) as typeof db.snapshot;
  return () => n;
}

function shape(f: FetchResult): unknown {
  return {
    next: f.nextOffset,
    hwm: f.highWatermark,
    records: f.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp, r.headers.map((h) => [h.key, h.value?.toString() ?? null])]),
  };
}

/** the same appends to both logs: batches of 1 to 9 records, some keyless, some with headers */
async function appendSame(logs: LocalLog[], topic: string, batches: number): Promise<void> {
  let n = 0;
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: 1 + ((b * 7) % 9) }, () => {
      const i = n++;
      return {
        topic,
        partition: 0,
        key: i % 3 === 0 ? null : buf(`k${i % 5}`),
        value: i % 11 === 0 ? null : buf(`value-${i}`),
        timestamp: 1000 + i,
        ...(i % 4 === 0 ? { headers: [{ key: 'h', value: buf(`${i}`) }] } : {}),
      };
    });
    for (const log of logs) await log.produce(records);
  }
}

test('a fetch of the newest batches is served from memory with what LevelDB holds, at every offset and limit', () =>
  withLog((uncached) =>
    withLog(async (cached) => {
      for (const log of [uncached, cached]) await log.createTopic('t', { partitions: 1 });
      const snapshots = countSnapshots(cached);
      await appendSame([uncached, cached], 't', 40);
      const end = Number(await cached.latestOffset('t', 0));
      assert.ok(end > 150);
      for (let from = 0; from <= end; from++) {
        for (const limits of [{}, { maxRecords: 1 }, { maxRecords: 7 }, { maxBytes: 40 }]) {
          const a = await uncached.fetch('t', 0, BigInt(from), limits);
          const b = await cached.fetch('t', 0, BigInt(from), limits);
          assert.deepEqual(shape(b), shape(a), `from ${from} ${JSON.stringify(limits)}`);
        }
      }
      // everything fitted in the cache: no fetch read LevelDB
      assert.equal(snapshots(), 0);
    }),
  { tailCacheBytes: 0 }));

test('a small tail cache keeps the newest batches only; older offsets are read from LevelDB', () =>
  withLog((uncached) =>
    withLog(
      async (cached) => {
        for (const log of [uncached, cached]) await log.createTopic('t', { partitions: 1 });
        const snapshots = countSnapshots(cached);
        await appendSame([uncached, cached], 't', 60);
        const end = Number(await cached.latestOffset('t', 0));
        for (let from = 0; from < end; from += 3) {
          assert.deepEqual(shape(await cached.fetch('t', 0, BigInt(from))), shape(await uncached.fetch('t', 0, BigInt(from))), `from ${from}`);
        }
        const reads = snapshots();
        assert.ok(reads > 0, 'the oldest offsets came from LevelDB');
        await cached.fetch('t', 0, BigInt(end - 1));
        assert.equal(snapshots(), reads, 'the newest offset came from memory');
      },
      { tailCacheBytes: 600 },
    ),
  { tailCacheBytes: 0 }));

test('compaction drops the cached batches it rewrote: a fetch afterwards sees the compacted log', () =>
  withLog(async (log) => {
    await log.createTopic('c', { partitions: 1, config: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': 0 } });
    for (let round = 0; round < 5; round++) {
      await log.produce(Array.from({ length: 4 }, (_, k) => ({ topic: 'c', key: buf(`k${k}`), value: buf(`r${round}`), timestamp: 1000 + round })));
    }
    assert.equal((await log.fetch('c', 0, 0n)).records.length, 20);
    await log.maintain(2000);
    const after = await log.fetch('c', 0, 0n);
    assert.deepEqual(
      after.records.map((r) => `${r.key?.toString()}=${r.value?.toString()}`),
      ['k0=r4', 'k1=r4', 'k2=r4', 'k3=r4'],
    );
    // new appends are cached again and follow on
    await log.produce([{ topic: 'c', key: buf('k0'), value: buf('r5'), timestamp: 2000 }]);
    const tail = await log.fetch('c', 0, 20n);
    assert.deepEqual(
      tail.records.map((r) => [r.offset, r.value?.toString()]),
      [[20n, 'r5']],
    );
  }));

test('a tail cache cleared over and over (compaction, little traffic) keeps no trace of the dropped batches', () => {
  const cache = new TailCache(1 << 20);
  const partitions = [newPartitionState(1, 'a', 0), newPartitionState(2, 'b', 0)];
  const next = [0, 0];
  for (let i = 0; i < 20_000; i++) {
    const p = i % 2;
    cache.append(partitions[p]!, [{ base: next[p]!, last: next[p]!, value: Buffer.alloc(10) }]);
    next[p]!++;
    if (i % 3 === 0) cache.clear(partitions[p]!);
  }
  // far below the budget, so nothing was evicted: only clears could drop the 20 000 entries
  const order = (cache as unknown as { order: unknown[] }).order;
  assert.ok(order.length < 3000, `${order.length} entries kept`);
});
