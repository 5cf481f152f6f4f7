import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { Engine, ExecutionError } from '../../src/index.js';
import { COMMAND_TOPIC, PLAN_VERSION } from '../../src/engine/command-log.js';
import type { Command } from '../../src/engine/command-log.js';
import { decodePlanJson, encodePlanJson } from '../../src/engine/plan-codec.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { repoRoot } from '../support/repo-root.js';
import { jsonValues, readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

const FIXTURE = () => join(repoRoot(), 'test', 'engine', 'fixtures', 'stored-plan-v1', 'commands.jsonl');

/** A data directory whose command log holds these records, as if an earlier Sluice had written them. */
async function seedCommandLog(dir: string, lines: readonly string[]): Promise<void> {
  const log = await openLocalLog(dir);
  try {
    await log.createTopic(COMMAND_TOPIC, { partitions: 1, config: { 'retention.ms': -1, 'retention.bytes': -1 } });
    await log.produce(lines.map((line) => ({ topic: COMMAND_TOPIC, partition: 0, key: null, value: Buffer.from(line) })));
  } finally {
    await log.close();
  }
}

const fixtureLines = async () => (await readFile(FIXTURE(), 'utf8')).split('\n').filter((l) => l.trim());

test('restore runs the stored plans of a committed fixture, not what the planner makes of the SQL today', async () => {
  const dir = await tempDir();
  try {
    await seedCommandLog(dir.path, await fixtureLines());
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      assert.deepEqual(engine.queryIds().sort(), ['CSAS_BIG_1', 'CTAS_COUNTS_2']);
      assert.deepEqual(engine.catalog.listSources().map((s) => s.name), ['BIG', 'COUNTS', 'KSQL_PROCESSING_LOG', 'ORDERS']);
      assert.equal(engine.catalog.getSource('BIG')!.createdByQuery, 'CSAS_BIG_1');
      await engine.execute(`INSERT INTO orders (id, item, qty, price) VALUES (1, 'pen', 2, 1.5);
        INSERT INTO orders (id, item, qty, price) VALUES (2, 'pen', 5, 1.0);
        INSERT INTO orders (id, item, qty, price) VALUES (3, 'ink', 1, 3.0);`);
      await engine.runUntilIdle();
      // the SQL says qty * 2; the stored plan says qty * 3, and the stored plan is what runs
      assert.deepEqual(jsonValues(await readTopic(engine.log, 'BIG')), [
        { ITEM: 'pen', QTY2: 6 },
        { ITEM: 'pen', QTY2: 15 },
      ]);
      // the aggregate keeps the state layout it was started with: its store is the stored step's
      const changelogs = (await engine.log.listTopics()).filter((t) => t.startsWith('_sluice-CTAS_COUNTS_2-'));
      assert.deepEqual(changelogs, ['_sluice-CTAS_COUNTS_2-StoredAggregate-changelog']);
      const explained = (await engine.execute('EXPLAIN CTAS_COUNTS_2;'))[0]!.message;
      assert.match(explained, /StoredAggregate/);
      // a fresh plan of the same SQL would differ: the fixture is not what today's planner makes
      const fresh = (await engine.execute(`EXPLAIN CREATE TABLE counts2 AS SELECT item, COUNT(*) AS n FROM orders GROUP BY item;`))[0]!.message;
      assert.doesNotMatch(fresh, /StoredAggregate/);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});

test('a query created now is recorded with its plan, and a restart runs that plan', async () => {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`CREATE STREAM s (id INT KEY, v DECIMAL(6,2)) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM t AS SELECT id, v * 2 AS w FROM s WHERE v > 1.50;`);
    await engine.close();
    const log = await openLocalLog(dir.path);
    const commands = (await log.fetch(COMMAND_TOPIC, 0, 0n, { maxRecords: 10 })).records.map((r) => decodePlanJson<Command>(r.value!.toString()));
    await log.close();
    assert.equal(commands.length, 2);
    assert.equal(commands[0]!.query, undefined);
    const stored = commands[1]!.query!;
    assert.equal(stored.planVersion, PLAN_VERSION);
    assert.equal(stored.plan.queryId, 'CSAS_T_1');
    assert.equal(stored.createsSource?.name, 'T');
    assert.deepEqual(stored.inputSources, ['S']);

    engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      assert.deepEqual(engine.queryIds(), ['CSAS_T_1']);
      await engine.execute(`INSERT INTO s (id, v) VALUES (1, 2.25); INSERT INTO s (id, v) VALUES (2, 1.00);`);
      await engine.runUntilIdle();
      assert.deepEqual(jsonValues(await readTopic(engine.log, 'T')), [{ W: 4.5 }]);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});

test('a stored plan of an unknown plan version is refused with a clear error', async () => {
  const dir = await tempDir();
  try {
    const lines = await fixtureLines();
    const future = JSON.parse(lines[1]!) as { query: { planVersion: number } };
    future.query.planVersion = 99;
    await seedCommandLog(dir.path, [lines[0]!, JSON.stringify(future)]);
    await assert.rejects(Engine.open({ dataDir: dir.path }), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.match(e.message, /Cannot restore query CSAS_BIG_1: its stored plan has version 99, and this version of Sluice runs plan version 1 only/);
      return true;
    });
  } finally {
    await dir.cleanup();
  }
});

