/** PARTITION BY of a stream record without a value: only key-only key expressions can be computed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';
import { readTopic } from '../support/read-topic.js';

test("a tombstone's new key: expressions of the old key are computed, any other column makes it NULL", async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM input (id INT KEY, name STRING) WITH (KAFKA_TOPIC='input', PARTITIONS=1, FORMAT='JSON');
      CREATE STREAM by_null AS SELECT * FROM input PARTITION BY (name IS NULL);
      CREATE STREAM by_key AS SELECT * FROM input PARTITION BY id + 2, ABS(id), name;`);
    await engine.log.produce([
      { topic: 'input', key: Buffer.from('1'), value: null, timestamp: 1 },
      { topic: 'input', key: Buffer.from('2'), value: Buffer.from('{"NAME":null}'), timestamp: 2 },
    ]);
    await engine.runUntilIdle();
    const keys = async (topic: string) => (await readTopic(engine.log, topic)).map((r) => [r.key?.toString() ?? null, r.value?.toString() ?? null]);
    assert.deepEqual(await keys('BY_NULL'), [
      [null, null],
      ['true', '{"NAME":null,"ID":2}'],
    ]);
    assert.deepEqual(await keys('BY_KEY'), [
      ['{"KSQL_COL_0":3,"KSQL_COL_1":1,"NAME":null}', null],
      ['{"KSQL_COL_0":4,"KSQL_COL_1":2,"NAME":null}', '{"ID":2}'],
    ]);
  });
});
