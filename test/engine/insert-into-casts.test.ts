/** INSERT INTO ... SELECT casts the result to the sink's types where ksqlDB casts implicitly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';
import { jsonValues, readTopic } from '../support/read-topic.js';

test('numbers widen into the sink columns; other type differences are refused', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM src (ignored STRING) WITH (kafka_topic='src', value_format='JSON', partitions=1);
      CREATE STREAM target (c1 DECIMAL(5, 2), c2 DECIMAL(5, 2), c3 DOUBLE) WITH (kafka_topic='target', value_format='JSON', partitions=1);
      INSERT INTO target SELECT 1 AS c1, 2.0 AS c2, 3 AS c3 FROM src;
      INSERT INTO src (ignored) VALUES ('x');`);
    await engine.runUntilIdle();
    assert.deepEqual(jsonValues(await readTopic(engine.log, 'target')), [{ C1: 1, C2: 2, C3: 3 }]);
    await assert.rejects(engine.execute("INSERT INTO target SELECT 'a' AS c1, 2.0 AS c2, 3 AS c3 FROM src;"), /Incompatible schema between results and sink/);
  });
});

test("a join's key cast into the sink's key type still reads the join key (a LEFT join's missing side cannot null it)", async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM l (id INT KEY, v STRING) WITH (kafka_topic='l', value_format='JSON', key_format='JSON', partitions=1);
      CREATE TABLE r (id INT PRIMARY KEY, w STRING) WITH (kafka_topic='r', value_format='JSON', key_format='JSON', partitions=1);
      CREATE STREAM joined (r_id DECIMAL(5, 2) KEY, v STRING, w STRING) WITH (kafka_topic='joined', value_format='JSON', key_format='JSON', partitions=1);
      INSERT INTO joined SELECT r.id AS r_id, v, w FROM l LEFT JOIN r ON l.id = r.id;
      INSERT INTO l (id, v) VALUES (7, 'x');`);
    await engine.runUntilIdle();
    const out = await readTopic(engine.log, 'joined');
    assert.deepEqual(out.map((r) => r.key?.toString('utf8')), ['7.00']);
    assert.deepEqual(jsonValues(out), [{ V: 'x', W: null }]);
  });
});
