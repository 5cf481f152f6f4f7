import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { ConfigError } from '../../src/common/errors.js';
import { streamThreads } from '../../src/runtime/task-threads.js';
import { tempDir } from '../support/temp-dir.js';
import { readTopic } from '../support/read-topic.js';

const text = (b: Buffer | null) => (b ? b.toString() : 'null');

/** every record of a topic as `partition|key|value`, per partition in offset order */
async function dump(engine: Engine, topic: string): Promise<string[]> {
  return (await readTopic(engine.log, topic)).map((r) => `${r.partition}|${text(r.key)}|${text(r.value)}`);
}

const DDL = `
  CREATE STREAM clicks (user STRING KEY, ms INT, page STRING) WITH (KAFKA_TOPIC='clicks', PARTITIONS=2, VALUE_FORMAT='JSON');
  CREATE STREAM slow WITH (KAFKA_TOPIC='slow') AS SELECT user, ms * 2 AS ms2, UCASE(page) AS page FROM clicks WHERE ms > 3 EMIT CHANGES;
  CREATE TABLE per_page WITH (KAFKA_TOPIC='per_page') AS SELECT page, COUNT(*) AS n, SUM(ms) AS total FROM clicks GROUP BY page EMIT CHANGES;`;

function inserts(engine: Engine, from: number, to: number): Promise<void> {
  const rows = [];
  for (let i = from; i < to; i++) rows.push({ user: `u${i % 7}`, ms: i % 11, page: `p${i % 5}` });
  return engine.insert('clicks', rows);
}

/** the number of task threads the engine started (a private field: the tasks must really have moved) */
const threadsOf = (engine: Engine) => (engine as unknown as { threadPool?: { size: number } }).threadPool?.size ?? 0;

/** runs the statements with `threads` task threads; returns both outputs and the query's metrics */
async function run(threads: number, dir: string, steps: ((e: Engine) => Promise<void>)[], properties: Record<string, string> = {}) {
  for (const step of steps) {
    const engine = await Engine.open({ dataDir: dir, properties: { 'auto.offset.reset': 'earliest', 'num.stream.threads': String(threads), ...properties } });
    try {
      await step(engine);
      await engine.runUntilIdle();
    } finally {
      await engine.close();
    }
  }
  const engine = await Engine.open({ dataDir: dir });
  try {
    return { slow: await dump(engine, 'slow'), perPage: await dump(engine, 'per_page') };
  } finally {
    await engine.close();
  }
}

test('num.stream.threads: a bad value is a configuration error; default 1', () => {
  assert.equal(streamThreads(new Map()), 1);
  assert.equal(streamThreads(new Map([['ksql.streams.num.stream.threads', '3']])), 3);
  assert.throws(() => streamThreads(new Map([['num.stream.threads', '0']])), ConfigError);
  assert.throws(() => streamThreads(new Map([['num.stream.threads', 'two']])), ConfigError);
});

type Dumped = { slow: string[]; perPage: string[] };

/**
 * The pipeline on 1 thread, then on 2 (each in a fresh directory): inputs 0..split, caught up,
 * then after a restart split..total
 */
async function onOneAndTwoThreads(split: number, total: number, properties: Record<string, string> = {}): Promise<[Dumped, Dumped]> {
  const results: Dumped[] = [];
  for (const threads of [1, 2]) {
    const dir = await tempDir();
    try {
      results.push(
        await run(
          threads,
          dir.path,
          [
            async (e) => {
              await e.execute(DDL);
              await inserts(e, 0, split);
              await e.runUntilIdle();
              // this thread runs one of the two tasks, a task thread the other
              assert.equal(threadsOf(e), threads === 1 ? 0 : 1);
            },
            // a restart resumes from the committed offsets and state: nothing twice, nothing lost
            async (e) => {
              await inserts(e, split, total);
            },
          ],
          properties,
        ),
      );
    } finally {
      await dir.cleanup();
    }
  }
  return results as [Dumped, Dumped];
}

/** each page's last count */
const lastOf = (rows: string[]) => new Map(rows.map((r) => [r.split('|')[1], r.split('|')[2]]));

test('2 partitions on 2 task threads write exactly what one thread writes, across a restart', async () => {
  const [one, two] = await onOneAndTwoThreads(120, 200);
  assert.ok(one.slow.length > 100, `the stateless query wrote ${one.slow.length} records`);
  assert.equal(one.perPage.length, 200, 'one update per input record');
  // a partition is one task's: its output order is the same however many threads
  assert.deepEqual(two.slow, one.slow);
  // the GROUP BY reads a repartition topic that both upstream tasks write at once, so updates of
  // different inputs may interleave differently; each page's count runs 1..40 and the totals agree
  assert.equal(two.perPage.length, one.perPage.length);
  assert.deepEqual(lastOf(two.perPage), lastOf(one.perPage));
  const counts = (rows: string[]) => rows.map((r) => `${r.split('|')[1]}:${(JSON.parse(r.split('|')[2]!) as { N: number }).N}`).sort();
  assert.deepEqual(counts(two.perPage), counts(one.perPage));
  assert.deepEqual([...lastOf(two.perPage).values()].map((v) => (JSON.parse(v!) as { N: number }).N), [40, 40, 40, 40, 40]);
});

