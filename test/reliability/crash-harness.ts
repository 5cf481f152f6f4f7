/**
 * The crash suite's harness (issue 12): runs a stateful pipeline as a separate `sluice run` process,
 * SIGKILLs it at seeded random moments, restarts it on the same data directory, and checks every
 * output against results computed independently from the inputs.
 *
 * Each cycle feeds the next slice of input in one of two ways (a seeded choice):
 * - between kills: this process appends the slice to the log (opening it briefly, as a short-lived
 *   producer would), then starts `sluice run` and kills it while it restores, applies statements or
 *   works through the backlog;
 * - while it runs: `sluice server` runs the pipeline and two clients stream the slice's orders and
 *   payments into /inserts-stream as it processes them; the server is killed mid-feed. Rows that
 *   were acked are committed; the next cycle resends from the first unacked row, so a row whose ack
 *   the kill cut off may reach the input twice, and the check counts such copies as input.
 * A last run with --until-idle drains everything; every output is then compared with what plain JS
 * computes from the input topics' actual contents.
 */
import { Random } from '../sql/seeded-random.js';
import { spawn } from 'node:child_process';
import http from 'node:http';
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
  /** cycles fed through /inserts-stream while `sluice server` ran */
  readonly fedWhileRunning: number;
  /** rows sent again after a kill cut off their ack (they may be in the input twice) */
  readonly resent: number;
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
    {
      topic: 'orders',
      // the flush's steps all in one partition, so every task downstream sees them in order
      ...(flush ? { partition: 0 } : {}),
      key: bigintKey(o.id),
      value: Buffer.from(JSON.stringify({ CUSTOMER: o.customer, REGION: o.region, AMOUNT: o.amount })),
      timestamp: o.ts,
    },
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

