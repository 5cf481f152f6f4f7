import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { Worker } from '../../src/connect/runtime/worker.js';
import { RestServer } from '../../src/server/rest-server.js';
import { pgFixture } from './pg-server.js';
import { testPlugins } from './test-plugins.js';

const fixture = pgFixture('sluice-jdbc-');
const { skip } = fixture;

let n = 0;
const fresh = (): string => join(fixture.dir, `run${++n}`);
const quiet = { logLine: () => {} };

async function withEngine(work: (engine: Engine) => Promise<void>): Promise<void> {
  const engine = await Engine.open({ dataDir: fresh(), properties: { 'auto.offset.reset': 'earliest' }, connect: { plugins: testPlugins(), ...quiet } });
  try {
    await work(engine);
  } finally {
    await engine.close();
  }
}

async function until(check: () => Promise<boolean> | boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('datagen orders -> SQL stream -> PostgreSQL: auto.create from the catalog, upsert on a value key, nested struct as JSONB', { skip }, () => withEngine(async (engine) => {
  await engine.execute(`
    CREATE SOURCE CONNECTOR gen WITH ('connector.class'='DatagenConnector', 'kafka.topic'='orders', 'quickstart'='orders', 'max.interval'='0', 'iterations'='300', 'random.seed'='5');`);
  await engine.runUntilIdle();
  await engine.execute(`
    CREATE STREAM orders (ordertime BIGINT, orderid INT, itemid STRING, orderunits DOUBLE, address STRUCT<city STRING, state STRING, zipcode BIGINT>) WITH (kafka_topic='orders', value_format='JSON');
    CREATE STREAM big_orders WITH (kafka_topic='big_orders') AS SELECT orderid, itemid, orderunits, address FROM orders WHERE orderunits > 5;
    CREATE SINK CONNECTOR pg_orders WITH ('connector.class'='io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url'='${fixture.pg.url}', 'connection.user'='sluice', 'topics'='big_orders', 'table.name.format'='big_orders', 'insert.mode'='upsert', 'pk.mode'='record_value', 'pk.fields'='ORDERID', 'auto.create'='true');`);
  await engine.runUntilIdle();
  const generated = (await engine.log.fetch('orders', 0, 0n)).records.map((r) => JSON.parse(r.value!.toString()) as { orderid: number; orderunits: number });
  assert.equal(generated.length, 300);
  const expected = generated.filter((o) => o.orderunits > 5).map((o) => o.orderid);
  const rows = await fixture.pg.query<{ ORDERID: number; ITEMID: string; ORDERUNITS: number; ADDRESS: { CITY: string } }>('SELECT * FROM big_orders ORDER BY "ORDERID"');
  assert.deepEqual(rows.map((r) => r.ORDERID), expected);
  assert.ok(rows.every((r) => r.ORDERUNITS > 5 && /^Item_\d+$/.test(r.ITEMID) && /^City_\d+$/.test(r.ADDRESS.CITY)));
  const cols = await fixture.pg.query<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'big_orders' ORDER BY ordinal_position`);
  assert.deepEqual(cols.map((c) => [c.column_name, c.data_type]), [['ORDERID', 'integer'], ['ITEMID', 'text'], ['ORDERUNITS', 'double precision'], ['ADDRESS', 'jsonb']]);
  const pk = await fixture.pg.query(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'big_orders'::regclass AND i.indisprimary`);
  assert.deepEqual(pk, [{ attname: 'ORDERID' }]);
  const offsets = await fixture.pg.query<{ topic: string; next_offset: string }>('SELECT topic, next_offset FROM __connect_offsets WHERE connector = $1', ['PG_ORDERS']);
  assert.deepEqual(offsets.map((o) => o.topic), ['big_orders']);
  assert.equal(Number(offsets[0]!.next_offset), rows.length);
}));

