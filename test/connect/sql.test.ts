import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import { testPlugins } from './test-plugins.js';

async function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-sql-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const open = (dir: string) => Engine.open({ dataDir: join(dir, 'data'), properties: { 'auto.offset.reset': 'earliest' }, connect: { plugins: testPlugins(), logLine: () => {} } });

test('file source -> SQL -> file sink from SQL statements; runUntilIdle waits until the sink has committed all', () =>
  withDir(async (dir) => {
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    await writeFile(input, ['{"ID":1,"AMOUNT":10}', '{"ID":2,"AMOUNT":250}', '{"ID":3,"AMOUNT":700}'].join('\n') + '\n');
    const engine = await open(dir);
    const [created] = await engine.execute(`CREATE SOURCE CONNECTOR file_in WITH ("connector.class"='FileStreamSource', 'file'='${input}', 'topic'='payments', 'value.converter'='org.apache.kafka.connect.storage.StringConverter');`);
    assert.equal(created!.message, 'Created connector FILE_IN');
    assert.deepEqual((created!.entity as { info: { config: Record<string, string> } }).info.config, {
      'connector.class': 'FileStreamSource',
      file: input,
      topic: 'payments',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      name: 'FILE_IN',
    });
    await engine.runUntilIdle();
    await engine.execute(`
      CREATE STREAM payments (id INT, amount INT) WITH (kafka_topic='payments', value_format='JSON');
      CREATE STREAM big WITH (kafka_topic='big') AS SELECT id, amount FROM payments WHERE amount > 100;
      CREATE SINK CONNECTOR IF NOT EXISTS file_out WITH ('connector.class'='org.apache.kafka.connect.file.FileStreamSinkConnector', 'topics'='big', 'file'='${output}', 'value.converter'='org.apache.kafka.connect.storage.StringConverter');`);
    await engine.runUntilIdle();
    assert.equal(await readFile(output, 'utf8'), '{"ID":2,"AMOUNT":250}\n{"ID":3,"AMOUNT":700}\n');

    const [show] = await engine.execute('SHOW CONNECTORS;');
    assert.deepEqual(show!.table, {
      columns: ['Connector Name', 'Type', 'Class', 'Status'],
      rows: [
        ['FILE_IN', 'SOURCE', 'FileStreamSource', 'RUNNING (1/1 tasks RUNNING)'],
        ['FILE_OUT', 'SINK', 'org.apache.kafka.connect.file.FileStreamSinkConnector', 'RUNNING (1/1 tasks RUNNING)'],
      ],
    });
    assert.deepEqual((await engine.execute('SHOW SINK CONNECTORS;'))[0]!.table!.rows.map((r) => r[0]), ['FILE_OUT']);
    const [described] = await engine.execute('DESCRIBE CONNECTOR file_out;');
    assert.match(described!.message, /^Name {17}: FILE_OUT\nClass {16}: org.apache.kafka.connect.file.FileStreamSinkConnector\nType {17}: sink\nState {16}: RUNNING/);
    assert.match(described!.message, /Related Sources\n BIG/);
    assert.match(described!.message, /\n\n Task ID \| State   \| Error Trace\n-+\n 0       \| RUNNING \|\n-+\n/);
    assert.equal(described!.table, undefined);
    assert.equal((described!.entity as { '@type': string })['@type'], 'connector_description');

    const [again] = await engine.execute(`CREATE SINK CONNECTOR IF NOT EXISTS file_out WITH ('connector.class'='FileStreamSink', 'topics'='x', 'file'='${output}');`);
    assert.equal(again!.message, 'Connector FILE_OUT already exists');
    await assert.rejects(engine.execute(`CREATE SINK CONNECTOR file_out WITH ('connector.class'='FileStreamSink', 'topics'='x');`), /Failed to create connector: \{"error_code":409,"message":"Connector FILE_OUT already exists"\}/);
    await assert.rejects(engine.execute(`CREATE SOURCE CONNECTOR s2 WITH ('connector.class'='FileStreamSink', 'topics'='x');`), /is a sink connector/);
    await assert.rejects(engine.execute(`CREATE SOURCE CONNECTOR s3 WITH ('connector.class'='FileStreamSource');`), /Failed to create connector: \{"error_code":400,"message":"Connector configuration is invalid/);
    await engine.close();

    // connectors come back with the engine, and keep consuming from where they were
    await writeFile(input, '{"ID":4,"AMOUNT":999}\n', { flag: 'a' });
    const reopened = await open(dir);
    assert.deepEqual(reopened.connect.list(), ['FILE_IN', 'FILE_OUT']);
    await reopened.runUntilIdle();
    assert.equal(await readFile(output, 'utf8'), '{"ID":2,"AMOUNT":250}\n{"ID":3,"AMOUNT":700}\n{"ID":4,"AMOUNT":999}\n');
    const [dropped] = await reopened.execute('DROP CONNECTOR file_in;');
    assert.equal(dropped!.message, 'Dropped connector "FILE_IN"');
    assert.equal((await reopened.execute('DROP CONNECTOR IF EXISTS file_in;'))[0]!.message, 'Connector FILE_IN does not exist.');
    await assert.rejects(reopened.execute('DROP CONNECTOR file_in;'), /"error_code":404/);
    assert.deepEqual(reopened.connect.list(), ['FILE_OUT']);
    await reopened.close();
  }));

test('datagen -> SQL aggregate: a live pipeline with no data of its own', () =>
  withDir(async (dir) => {
    const engine = await open(dir);
    await engine.execute(`CREATE SOURCE CONNECTOR gen WITH ('connector.class'='io.confluent.kafka.connect.datagen.DatagenConnector', 'kafka.topic'='pageviews', 'quickstart'='pageviews', 'max.interval'='0', 'iterations'='200', 'random.seed'='3');`);
    await engine.runUntilIdle();
    await engine.execute(`
      CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH (kafka_topic='pageviews', value_format='JSON');
      CREATE TABLE per_user AS SELECT userid, COUNT(*) AS n FROM pageviews GROUP BY userid;`);
    await engine.runUntilIdle();
    const rows = (await engine.pull('SELECT * FROM per_user;')).rows;
    assert.equal(rows.reduce((n, r) => n + Number(r['N']), 0), 200);
    assert.ok(rows.every((r) => /^User_[1-9]$/.test(String(r['USERID']))));
    await engine.close();
  }));
