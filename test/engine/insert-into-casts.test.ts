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
