import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { Worker } from '../../src/connect/runtime/worker.js';
import { pgFixture } from './pg-server.js';
import { testPlugins } from './test-plugins.js';

const fixture = pgFixture('sluice-jdbc-src-');
const { skip } = fixture;
const quiet = { logLine: () => {} };

async function values(log: Awaited<ReturnType<typeof openLocalLog>>, topic: string): Promise<Record<string, unknown>[]> {
  return (await log.fetch(topic, 0, 0n)).records.map((r) => JSON.parse(r.value!.toString()) as Record<string, unknown>);
}

test('incrementing mode: new rows once each, resumed from the stored offset after a restart; whitelist and topic.prefix', { skip }, async () => {
  await fixture.pg.query('CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT, price NUMERIC(10,2), added DATE, big BIGINT)');
  await fixture.pg.query('CREATE TABLE other (id INT)');
  await fixture.pg.query(`INSERT INTO items (name, price, added, big) VALUES ('a', 1.50, '2024-01-02', 9007199254740993), ('b', 2, NULL, NULL)`);
  const log = await openLocalLog(join(fixture.dir, 'inc'));
  try {
    const config = { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', mode: 'incrementing', 'incrementing.column.name': 'id', 'table.whitelist': 'items', 'topic.prefix': 'pg-', 'poll.interval.ms': '100', 'batch.max.rows': '2' };
    let worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('items-src', config);
    assert.ok(await worker.waitIdle(10000));
    assert.deepEqual(await values(log, 'pg-items'), [
      { id: 1, name: 'a', price: 1.5, added: Date.UTC(2024, 0, 2) / 86_400_000, big: 9007199254740992 },
      { id: 2, name: 'b', price: 2, added: null, big: null },
    ]);
    assert.deepEqual((await worker.offsets('items-src')).offsets, [{ partition: { table: 'items' }, offset: { incrementing: 2 } }]);
    await fixture.pg.query(`INSERT INTO items (name) VALUES ('c'), ('d'), ('e')`);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await worker.waitIdle(10000));
    await worker.close();
    await fixture.pg.query(`INSERT INTO items (name) VALUES ('f')`);
    worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await worker.waitIdle(10000));
    assert.deepEqual((await values(log, 'pg-items')).map((v) => v['name']), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.equal((await log.listTopics()).includes('pg-other'), false);
    await worker.close();
  } finally {
    await log.close();
  }
});

test('timestamp+incrementing mode sees updates; a custom query writes to topic.prefix', { skip }, async () => {
  await fixture.pg.query(`CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT, updated TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))`);
  await fixture.pg.query(`INSERT INTO accounts (id, owner, updated) VALUES (1, 'ann', '2024-05-01 10:00:00.000001'), (2, 'bob', '2024-05-01 10:00:00.000001'), (3, 'cy', '2024-05-01 10:00:01')`);
  const log = await openLocalLog(join(fixture.dir, 'ts'));
  try {
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('acc', { 'connector.class': 'JdbcSourceConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', mode: 'timestamp+incrementing', 'incrementing.column.name': 'id', 'timestamp.column.name': 'updated', 'table.whitelist': 'accounts', 'topic.prefix': '', 'poll.interval.ms': '100', 'batch.max.rows': '1' });
    await worker.create('q', { 'connector.class': 'JdbcSourceConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', mode: 'timestamp', 'timestamp.column.name': 'updated', query: 'SELECT id, upper(owner) AS owner, updated FROM accounts', 'topic.prefix': 'owners', 'poll.interval.ms': '100' });
    assert.ok(await worker.waitIdle(10000));
    assert.deepEqual([worker.status('acc').tasks[0]?.trace, worker.status('q').tasks[0]?.trace], [undefined, undefined]);
    assert.deepEqual((await values(log, 'accounts')).map((v) => v['owner']), ['ann', 'bob', 'cy']);
    assert.equal((await values(log, 'accounts'))[0]!['updated'], Date.UTC(2024, 4, 1, 10, 0, 0));
    await fixture.pg.query(`UPDATE accounts SET owner = 'bobby', updated = '2024-05-02 00:00:00' WHERE id = 2`);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await worker.waitIdle(10000));
    assert.deepEqual((await values(log, 'accounts')).map((v) => v['owner']), ['ann', 'bob', 'cy', 'bobby']);
    assert.deepEqual((await values(log, 'owners')).map((v) => v['owner']), ['ANN', 'BOB', 'CY', 'BOBBY']);
    assert.deepEqual((await worker.offsets('q')).offsets, [{ partition: { query: 'query' }, offset: { timestamp: Date.UTC(2024, 4, 2), timestamp_nanos: 0 } }]);
    await worker.close();
  } finally {
    await log.close();
  }
});

test('PostgreSQL source -> SQL -> file sink, end to end from SQL statements', { skip }, async () => {
  await fixture.pg.query('CREATE TABLE readings (id BIGSERIAL PRIMARY KEY, sensor TEXT, celsius DOUBLE PRECISION)');
  await fixture.pg.query(`INSERT INTO readings (sensor, celsius) VALUES ('s1', 20.5), ('s2', 35.25), ('s1', 41), ('s3', -3)`);
  const output = join(fixture.dir, 'hot.jsonl');
  const engine = await Engine.open({ dataDir: join(fixture.dir, 'e2e'), properties: { 'auto.offset.reset': 'earliest' }, connect: { plugins: testPlugins(), ...quiet } });
  try {
    await engine.execute(`
      CREATE SOURCE CONNECTOR pg_readings WITH ('connector.class'='io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url'='${fixture.pg.url}', 'connection.user'='sluice', 'mode'='incrementing', 'incrementing.column.name'='id', 'table.whitelist'='readings', 'topic.prefix'='pg_', 'poll.interval.ms'='100');`);
    await engine.runUntilIdle();
    await engine.execute(`
      CREATE STREAM readings (id BIGINT, sensor STRING, celsius DOUBLE) WITH (kafka_topic='pg_readings', value_format='JSON');
      CREATE STREAM hot WITH (kafka_topic='hot') AS SELECT sensor, celsius FROM readings WHERE celsius > 30;
      CREATE SINK CONNECTOR hot_file WITH ('connector.class'='FileStreamSink', 'topics'='hot', 'file'='${output}', 'value.converter'='org.apache.kafka.connect.storage.StringConverter');`);
    await engine.runUntilIdle();
    assert.equal(await readFile(output, 'utf8'), '{"SENSOR":"s2","CELSIUS":35.25}\n{"SENSOR":"s1","CELSIUS":41}\n');
  } finally {
    await engine.close();
  }
});
