/**
 * One measurement in a fresh process (so that peak RSS is that measurement's own), started by
 * bench/run.ts: node dist/bench/nexmark/worker.js '<WorkerTask as JSON>'. The result is written as
 * JSON to task.out.
 *
 *   engine / floor   throughput over the pre-generated log in task.dir: from the earliest offset
 *                    until idle (engine.runUntilIdle() / the hand-written loop)
 *   raw              the storage floors on the same log: fetch and append of the bid records,
 *                    LevelDB batched put and get of as many entries of the same size
 *   paced-engine /   latency at a fixed input rate: events are produced at their event time while
 *   paced-floor      the query runs continuously; latency = when the output record can be read
 *                    minus its event time (= the time its input was due to be produced)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { Engine } from '../../src/engine/engine.js';
import { openLocalLog } from '../../src/log/local/index.js';
import type { LocalLog } from '../../src/log/local/local-log.js';
import type { FetchOptions, FetchResult, Log, ProduceRecord, Transaction } from '../../src/log/log.js';
import { measureLevelGet, measureLevelPut, measureLogRead } from '../log-bench.js';
import { FloorLoop } from './floor.js';
import { DEFAULT_CONFIG, NexmarkGenerator, TOPICS, createNexmarkTopics } from './generator.js';
import { diffCpu, digestTopic, nowMs, peakRssMb, percentile, sleep, startRssSampler, startSpan, threadCpu, threadWaits, type TopicDigest } from './measure.js';
import { Q7_MAX_FLOOR_TOPIC, SOURCES_DDL, changelogTopic, queryByName, type NexmarkQuery } from './queries.js';

export interface WorkerTask {
  mode: 'engine' | 'floor' | 'best-floor' | 'raw' | 'paced-engine' | 'paced-floor';
  /** the log directory (a private copy for throughput runs; created empty for paced runs) */
  dir: string;
  out: string;
  query?: string;
  /** records per fetch (the engine's default batch) */
  batchSize: number;
  /**
   * diagnostic: serve the input topic's fetches from memory (read before timing) and keep the
   * committed records in memory (written after timing), so only the processing is measured
   */
  computeOnly?: boolean;
  /** engine properties over the bench's own (timeliness sweeps: max.poll.records, linger.ms, ...) */
  properties?: Record<string, string>;
  /** paced runs */
  rate?: number;
  seconds?: number;
  warmupSeconds?: number;
}

export interface ThroughputResult {
  mode: 'engine' | 'floor' | 'best-floor';
  query: string;
  computeOnly: boolean;
  /** records consumed from the query's input topics */
  events: number;
  outputs: number;
  cpuSeconds: number;
  wallSeconds: number;
  perCpuSecond: number;
  perWallSecond: number;
  peakRssMb: number;
  /** peaks of anonymous and of file-backed (mapped LevelDB tables) resident memory during the timed part (Linux) */
  peakAnonRssMb?: number;
  peakFileRssMb?: number;
  digest: TopicDigest;
  processingErrors: number;
  /** CPU seconds of the timed part by thread (Linux): main, libuv pool, V8 helpers, LevelDB */
  threads: Record<string, number>;
  /** seconds of the timed part each thread waited for a core (Linux): the machine's other load */
  threadWaits: Record<string, number>;
}

export interface RawRate {
  operation: string;
  count: number;
  cpuSeconds: number;
  wallSeconds: number;
  perCpuSecond: number;
  perWallSecond: number;
}

export interface RawResult {
  mode: 'raw';
  valueBytes: number;
  rates: RawRate[];
}

export interface PacedResult {
  mode: 'paced-engine' | 'paced-floor';
  query: string;
  rate: number;
  seconds: number;
  produced: number;
  outputs: number;
  /** output records measured (those whose input came after the warm-up) */
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU seconds per wall second over the run (producer and observer included) */
  cpuUtilization: number;
  peakRssMb: number;
}