/** orders from `ordersFrom` and payments from `paymentsFrom`, both up to `to` */
function* feedRange(seed: number, base: number, ordersFrom: number, paymentsFrom: number, to: number): Generator<ProduceRecord> {
  for (let i = Math.min(ordersFrom, paymentsFrom); i < to; i++) {
    const [o, p] = orderRecords(order(seed, base, i), false);
    if (i >= ordersFrom) yield o!;
    if (p && i >= paymentsFrom) yield p;
  }
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

interface FedOutcome extends RunOutcome {
  /** the next order index whose order (payment) row was not acked */
  readonly ordersNext: number;
  readonly paymentsNext: number;
}

/**
 * Starts `sluice server` on the data directory, streams orders [ordersFrom, to) and payments
 * [paymentsFrom, to) into /inserts-stream while it runs, and SIGKILLs it `killAfterMs` after it
 * listens. Returns how far each stream was acked without a gap.
 */
async function feedServer(dataDir: string, seed: number, base: number, ordersFrom: number, paymentsFrom: number, to: number, killAfterMs: number, feedMs: number): Promise<FedOutcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [sluiceBin(), 'server', '--data-dir', dataDir, '--listen', 'http://127.0.0.1:0', '--kafka-listen', 'none'], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let runningAfterMs: number | undefined;
  const agent = new http.Agent({ keepAlive: false });
  const acked = { ORDERS: ordersFrom, PAYMENTS: paymentsFrom };
  const feeds: Promise<void>[] = [];
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const url = /sluice server listening on (\S+)/.exec(stdout)?.[1];
    if (url && runningAfterMs === undefined) {
      runningAfterMs = Date.now() - started;
      timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      feeds.push(feed(url, 'ORDERS', ordersFrom), feed(url, 'PAYMENTS', paymentsFrom));
    }
  });

  /** one /inserts-stream request: a target line, then rows paced in small chunks; acks move `acked` */
  function feed(url: string, target: 'ORDERS' | 'PAYMENTS', from: number): Promise<void> {
    const indexes: number[] = [];
    for (let i = from; i < to; i++) if (target === 'ORDERS' || isPaid(order(seed, base, i))) indexes.push(i);
    return new Promise((resolve) => {
      const req = http.request(new URL('/inserts-stream', url), { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let buf = '';
        const done = new Set<number>();
        let next = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const ack = JSON.parse(buf.slice(0, nl)) as { status: string; seq: number };
            buf = buf.slice(nl + 1);
            if (ack.status !== 'ok') continue;
            done.add(ack.seq);
            while (done.has(next)) next++;
            acked[target] = next < indexes.length ? indexes[next]! : to;
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
      req.write(`${JSON.stringify({ target })}\n`);
      let sent = 0;
      // paced to take about feedMs, so that most kills land mid-feed
      const perTick = Math.max(1, Math.ceil((indexes.length * 5) / feedMs));
      const tick = setInterval(() => {
        if (req.destroyed) return clearInterval(tick);
        let chunk = '';
        for (const end = Math.min(indexes.length, sent + perTick); sent < end; sent++) {
          const o = order(seed, base, indexes[sent]!);
          chunk += `${JSON.stringify(target === 'ORDERS' ? { ID: o.id, CUSTOMER: o.customer, REGION: o.region, AMOUNT: o.amount, ROWTIME: o.ts } : { ID: o.id, PAID: o.amount, ROWTIME: o.ts + 1 })}\n`;
        }
        if (chunk) req.write(chunk);
        if (sent >= indexes.length) {
          clearInterval(tick);
          req.end();
        }
      }, 5);
    });
  }

  const { code, signal } = await exited;
  if (timer) clearTimeout(timer);
  await Promise.all(feeds);
  agent.destroy();
  return { code, signal, stdout, stderr, runningAfterMs, ordersNext: acked.ORDERS, paymentsNext: acked.PAYMENTS };
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
  // how far each input stream has been written (every row before it is in the log)
  let ordersNext = 0;
  let paymentsNext = 0;
  let fedWhileRunning = 0;
  let resent = 0;
  for (let k = 0; k < kills; k++) {
    const to = Math.floor((records * (k + 1)) / kills);
    // the first cycle applies the pipeline's statements with `sluice run`; later ones feed either way
    if (k > 0 && random() < 0.5) {
      const delay = 300 + Math.floor(random() * maxDelay);
      const r = await feedServer(dataDir, seed, base, ordersNext, paymentsNext, to, delay, maxDelay);
      fedWhileRunning++;
      if (r.runningAfterMs !== undefined) restartMs.push(r.runningAfterMs);
      else killsDuringStartup++;
      if (r.signal !== 'SIGKILL') errors.push(`server run ${k + 1} ended by itself (code ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
      if (r.stderr.trim()) errors.push(`server run ${k + 1} wrote to stderr: ${r.stderr.trim().slice(0, 2000)}`);
      say(`kill ${k + 1}/${kills} of sluice server ${delay} ms after it listened (orders acked ${r.ordersNext}/${to}, payments ${r.paymentsNext}/${to})`);
      ordersNext = r.ordersNext;
      paymentsNext = r.paymentsNext;
      // the next cycle starts from the first unacked row: a kill may have cut off acks of rows it wrote
      if (ordersNext < to || paymentsNext < to) resent++;
      continue;
    }
    // catch up whatever a server cycle left unacked, then this cycle's slice
    await produceSlice(dataDir, feedRange(seed, base, ordersNext, paymentsNext, to));
    ordersNext = paymentsNext = to;
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
  if (ordersNext < records || paymentsNext < records) await produceSlice(dataDir, feedRange(seed, base, ordersNext, paymentsNext, records));

  // drain the input first: the flush below must come after every order in stream time, in every
  // task (else it closes a window before another partition's last orders reach it, as it should)
  const drain = await runSluice(file, dataDir, ['--until-idle']);
  if (drain.code !== 0) errors.push(`draining run exited with ${drain.code ?? drain.signal}: ${drain.stderr.trim()}`);
  else if (drain.stderr.trim()) errors.push(`draining run wrote to stderr: ${drain.stderr.trim().slice(0, 2000)}`);
  const drainMs = drain.runningAfterMs ?? 0;

  // last: records per region stepping stream time on, a window at a time, until every window of the
  // run has closed (a bigger jump would carry windows past the store's retention unemitted, as in
  // Kafka Streams), and none of their own has
  const flush: Order[] = [];
  const steps = (WINDOW_MS + GRACE_MS) / WINDOW_MS;
  for (let k = 1; k <= steps; k++)
    for (let g = 0; g < REGIONS; g++) flush.push({ id: records + (k - 1) * REGIONS + g, customer: 'c0', region: `r${g}`, amount: 0, ts: base + records + k * WINDOW_MS });
  await produceSlice(dataDir, flush.flatMap((o) => orderRecords(o, true)));
  const final = await runSluice(file, dataDir, ['--until-idle']);
  if (final.code !== 0) errors.push(`final run exited with ${final.code ?? final.signal}: ${final.stderr.trim()}`);
  else if (final.stderr.trim()) errors.push(`final run wrote to stderr: ${final.stderr.trim().slice(0, 2000)}`);

  const verdict = await verify(dataDir, seed, base, records, flush);
  const report: ChaosReport = { seed, kills, killsDuringStartup, records, ...verdict, fedWhileRunning, resent, restartMs, drainMs, errors, elapsedMs: Date.now() - t0 };
  return report;
}

/**
 * Reads every output and compares it with what plain JS computes from the inputs: the input topics
 * as they are (an order resent after a kill cut off its ack counts as many times as it is there),
 * each order checked against the generator, no acked row missing.
 */
async function verify(dataDir: string, seed: number, base: number, records: number, flush: readonly Order[]) {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let wrong = 0;
  let checked = 0;
  const note = (s: string) => {
    if (problems.length < 50) problems.push(s);
  };
  const total = records + flush.length;
  const byId = (i: number) => (i < records ? order(seed, base, i) : flush[i - records]!);
  const flushIds = new Set(flush.map((o) => o.id));
  const keyId = (r: FetchedRecord) => Number(r.key!.readBigInt64BE());

  const log = await openLocalLog(dataDir);
  try {
    // the input as it is: copies of each order and payment
    const ordersIn = new Uint16Array(total);
    const paymentsIn = new Uint16Array(total);
    for await (const r of topicRecords(log, 'orders')) {
      const id = keyId(r);
      const v = JSON.parse(r.value!.toString('utf8')) as { CUSTOMER: string; REGION: string; AMOUNT: number };
      const o = id >= 0 && id < total ? byId(id) : undefined;
      if (!o || v.CUSTOMER !== o.customer || v.REGION !== o.region || v.AMOUNT !== o.amount || r.timestamp !== o.ts) {
        wrong++;
        note(`orders: input record ${id} is ${JSON.stringify(v)} at ${r.timestamp}, expected ${JSON.stringify(o)}`);
        continue;
      }
      ordersIn[id]!++;
    }
    for await (const r of topicRecords(log, 'payments')) {
      const id = keyId(r);
      if (id >= 0 && id < total) paymentsIn[id]!++;
    }
    for (let i = 0; i < total; i++) {
      if (!ordersIn[i]) (lost++, note(`orders: input ${i} missing (acked or written, never in the log)`));
      if (isPaid(byId(i)) && !flushIds.has(i) && !paymentsIn[i]) (lost++, note(`payments: input ${i} missing`));
    }

    // expected, from the inputs alone
    const regions = new Map<string, { N: number; TOTAL: number }>();
    const windows = new Map<string, { N: number; TOTAL: number }>();
    const add = (m: Map<string, { N: number; TOTAL: number }>, key: string, n: number, amount: number) => {
      const g = m.get(key) ?? { N: 0, TOTAL: 0 };
      g.N += n;
      g.TOTAL += n * amount;
      m.set(key, g);
    };
    for (let i = 0; i < total; i++) {
      const o = byId(i);
      const n = ordersIn[i]!;
      if (!n) continue;
      add(regions, o.region, n, o.amount);
      if (!flushIds.has(o.id)) add(windows, `${o.region}@${o.ts - (o.ts % WINDOW_MS)}`, n, o.amount);
    }

    // streams: each expected record as many times as its inputs make it, with the right values
    const checkStream = async (topic: string, idOf: (r: FetchedRecord, v: Record<string, unknown>) => number, ok: (o: Order, v: Record<string, unknown>) => boolean, copies: (i: number) => number) => {
      const seen = new Uint32Array(total);
      for await (const r of topicRecords(log, topic)) {
        const v = JSON.parse(r.value!.toString('utf8')) as Record<string, unknown>;
        const id = idOf(r, v);
        if (!(id >= 0 && id < total) || copies(id) === 0) {
          wrong++;
          note(`${topic}: unexpected record ${id} ${JSON.stringify(v)}`);
          continue;
        }
        seen[id]!++;
        if (!ok(byId(id), v)) {
          wrong++;
          note(`${topic}: record ${id} is ${JSON.stringify(v)}, expected from ${JSON.stringify(byId(id))}`);
        }
      }
      for (let i = 0; i < total; i++) {
        const want = copies(i);
        const got = seen[i]!;
        checked += want;
        if (got > want) (duplicated += got - want, note(`${topic}: record ${i} ${got} times, expected ${want}`));
        else if (got < want) (lost += want - got, note(`${topic}: record ${i} ${got} times, expected ${want}`));
      }
    };
    await checkStream('BIG_ORDERS', keyId, (o, v) => v.AMOUNT === o.amount, (i) => (byId(i).amount >= 50 ? ordersIn[i]! : 0));
    await checkStream('ENRICHED', (_r, v) => Number(v.OID), (o, v) => v.TIER === tierOf(o.customer), (i) => ordersIn[i]!);
    // every copy of an order joins every copy of its payment
    await checkStream('PAID', keyId, (o, v) => v.AMOUNT === o.amount && v.PAID === o.amount, (i) => (flushIds.has(i) ? 0 : ordersIn[i]! * paymentsIn[i]!));

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
