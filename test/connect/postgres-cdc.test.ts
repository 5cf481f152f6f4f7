import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { Worker } from '../../src/connect/runtime/worker.js';
import { pgFixture } from './pg-server.js';
import { testPlugins } from './test-plugins.js';

const fixture = pgFixture('sluice-cdc-');
const { skip } = fixture;
const quiet = { logLine: () => {} };
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 400));

type Event = { key: Record<string, unknown> | null; value: Record<string, unknown> | null };

async function events(log: Awaited<ReturnType<typeof openLocalLog>>, topic: string): Promise<Event[]> {
  const parse = (b: Buffer | null): Record<string, unknown> | null => (b === null ? null : (JSON.parse(b.toString()) as Record<string, unknown>));
  return (await log.fetch(topic, 0, 0n, { maxRecords: 100_000 })).records.map((r) => ({ key: parse(r.key), value: parse(r.value) }));
}

const summary = (e: Event): string => {
  if (!e.value) return `tombstone ${JSON.stringify(e.key)}`;
  const row = (e.value['after'] ?? e.value['before']) as Record<string, unknown>;
  return `${String(e.value['op'])} ${String(row['id'])}${e.value['op'] === 'u' || e.value['op'] === 'c' ? ` ${String(row['name'])}` : ''}`;
};

function cdcConfig(extra: Record<string, string> = {}): Record<string, string> {
  const pg = fixture.pg;
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': '127.0.0.1',
    'database.port': String(pg.port),
    'database.user': 'sluice',
    'database.dbname': 'postgres',
    'topic.prefix': 'shop',
    'poll.interval.ms': '50',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...extra,
  };
}

