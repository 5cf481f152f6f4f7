/** A join's sides must be partitioned alike (ksqlDB's checks), else the statement fails before it runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';

test('a stream and a table joined on their keys with different partition counts are refused; a repartitioned side is not', async () => {
  await withEngine(async (engine) => {
    await engine.execute(
      "CREATE STREAM s1 (id INT KEY, v BIGINT) WITH (kafka_topic='s1', partitions=1, value_format='JSON');\n" +
        "CREATE TABLE t2 (id INT PRIMARY KEY, v BIGINT) WITH (kafka_topic='t2', partitions=1, value_format='JSON');\n" +
        "CREATE TABLE t3 (id INT PRIMARY KEY, v BIGINT) WITH (kafka_topic='t3', partitions=2, value_format='JSON');",
    );
    await assert.rejects(engine.execute('CREATE STREAM o AS SELECT * FROM s1 JOIN t2 ON s1.id = t2.id JOIN t3 ON s1.id = t3.id;'), (e: Error) => {
      assert.equal(
        e.message.split('\n')[0],
        "Can't join `S1` with `T3` since the number of partitions don't match. `S1` partitions = 1; `T3` partitions = 2. Please repartition either one so that the number of partitions match.",
      );
      return true;
    });
    // joined on a value column, the stream is repartitioned like the table: accepted
    await engine.execute('CREATE STREAM o2 AS SELECT s1.id AS sid, t3.id AS tid, s1.v FROM s1 JOIN t3 ON CAST(s1.v AS INT) = t3.id;');
    assert.ok(engine.catalog.getSource('O2'));
  });
});

test('windowed sources are not repartitioned: a join on a value column is refused, one on their windowed keys is not', async () => {
  await withEngine(async (engine) => {
    await engine.execute(
      "CREATE STREAM w1 (id INT KEY, v INT) WITH (kafka_topic='w1', partitions=1, value_format='JSON', WINDOW_TYPE='Hopping', WINDOW_SIZE='5 SECONDS');\n" +
        "CREATE STREAM w2 (id INT KEY, v INT) WITH (kafka_topic='w2', partitions=1, value_format='JSON', WINDOW_TYPE='Tumbling', WINDOW_SIZE='2 SECONDS');\n" +
        "CREATE STREAM w3 (id INT KEY, v INT) WITH (kafka_topic='w3', partitions=1, value_format='JSON', WINDOW_TYPE='Hopping', WINDOW_SIZE='5 SECONDS');",
    );
    await assert.rejects(
      engine.execute('CREATE STREAM o AS SELECT * FROM w1 JOIN w3 WITHIN 1 MINUTE ON w1.id = w3.v;'),
      /Implicit repartitioning of windowed sources is not supported/,
    );
    // windowed keys match on the key and the window start, whatever the windows' sizes (ksqlDB's newer behaviour)
    await engine.execute('CREATE STREAM o2 AS SELECT * FROM w1 JOIN w2 WITHIN 1 MINUTE ON w1.id = w2.id;');
    await engine.execute('CREATE STREAM o3 AS SELECT * FROM w1 JOIN w3 WITHIN 1 MINUTE ON w1.id = w3.id;');
    const columns = engine.catalog.getSource('O2')!.schema.columns.map((c) => c.name);
    assert.deepEqual(columns, ['W1_ID', 'W1_WINDOWSTART', 'W1_WINDOWEND', 'W1_V', 'W2_ID', 'W2_WINDOWSTART', 'W2_WINDOWEND', 'W2_V']);
  });
});
