import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine } from '../../src/index.js';
import { isSluiceError } from '../../src/index.js';
import { COMMAND_TOPIC } from '../../src/engine/command-log.js';
import { SCHEMAS_TOPIC } from '../../src/engine/schema-registry-log.js';
import { withEngine } from '../support/with-engine.js';
import type { QueryPlan } from '../../src/catalog/query-plan.js';
import { readSourceProperties } from '../../src/catalog/source-properties.js';
import { dryRunBuild } from '../../src/engine/dry-run.js';
import { operatorFactories } from '../../src/operators/index.js';
import { planPersistentQuery } from '../../src/planner/plan-persistent-query.js';

const SETUP = `
  CREATE STREAM orders (id BIGINT KEY, item STRING, qty INT, price DOUBLE) WITH (KAFKA_TOPIC='orders', PARTITIONS=2, VALUE_FORMAT='JSON');
  CREATE STREAM out_s (id BIGINT KEY, item STRING) WITH (KAFKA_TOPIC='out_s', PARTITIONS=1, VALUE_FORMAT='JSON');
  CREATE STREAM av (id INT KEY) WITH (KAFKA_TOPIC='av', PARTITIONS=1, KEY_FORMAT='AVRO', VALUE_FORMAT='AVRO', VALUE_SCHEMA_ID=2);
`;
// id 1: a value schema that does not fit ORDERS' columns; id 2: AV's value schema (NAME may not be null); id 3: not a valid Avro schema
const SCHEMAS = [
  { subject: 'other-value', schema: { type: 'record', name: 'Other', fields: [{ name: 'UNRELATED', type: 'boolean' }] }, id: 1 },
  { subject: 'av-value', schema: { type: 'record', name: 'Av', fields: [{ name: 'NAME', type: 'string' }] }, id: 2 },
  { subject: 'broken-value', schema: { type: 'record', name: 'Broken', fields: [{ name: 'X', type: 'no_such_type' }] }, id: 3 },
];

interface Case {
  readonly name: string;
  readonly sql: string;
}

/** Statements that fail validation; each must leave no topic, command, catalog entry or schema. */
const CASES: readonly Case[] = [
  { name: 'key format that cannot hold the key', sql: `CREATE STREAM s1 (id INT KEY, a INT) WITH (KAFKA_TOPIC='t1', PARTITIONS=1, KEY_FORMAT='NONE', VALUE_FORMAT='JSON');` },
  { name: 'serde that cannot be built (DELIMITED with a STRUCT)', sql: `CREATE STREAM s2 (a STRUCT<x INT>, b INT) WITH (KAFKA_TOPIC='t2', PARTITIONS=1, VALUE_FORMAT='DELIMITED');` },
  { name: 'unknown schema id to infer from', sql: `CREATE STREAM s3 WITH (KAFKA_TOPIC='t3', PARTITIONS=1, VALUE_FORMAT='AVRO', VALUE_SCHEMA_ID=99);` },
  { name: 'invalid Avro schema to infer from', sql: `CREATE STREAM s4 WITH (KAFKA_TOPIC='t4', PARTITIONS=1, VALUE_FORMAT='AVRO', VALUE_SCHEMA_ID=3);` },
  { name: 'unknown function in a select', sql: `CREATE STREAM q1 AS SELECT id, NO_SUCH_FUNCTION(item) AS x FROM orders;` },
  { name: 'type error in a WHERE', sql: `CREATE STREAM q2 AS SELECT id, item FROM orders WHERE item + 1;` },
  { name: 'sink format that cannot hold the projection', sql: `CREATE STREAM q3 WITH (VALUE_FORMAT='KAFKA') AS SELECT id, item, qty FROM orders;` },
  { name: 'sink topic with other partitions', sql: `CREATE STREAM q5 WITH (KAFKA_TOPIC='orders', PARTITIONS=5) AS SELECT id, item FROM orders;` },
  { name: 'unknown WITH property', sql: `CREATE STREAM q6 WITH (NO_SUCH_PROPERTY=1) AS SELECT id, item FROM orders;` },
  { name: 'sink TIMESTAMP column that does not exist', sql: `CREATE STREAM q7 WITH (TIMESTAMP='NOPE') AS SELECT id, item FROM orders;` },
  { name: 'stream over a topic with other partitions', sql: `CREATE STREAM s5 (id BIGINT KEY, a INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=3, VALUE_FORMAT='JSON');` },
  { name: 'INSERT INTO ... SELECT with another schema', sql: `INSERT INTO out_s SELECT id, qty FROM orders;` },
  { name: 'INSERT VALUES that fails after the key serialized', sql: `INSERT INTO av (id) VALUES (1);` },
  { name: 'CREATE TABLE AS SELECT with an unknown column', sql: `CREATE TABLE t5 AS SELECT item, COUNT(*) AS n FROM orders GROUP BY no_such_column;` },
];

