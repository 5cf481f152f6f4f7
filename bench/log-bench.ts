/**
 * Throughput floors of the storage layer: topic log append/read through the Log interface, and
 * raw LevelDB batched put/get underneath it. Run: node dist/bench/log-bench.js [records]
 * The measuring functions are exported so that higher-level benchmarks (Nexmark) can report
 * these numbers next to their own as the ceiling the engine can approach.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Level } from 'level';
import type { Log, ProduceRecord } from '../src/log/log.js';
import { LocalLog } from '../src/log/local/local-log.js';

export interface RateResult {
  operation: string;
  count: number;
  seconds: number;
  perSecond: number;
}

export interface LogBenchOptions {
  /** records (and raw LevelDB entries) to write (default 1 000 000) */
  records?: number;
  /** records per produce call / LevelDB batch (default 500) */
  batchSize?: number;
  /** value bytes per record (default 24) */
  valueSize?: number;
  /** partitions of the benchmark topic (default 1) */
  partitions?: number;
}

function rate(operation: string, count: number, startNs: bigint): RateResult {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return { operation, count, seconds, perSecond: Math.round(count / seconds) };
}

/** Appends `records` small keyed records to `topic` in produce calls of `batchSize`, one at a time. */
export async function measureLogAppend(log: Log, topic: string, records: number, batchSize: number, valueSize: number): Promise<RateResult> {
  const value = Buffer.alloc(valueSize, 'v');
  const keys = Array.from({ length: 1000 }, (_, i) => Buffer.from(`key-${i}`));
  const start = process.hrtime.bigint();
  for (let done = 0; done < records; ) {
    const n = Math.min(batchSize, records - done);
    const batch: ProduceRecord[] = new Array(n);
    for (let i = 0; i < n; i++) batch[i] = { topic, key: keys[(done + i) % 1000], value, timestamp: done + i };
    await log.produce(batch);
    done += n;
  }
  return rate('log append', records, start);
}

/** Reads every partition of `topic` from its start to its high watermark. */
export async function measureLogRead(log: Log, topic: string, maxRecords = 10_000): Promise<RateResult> {
  const desc = await log.describeTopic(topic);
  const start = process.hrtime.bigint();
  let count = 0;
  for (const p of desc.partitions) {
    let next = p.logStartOffset;
    const end = await log.latestOffset(topic, p.partition);
    while (next < end) {
      const f = await log.fetch(topic, p.partition, next, { maxRecords });
      count += f.records.length;
      next = f.nextOffset;
    }
  }
  return rate('log read', count, start);
}

function rawKey(i: number): Buffer {
  const k = Buffer.allocUnsafe(8);
  k.writeUInt32BE(Math.floor(i / 4294967296), 0);
  k.writeUInt32BE(i % 4294967296, 4);
  return k;
}

/** Raw LevelDB: `entries` small puts in batches of `batchSize`, awaited one batch at a time. */
export async function measureLevelPut(db: Level<Buffer, Buffer>, entries: number, batchSize: number, valueSize: number): Promise<RateResult> {
  const value = Buffer.alloc(valueSize, 'v');
  const start = process.hrtime.bigint();
  for (let done = 0; done < entries; ) {
    const n = Math.min(batchSize, entries - done);
    const ops = new Array(n);
    for (let i = 0; i < n; i++) ops[i] = { type: 'put', key: rawKey(done + i), value };
    await db.batch(ops);
    done += n;
  }
  return rate('leveldb batched put', entries, start);
}

/** Raw LevelDB: point reads of every entry (shuffled key order) with getMany of `batchSize`. */
export async function measureLevelGet(db: Level<Buffer, Buffer>, entries: number, batchSize: number): Promise<RateResult> {
  // a cheap deterministic permutation: stride coprime with entries
  let stride = 7919;
  while (gcd(stride, entries) !== 1) stride++;
  const start = process.hrtime.bigint();
  let found = 0;
  for (let done = 0; done < entries; ) {
    const n = Math.min(batchSize, entries - done);
    const keys = new Array<Buffer>(n);
    for (let i = 0; i < n; i++) keys[i] = rawKey(((done + i) * stride) % entries);
    for (const v of await db.getMany(keys)) if (v !== undefined) found++;
    done += n;
  }
  if (found !== entries) throw new Error(`leveldb get found ${found} of ${entries}`);
  return rate('leveldb batched get', entries, start);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** All four measurements in fresh temp directories (removed afterwards). */
export async function runLogBench(options: LogBenchOptions = {}): Promise<RateResult[]> {
  const records = options.records ?? 1_000_000;
  const batchSize = options.batchSize ?? 500;
  const valueSize = options.valueSize ?? 24;
  const results: RateResult[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sluice-log-bench-'));
  try {
    const log = await LocalLog.open(join(dir, 'log'), { maintenanceIntervalMs: 0 });
    try {
      await log.createTopic('bench', { partitions: options.partitions ?? 1, config: { 'retention.ms': -1 } });
      results.push(await measureLogAppend(log, 'bench', records, batchSize, valueSize));
      results.push(await measureLogRead(log, 'bench'));
    } finally {
      await log.close();
    }
    const db = new Level<Buffer, Buffer>(join(dir, 'raw'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      results.push(await measureLevelPut(db, records, batchSize, valueSize));
      results.push(await measureLevelGet(db, records, batchSize));
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = Number(process.argv[2] ?? 1_000_000);
  const results = await runLogBench({ records });
  for (const r of results) {
    console.log(`${r.operation.padEnd(22)} ${String(r.perSecond).padStart(10)} records/s  (${r.count} in ${r.seconds.toFixed(2)} s)`);
  }
}