test('a SQL table -> PostgreSQL with pk.mode=record_key, upsert and delete.enabled: the PG table mirrors the Sluice table', { skip }, () => withEngine(async (engine) => {
  await engine.execute(`
    CREATE STREAM events (user_id STRING KEY, amount INT) WITH (kafka_topic='events', value_format='JSON', partitions=2);
    CREATE TABLE totals AS SELECT user_id, SUM(amount) AS total, COUNT(*) AS n FROM events GROUP BY user_id HAVING SUM(amount) < 100;
    INSERT INTO events (user_id, amount) VALUES ('a', 10);
    INSERT INTO events (user_id, amount) VALUES ('b', 20);
    INSERT INTO events (user_id, amount) VALUES ('a', 30);
    INSERT INTO events (user_id, amount) VALUES ('c', 5);
    INSERT INTO events (user_id, amount) VALUES ('b', 200);
    CREATE SINK CONNECTOR pg_totals WITH ('connector.class'='JdbcSinkConnector', 'connection.url'='${fixture.pg.url}?user=sluice', 'topics'='TOTALS', 'insert.mode'='upsert', 'pk.mode'='record_key', 'delete.enabled'='true', 'auto.create'='true', 'key.converter'='org.apache.kafka.connect.storage.StringConverter', 'tasks.max'='2');`);
  await engine.runUntilIdle();
  const rows = await fixture.pg.query<{ USER_ID: string; TOTAL: number; N: string }>('SELECT * FROM "TOTALS" ORDER BY "USER_ID"');
  // b went over 100: the HAVING made its row a tombstone, which deleted it
  assert.deepEqual(rows.map((r) => [r.USER_ID, r.TOTAL, Number(r.N)]), [['a', 40, 2], ['c', 5, 1]]);
  const pulled = (await engine.pull('SELECT * FROM totals;')).rows.map((r) => [r['USER_ID'], r['TOTAL'], Number(r['N'])]).sort();
  assert.deepEqual(pulled, [['a', 40, 2], ['c', 5, 1]]);
  assert.deepEqual(engine.connect.status('PG_TOTALS').tasks.map((t) => t.state), ['RUNNING', 'RUNNING']);
}));

test('exactly-once: offsets live in PostgreSQL with the rows; lost group offsets do not duplicate anything; auto.evolve adds columns', { skip }, async () => {
  const logDir = fresh();
  const log = await openLocalLog(logDir);
  try {
    await log.createTopic('plain', { partitions: 3 });
    await log.produce(Array.from({ length: 90 }, (_, i) => ({ topic: 'plain', partition: i % 3, key: null, value: Buffer.from(JSON.stringify({ id: i, name: `n${i}` })) })));
    const config = { 'connector.class': 'JdbcSinkConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', topics: 'plain', 'table.name.format': 'plain_rows', 'auto.create': 'true', 'auto.evolve': 'true', 'batch.size': '7' };
    let worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('plain-sink', config);
    assert.ok(await worker.waitIdle(20000));
    assert.equal(worker.status('plain-sink').tasks[0]!.trace, undefined);
    assert.equal((await fixture.pg.query<{ n: string }>('SELECT count(*) AS n FROM plain_rows'))[0]!.n, '90');
    await worker.close();
    // the group's offsets are lost (as if the last commit never happened): PostgreSQL's own decide
    await log.deleteGroup('connect-plain-sink');
    await log.produce([{ topic: 'plain', partition: 0, key: null, value: Buffer.from(JSON.stringify({ id: 90, name: 'n90', extra: 'new field' })) }]);
    worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    assert.ok(await worker.waitIdle(20000));
    const rows = await fixture.pg.query<{ id: string; extra: string | null }>('SELECT id, extra FROM plain_rows ORDER BY id');
    assert.equal(rows.length, 91);
    assert.deepEqual(rows.map((r) => Number(r.id)), Array.from({ length: 91 }, (_, i) => i));
    assert.equal(rows.at(-1)!.extra, 'new field');
    assert.equal(rows[0]!.extra, null);
    await worker.close();
  } finally {
    await log.close();
  }
});

test('PostgreSQL stopped and restarted during a sink run: every record exactly once', { skip }, async () => {
  const log = await openLocalLog(fresh());
  try {
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('gen', { 'connector.class': 'DatagenConnector', 'kafka.topic': 'pv', quickstart: 'pageviews', 'max.interval': '1', iterations: '1500', 'random.seed': '9' });
    await worker.create('pv-sink', { 'connector.class': 'JdbcSinkConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', topics: 'pv', 'table.name.format': 'pv_rows', 'auto.create': 'true', 'batch.size': '50', 'max.retries': '200', 'retry.backoff.ms': '100', 'consumer.override.max.poll.records': '50' });
    await until(async () => Number((await fixture.pg.query<{ n: string }>('SELECT count(*) AS n FROM pv_rows').catch(() => [{ n: '0' }]))[0]!.n) > 100);
    await fixture.pg.stopServer('immediate');
    await new Promise((r) => setTimeout(r, 1500));
    await fixture.pg.startServer();
    assert.ok(await worker.waitIdle(60000));
    const counts = await fixture.pg.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT viewtime) AS d FROM pv_rows');
    assert.deepEqual(counts, [{ n: '1500', d: '1500' }]);
    assert.equal(worker.status('pv-sink').tasks[0]!.state, 'RUNNING');
    await worker.close();
  } finally {
    await log.close();
  }
});