interface Trace {
  readonly topics: string[];
  readonly commands: bigint;
  readonly sources: string[];
  readonly queries: string[];
  readonly schemas: number;
  readonly schemaRecords: bigint;
}

async function trace(engine: Engine): Promise<Trace> {
  return {
    topics: (await engine.log.listTopics()).sort(),
    commands: await engine.log.latestOffset(COMMAND_TOPIC, 0),
    sources: engine.catalog.listSources().map((s) => s.name),
    queries: [...engine.catalog.queries.keys()].sort(),
    schemas: engine.schemaRegistry.all().length,
    schemaRecords: await engine.log.latestOffset(SCHEMAS_TOPIC, 0),
  };
}

for (const c of CASES) {
  test(`a failing statement leaves no trace: ${c.name}`, async () => {
    await withEngine(async (engine) => {
      for (const s of SCHEMAS) engine.schemaRegistry.registerWithId(s.subject, 'AVRO', JSON.stringify(s.schema), s.id);
      await engine.flushSchemaRegistrations();
      await engine.execute(SETUP);
      const before = await trace(engine);
      const error = await engine.execute(c.sql).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error !== undefined, 'the statement should fail');
      assert.ok(isSluiceError(error), `a clean error, not ${String(error)}`);
      assert.deepEqual(await trace(engine), before);
    });
  });
}

test('a plan whose operators cannot be built fails the dry run (operators validate when built)', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SETUP);
    const plan = planOf(engine, `CREATE STREAM ok_s WITH (TIMESTAMP='QTY') AS SELECT id, item, qty FROM orders;`);
    // the same plan with its sink timestamp column renamed away: only building the sink notices
    const broken = { ...plan, sink: { ...plan.sink, timestampColumn: { column: 'GONE' } } };
    const ctx = { queryId: 'Q', registry: engine.registry, config: new Map<string, string>(), schemaRegistry: engine.schemaRegistry };
    dryRunBuild(plan, operatorFactories, ctx);
    assert.throws(() => dryRunBuild(broken, operatorFactories, ctx), /Timestamp column GONE not found/);
    const unknownKind = { ...plan, sink: { ...plan.sink, input: { ...plan.sink.input, kind: 'StreamTeleport' } } } as unknown as QueryPlan;
    assert.throws(() => dryRunBuild(unknownKind, operatorFactories, ctx), /no operator for plan step kind 'StreamTeleport'/);
  });
});

function planOf(engine: Engine, sql: string): QueryPlan {
  const [parsed] = engine.parse(sql);
  const stmt = parsed!.statement;
  assert.equal(stmt.kind, 'CreateAsSelect');
  if (stmt.kind !== 'CreateAsSelect') throw new Error('unreachable');
  return planPersistentQuery(stmt.query, { name: stmt.name, sourceType: stmt.sourceType, properties: readSourceProperties(stmt.properties) }, 'Q', { catalog: engine.catalog, registry: engine.registry, config: new Map() }, () => 2).plan;
}
