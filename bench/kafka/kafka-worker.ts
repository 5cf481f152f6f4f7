/**
 * One measured process of `npm run bench:kafka`, forked by kafka-nexmark.ts (so its CPU time is
 * Sluice's or the floor's alone). Talks to the parent over IPC:
 *
 *   embedded: writes the events into a fresh embedded log, runs the query until idle, reports
 *   sluice:   opens an engine on Kafka (the leader also declares the sources), 'opened'; on 'go' the
 *             leader executes the query and every process runs its queries until 'stop', then reports
 *   floor:    a kafkajs consumer group member copying every bid to an output topic, committing each
 *             batch, from 'go' until 'stop'
 */
import { Kafka, logLevel } from 'kafkajs';
import { Engine } from '../../src/index.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { createNexmarkTopics, NexmarkGenerator, writeEvents } from '../nexmark/generator.js';
import { startSpan, type Span } from '../nexmark/measure.js';
import { QUERIES, SOURCES_DDL } from '../nexmark/queries.js';

export type WorkerJob =
  | { readonly kind: 'embedded'; readonly dir: string; readonly query: string; readonly events: number; readonly partitions: number }
  | { readonly kind: 'sluice'; readonly dir: string; readonly query: string; readonly bootstrap: string; readonly serviceId: string; readonly prefix: string; readonly leader: boolean }
  | { readonly kind: 'floor'; readonly bootstrap: string; readonly prefix: string; readonly group: string };

export type WorkerMessage = { readonly type: 'opened' } | { readonly type: 'done'; readonly span: Span; readonly recordsIn?: number; readonly detail?: string } | { readonly type: 'error'; readonly message: string };

/** every KAFKA_TOPIC of the statements with the run's prefix: each run its own topics on the one broker */
export function withPrefix(sql: string, prefix: string): string {
  return sql.replace(/KAFKA_TOPIC='([^']+)'/gi, (_, t: string) => `KAFKA_TOPIC='${prefix}${t}'`);
}

const send = (m: WorkerMessage) => new Promise<void>((r) => process.send!(m, () => r()));
/** the parent's commands in order, none lost while the worker is busy */
const inbox: string[] = [];
let waiting: ((m: string) => void) | undefined;
process.on('message', (m: string) => {
  if (waiting) {
    const w = waiting;
    waiting = undefined;
    w(m);
  } else inbox.push(m);
});
const next = (): Promise<string> => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise((r) => (waiting = r)));

async function embedded(job: Extract<WorkerJob, { kind: 'embedded' }>): Promise<void> {
  const query = QUERIES.find((q) => q.name === job.query)!;
  const log = await openLocalLog(job.dir);
  await createNexmarkTopics(log, job.partitions);
  await writeEvents(log, new NexmarkGenerator(), 0, job.events);
  const engine = await Engine.open({ log, properties: { 'auto.offset.reset': 'earliest' } });
  try {
    await engine.execute(SOURCES_DDL);
    const span = startSpan();
    await engine.execute(query.sql);
    await engine.runUntilIdle();
    const s = span();
    const failed = engine.failedQueries();
    if (failed.length) throw new Error(`${query.name} failed: ${failed[0]!.error.message}`);
    await send({ type: 'done', span: s });
  } finally {
    await engine.close();
    await log.close();
  }
}

async function sluice(job: Extract<WorkerJob, { kind: 'sluice' }>): Promise<void> {
  const query = QUERIES.find((q) => q.name === job.query)!;
  const engine = await Engine.open({
    dataDir: job.dir,
    kafka: { 'bootstrap.servers': job.bootstrap, 'ksql.service.id': job.serviceId, 'client.id': `sluice-bench-${process.pid}` },
    properties: { 'auto.offset.reset': 'earliest' },
  });
  try {
    if (job.leader) await engine.execute(withPrefix(SOURCES_DDL, job.prefix));
    await send({ type: 'opened' });
    await next(); // go
    const span = startSpan();
    if (job.leader) await engine.execute(withPrefix(query.sql, job.prefix));
    engine.start();
    await next(); // stop
    const s = span();
    const failed = engine.failedQueries();
    if (failed.length) throw new Error(`${query.name} failed: ${failed[0]!.error.message}`);
    // what this process read: its share of the input (and of the repartition topic)
    const recordsIn = (await engine.metrics()).queries.filter((q) => q.persistent).reduce((n, q) => n + q.recordsIn, 0);
    await send({ type: 'done', span: s, recordsIn });
  } finally {
    await engine.close();
  }
}

async function floor(job: Extract<WorkerJob, { kind: 'floor' }>): Promise<void> {
  const kafka = new Kafka({ brokers: job.bootstrap.split(','), clientId: `sluice-bench-floor-${process.pid}`, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: job.group, allowAutoTopicCreation: false });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: `${job.prefix}bid`, fromBeginning: true });
  await send({ type: 'opened' });
  await next(); // go
  const span = startSpan();
  let copied = 0;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return;
      await producer.send({
        topic: `${job.prefix}floor_out`,
        acks: -1,
        messages: batch.messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, headers: m.headers })),
      });
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      copied += batch.messages.length;
      await heartbeat();
    },
  });
  await next(); // stop
  const s = span();
  await send({ type: 'done', span: s, recordsIn: copied });
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
}

if (process.send) {
  const job = JSON.parse(process.argv[2]!) as WorkerJob;
  const run = job.kind === 'embedded' ? embedded(job) : job.kind === 'sluice' ? sluice(job) : floor(job);
  run.then(
    () => process.exit(0),
    async (e: unknown) => {
      await send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }).catch(() => {});
      process.exit(1);
    },
  );
}
