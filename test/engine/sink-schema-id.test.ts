/** CREATE ... AS SELECT with VALUE_SCHEMA_ID: the registered schema must hold the query's columns first, in order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngine } from '../support/with-engine.js';

const record = (fields: object[]) => JSON.stringify({ type: 'record', name: 'blah', fields });

test('a registered schema that changes, misses or reorders the query columns is refused; extra fields after them are not', async () => {
  await withEngine(async (engine) => {
    await engine.execute("CREATE STREAM input (`id` INT KEY, `c1` INT) WITH (kafka_topic='input', value_format='avro', partitions=1);");
    const registry = engine.schemaRegistry;
    const changed = registry.register('o1-value', 'AVRO', record([{ name: 'c1', type: 'string' }, { name: 'c2', type: 'double' }]));
    const reordered = registry.register('o2-value', 'AVRO', record([{ name: 'c2', type: 'double' }, { name: 'c1', type: 'int' }]));
    const extra = registry.register('o3-value', 'AVRO', record([{ name: 'c1', type: 'int' }, { name: 'c2', type: 'int', default: 100 }]));
    await assert.rejects(
      engine.execute(`CREATE STREAM o1 WITH (kafka_topic='o1', value_schema_id=${changed}) AS SELECT * FROM input;`),
      /The following value columns are changed, missing or reordered: \[`c1` INTEGER\]\. Schema from schema registry is \[`c1` STRING, `c2` DOUBLE\]/,
    );
    await assert.rejects(
      engine.execute(`CREATE STREAM o2 WITH (kafka_topic='o2', value_schema_id=${reordered}) AS SELECT * FROM input;`),
      /Schema from schema registry is \[`c2` DOUBLE, `c1` INTEGER\]/,
    );
    await engine.execute(`CREATE STREAM o3 WITH (kafka_topic='o3', value_schema_id=${extra}) AS SELECT * FROM input;`);
    assert.ok(engine.catalog.getSource('O3'));
  });
});
