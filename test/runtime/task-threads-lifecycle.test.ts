/**
 * Task threads (num.stream.threads > 1): what happens around the records: offsets committed per
 * task, failures on a thread reported on the main thread as the query's ExecutionError (and never
 * hanging the loop), threads that die, and shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { ExecutionError } from '../../src/common/errors.js';
import { packFetched, packProduce, packWrites, unpackFetched, unpackProduce, unpackWrites } from '../../src/runtime/task-thread-protocol.js';
import { tempDir } from '../support/temp-dir.js';
import { readTopic } from '../support/read-topic.js';

const DDL = `
  CREATE STREAM nums (id INT KEY, v STRING) WITH (KAFKA_TOPIC='nums', PARTITIONS=2, VALUE_FORMAT='JSON');
  CREATE STREAM tens WITH (KAFKA_TOPIC='tens') AS SELECT id, CAST(v AS INT) * 10 AS n FROM nums EMIT CHANGES;`;

interface PoolView {
  size: number;
  threads: { worker: { terminate(): Promise<number> }; tasks: number }[];
  handles: Map<string, unknown>;
}
/** the engine's task-thread pool (private: the tests check what really runs where) */
const poolOf = (engine: Engine) => (engine as unknown as { threadPool?: PoolView }).threadPool;

async function withEngine(properties: Record<string, string>, fn: (engine: Engine) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', 'num.stream.threads': '2', ...properties } });
  try {
    await fn(engine);
  } finally {
    await engine.close();
    await dir.cleanup();
  }
}

const insertNums = async (engine: Engine, from: number, to: number) => {
  for (let i = from; i < to; i++) await engine.execute(`INSERT INTO nums (id, v) VALUES (${i}, '${i}');`);
};

/** fails the test instead of hanging it */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const queryIdOf = (engine: Engine, part: string) => engine.queryIds().find((id) => id.includes(part))!;

test('packed batches round-trip records, produce records and state writes', () => {
  const fetched = [
    { topic: 't', partition: 1, offset: 7n, timestamp: 1700000000123, key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: [{ key: 'h', value: Buffer.from('x') }] },
    { topic: 't', partition: 1, offset: 8n, timestamp: 5, key: null, value: null, headers: [] },
  ];
  // their fields (fetched records are instances of a class, not plain objects)
  assert.deepEqual(unpackFetched(packFetched(fetched), 't', 1).map((r) => ({ ...r })), fetched);
  const produce = [
    { topic: 'a', key: Buffer.from('k'), value: Buffer.from('v'), partition: 0, timestamp: 3 },
    { topic: 'b-changelog', key: Buffer.from('k2'), value: null, headers: [{ key: 'ü', value: null }] },
  ];
  assert.deepEqual(unpackProduce(packProduce(produce)), produce);
  const writes = [
    { key: Buffer.from([1, 2]), value: Buffer.from([3]) },
    { key: Buffer.from([4]), value: null },
  ];
  assert.deepEqual(unpackWrites(packWrites(writes)), writes);
});

test('each task commits the offsets of its own partition', async () => {
  await withEngine({}, async (engine) => {
    await engine.execute(DDL);
    await insertNums(engine, 0, 30);
    await engine.runUntilIdle();
    assert.equal(poolOf(engine)?.size, 1, 'one task here, one on a task thread');
    const queryId = queryIdOf(engine, 'TENS');
    const committed = await engine.log.committedOffsets(queryId, 'nums');
    const ends = await Promise.all([0, 1].map((p) => engine.log.latestOffset('nums', p)));
    assert.deepEqual(
      committed.map((c) => [c.partition, c.offset]).sort(),
      ends.map((end, p) => [p, end]),
      'both partitions committed up to their end',
    );
    assert.ok(ends[0]! > 0n && ends[1]! > 0n, 'both partitions have records');
    assert.equal((await readTopic(engine.log, 'tens')).length, 30);
  });
});

test('a deserialization failure on a task thread stops the query with an ExecutionError; other queries run on', async () => {
  await withEngine({ 'ksql.fail.on.deserialization.error': 'true' }, async (engine) => {
    await engine.execute(`${DDL}
      CREATE STREAM other (id INT KEY, v STRING) WITH (KAFKA_TOPIC='other', PARTITIONS=2, VALUE_FORMAT='JSON');
      CREATE STREAM other_copy WITH (KAFKA_TOPIC='other_copy') AS SELECT * FROM other EMIT CHANGES;`);
    const insertOther = (from: number, to: number) => engine.insert('other', Array.from({ length: to - from }, (_, i) => ({ id: from + i, v: 'x' })));
    await insertNums(engine, 0, 10);
    await insertOther(0, 10);
    await engine.log.produce([{ topic: 'nums', partition: 1, key: null, value: Buffer.from('{not json') }]);
    await within(20_000, 'runUntilIdle', engine.runUntilIdle());
    const failed = engine.failedQueries();
    assert.deepEqual(
      failed.map((f) => f.queryId),
      [queryIdOf(engine, 'TENS')],
    );
    assert.ok(failed[0]!.error instanceof ExecutionError, `an ExecutionError, not ${failed[0]!.error.constructor.name}`);
    assert.ok(engine.processingLog.some((e) => e.type === 'DESERIALIZATION_ERROR'));
    // the other query on the same threads is unaffected and keeps going
    await insertOther(10, 14);
    await within(20_000, 'runUntilIdle', engine.runUntilIdle());
    assert.equal((await readTopic(engine.log, 'other_copy')).length, 14);
    assert.equal(poolOf(engine)?.size, 1);
  });
});