test('records the table cannot take go to the DLQ; the sink keeps running', { skip }, async () => {
  const log = await openLocalLog(fresh());
  try {
    await fixture.pg.query('CREATE TABLE strict_rows (id INT PRIMARY KEY, v TEXT NOT NULL)');
    await log.createTopic('strict', { partitions: 1 });
    await log.produce(['{"id":1,"v":"a"}', '{"id":2}', '{"id":3,"v":"c"}', '"just a string"'].map((v) => ({ topic: 'strict', key: null, value: Buffer.from(v) })));
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('strict-sink', { 'connector.class': 'JdbcSinkConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', topics: 'strict', 'table.name.format': 'strict_rows', 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'strict-dlq', 'errors.deadletterqueue.context.headers.enable': 'true' });
    assert.ok(await worker.waitIdle(20000));
    assert.deepEqual(await fixture.pg.query('SELECT id, v FROM strict_rows ORDER BY id'), [{ id: 1, v: 'a' }, { id: 3, v: 'c' }]);
    const dlq = (await log.fetch('strict-dlq', 0, 0n)).records;
    assert.deepEqual(dlq.map((r) => r.value!.toString()), ['{"id":2}', '"just a string"']);
    assert.match(dlq[0]!.headers.find((h) => h.key === '__connect.errors.exception.message')!.value!.toString(), /null value in column "v"/);
    assert.equal(worker.status('strict-sink').tasks[0]!.state, 'RUNNING');
    await worker.close();
  } finally {
    await log.close();
  }
});

test('closing the worker while a put retries against a stopped PostgreSQL ends within task.shutdown.graceful.timeout.ms', { skip }, async () => {
  const log = await openLocalLog(fresh());
  try {
    await log.createTopic('later', { partitions: 1 });
    await log.produce([{ topic: 'later', key: null, value: Buffer.from('{"id":1}') }]);
    await fixture.pg.stopServer('fast');
    const worker = await Worker.open(log, { plugins: testPlugins(), props: { 'task.shutdown.graceful.timeout.ms': '500' }, ...quiet });
    await worker.create('later-sink', { 'connector.class': 'JdbcSinkConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', topics: 'later', 'auto.create': 'true', 'max.retries': '100000', 'retry.backoff.ms': '50' });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await worker.idle(), false);
    const started = Date.now();
    await worker.close();
    assert.ok(Date.now() - started < 3000, `close took ${Date.now() - started} ms`);
  } finally {
    await fixture.pg.startServer();
    await log.close();
  }
});

test('the same pipeline through the REST APIs: Connect POST /connectors and PUT /config around a ksqlDB /ksql statement', { skip }, async () => {
  const engine = await Engine.open({ dataDir: fresh(), properties: { 'auto.offset.reset': 'earliest' }, connect: { plugins: testPlugins(), ...quiet } });
  const server = new RestServer({ engine, listen: 'http://127.0.0.1:0', log: () => {} });
  const base = await server.listen();
  try {
    const json = { 'content-type': 'application/json' };
    let res = await fetch(`${base}/connectors`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'users-gen', config: { 'connector.class': 'DatagenConnector', 'kafka.topic': 'users', quickstart: 'users', 'max.interval': '0', iterations: '120', 'random.seed': '2' } }) });
    assert.equal(res.status, 201);
    await until(async () => (await engine.log.latestOffset('users', 0).catch(() => 0n)) === 120n);
    res = await fetch(`${base}/ksql`, { method: 'POST', headers: { 'content-type': 'application/vnd.ksql.v1+json' }, body: JSON.stringify({ ksql: "CREATE STREAM users (registertime BIGINT, userid STRING, regionid STRING, gender STRING) WITH (kafka_topic='users', value_format='JSON'); CREATE TABLE users_per_region AS SELECT regionid, COUNT(*) AS n FROM users GROUP BY regionid;", streamsProperties: { 'auto.offset.reset': 'earliest' } }) });
    assert.equal(res.status, 200, await res.clone().text());
    res = await fetch(`${base}/connectors/region-sink/config`, { method: 'PUT', headers: json, body: JSON.stringify({ 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url': fixture.pg.url, 'connection.user': 'sluice', topics: 'USERS_PER_REGION', 'table.name.format': 'users_per_region', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.create': 'true' }) });
    assert.equal(res.status, 201);
    engine.start();
    await until(async () => {
      const rows = await fixture.pg.query<{ n: string }>('SELECT sum("N") AS n FROM users_per_region').catch(() => [{ n: '0' }]);
      return Number(rows[0]!.n) === 120;
    });
    const regions = await fixture.pg.query<{ REGIONID: string }>('SELECT "REGIONID" FROM users_per_region ORDER BY 1');
    assert.ok(regions.length >= 5 && regions.every((r) => /^Region_[1-9]$/.test(r.REGIONID)));
    const status = (await (await fetch(`${base}/connectors?expand=status`)).json()) as Record<string, { status: { tasks: { state: string }[] } }>;
    assert.deepEqual(Object.keys(status).sort(), ['region-sink', 'users-gen']);
    assert.equal(status['region-sink']!.status.tasks[0]!.state, 'RUNNING');
  } finally {
    await server.close();
    await engine.close();
  }
});