test('small polls: a task thread reading in chunks and merging queued commits writes what one thread writes, across a restart', async () => {
  // 3 records per poll: a task thread's chunks of 4 polls are served in parts, read ahead, and
  // its many small commits queue behind one another (merged into one transaction)
  const [one, two] = await onOneAndTwoThreads(150, 260, { 'max.poll.records': '3' });
  assert.ok(one.slow.length > 150, `the stateless query wrote ${one.slow.length} records`);
  assert.deepEqual(two.slow, one.slow);
  assert.equal(two.perPage.length, 260);
  assert.deepEqual(lastOf(two.perPage), lastOf(one.perPage));
  assert.deepEqual([...lastOf(two.perPage).values()].map((v) => (JSON.parse(v!) as { N: number }).N), [52, 52, 52, 52, 52]);
});

test('on task threads: metrics, processing-log entries and a failed query are reported on the main thread', async () => {
  const dir = await tempDir();
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', 'num.stream.threads': '2' } });
  try {
    await engine.execute(`
      CREATE STREAM nums (id INT KEY, v STRING) WITH (KAFKA_TOPIC='nums', PARTITIONS=2, VALUE_FORMAT='JSON');
      CREATE STREAM parsed WITH (KAFKA_TOPIC='parsed') AS SELECT id, CAST(v AS INT) * 10 AS n FROM nums EMIT CHANGES;`);
    for (let i = 0; i < 20; i++) await engine.execute(`INSERT INTO nums (id, v) VALUES (${i}, '${i}');`);
    await engine.log.produce([{ topic: 'nums', partition: 1, key: null, value: Buffer.from('{not json') }]);
    await engine.runUntilIdle();
    const out = await readTopic(engine.log, 'parsed');
    assert.equal(out.length, 20);
    assert.deepEqual(new Set(out.map((r) => r.partition)), new Set([0, 1]));
    const errors = engine.processingLog.filter((e) => e.type === 'DESERIALIZATION_ERROR');
    assert.equal(errors.length, 1, 'the bad record was logged once');
    assert.equal(errors[0]!.partition, 1);
    const metrics = await engine.metrics();
    const q = metrics.queries.find((m) => m.queryId.includes('PARSED'))!;
    assert.ok(q, 'the query has metrics');
    const recordsIn = q.operators.reduce((n, o) => Math.max(n, o.recordsIn), 0);
    assert.equal(recordsIn, 21, 'every record read, counted once across both threads');
    assert.ok(q.commits.count > 0);
    assert.equal(engine.failedQueries().length, 0);
    assert.equal(threadsOf(engine), 1);
  } finally {
    await engine.close();
    await dir.cleanup();
  }
});

test('a co-partitioned stream-table join and a windowed count on 2 task threads write what one thread writes', async () => {
  const outputs = [];
  for (const threads of [1, 2]) {
    const dir = await tempDir();
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', 'num.stream.threads': String(threads) } });
    try {
      await engine.execute(`
        CREATE TABLE users (user STRING PRIMARY KEY, region STRING) WITH (KAFKA_TOPIC='users', PARTITIONS=2, VALUE_FORMAT='JSON');
        CREATE STREAM visits (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='visits', PARTITIONS=2, VALUE_FORMAT='JSON');
        CREATE STREAM enriched WITH (KAFKA_TOPIC='enriched') AS
          SELECT v.user AS user, v.page AS page, u.region AS region FROM visits v JOIN users u ON v.user = u.user EMIT CHANGES;
        CREATE TABLE per_user WITH (KAFKA_TOPIC='per_user') AS
          SELECT user, COUNT(*) AS n FROM visits WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY user EMIT CHANGES;`);
      await engine.insert('users', Array.from({ length: 6 }, (_, i) => ({ user: `u${i}`, region: `r${i % 3}`, ROWTIME: 0 })));
      await engine.runUntilIdle();
      await engine.insert('visits', Array.from({ length: 90 }, (_, i) => ({ user: `u${i % 7}`, page: `p${i}`, ROWTIME: 1000 + i * 500 })));
      await engine.runUntilIdle();
      assert.equal(threadsOf(engine), threads === 1 ? 0 : 1);
      outputs.push({ enriched: await dump(engine, 'enriched'), perUser: await dump(engine, 'per_user') });
    } finally {
      await engine.close();
      await dir.cleanup();
    }
  }
  const [one, two] = outputs as [{ enriched: string[]; perUser: string[] }, { enriched: string[]; perUser: string[] }];
  // u6 has no user row: 90 visits, 12 of them u6's
  assert.equal(one.enriched.length, 90 - 12);
  assert.ok(one.perUser.length >= 90, `${one.perUser.length} window updates`);
  // keyed records: each partition is one task's, in the same order however many threads
  assert.deepEqual(two.enriched, one.enriched);
  assert.deepEqual(two.perUser, one.perUser);
});