test('a stored plan with a step kind this Sluice has no operator for is refused with a clear error', async () => {
  const dir = await tempDir();
  try {
    const lines = await fixtureLines();
    const odd = JSON.parse(lines[1]!) as { query: { plan: { sink: { input: { kind: string } } } } };
    odd.query.plan.sink.input.kind = 'StreamTeleport';
    await seedCommandLog(dir.path, [lines[0]!, JSON.stringify(odd)]);
    await assert.rejects(Engine.open({ dataDir: dir.path }), /no operator for plan step kind 'StreamTeleport'/);
  } finally {
    await dir.cleanup();
  }
});

test('a CREATE STREAM is restored from its stored definition, not by re-reading its SQL', async () => {
  const dir = await tempDir();
  try {
    const [line] = await fixtureLines();
    const command = JSON.parse(line!) as { source: { source: { schema: { columns: unknown[] } } } };
    // as if an older Sluice had defined the stream with one more column than today's reading of the SQL gives
    command.source.source.schema.columns.push({ name: 'NOTE', type: { kind: 'STRING' }, namespace: 'VALUE' });
    await seedCommandLog(dir.path, [JSON.stringify(command)]);
    const engine = await Engine.open({ dataDir: dir.path });
    try {
      assert.deepEqual(engine.catalog.getSource('ORDERS')!.schema.columns.map((c) => c.name), ['ID', 'ITEM', 'QTY', 'PRICE', 'NOTE']);
      assert.ok((await engine.log.listTopics()).includes('orders'), 'the topic it created is created again');
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});

test('a command log written before stored plans (SQL only) is still replayed by re-planning', async () => {
  const dir = await tempDir();
  try {
    const legacy = (await fixtureLines()).map((l) => {
      const { sql, properties, queryId } = JSON.parse(l) as Command;
      return JSON.stringify({ sql, properties, ...(queryId ? { queryId } : {}) });
    });
    await seedCommandLog(dir.path, legacy);
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      assert.deepEqual(engine.queryIds().sort(), ['CSAS_BIG_1', 'CTAS_COUNTS_2']);
      await engine.execute(`INSERT INTO orders (id, item, qty, price) VALUES (1, 'pen', 2, 1.5);`);
      await engine.runUntilIdle();
      // re-planned from the SQL: qty * 2
      assert.deepEqual(jsonValues(await readTopic(engine.log, 'BIG')), [{ ITEM: 'pen', QTY2: 4 }]);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});

const ROUND_TRIP: readonly [string, unknown][] = [
  ['bigint', 12345678901234567890n],
  ['negative bigint', -5n],
  ['decimal', new Decimal('123.4500')],
  ['bytes', Buffer.from([0, 1, 254, 255])],
  ['NaN', NaN],
  ['-Infinity', -Infinity],
  ['-0', -0],
  ['nested plain data', { kind: 'StreamSomething', id: 'X', values: [1, 'a', null, true, { n: 2n }] }],
  ['an object that only looks tagged', { $bigint: '1', other: 2 }],
];

for (const [name, value] of ROUND_TRIP) {
  test(`the plan codec round-trips ${name}`, () => {
    const text = encodePlanJson({ v: value });
    const back = decodePlanJson<{ v: unknown }>(text).v;
    if (value instanceof Decimal) assert.ok(back instanceof Decimal && back.equals(value));
    else assert.deepEqual(back, value);
    if (typeof value === 'number') assert.ok(Object.is(back, value));
  });
}

test('the plan codec refuses what is not plain data rather than losing it', () => {
  assert.throws(() => encodePlanJson({ step: { lookup: new Map([[1, 2]]) } }), /must be plain data: 'lookup' is a Map/);
  assert.throws(() => encodePlanJson({ step: { f: () => 1 } }), /must be plain data: 'f' is a function/);
});
