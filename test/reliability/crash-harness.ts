/**
 * The crash suite's harness (issue 12): runs a stateful pipeline as a separate `sluice run` process,
 * SIGKILLs it at seeded random moments, restarts it on the same data directory, and checks every
 * output against results computed independently from the inputs.
 *
 * One process at a time may open a data directory, so input is fed between kills: each cycle appends
 * the next slice of input (this process opens the log briefly, as a short-lived producer would),
 * starts `sluice run`, and kills it at a random moment while it restores, applies statements or
 * works through the backlog. A last run with --until-idle drains everything and the outputs are read.
 */
import { Random } from '../sql/seeded-random.js';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openLocalLog } from '../../src/index.js';
import type { FetchedRecord, Log, ProduceRecord } from '../../src/log/log.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';

export interface ChaosOptions {
  readonly dir: string;
  readonly kills: number;
  readonly records: number;
  readonly seed: number;
  readonly partitions?: number;
  /** longest random wait before a kill, after the process starts (ms) */
  readonly maxKillDelayMs?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly seed: number;
  readonly kills: number;
  /** kills that landed before the process printed "Running" (while applying statements, restoring) */
  readonly killsDuringStartup: number;
  readonly records: number;
  /** expected output records (streams) and table rows checked */
  readonly checked: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly wrong: number;
  readonly problems: string[];
  /** ms from spawn to "Running" on each restart that got that far */
  readonly restartMs: number[];
  /** the last restart's run to the end of the backlog left by the kills (--until-idle) */
  readonly drainMs: number;
  readonly errors: string[];
  readonly elapsedMs: number;
}

const REGIONS = 7;
const CUSTOMERS = 50;
/**
 * Event times start an hour before the run (on a whole hour, so windows fall the same way in a
 * replay): records far in the past would be deleted by the topics' default retention (7 days) when
 * the log's maintenance runs during a long run.
 */
const baseTimestamp = () => Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
/** tumbling window size and grace of the EMIT FINAL aggregation */
const WINDOW_MS = 2_000;
const GRACE_MS = 20_000;

export const pipelineSql = (partitions: number) => `SET 'auto.offset.reset' = 'earliest';
CREATE STREAM orders (id BIGINT KEY, customer STRING, region STRING, amount INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=${partitions}, VALUE_FORMAT='JSON');
CREATE STREAM payments (id BIGINT KEY, paid INT) WITH (KAFKA_TOPIC='payments', PARTITIONS=${partitions}, VALUE_FORMAT='JSON');
CREATE TABLE customers (customer STRING PRIMARY KEY, tier STRING) WITH (KAFKA_TOPIC='customers', PARTITIONS=${partitions}, VALUE_FORMAT='JSON');
CREATE STREAM big_orders AS SELECT id, amount FROM orders WHERE amount >= 50;
CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY region;
CREATE TABLE per_window AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM orders WINDOW TUMBLING (SIZE ${WINDOW_MS / 1000} SECONDS, GRACE PERIOD ${GRACE_MS / 1000} SECONDS) GROUP BY region EMIT FINAL;
CREATE STREAM enriched AS SELECT o.customer AS customer, o.id AS oid, c.tier AS tier FROM orders o JOIN customers c ON o.customer = c.customer;
CREATE STREAM paid AS SELECT o.id AS id, o.amount AS amount, p.paid AS paid FROM orders o JOIN payments p WITHIN 1 HOURS ON o.id = p.id;
`;

/** A seeded source of numbers in [0, 1), so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

interface Order {
  id: number;
  customer: string;
  region: string;
  amount: number;
  ts: number;
}

const bigintKey = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};

/** Order i, the same on every call for a seed (the harness never keeps the whole input in memory). */
function order(seed: number, base: number, i: number): Order {
  const r = prng(seed ^ Math.imul(i + 1, 0x9e3779b1));
  return { id: i, customer: `c${Math.floor(r() * CUSTOMERS)}`, region: `r${Math.floor(r() * REGIONS)}`, amount: Math.floor(r() * 100), ts: base + i };
}