export type WorkerResult = ThroughputResult | RawResult | PacedResult;

/** SLUICE_BENCH_PROPERTIES='name=value,...' adds engine properties (for investigation; runs report them nowhere) */
const PROPERTIES = {
  'auto.offset.reset': 'earliest',
  ...Object.fromEntries((process.env.SLUICE_BENCH_PROPERTIES ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
};

async function openLog(dir: string): Promise<LocalLog> {
  return openLocalLog(dir, { maintenanceIntervalMs: 0 });
}

async function countInputs(log: LocalLog, q: NexmarkQuery): Promise<number> {
  let n = 0;
  for (const t of q.inputs) for (const p of (await log.describeTopic(TOPICS[t])).partitions) n += Number(p.highWatermark - p.logStartOffset);
  return n;
}

/**
 * The log with every fetch of `topic` answered from memory (the batches the engine and the floor
 * ask for, read before timing) and commits kept in memory: `flush()` writes them afterwards.
 */
async function computeOnlyLog(real: LocalLog, topic: string, batchSize: number): Promise<{ log: LocalLog; flush: () => Promise<void> }> {
  const cached = new Map<bigint, FetchResult>();
  for (let offset = 0n; ; ) {
    const f = await real.fetch(topic, 0, offset, { maxRecords: batchSize });
    cached.set(offset, f);
    if (f.nextOffset === offset) break;
    offset = f.nextOffset;
  }
  const committed: Transaction[] = [];
  const log = new Proxy(real, {
    get(target, prop) {
      if (prop === 'fetch') {
        return (t: string, p: number, offset: bigint, options?: FetchOptions) => {
          const hit = t === topic && p === 0 ? cached.get(offset) : undefined;
          if (hit) {
            cached.delete(offset);
            return Promise.resolve(hit);
          }
          return target.fetch(t, p, offset, options);
        };
      }
      if (prop === 'commitTransaction') {
        return (txn: Transaction) => {
          committed.push(txn);
          return Promise.resolve({ produced: [] });
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as LocalLog;
  const flush = async () => {
    for (const txn of committed) await real.commitTransaction(txn);
  };
  return { log, flush };
}

/** The hand-written loop of a query, with its output (and state changelog) topics created. */
async function createFloor(log: LocalLog, q: NexmarkQuery, outputTopic: string, batchSize: number, best = false): Promise<FloorLoop> {
  const make = best ? q.bestFloor : q.floor;
  if (!make) throw new Error(`${q.name} has no ${best ? 'best ' : ''}floor`);
  await log.createTopic(outputTopic, { partitions: 1, config: { 'retention.ms': -1 } });
  const program = make();
  if (program.flush) await log.createTopic(changelogTopic(q.name), { partitions: 1, config: { 'cleanup.policy': 'compact' } });
  if (q.name === 'q7') await log.createTopic(Q7_MAX_FLOOR_TOPIC, { partitions: 1, config: { 'retention.ms': -1 } });
  const floor = new FloorLoop({ log, program, inputTopics: q.inputs.map((t) => TOPICS[t]), outputTopic, group: `floor-${q.name}`, batchSize });
  await floor.init(true);
  return floor;
}

async function throughput(task: WorkerTask): Promise<ThroughputResult> {
  const q = queryByName(task.query!);
  const log = await openLog(task.dir);
  try {
    const events = await countInputs(log, q);
    const memory = task.computeOnly ? await computeOnlyLog(log, TOPICS[q.inputs[0]!], task.batchSize) : undefined;
    const runLog = memory?.log ?? log;
    let span;
    let outputTopic: string;
    let processingErrors = 0;
    let threads0: Record<string, number>;
    let threads: Record<string, number>;
    let waits0: Record<string, number>;
    let waits: Record<string, number>;
    let rssParts: { anonMb?: number; fileMb?: number } = {};
    if (task.mode === 'engine') {
      const engine = await Engine.open({ log: runLog, properties: { ...PROPERTIES, ...task.properties } });
      await engine.execute(SOURCES_DDL);
      await engine.execute(q.sql);
      outputTopic = q.outputTopic;
      threads0 = threadCpu();
      waits0 = threadWaits();
      const stopRss = startRssSampler();
      const end = startSpan();
      await engine.runUntilIdle();
      span = end();
      rssParts = stopRss();
      threads = diffCpu(threads0, threadCpu());
      waits = diffCpu(waits0, threadWaits());
      processingErrors = engine.processingLog.length;
      await engine.close();
    } else {
      outputTopic = `floor_${q.name}`;
      const floor = await createFloor(runLog, q, outputTopic, task.batchSize, task.mode === 'best-floor');
      threads0 = threadCpu();
      waits0 = threadWaits();
      const stopRss = startRssSampler();
      const end = startSpan();
      const consumed = await floor.runUntilIdle();
      span = end();
      rssParts = stopRss();
      threads = diffCpu(threads0, threadCpu());
      waits = diffCpu(waits0, threadWaits());
      if (consumed !== events) throw new Error(`floor consumed ${consumed} of ${events}`);
    }
    const rss = peakRssMb();
    await memory?.flush();
    const digest = await digestTopic(log, outputTopic);
    return {
      mode: task.mode as 'engine' | 'floor' | 'best-floor',
      query: q.name,
      computeOnly: task.computeOnly ?? false,
      events,
      outputs: digest.records,
      cpuSeconds: span.cpuSeconds,
      wallSeconds: span.wallSeconds,
      perCpuSecond: events / span.cpuSeconds,
      perWallSecond: events / span.wallSeconds,
      peakRssMb: rss,
      peakAnonRssMb: rssParts.anonMb,
      peakFileRssMb: rssParts.fileMb,
      digest,
      processingErrors,
      threads,
      threadWaits: waits,
    };
  } finally {
    await log.close();
  }
}

function rawRate(operation: string, count: number, span: { cpuSeconds: number; wallSeconds: number }): RawRate {
  return { operation, count, ...span, perCpuSecond: count / span.cpuSeconds, perWallSecond: count / span.wallSeconds };
}

async function raw(task: WorkerTask): Promise<RawResult> {
  const rates: RawRate[] = [];
  const log = await openLog(task.dir);
  let count = 0;
  let bytes = 0;
  try {
    // fetch: every bid, in batches of the engine's size
    let end = startSpan();
    const read = await measureLogRead(log, TOPICS.bid, task.batchSize);
    rates.push(rawRate(`log fetch (batches of ${task.batchSize})`, read.count, end()));
    // the same records again, to append them (read before timing)
    const values: ProduceRecord[] = [];
    for (let offset = 0n; ; ) {
      const f = await log.fetch(TOPICS.bid, 0, offset, { maxRecords: 10_000 });
      for (const r of f.records) {
        values.push({ topic: 'raw_append', key: null, value: r.value, timestamp: r.timestamp });
        bytes += r.value?.length ?? 0;
      }
      if (f.nextOffset === offset) break;
      offset = f.nextOffset;
    }
    count = values.length;
    await log.createTopic('raw_append', { partitions: 1, config: { 'retention.ms': -1 } });
    end = startSpan();
    for (let i = 0; i < count; i += task.batchSize) await log.produce(values.slice(i, i + task.batchSize));
    rates.push(rawRate(`log append (batches of ${task.batchSize})`, count, end()));
  } finally {
    await log.close();
  }
  const valueBytes = Math.round(bytes / count);
  const db = new Level<Buffer, Buffer>(join(task.dir, '..', `${task.dir.split('/').pop()}-leveldb`), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    let end = startSpan();
    const put = await measureLevelPut(db, count, task.batchSize, valueBytes);
    rates.push(rawRate(`leveldb put (batches of ${task.batchSize})`, put.count, end()));
    end = startSpan();
    const get = await measureLevelGet(db, count, task.batchSize);
    rates.push(rawRate(`leveldb get (getMany of ${task.batchSize})`, get.count, end()));
  } finally {
    await db.close();
  }
  return { mode: 'raw', valueBytes, rates };
}

async function paced(task: WorkerTask): Promise<PacedResult> {
  const q = queryByName(task.query!);
  const rate = task.rate!;
  const seconds = task.seconds!;
  const warmupMs = (task.warmupSeconds ?? 1) * 1000;
  const log = await openLog(task.dir);
  try {
    await createNexmarkTopics(log);
    let outputTopic: string;
    let stop: () => Promise<void>;
    let caughtUp: () => Promise<boolean>;
    let engine: Engine | undefined;
    if (task.mode === 'paced-engine') {
      engine = await Engine.open({ log, properties: { ...PROPERTIES, ...task.properties } });
      await engine.execute(SOURCES_DDL);
      await engine.execute(q.sql);
      outputTopic = q.outputTopic;
      engine.start();
      stop = () => engine!.stop();
      caughtUp = async () => {
        await engine!.runUntilIdle(); // with the loop running: resolves once everything is consumed
        return true;
      };
    } else {
      outputTopic = `floor_${q.name}`;
      const floor = await createFloor(log, q, outputTopic, task.batchSize);
      stop = floor.runContinuously().stop;
      caughtUp = () => floor.caughtUp();
    }
    const baseTime = Math.ceil(nowMs()) + 200;
    const gen = new NexmarkGenerator({ ...DEFAULT_CONFIG, eventsPerSecond: rate, baseTime });
    const total = Math.round(rate * seconds);
    const measureFrom = baseTime + warmupMs;
    const latencies: number[] = [];
    let outputs = 0;
    let producing = true;

    // the observer: reads the output topic as soon as records become visible
    const observer = (async () => {
      let offset = 0n;
      for (;;) {
        const ready = await log.waitForData(outputTopic, 0, offset, 100);
        if (!ready) {
          if (!producing && (await log.latestOffset(outputTopic, 0)) <= offset) {
            // the query may still have been writing: look once more after it is idle
            if ((await caughtUp()) && (await log.latestOffset(outputTopic, 0)) <= offset) break;
          }
          continue;
        }
        const f = await log.fetch(outputTopic, 0, offset, { maxRecords: 10_000 });
        const seen = nowMs();
        for (const r of f.records) {
          outputs++;
          if (r.timestamp >= measureFrom) latencies.push(seen - r.timestamp);
        }
        offset = f.nextOffset;
      }
    })();

    // the producer: every event goes out once its event time has come
    const end = startSpan();
    let sent = 0;
    while (sent < total) {
      const now = nowMs();
      const batch: ProduceRecord[] = [];
      while (sent < total && gen.timestampOf(sent) <= now) batch.push(gen.record(sent++));
      if (batch.length > 0) await log.produce(batch);
      else await sleep(Math.max(1, Math.min(5, gen.timestampOf(sent) - now)));
    }
    producing = false;
    await observer;
    const span = end();
    await stop();
    if (engine) await engine.close();
    latencies.sort((a, b) => a - b);
    return {
      mode: task.mode as 'paced-engine' | 'paced-floor',
      query: q.name,
      rate,
      seconds,
      produced: total,
      outputs,
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length ? latencies[latencies.length - 1]! : NaN,
      cpuUtilization: span.cpuSeconds / span.wallSeconds,
      peakRssMb: peakRssMb(),
    };
  } finally {
    await log.close();
  }
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]!) as WorkerTask;
  let result: WorkerResult;
  switch (task.mode) {
    case 'engine':
    case 'floor':
    case 'best-floor':
      result = await throughput(task);
      break;
    case 'raw':
      result = await raw(task);
      break;
    default:
      result = await paced(task);
  }
  await writeFile(task.out, JSON.stringify(result));
}

await main();