test('a production error on a task thread stops the query (default policy) and is logged; ksql.fail.on.production.error=false drops and continues', async () => {
  for (const [properties, fails] of [
    [{}, true],
    [{ 'ksql.fail.on.production.error': 'false' }, false],
  ] as const) {
    await withEngine(properties, async (engine) => {
      await engine.execute(DDL);
      await insertNums(engine, 0, 6);
      await engine.runUntilIdle();
      await engine.log.deleteTopic('tens');
      await insertNums(engine, 6, 12);
      await within(20_000, 'runUntilIdle', engine.runUntilIdle());
      assert.ok(engine.processingLog.some((e) => e.type === 'PRODUCTION_ERROR'), 'the production error was logged');
      const failed = engine.failedQueries();
      assert.equal(failed.length, fails ? 1 : 0);
      if (fails) assert.ok(failed[0]!.error instanceof ExecutionError);
      else {
        // the records are consumed past the bad output: its offsets are committed
        const queryId = queryIdOf(engine, 'TENS');
        const committed = await engine.log.committedOffsets(queryId, 'nums');
        const ends = await Promise.all([0, 1].map((p) => engine.log.latestOffset('nums', p)));
        assert.deepEqual(committed.map((c) => c.offset).sort(), [...ends].sort());
      }
    });
  }
});

test('a task thread that dies fails its queries with an ExecutionError without hanging; RESUME runs them on a new thread', async () => {
  await withEngine({}, async (engine) => {
    await engine.execute(DDL);
    await insertNums(engine, 0, 10);
    await engine.runUntilIdle();
    const pool = poolOf(engine)!;
    await pool.threads[0]!.worker.terminate();
    await insertNums(engine, 10, 20);
    await within(20_000, 'runUntilIdle', engine.runUntilIdle());
    const failed = engine.failedQueries();
    assert.equal(failed.length, 1);
    assert.ok(failed[0]!.error instanceof ExecutionError);
    assert.match(failed[0]!.error.message, /task thread/);
    // restarted from the last commit: every input once in the output, the rest read again
    engine.restartQuery(failed[0]!.queryId);
    await within(20_000, 'runUntilIdle', engine.runUntilIdle());
    assert.equal(engine.failedQueries().length, 0);
    const out = await readTopic(engine.log, 'tens');
    assert.deepEqual(out.map((r) => JSON.parse(r.value!.toString()).N as number).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i * 10));
  });
});

test('closing: TERMINATE closes a query\'s tasks on their threads; close() ends the threads while the loop runs, and twice is fine', async () => {
  const dir = await tempDir();
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', 'num.stream.threads': '3' } });
  try {
    await engine.execute(`${DDL}
      CREATE STREAM big WITH (KAFKA_TOPIC='big') AS SELECT id, v FROM nums WHERE id > 3 EMIT CHANGES;`);
    await insertNums(engine, 0, 10);
    await engine.runUntilIdle();
    const pool = poolOf(engine)!;
    // two queries of two tasks: each runs one here and one on the less busy of two task threads
    assert.equal(pool.handles.size, 2);
    assert.deepEqual(pool.threads.map((t) => t.tasks), [1, 1], 'spread over both task threads');
    await engine.execute(`TERMINATE ${queryIdOf(engine, 'BIG')};`);
    assert.equal(pool.handles.size, 1);
    engine.start();
    await insertNums(engine, 10, 20);
    await within(20_000, 'close', engine.close());
    assert.equal(pool.size, 0, 'the threads are gone');
    await engine.close();
  } finally {
    await engine.close();
    await dir.cleanup();
  }
});

test('queries that cannot leave the main thread stay there: a schema-registry format, a single task', async () => {
  await withEngine({}, async (engine) => {
    await engine.execute(`
      CREATE STREAM one (id INT KEY, v STRING) WITH (KAFKA_TOPIC='one', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM one_copy WITH (KAFKA_TOPIC='one_copy') AS SELECT * FROM one EMIT CHANGES;
      CREATE STREAM av (id INT KEY, v STRING) WITH (KAFKA_TOPIC='av', PARTITIONS=2, VALUE_FORMAT='AVRO');
      CREATE STREAM av_copy WITH (KAFKA_TOPIC='av_copy') AS SELECT * FROM av EMIT CHANGES;`);
    await engine.insert('one', [{ id: 1, v: 'a' }]);
    await engine.insert('av', [0, 1, 2, 3].map((id) => ({ id, v: `v${id}` })));
    await engine.runUntilIdle();
    assert.equal((await readTopic(engine.log, 'one_copy')).length, 1);
    assert.equal((await readTopic(engine.log, 'av_copy')).length, 4);
    assert.equal(poolOf(engine)?.handles.size ?? 0, 0, 'no task on a task thread');
  });
});