test('snapshot then streaming: r, c, u, d and tombstones in Debezium envelopes; a restart resumes after the stored LSN with nothing lost or repeated', { skip }, async () => {
  const pg = fixture.pg;
  await pg.query('CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL, balance NUMERIC(10,2), joined TIMESTAMP, tags JSONB)');
  await pg.query('CREATE TABLE audit (id INT PRIMARY KEY)');
  await pg.query(`INSERT INTO customers (name, balance, joined, tags) VALUES ('ann', 10.50, '2024-01-02 03:04:05.123456', '{"vip":true}'), ('bob', NULL, NULL, NULL)`);
  const log = await openLocalLog(join(fixture.dir, 'stream'));
  try {
    let worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('cdc', cdcConfig({ 'table.include.list': 'public.customers', 'slot.name': 'shop_slot' }));
    await settle();
    assert.ok(await worker.waitIdle(15000));
    assert.deepEqual(worker.status('cdc').tasks.map((t) => [t.state, t.trace]), [['RUNNING', undefined]]);
    const snap = await events(log, 'shop.public.customers');
    assert.deepEqual(snap.map(summary), ['r 1', 'r 2']);
    assert.deepEqual(snap[0]!.key, { id: 1 });
    const first = snap[0]!.value!;
    assert.equal(first['before'], null);
    // precise NUMERIC(10,2) is a Connect Decimal (JsonConverter writes its unscaled bytes in base64, 1050);
    // TIMESTAMP(6) is a MicroTimestamp; JSONB a Json string
    assert.deepEqual(first['after'], { id: 1, name: 'ann', balance: Buffer.from([0x04, 0x1a]).toString('base64'), joined: Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 123456, tags: '{"vip": true}' });
    const source = first['source'] as Record<string, unknown>;
    assert.deepEqual([source['connector'], source['name'], source['db'], source['schema'], source['table'], source['snapshot']], ['postgresql', 'shop', 'postgres', 'public', 'customers', 'true']);
    assert.equal((snap[1]!.value!['source'] as Record<string, unknown>)['snapshot'], 'last');

    await pg.query(`INSERT INTO customers (name) VALUES ('cy')`);
    await pg.query(`UPDATE customers SET name = 'anna' WHERE id = 1`);
    await pg.query('DELETE FROM customers WHERE id = 2');
    await pg.query('INSERT INTO audit VALUES (1)');
    // one transaction of many rows
    await pg.query(`INSERT INTO customers (name) SELECT 'bulk' || g FROM generate_series(1, 200) g`);
    await settle();
    assert.ok(await worker.waitIdle(15000));
    const streamed = (await events(log, 'shop.public.customers')).slice(2);
    assert.deepEqual(streamed.slice(0, 4).map(summary), ['c 3 cy', 'u 1 anna', 'd 2', 'tombstone {"id":2}']);
    assert.equal(streamed.length, 4 + 200);
    const del = streamed[2]!.value!;
    assert.deepEqual(del['before'], { id: 2, name: null, balance: null, joined: null, tags: null }, 'without REPLICA IDENTITY FULL a delete carries the key only');
    const src = streamed[0]!.value!['source'] as Record<string, unknown>;
    assert.equal(src['snapshot'], 'false');
    assert.ok(Number(src['lsn']) > 0 && Number(src['txId']) > 0);
    assert.equal((await log.listTopics()).includes('shop.public.audit'), false, 'table.include.list leaves other tables out');
    const stored = (await worker.offsets('cdc')).offsets;
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0]!.partition, { server: 'shop' });
    assert.equal(typeof stored[0]!.offset['lsn_commit'], 'number');
    // the slot is told what is stored, so PostgreSQL can let that WAL go
    const slot = (await pg.query<{ confirmed_flush_lsn: string }>(`SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'shop_slot'`))[0]!;
    const [hi, lo] = slot.confirmed_flush_lsn.split('/');
    assert.ok(parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16) >= (stored[0]!.offset['lsn_commit'] as number));

    await worker.close();
    // changes while no worker runs are kept by the slot
    await pg.query(`INSERT INTO customers (name) VALUES ('dee')`);
    await pg.query(`UPDATE customers SET balance = 99.99 WHERE id = 3`);
    worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await settle();
    assert.ok(await worker.waitIdle(15000));
    await pg.query(`INSERT INTO customers (name) VALUES ('eve')`);
    await settle();
    assert.ok(await worker.waitIdle(15000));
    const all = await events(log, 'shop.public.customers');
    assert.deepEqual(all.slice(206).map(summary), ['c 204 dee', 'u 3 cy', 'c 205 eve'], 'no snapshot again, nothing repeated');
    assert.equal(Buffer.from((all[207]!.value!['after'] as Record<string, string>)['balance']!, 'base64').readUInt16BE(), 9999);
    const ids = all.filter((e) => e.value?.['op'] === 'c').map((e) => (e.value!['after'] as Record<string, unknown>)['id']);
    assert.equal(new Set(ids).size, ids.length, 'every insert once');
    await worker.close();
  } finally {
    await log.close();
  }
});