const tierOf = (customer: string) => `t${Number(customer.slice(1)) % 3}`;
const isPaid = (o: Order) => o.id % 3 === 0;

function orderRecords(o: Order, flush: boolean): ProduceRecord[] {
  const out: ProduceRecord[] = [
    { topic: 'orders', key: bigintKey(o.id), value: Buffer.from(JSON.stringify({ CUSTOMER: o.customer, REGION: o.region, AMOUNT: o.amount })), timestamp: o.ts },
  ];
  if (isPaid(o) && !flush) out.push({ topic: 'payments', key: bigintKey(o.id), value: Buffer.from(JSON.stringify({ PAID: o.amount })), timestamp: o.ts + 1 });
  return out;
}

async function produceSlice(dataDir: string, records: Iterable<ProduceRecord>): Promise<void> {
  const log = await openLocalLog(dataDir);
  try {
    let batch: ProduceRecord[] = [];
    for (const r of records) {
      batch.push(r);
      if (batch.length >= 5000) {
        await log.produce(batch);
        batch = [];
      }
    }
    if (batch.length) await log.produce(batch);
  } finally {
    await log.close();
  }
}

function* orderRange(seed: number, base: number, from: number, to: number): Generator<ProduceRecord> {
  for (let i = from; i < to; i++) yield* orderRecords(order(seed, base, i), false);
}

async function* topicRecords(log: Log, topic: string): AsyncGenerator<FetchedRecord> {
  const desc = await log.describeTopic(topic);
  for (const p of desc.partitions) {
    let offset = p.logStartOffset;
    for (;;) {
      const batch = await log.fetch(topic, p.partition, offset, { maxRecords: 10_000 });
      yield* batch.records;
      if (batch.records.length === 0 || batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    }
  }
}

interface RunOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly runningAfterMs: number | undefined;
}

/**
 * Starts `sluice run`; with a kill, SIGKILLs it that long after the spawn (startup: applying
 * statements, restoring) or after it printed that its queries run (processing the backlog).
 */
