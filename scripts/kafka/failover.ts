/**
 * `npm run kafka:failover`: exactly-once through a broker failure. Three Kafka nodes (replication
 * factor 3, min.insync.replicas 2); a stateful query with a repartition under
 * processing.guarantee=exactly_once; inputs keep arriving while one broker is SIGKILLed and later
 * restarted. At the end every input must be counted exactly once and the aggregates must equal
 * those computed from the inputs. Exit code 0 when they do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import { startKafka } from '../../test/helpers/kafka-cluster.js';

const EVENTS = Number(process.env.FAILOVER_EVENTS ?? 3000);
const BATCH = 50;
const KEYS = 10;

const cluster = await startKafka({ brokers: 3 });
const dir = await mkdtemp(join(tmpdir(), 'sluice-failover-'));
let engine: Engine | undefined;
try {
  console.log(`3 brokers at ${cluster.bootstrap}`);
  engine = await Engine.open({
    dataDir: dir,
    kafka: { 'bootstrap.servers': cluster.bootstrap, 'processing.guarantee': 'exactly_once', 'ksql.service.id': 'failover_' },
    properties: { 'auto.offset.reset': 'earliest' },
  });
  await engine.execute(`
    CREATE STREAM events (id STRING KEY, k STRING, v INT) WITH (kafka_topic='events', value_format='JSON', partitions=3, replicas=3);
    CREATE TABLE totals WITH (replicas=3) AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events GROUP BY k;`);
  engine.start();
  const expected = new Map<string, { n: number; total: number }>();
  const started = Date.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const rows = [];
    for (let j = i; j < Math.min(EVENTS, i + BATCH); j++) {
      const k = `k${j % KEYS}`;
      const v = (j * 7) % 100;
      rows.push({ id: `e${j}`, k, v });
      const e = expected.get(k) ?? { n: 0, total: 0 };
      e.n++;
      e.total += v;
      expected.set(k, e);
    }
    await engine.insert('events', rows);
    if (i === Math.floor(EVENTS / 3 / BATCH) * BATCH) {
      console.log(`${i} events in: SIGKILL broker 2`);
      await cluster.killNode(2);
    }
    if (i === Math.floor((2 * EVENTS) / 3 / BATCH) * BATCH) {
      console.log(`${i} events in: restarting broker 2`);
      await cluster.restartNode(2);
    }
  }
  await engine.runUntilIdle();
  const failed = engine.failedQueries();
  if (failed.length) throw new Error(`query failed: ${failed.map((f) => f.error.message).join('; ')}`);
  const rows = (await engine.pull('SELECT * FROM totals;')).rows;
  const actual = new Map(rows.map((r) => [String(r.K), { n: Number(r.N), total: Number(r.TOTAL) }]));
  const wrong = [...expected].filter(([k, e]) => actual.get(k)?.n !== e.n || actual.get(k)?.total !== e.total);
  console.log(`${EVENTS} events through a broker kill and restart in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [k, e] of expected) console.log(`  ${k}: expected n=${e.n} total=${e.total}, got n=${actual.get(k)?.n} total=${actual.get(k)?.total}`);
  if (wrong.length) {
    console.log(`FAIL: ${wrong.length} key(s) differ`);
    process.exitCode = 1;
  } else console.log('OK: every input counted exactly once, aggregates equal the independent computation');
} finally {
  await engine?.close().catch((e) => console.error(e));
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
