/** SHOW / DESCRIBE / RUN SCRIPT results as an embedder gets them from Engine.execute. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { withEngine } from '../support/with-engine.js';

test('DESCRIBE gives the schema once, in its message, with the window type of a windowed source', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE w AS SELECT id, COUNT(*) AS n FROM s WINDOW SESSION (30 SECONDS) GROUP BY id;`);
    const [plain] = await engine.execute('DESCRIBE s;');
    assert.equal(plain!.table, undefined);
    assert.equal(plain!.message.match(/ V +\| INTEGER/g)?.length, 1);
    const [windowed] = await engine.execute('DESCRIBE w EXTENDED;');
    assert.match(windowed!.message, / ID +\| STRING +\(primary key\) \(Window type: SESSION\)/);
    assert.match(windowed!.message, /Window type +: SESSION\n/);
  });
});

test('SHOW PROPERTIES lists the defaults in force and marks session overrides', async () => {
  await withEngine(async (engine) => {
    const [r] = await engine.execute("SET 'ksql.output.topic.name.prefix' = 'x_'; SHOW PROPERTIES;").then((rs) => rs.slice(1));
    const rows = new Map(r!.table!.rows.map((row) => [row[0], row.slice(1)]));
    assert.deepEqual(rows.get('auto.offset.reset'), ['STREAMS', 'SESSION', 'earliest']);
    assert.deepEqual(rows.get('ksql.output.topic.name.prefix'), ['KSQL', 'SESSION', 'x_']);
    assert.deepEqual(rows.get('ksql.persistence.default.format.key'), ['KSQL', '', 'KAFKA']);
  });
});

test('RUN SCRIPT returns each statement of the script with its own result', async () => {
  await withEngine(async (engine, dir) => {
    const script = join(dir, 'inner.sql');
    await writeFile(script, "CREATE STREAM s (id INT KEY) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');\nSHOW STREAMS;\nOUTPUT FORMAT JSON;\n");
    const [r] = await engine.execute(`RUN SCRIPT '${script}';`);
    assert.deepEqual(r!.results?.map((x) => x.kind), ['CreateSource', 'Show', 'OutputFormat']);
    assert.deepEqual(r!.results?.[1]?.table?.rows.map((row) => row[0]), ['KSQL_PROCESSING_LOG', 'S']);
  });
});
