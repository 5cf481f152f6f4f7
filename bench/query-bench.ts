/**
 * Results-API benchmark on the embedded log: pull-query key lookups per second and push-query
 * delivery latency.
 *
 *   npm run bench:queries                 # 20 000 keys, 5 s of lookups, 2 000 pushed rows
 *   npm run bench:queries -- --quick      # 2 000 keys, 1 s, 300 rows
 *
 * 1. Pull: a table materialized by a persistent query (CREATE TABLE ... AS SELECT) over N keys;
 *    then, for the time given, `engine.pull("SELECT * FROM t WHERE id = 'k<random>'")` one after
 *    another (each parsed, planned and answered from the caught-up index), and a range scan.
 * 2. Push: `SELECT ... EMIT CHANGES` over a stream while rows are inserted one at a time, paced;
 *    each row carries the time it was inserted, so latency = received - inserted (insert, the
 *    persistent loop, the transient topic and the iterator included).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/index.js';

const quick = process.argv.includes('--quick');
const KEYS = quick ? 2_000 : 20_000;
const LOOKUP_SECONDS = quick ? 1 : 5;
const PUSHED = quick ? 300 : 2_000;
const PACE_MS = 2;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function pullBench(engine: Engine): Promise<void> {
  await engine.execute(`
    CREATE STREAM readings (id STRING KEY, v BIGINT) WITH (kafka_topic='readings', value_format='JSON', partitions=1);
    CREATE TABLE latest AS SELECT id, LATEST_BY_OFFSET(v) AS v, COUNT(*) AS n FROM readings GROUP BY id;`);
  const batch = 1000;
  for (let i = 0; i < KEYS; i += batch)
    await engine.insert('readings', Array.from({ length: Math.min(batch, KEYS - i) }, (_, j) => ({ id: `k${i + j}`, v: BigInt(i + j), ROWTIME: i + j })));
  await engine.runUntilIdle();
  // the first pull builds the index from the table's topic: timed on its own
  let t0 = performance.now();
  const first = await engine.pull(`SELECT * FROM latest WHERE id = 'k0';`);
  const indexMs = performance.now() - t0;
  if (first.rows.length !== 1) throw new Error('lookup missed');
  let lookups = 0;
  let misses = 0;
  t0 = performance.now();
  const until = t0 + LOOKUP_SECONDS * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) {
      const k = Math.floor(Math.random() * KEYS);
      const r = await engine.pull(`SELECT * FROM latest WHERE id = 'k${k}';`);
      if (r.rows.length !== 1) misses++;
      lookups++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const scan = await engine.pull(`SELECT id, v FROM latest WHERE id >= 'k1' AND id < 'k2';`);
  const scanMs = performance.now() - t0;
  console.log(`pull: ${KEYS} keys, index built in ${indexMs.toFixed(0)} ms`);
  console.log(`pull: ${(lookups / seconds).toFixed(0)} key lookups/s (${lookups} in ${seconds.toFixed(1)} s, ${misses} misses)`);
  console.log(`pull: range scan of ${scan.rows.length} rows in ${scanMs.toFixed(1)} ms`);
}

async function pushBench(engine: Engine): Promise<void> {
  await engine.execute(`CREATE STREAM events (id STRING KEY, sent DOUBLE) WITH (kafka_topic='events', value_format='JSON', partitions=1);`);
  engine.start();
  const q = await engine.query('SELECT id, sent FROM events EMIT CHANGES;');
  const latencies: number[] = [];
  const consumer = (async () => {
    for await (const row of q) {
      latencies.push(performance.now() - (row.SENT as number));
      if (latencies.length === PUSHED) break;
    }
  })();
  for (let i = 0; i < PUSHED; i++) {
    await engine.insert('events', { id: `e${i}`, sent: performance.now() });
    await new Promise((r) => setTimeout(r, PACE_MS));
  }
  await consumer;
  latencies.sort((a, b) => a - b);
  console.log(
    `push: ${PUSHED} rows inserted every ~${PACE_MS} ms; delivery latency p50 ${percentile(latencies, 50).toFixed(2)} ms, p90 ${percentile(latencies, 90).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'sluice-query-bench-'));
try {
  const engine = await Engine.open({ dataDir: dir, properties: { 'auto.offset.reset': 'earliest' } });
  try {
    await pullBench(engine);
    await pushBench(engine);
  } finally {
    await engine.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
