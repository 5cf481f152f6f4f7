/** Names of projected struct fields, from ksqlDB's column alias generator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';

test('a struct field is named after the field unless a source column or an earlier field took the name', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM orders (K STRING KEY, itemid STRUCT<itemid BIGINT, name STRING, category STRUCT<name STRING>>)
        WITH (kafka_topic='o', value_format='JSON', partitions=1);
      CREATE STREAM s AS SELECT K, itemid->itemid, itemid->name, itemid->category->name, itemid->itemid AS own FROM orders;`);
    const names = engine.catalog.getSource('S')!.schema.columns.map((c) => c.name);
    assert.deepEqual(names, ['K', 'ITEMID_1', 'NAME', 'NAME_1', 'OWN']);
  });
});
