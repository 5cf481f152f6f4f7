import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTopic, jsonValues } from '../support/read-topic.js';
import { withEngine } from '../support/with-engine.js';
import { plan, stepShape } from './plan-fixture.js';

const SOURCES = `
  CREATE STREAM s (id INT KEY, v INT, name STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=2, VALUE_FORMAT='JSON');
  CREATE STREAM s2 (id INT KEY, w INT) WITH (KAFKA_TOPIC='s2', PARTITIONS=2, VALUE_FORMAT='JSON');
  CREATE TABLE t (id INT PRIMARY KEY, label STRING) WITH (KAFKA_TOPIC='t', PARTITIONS=2, VALUE_FORMAT='JSON');
  CREATE TABLE u (id INT PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='u', PARTITIONS=2, VALUE_FORMAT='JSON');`;

/** the query, and the ids of the repartition steps ksqlDB's plan would have (Sluice's names) */
const cases: [string, string, string[]][] = [
  ['GROUP BY the key', `CREATE TABLE q AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;`, []],
  ['GROUP BY a value column', `CREATE TABLE q AS SELECT name, COUNT(*) AS n FROM s GROUP BY name;`, ['Aggregate/GroupBy']],
  ['GROUP BY an expression of the key', `CREATE TABLE q AS SELECT ABS(id) AS a, COUNT(*) AS n FROM s GROUP BY ABS(id);`, ['Aggregate/GroupBy']],
  ['GROUP BY the key and more', `CREATE TABLE q WITH (KEY_FORMAT='JSON') AS SELECT id, name, COUNT(*) AS n FROM s GROUP BY id, name;`, ['Aggregate/GroupBy']],
  ['windowed GROUP BY a value column', `CREATE TABLE q AS SELECT name, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY name;`, ['Aggregate/TUMBLING/GroupBy']],
  ['a projection keeping the key, then GROUP BY it', `CREATE TABLE q AS SELECT id, COUNT(*) AS n FROM s WHERE v > 0 GROUP BY id;`, []],
  ['stream-table join on both keys', `CREATE STREAM q AS SELECT s.id, v, label FROM s JOIN t ON s.id = t.id;`, []],
  // the stream side is partitioned as the table's topic is (its key format, its partition count)
  ['stream-table join on a stream value column', `CREATE STREAM q AS SELECT t.id, v, label FROM s JOIN t ON s.v = t.id;`, ['Join/0/Left']],
  ['stream-stream join, one side on a value column', `CREATE STREAM q AS SELECT s2.id, v, w FROM s JOIN s2 WITHIN 1 MINUTE ON s.v = s2.id;`, ['Join/0/Left']],
  // an expression of the table key's type: only the stream side is repartitioned, like the table's topic
  ['stream-table join on an expression', `CREATE STREAM q AS SELECT t.id, v, label FROM s JOIN t ON s.v + 1 = t.id;`, ['Join/0/Left']],
  ['stream-stream join, both sides on value columns', `CREATE STREAM q AS SELECT s.v, w FROM s JOIN s2 WITHIN 1 MINUTE ON s.v = s2.w;`, ['Join/0/Left', 'Join/0/Right']],
  ['stream-stream join on both keys', `CREATE STREAM q AS SELECT s.id, v, w FROM s JOIN s2 WITHIN 1 MINUTE ON s.id = s2.id;`, []],
  ['three-way join on one key', `CREATE STREAM q AS SELECT s.id, v, w, label FROM s JOIN s2 WITHIN 1 MINUTE ON s.id = s2.id JOIN t ON s.id = t.id;`, []],
  ['table GROUP BY a non-key (run as one task instead)', `CREATE TABLE q AS SELECT v, COUNT(*) AS n FROM u GROUP BY v;`, []],
  ['PARTITION BY into the sink (the sink is the repartition)', `CREATE STREAM q AS SELECT * FROM s PARTITION BY name;`, []],
];

for (const [name, sql, expected] of cases) {
  test(`repartitions: ${name}`, async () => {
    await withEngine(async (engine) => {
      await engine.execute(SOURCES + sql);
      const [explained] = await engine.execute(`EXPLAIN ${engine.queryIds()[0]};`);
      const message = (explained as { message?: string }).message ?? '';
      const found = [...message.matchAll(/\[ StreamRepartition \] (\S+):/g)].map((m) => m[1]);
      assert.deepEqual(found, expected, message);
    });
  });
}

test('a stream-table join on an expression of the key type meets every table row, over 2 partitions', async () => {
  await withEngine(async (engine) => {
    // the stream side is repartitioned as the table's topic is (KAFKA INT key, 2 partitions), so
    // each stream record lands in the task holding its table row, whichever partition that is
    const rows = Array.from({ length: 12 }, (_, i) => `INSERT INTO t VALUES (${i + 1}, 'l${i + 1}');`).join('\n');
    const events = Array.from({ length: 12 }, (_, i) => `INSERT INTO s VALUES (${100 + i}, ${i}, 'n');`).join('\n');
    await engine.execute(`${SOURCES}
      ${rows}
      CREATE STREAM q AS SELECT t.id, v, label FROM s JOIN t ON s.v + 1 = t.id;
      ${events}`);
    await engine.runUntilIdle();
    const got = jsonValues(await readTopic(engine.log, 'Q')).sort((a, b) => a.V - b.V);
    assert.deepEqual(
      got,
      Array.from({ length: 12 }, (_, i) => ({ V: i, LABEL: `l${i + 1}` })),
    );
  });
});

test('a filter pushed below a stream-table join stays above the repartition of its side', () => {
  const planned = plan(
    "CREATE STREAM s AS SELECT o.customer_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id WHERE o.qty > 2 AND c.region = 'EU';",
  );
  assert.equal(stepShape(planned.plan.sink), 'StreamSink(StreamSelect(StreamFilter(StreamTableJoin(StreamFilter(StreamRepartition(StreamSource)), TableSource))))');
});
