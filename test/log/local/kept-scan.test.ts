/**
 * Reads that continue where the last one stopped walk one kept LevelDB iterator (local-log.ts,
 * KeptScan). These tests read backlogs fetch by fetch while the partition changes underneath
 * (appends past the iterator's high watermark, compaction, deleteRecords, a second reader, a
 * topic deleted and made again) and check every read against what a fresh log serves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogError } from '../../../src/common/errors.js';
import type { LocalLog } from '../../../src/log/local/local-log.js';
import { buf, str, withLog } from '../log-test-helpers.js';

/** no tail cache: every read goes to LevelDB */
const OPTIONS = { tailCacheBytes: 0 };

async function produceBatches(log: LocalLog, topic: string, first: number, batches: number, perBatch: number, keys = 1_000_000): Promise<void> {
  for (let b = 0; b < batches; b++) {
    await log.produce(
      Array.from({ length: perBatch }, (_, i) => {
        const n = first + b * perBatch + i;
        return { topic, partition: 0, key: buf(`k${n % keys}`), value: buf(`v${n}`), timestamp: 1_000 };
      }),
    );
  }
}

/** offsets and values from `from` to the end, `size` records per fetch */
async function readAll(log: LocalLog, topic: string, from: bigint, size: number, between?: (fetches: number) => Promise<void>): Promise<string[]> {
  const out: string[] = [];
  let fetches = 0;
  for (let offset = from; ; ) {
    const f = await log.fetch(topic, 0, offset, { maxRecords: size });
    for (const r of f.records) out.push(`${r.offset}:${str(r.value)}`);
    if (f.nextOffset === offset) return out;
    offset = f.nextOffset;
    await between?.(++fetches);
  }
}

test('a backlog read fetch by fetch, with appends past the first read, returns every record once in order', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await produceBatches(log, 't', 0, 40, 25); // 1000 records in batches of 25
    const got = await readAll(log, 't', 0n, 7, async (fetches) => {
      // records that land after the kept iterator was made: read on with a new one
      if (fetches === 10) await produceBatches(log, 't', 1000, 4, 25);
    });
    assert.deepEqual(
      got,
      Array.from({ length: 1100 }, (_, i) => `${i}:v${i}`),
    );
  }, OPTIONS));

test('two readers of one partition at different offsets each read their own sequence', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await produceBatches(log, 't', 0, 20, 50);
    const seen: [string[], string[]] = [[], []];
    const next: [bigint, bigint] = [0n, 333n];
    for (let round = 0; round < 400; round++) {
      for (const r of [0, 1] as const) {
        const f = await log.fetch('t', 0, next[r], { maxRecords: 9 });
        for (const rec of f.records) seen[r].push(`${rec.offset}:${str(rec.value)}`);
        next[r] = f.nextOffset;
      }
      // a third read somewhere else now and then, concurrent with a reader's next fetch
      if (round % 17 === 0) {
        const [a, b] = await Promise.all([log.fetch('t', 0, 5n, { maxRecords: 3 }), log.fetch('t', 0, next[0], { maxRecords: 9 })]);
        assert.deepEqual(a.records.map((r) => str(r.value)), ['v5', 'v6', 'v7']);
        for (const rec of b.records) seen[0].push(`${rec.offset}:${str(rec.value)}`);
        next[0] = b.nextOffset;
      }
    }
    assert.deepEqual(seen[0], Array.from({ length: 1000 }, (_, i) => `${i}:v${i}`));
    assert.deepEqual(seen[1], Array.from({ length: 667 }, (_, i) => `${i + 333}:v${i + 333}`));
  }, OPTIONS));

test('compaction between fetches: the read stays in offset order and ends with the latest value of every key', () =>
  withLog(async (log) => {
    await log.createTopic('c', { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    await produceBatches(log, 'c', 0, 30, 20, 50); // 600 records over 50 keys
    const offsets: number[] = [];
    const latest = new Map<string, string>();
    for (let offset = 0n; ; ) {
      const f = await log.fetch('c', 0, offset, { maxRecords: 11 });
      for (const r of f.records) {
        offsets.push(Number(r.offset));
        latest.set(str(r.key)!, str(r.value)!);
      }
      if (f.nextOffset === offset) break;
      if (offset === 0n) await log.compact('c'); // after the first fetch: the rest is rewritten
      offset = f.nextOffset;
    }
    for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! > offsets[i - 1]!, `offsets increase (${offsets[i - 1]} then ${offsets[i]})`);
    assert.equal(latest.size, 50);
    for (let k = 0; k < 50; k++) assert.equal(latest.get(`k${k}`), `v${550 + k}`);
  }, OPTIONS));

test('deleteRecords past a reader: its next fetch is out of range, a fetch from the new start reads on', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await produceBatches(log, 't', 0, 10, 10);
    const first = await log.fetch('t', 0, 0n, { maxRecords: 5 });
    const second = await log.fetch('t', 0, first.nextOffset, { maxRecords: 5 });
    assert.equal(second.nextOffset, 10n);
    await log.deleteRecords('t', 0, 60n);
    await assert.rejects(log.fetch('t', 0, 10n, { maxRecords: 5 }), (e: unknown) => e instanceof LogError && e.code === 'OFFSET_OUT_OF_RANGE');
    assert.deepEqual(await readAll(log, 't', 60n, 6), Array.from({ length: 40 }, (_, i) => `${i + 60}:v${i + 60}`));
  }, OPTIONS));

test('a topic deleted and made again under the same name serves its new records, not the kept reads of the old one', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await produceBatches(log, 't', 0, 10, 10);
    const f = await log.fetch('t', 0, 0n, { maxRecords: 4 });
    assert.equal(f.nextOffset, 4n);
    await log.deleteTopic('t');
    await log.createTopic('t', { partitions: 1 });
    await log.produce(Array.from({ length: 8 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: buf(`new${i}`), timestamp: 1 })));
    assert.deepEqual(await readAll(log, 't', 4n, 3), Array.from({ length: 4 }, (_, i) => `${i + 4}:new${i + 4}`));
  }, OPTIONS));
