/**
 * `npm run bench:kafka [-- --events N]`: Nexmark q0, q1, q2 and q5 on Apache Kafka (a KRaft broker
 * started for the run, or SLUICE_KAFKA_BOOTSTRAP) next to the embedded log, in the same run, one
 * Sluice process each; and the floor on the same broker: a plain kafkajs consume/produce loop
 * (fetch every bid, produce it to an output topic, commit offsets per batch) through the same adapter.
 *
 * events/s = input events / wall seconds to consume them all; events per CPU-second counts this
 * process's CPU only (the broker's JVM is not included). Two Sluice processes per query need
 * scale-out through consumer groups, which the Kafka backend does not have yet.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import type { Log } from '../../src/log/log.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { KafkaLog } from '../../src/log/kafka/index.js';
import { KafkaStateBackend } from '../../src/state/index.js';
import { createNexmarkTopics, NexmarkGenerator, writeEvents } from '../nexmark/generator.js';
import { startSpan } from '../nexmark/measure.js';
import { QUERIES, SOURCES_DDL } from '../nexmark/queries.js';
import { PrefixedLog } from '../../test/helpers/prefixed-log.js';
import { startKafka } from '../../test/helpers/kafka-cluster.js';

const args = process.argv.slice(2);
const eventsAt = args.indexOf('--events');
const EVENTS = eventsAt >= 0 ? Number(args[eventsAt + 1]) : 50_000;
const NAMES = ['q0', 'q1', 'q2', 'q5'];

interface Row {
  backend: string;
  query: string;
  events: number;
  seconds: number;
  cpu: number;
}
const rows: Row[] = [];
const report = (r: Row) => {
  rows.push(r);
  console.log(`${r.backend.padEnd(10)} ${r.query.padEnd(6)} ${String(Math.round(r.events / r.seconds)).padStart(8)} events/s ${String(Math.round(r.events / r.cpu)).padStart(8)} events/CPU-s  (${r.seconds.toFixed(2)} s)`);
};

async function runQuery(backend: string, log: Log, openEngine: () => Promise<Engine>, query: (typeof QUERIES)[number], events: number): Promise<void> {
  const engine = await openEngine();
  try {
    await engine.execute(SOURCES_DDL);
    const span = startSpan();
    await engine.execute(query.sql);
    await engine.runUntilIdle();
    const s = span();
    const failed = engine.failedQueries();
    if (failed.length) throw new Error(`${query.name} failed: ${failed[0]!.error.message}`);
    const inputs = query.inputs.length;
    report({ backend, query: query.name, events: inputs === 1 && query.inputs[0] === 'bid' ? Math.round((events * 46) / 50) : events, seconds: s.wallSeconds, cpu: s.cpuSeconds });
  } finally {
    await engine.close();
    void log;
  }
}

const cluster = await startKafka();
const root = await mkdtemp(join(tmpdir(), 'sluice-bench-kafka-'));
const shared = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap, 'client.id': 'sluice-bench' } });
try {
  console.log(`${EVENTS} Nexmark events (bids ${Math.round((EVENTS * 46) / 50)}); Apache Kafka at ${cluster.bootstrap}`);
  const gen = new NexmarkGenerator();
  for (const name of NAMES) {
    const query = QUERIES.find((q) => q.name === name)!;
    // embedded: a fresh log with the events
    const dir = join(root, `embedded-${name}`);
    const local = await openLocalLog(dir);
    await createNexmarkTopics(local);
    await writeEvents(local, gen, 0, EVENTS);
    await runQuery('embedded', local, () => Engine.open({ log: local, properties: { 'auto.offset.reset': 'earliest' } }), query, EVENTS);
    await local.close();
    // Kafka: the same events in a namespace of the broker
    const log = new PrefixedLog(shared, `bench-${Date.now().toString(36)}-${name}-`);
    await createNexmarkTopics(log);
    await writeEvents(log, gen, 0, EVENTS);
    const state = await KafkaStateBackend.open(log, { dir: join(root, `kafka-${name}`) });
    await runQuery('kafka', log, () => Engine.open({ log, stateBackend: () => state, properties: { 'auto.offset.reset': 'earliest' } }), query, EVENTS);
  }
  // the floor: fetch every bid, produce it unchanged to an output topic, commit the offset per batch
  const log = new PrefixedLog(shared, `floor-${Date.now().toString(36)}-`);
  await createNexmarkTopics(log);
  await writeEvents(log, gen, 0, EVENTS);
  await log.createTopic('floor_out', { partitions: 1 });
  const span = startSpan();
  let offset = 0n;
  let copied = 0;
  const end = await log.latestOffset('bid', 0);
  while (offset < end) {
    const f = await log.fetch('bid', 0, offset, { maxRecords: 500 });
    await log.produce(f.records.map((r) => ({ topic: 'floor_out', partition: 0, key: r.key, value: r.value, timestamp: r.timestamp })));
    await log.commitOffsets('floor', [{ topic: 'bid', partition: 0, offset: f.nextOffset }]);
    copied += f.records.length;
    offset = f.nextOffset;
  }
  const s = span();
  report({ backend: 'kafka', query: 'floor', events: copied, seconds: s.wallSeconds, cpu: s.cpuSeconds });
} finally {
  await shared.close();
  await cluster.stop();
  await rm(root, { recursive: true, force: true });
}
