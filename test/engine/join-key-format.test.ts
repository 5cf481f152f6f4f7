/** The key format of a join's result when its left side has no key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';

test("a key-less left side takes the other side's key format, as ksqlDB repartitions it by the join key", async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE TABLE T (ID INT PRIMARY KEY, VAL STRING) WITH (kafka_topic='t', key_format='KAFKA', value_format='JSON', partitions=1);
      CREATE STREAM S (ID INT) WITH (kafka_topic='s', key_format='NONE', value_format='JSON', partitions=1);
      CREATE STREAM OUTPUT AS SELECT S.ID, VAL FROM S JOIN T ON S.ID = T.ID;
      CREATE STREAM REKEYED AS SELECT ID FROM S PARTITION BY ID;`);
    assert.equal(engine.catalog.getSource('OUTPUT')!.keyFormat.format, 'KAFKA');
    // without a join, a key-less stream's new key takes the value format when it can hold keys
    assert.equal(engine.catalog.getSource('REKEYED')!.keyFormat.format, 'JSON');
  });
});