function runSluice(file: string, dataDir: string, args: string[], kill?: { afterMs: number; from: 'spawn' | 'running' }): Promise<RunOutcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [sluiceBin(), 'run', file, '--data-dir', dataDir, '--quiet', ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let runningAfterMs: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (runningAfterMs === undefined && /Running \d+ queries|All queries are idle/.test(stdout)) {
      runningAfterMs = Date.now() - started;
      if (kill?.from === 'running') timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timer = kill?.from === 'spawn' ? setTimeout(() => child.kill('SIGKILL'), kill.afterMs) : undefined;
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, runningAfterMs });
    }),
  );
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const say = options.log ?? (() => {});
  const partitions = options.partitions ?? 4;
  const { seed, kills, records } = options;
  const dataDir = join(options.dir, 'data');
  const file = join(options.dir, 'pipeline.sql');
  await writeFile(file, pipelineSql(partitions));
  const random = prng(seed);
  const base = baseTimestamp();

  // the sources exist before the first run (a producer's topics); the table's rows come first
  {
    const log = await openLocalLog(dataDir);
    for (const topic of ['orders', 'payments', 'customers']) await log.createTopic(topic, { partitions });
    const customers: ProduceRecord[] = [];
    for (let c = 0; c < CUSTOMERS; c++) customers.push({ topic: 'customers', key: Buffer.from(`c${c}`), value: Buffer.from(JSON.stringify({ TIER: tierOf(`c${c}`) })), timestamp: base - 1000 });
    await log.produce(customers);
    await log.close();
  }

  const restartMs: number[] = [];
  const errors: string[] = [];
  let killsDuringStartup = 0;
  const maxDelay = options.maxKillDelayMs ?? 4000;
  for (let k = 0; k < kills; k++) {
    const first = Math.floor((records * k) / kills);
    const to = Math.floor((records * (k + 1)) / kills);
    await produceSlice(dataDir, orderRange(seed, base, first, to));
    // one kill in five during startup (anywhere in its first 1.5 s), the others while processing
    const from = random() < 0.2 ? 'spawn' : 'running';
    const delay = Math.floor(random() * (from === 'spawn' ? 1500 : maxDelay));
    const r = await runSluice(file, dataDir, [], { afterMs: delay, from });
    if (r.runningAfterMs !== undefined) restartMs.push(r.runningAfterMs);
    else killsDuringStartup++;
    if (r.signal !== 'SIGKILL') errors.push(`run ${k + 1} ended by itself (code ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    if (r.stderr.trim()) errors.push(`run ${k + 1} wrote to stderr: ${r.stderr.trim().slice(0, 2000)}`);
    say(`kill ${k + 1}/${kills} ${delay} ms after ${from} (orders ${to}/${records}${r.runningAfterMs === undefined ? ', during startup' : `, running after ${r.runningAfterMs} ms`})`);
  }

  // drain the input first: the flush below must come after every order in stream time, in every
  // task (else it closes a window before another partition's last orders reach it, as it should)
  const drain = await runSluice(file, dataDir, ['--until-idle']);
  if (drain.code !== 0) errors.push(`draining run exited with ${drain.code ?? drain.signal}: ${drain.stderr.trim()}`);
  else if (drain.stderr.trim()) errors.push(`draining run wrote to stderr: ${drain.stderr.trim().slice(0, 2000)}`);
  const drainMs = drain.runningAfterMs ?? 0;

  // last: one record per region far in the future closes every window of the run
  const flush: Order[] = [];
  for (let g = 0; g < REGIONS; g++) flush.push({ id: records + g, customer: 'c0', region: `r${g}`, amount: 0, ts: base + records + 3_600_000 });
  await produceSlice(dataDir, flush.flatMap((o) => orderRecords(o, true)));
  const final = await runSluice(file, dataDir, ['--until-idle']);
  if (final.code !== 0) errors.push(`final run exited with ${final.code ?? final.signal}: ${final.stderr.trim()}`);
  else if (final.stderr.trim()) errors.push(`final run wrote to stderr: ${final.stderr.trim().slice(0, 2000)}`);

  const verdict = await verify(dataDir, seed, base, records, flush);
  const report: ChaosReport = { seed, kills, killsDuringStartup, records, ...verdict, restartMs, drainMs, errors, elapsedMs: Date.now() - t0 };
  return report;
}

/** Reads every output and compares it with what plain JS computes from the inputs. */
async function verify(dataDir: string, seed: number, base: number, records: number, flush: readonly Order[]) {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let wrong = 0;
  let checked = 0;
  const note = (s: string) => {
    if (problems.length < 50) problems.push(s);
  };

  // expected, from the inputs alone
  const regions = new Map<string, { N: number; TOTAL: number }>();
  const windows = new Map<string, { N: number; TOTAL: number }>();
  const all = function* () {
    for (let i = 0; i < records; i++) yield order(seed, base, i);
    yield* flush;
  };
  const flushIds = new Set(flush.map((o) => o.id));
  let bigExpected = 0;
  let paidExpected = 0;
  for (const o of all()) {
    const g = regions.get(o.region) ?? { N: 0, TOTAL: 0 };
    g.N++;
    g.TOTAL += o.amount;
    regions.set(o.region, g);
    if (!flushIds.has(o.id)) {
      const key = `${o.region}@${o.ts - ((o.ts - 0) % WINDOW_MS)}`;
      const w = windows.get(key) ?? { N: 0, TOTAL: 0 };
      w.N++;
      w.TOTAL += o.amount;
      windows.set(key, w);
      if (isPaid(o)) paidExpected++;
    }
    if (o.amount >= 50) bigExpected++;
  }

  const log = await openLocalLog(dataDir);
  try {
    // streams: each expected record exactly once, with the right values (ids seen as a bitmap)
    const total = records + flush.length;
    const byId = (i: number) => (i < records ? order(seed, base, i) : flush[i - records]!);
    const checkStream = async (topic: string, expected: number, idOf: (r: FetchedRecord, v: Record<string, unknown>) => number, ok: (o: Order, v: Record<string, unknown>) => boolean, wanted: (o: Order) => boolean) => {
      const seen = new Uint8Array(total);
      let count = 0;
      for await (const r of topicRecords(log, topic)) {
        const v = JSON.parse(r.value!.toString('utf8')) as Record<string, unknown>;
        const id = idOf(r, v);
        count++;
        if (!(id >= 0 && id < total) || !wanted(byId(id))) {
          wrong++;
          note(`${topic}: unexpected record ${id} ${JSON.stringify(v)}`);
          continue;
        }
        if (seen[id]) {
          duplicated++;
          note(`${topic}: record ${id} twice`);
          continue;
        }
        seen[id] = 1;
        if (!ok(byId(id), v)) {
          wrong++;
          note(`${topic}: record ${id} is ${JSON.stringify(v)}, expected from ${JSON.stringify(byId(id))}`);
        }
      }
      for (let i = 0; i < total; i++)
        if (!seen[i] && wanted(byId(i))) {
          lost++;
          note(`${topic}: record ${i} lost`);
        }
      checked += expected;
      return count;
    };
    const keyId = (r: FetchedRecord) => Number(r.key!.readBigInt64BE());
    await checkStream('BIG_ORDERS', bigExpected, keyId, (o, v) => v.AMOUNT === o.amount, (o) => o.amount >= 50);
    await checkStream('ENRICHED', total, (_r, v) => Number(v.OID), (o, v) => v.TIER === tierOf(o.customer), () => true);
    await checkStream('PAID', paidExpected, keyId, (o, v) => v.AMOUNT === o.amount && v.PAID === o.amount, (o) => isPaid(o) && !flushIds.has(o.id));

    // the GROUP BY table: its last value per key is the total; counts only ever grow (a record
    // counted twice after a crash would show as a repeat or a jump back)
    const latest = new Map<string, { N: number; TOTAL: number }>();
    for await (const r of topicRecords(log, 'BY_REGION')) {
      const key = r.key!.toString('utf8');
      const v = JSON.parse(r.value!.toString('utf8')) as { N: number; TOTAL: number };
      const before = latest.get(key);
      if (before && v.N <= before.N) {
        duplicated++;
        note(`BY_REGION: ${key} went from ${before.N} to ${v.N}`);
      }
      latest.set(key, v);
    }
    for (const [key, want] of regions) {
      const got = latest.get(key);
      checked++;
      if (!got) {
        lost++;
        note(`BY_REGION: ${key} missing`);
      } else if (got.N !== want.N || got.TOTAL !== want.TOTAL) {
        wrong++;
        note(`BY_REGION: ${key} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
    }
    for (const key of latest.keys()) if (!regions.has(key)) (wrong++, note(`BY_REGION: unexpected key ${key}`));

    // EMIT FINAL: one row per closed window, exactly once, with its final count
    const emitted = new Set<string>();
    for await (const r of topicRecords(log, 'PER_WINDOW')) {
      // a windowed key: the region's bytes then the window start (8 bytes, big-endian)
      const region = r.key!.subarray(0, r.key!.length - 8).toString('utf8');
      const start = Number(r.key!.readBigInt64BE(r.key!.length - 8));
      const key = `${region}@${start}`;
      const v = JSON.parse(r.value!.toString('utf8')) as { N: number; TOTAL: number };
      const want = windows.get(key);
      if (emitted.has(key)) {
        duplicated++;
        note(`PER_WINDOW: ${key} emitted twice`);
      } else if (!want) {
        wrong++;
        note(`PER_WINDOW: unexpected window ${key} ${JSON.stringify(v)}`);
      } else if (v.N !== want.N || v.TOTAL !== want.TOTAL) {
        wrong++;
        note(`PER_WINDOW: ${key} is ${JSON.stringify(v)}, expected ${JSON.stringify(want)}`);
      }
      emitted.add(key);
    }
    for (const key of windows.keys()) {
      checked++;
      if (!emitted.has(key)) {
        lost++;
        note(`PER_WINDOW: window ${key} never emitted`);
      }
    }
  } finally {
    await log.close();
  }
  return { checked, lost, duplicated, wrong, problems };
}