test('CDC -> SQL table through ExtractNewRecordState: the table follows inserts, updates and deletes', { skip }, async () => {
  const pg = fixture.pg;
  await pg.query('CREATE TABLE products (id INT PRIMARY KEY, name TEXT, price DOUBLE PRECISION)');
  await pg.query(`INSERT INTO products VALUES (1, 'pen', 1.5), (2, 'ink', 7), (3, 'pad', 3.25)`);
  const engine = await Engine.open({ dataDir: join(fixture.dir, 'sql'), properties: { 'auto.offset.reset': 'earliest' }, connect: { plugins: testPlugins(), ...quiet } });
  try {
    const props = Object.entries(
      cdcConfig({
        'topic.prefix': 'inv',
        'table.include.list': 'public.products',
        'slot.name': 'inv_slot',
        'publication.name': 'inv_pub',
        'publication.autocreate.mode': 'filtered',
        // the row as it now is, keyed by its id alone (as a ksqlDB table over a Debezium topic is usually set up)
        transforms: 'unwrap,id',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
        'transforms.unwrap.delete.handling.mode': 'none',
        'transforms.unwrap.drop.tombstones': 'false',
        'transforms.unwrap.add.fields': 'op,source.lsn',
        'transforms.id.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
        'transforms.id.field': 'id',
      }),
    )
      .map(([k, v]) => `'${k}'='${v}'`)
      .join(', ');
    await engine.execute(`CREATE SOURCE CONNECTOR inv WITH (${props});`);
    await engine.execute(`
      CREATE TABLE products (id INT PRIMARY KEY, name STRING, price DOUBLE, "__op" STRING) WITH (kafka_topic='inv.public.products', key_format='JSON', value_format='JSON', partitions=1);
      CREATE TABLE pricey WITH (kafka_topic='pricey') AS SELECT id, name, price FROM products WHERE price > 2;
      CREATE TABLE products_now AS SELECT * FROM products;`);
    await settle();
    await engine.runUntilIdle();
    await pg.query(`UPDATE products SET price = 9 WHERE id = 1`);
    await pg.query('DELETE FROM products WHERE id = 2');
    await pg.query(`INSERT INTO products VALUES (4, 'nib', 0.5)`);
    await settle();
    await engine.runUntilIdle();
    const pulled = await engine.pull('SELECT id, name, price FROM pricey;');
    const rows = pulled.values.map((v) => [...v]).sort((a, b) => Number(a[0]) - Number(b[0]));
    const expected = (await pg.query<{ id: number; name: string; price: number }>('SELECT id, name, price FROM products WHERE price > 2 ORDER BY id')).map((r) => [r.id, r.name, r.price]);
    assert.deepEqual(rows, expected);
    const ops = await engine.pull(`SELECT id, "__op" FROM products_now;`);
    assert.deepEqual(
      ops.values.map((v) => [...v]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [1, 'u'],
        [3, 'r'],
        [4, 'c'],
      ],
    );
    const pub = await pg.query<{ tablename: string }>(`SELECT tablename FROM pg_publication_tables WHERE pubname = 'inv_pub'`);
    assert.deepEqual(pub.map((r) => r.tablename), ['products'], 'a filtered publication holds the included tables only');
  } finally {
    await engine.close();
  }
});

test('PostgreSQL crashes mid-stream and a worker is stopped and started: every committed insert reaches the topic exactly once', { skip }, async () => {
  const pg = fixture.pg;
  await pg.query('CREATE TABLE ticks (id INT PRIMARY KEY, batch INT)');
  const log = await openLocalLog(join(fixture.dir, 'crash'));
  try {
    const config = cdcConfig({ 'topic.prefix': 'crash', 'table.include.list': 'public.ticks', 'slot.name': 'crash_slot', 'publication.name': 'crash_pub', 'errors.retry.timeout': '60000', 'errors.retry.delay.max.ms': '300' });
    const lines: string[] = [];
    let worker = await Worker.open(log, { plugins: testPlugins(), logLine: (l: string) => lines.push(l) });
    await worker.create('ticks', config);
    let next = 1;
    const committed: number[] = [];
    const insertBatch = async (batch: number): Promise<void> => {
      const ids = Array.from({ length: 20 }, () => next++);
      try {
        await pg.query(`INSERT INTO ticks SELECT g, ${batch} FROM unnest($1::int[]) g`, [ids]);
        committed.push(...ids);
      } catch {
        // not committed (the server went away): these ids are not expected
      }
    };
    for (let b = 0; b < 10; b++) await insertBatch(b);
    await settle();
    // a crash (immediate stop: the slot's position on disk may be older than what was confirmed)
    await pg.stopServer('immediate');
    await pg.startServer();
    for (let b = 10; b < 20; b++) await insertBatch(b);
    await worker.close();
    for (let b = 20; b < 25; b++) await insertBatch(b);
    worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    for (let b = 25; b < 30; b++) await insertBatch(b);
    const deadline = Date.now() + 30_000;
    let seen: number[] = [];
    while (Date.now() < deadline) {
      seen = (await events(log, 'crash.public.ticks')).map((e) => (e.value!['after'] as Record<string, number>)['id']!);
      if (seen.length >= committed.length) break;
      await settle();
    }
    await settle();
    seen = (await events(log, 'crash.public.ticks')).map((e) => (e.value!['after'] as Record<string, number>)['id']!);
    assert.equal(committed.length, 600);
    assert.ok(lines.some((l) => /Task ticks-0 failed, restarting/.test(l)), 'the crash reached the task');
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [...committed].sort((a, b) => a - b),
    );
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'in commit order');
    await worker.close();
  } finally {
    await log.close();
  }
});
