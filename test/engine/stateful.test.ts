import type { LocalLog } from '../../src/log/local/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { withEngine } from '../support/with-engine.js';
import { readTopic } from '../support/read-topic.js';


const json = (b: Buffer | null) => (b ? JSON.parse(b.toString()) : null);

test('GROUP BY emits every update of a group, and a restart continues from the stored state', async () => {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`
      CREATE STREAM clicks (user STRING, ms INT) WITH (KAFKA_TOPIC='clicks', PARTITIONS=2, VALUE_FORMAT='JSON');
      CREATE TABLE per_user WITH (KEY_FORMAT='JSON') AS SELECT user, COUNT(*) AS n, SUM(ms) AS total FROM clicks GROUP BY user;
      INSERT INTO clicks (user, ms) VALUES ('a', 10);
      INSERT INTO clicks (user, ms) VALUES ('b', 5);
      INSERT INTO clicks (user, ms) VALUES ('a', 7);`);
    await engine.runUntilIdle();
    const first = (await readTopic(engine.log, 'PER_USER')).map((r) => [json(r.key), json(r.value)]);
    assert.deepEqual(
      first.filter(([k]) => k === 'a').map(([, v]) => v),
      [
        { N: 1, TOTAL: 10 },
        { N: 2, TOTAL: 17 },
      ],
    );
    await engine.close();

    engine = await Engine.open({ dataDir: dir.path });
    await engine.execute(`INSERT INTO clicks (user, ms) VALUES ('a', 1);`);
    await engine.runUntilIdle();
    const all = (await readTopic(engine.log, 'PER_USER')).map((r) => [json(r.key), json(r.value)]);
    assert.deepEqual(all.filter(([k]) => k === 'a').at(-1)![1], { N: 3, TOTAL: 18 });
    assert.equal(all.length, 4, 'each input produced exactly one update');
    await engine.close();
  } finally {
    await dir.cleanup();
  }
});

test('a lost state store is rebuilt from its changelog topic', async () => {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`
      CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE t AS SELECT k, SUM(v) AS total FROM s GROUP BY k;
      INSERT INTO s (k, v) VALUES ('x', 40);`);
    await engine.runUntilIdle();
    const changelogs = (await engine.log.listTopics()).filter((t) => t.endsWith('-changelog'));
    assert.ok(changelogs.length >= 1, 'the aggregate store has a changelog topic');
    // wipe every state key, as if the store's files were lost
    await (engine.log as LocalLog).extras.clearRange(Buffer.from('state\u0000'), Buffer.from('state\u0001'));
    await engine.close();

    engine = await Engine.open({ dataDir: dir.path });
    await engine.execute(`INSERT INTO s (k, v) VALUES ('x', 2);`);
    await engine.runUntilIdle();
    const last = (await readTopic(engine.log, 'T')).at(-1)!;
    assert.deepEqual(json(last.value), { TOTAL: 42 });
    await engine.close();
  } finally {
    await dir.cleanup();
  }
});

test('a table aggregation takes a changed row out of its old group', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE TABLE users (id INT PRIMARY KEY, region STRING) WITH (KAFKA_TOPIC='users', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE per_region AS SELECT region, COUNT(*) AS n FROM users GROUP BY region;
      INSERT INTO users (id, region) VALUES (1, 'eu');
      INSERT INTO users (id, region) VALUES (2, 'eu');
      INSERT INTO users (id, region) VALUES (1, 'us');`);
    await engine.runUntilIdle();
    const out = (await readTopic(engine.log, 'PER_REGION')).map((r) => `${r.key!.toString()}=${json(r.value).N}`);
    assert.deepEqual(out, ['eu=1', 'eu=2', 'eu=1', 'us=1']);
  });
});

test('tumbling windows key the result by window', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE w AS SELECT k, COUNT(*) AS n, WINDOWSTART AS ws FROM s WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k;`);
    for (const ts of [100, 900, 1500]) await engine.log.produce([{ topic: 's', key: Buffer.from('a'), value: Buffer.from('{"V":1}'), timestamp: ts }]);
    await engine.runUntilIdle();
    const out = await readTopic(engine.log, 'W');
    // a time-windowed key is the key bytes then the window start as a big-endian long
    const decoded = out.map((r) => ({ key: r.key!.subarray(0, r.key!.length - 8).toString(), start: Number(r.key!.readBigInt64BE(r.key!.length - 8)), ...json(r.value) }));
    assert.deepEqual(decoded, [
      { key: 'a', start: 0, N: 1, WS: 0 },
      { key: 'a', start: 0, N: 2, WS: 0 },
      { key: 'a', start: 1000, N: 1, WS: 1000 },
    ]);
    assert.equal(engine.catalog.getSource('W')!.window?.type, 'TUMBLING');
  });
});

test('stream-table, stream-stream and table-table joins', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM orders (id INT KEY, item STRING) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE stock (id INT PRIMARY KEY, qty INT) WITH (KAFKA_TOPIC='stock', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM shipments (id INT KEY, carrier STRING) WITH (KAFKA_TOPIC='shipments', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE prices (id INT PRIMARY KEY, price INT) WITH (KAFKA_TOPIC='prices', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM enriched AS SELECT o.id, item, qty FROM orders o LEFT JOIN stock s ON o.id = s.id;
      CREATE STREAM shipped AS SELECT o.id, item, carrier FROM orders o JOIN shipments sh WITHIN 1 MINUTE ON o.id = sh.id;
      CREATE TABLE priced AS SELECT s.id, qty, price FROM stock s JOIN prices p ON s.id = p.id;`);
    const put = (topic: string, id: number, value: object, ts: number) => {
      const key = Buffer.alloc(4);
      key.writeInt32BE(id);
      return engine.log.produce([{ topic, key, value: Buffer.from(JSON.stringify(value)), timestamp: ts }]).then(() => engine.runUntilIdle());
    };
    await put('stock', 1, { QTY: 5 }, 1000);
    await put('orders', 1, { ITEM: 'pen' }, 2000);
    await put('orders', 2, { ITEM: 'ink' }, 3000);
    await put('shipments', 1, { CARRIER: 'ups' }, 30_000);
    await put('shipments', 2, { CARRIER: 'dhl' }, 200_000); // outside WITHIN 1 MINUTE of order 2
    await put('prices', 1, { PRICE: 7 }, 4000);
    await put('stock', 1, { QTY: 4 }, 5000);

    const values = async (topic: string) => (await readTopic(engine.log, topic)).map((r) => [r.key!.readInt32BE(), json(r.value)]);
    assert.deepEqual(await values('ENRICHED'), [
      [1, { ITEM: 'pen', QTY: 5 }],
      [2, { ITEM: 'ink', QTY: null }],
    ]);
    assert.deepEqual(await values('SHIPPED'), [[1, { ITEM: 'pen', CARRIER: 'ups' }]]);
    assert.deepEqual(await values('PRICED'), [
      [1, { QTY: 5, PRICE: 7 }],
      [1, { QTY: 4, PRICE: 7 }],
    ]);
  });
});

test('HAVING deletes only groups it emitted', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s GROUP BY k HAVING COUNT(*) = 2;`);
    for (let i = 0; i < 3; i++) await engine.log.produce([{ topic: 's', key: Buffer.from('a'), value: Buffer.from('{"V":1}') }]);
    await engine.runUntilIdle();
    assert.deepEqual((await readTopic(engine.log, 'T')).map((r) => json(r.value)), [{ N: 2 }, null]);
  });
});

test('a record that makes an operator fail stops only that query, with the error', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM s (k STRING KEY, d DECIMAL(3, 1)) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE total AS SELECT k, SUM(d) AS t FROM s GROUP BY k;
      CREATE STREAM copy AS SELECT * FROM s;
      INSERT INTO s (k, d) VALUES ('a', 99.5);`);
    await engine.runUntilIdle();
    // DECIMAL(3, 1) cannot hold 199.0: SUM fails, which ksqlDB treats as fatal for the query
    await engine.execute(`INSERT INTO s (k, d) VALUES ('a', 99.5);`);
    await engine.runUntilIdle();
    const failed = engine.failedQueries();
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.queryId, /^CTAS_TOTAL/);
    assert.match(failed[0]!.error.message, /Exception caught in process.*offset=1.*overflow/i);
    assert.equal((await readTopic(engine.log, 'COPY')).length, 2, 'the other query kept running');
    assert.equal((await readTopic(engine.log, 'TOTAL')).length, 1, 'only the batch before the failure was committed');
  });
});

test('a stream-table join on a value column with a WHERE over both sides: the stream-side part runs before the join (Join/0/Filter), the results as before', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM sales (id INT KEY, seller INT, category INT, note STRING) WITH (KAFKA_TOPIC='sales', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE sellers (id INT PRIMARY KEY, name STRING, state STRING, extra STRING) WITH (KAFKA_TOPIC='sellers', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM picked AS SELECT s.seller, p.name, s.id AS sale FROM sales s JOIN sellers p ON s.seller = p.id
        WHERE s.category = 10 AND (p.state = 'OR' OR p.state = 'CA');`);
    const put = (topic: string, id: number, value: object, ts: number) => {
      const key = Buffer.alloc(4);
      key.writeInt32BE(id);
      return engine.log.produce([{ topic, key, value: Buffer.from(JSON.stringify(value)), timestamp: ts }]).then(() => engine.runUntilIdle());
    };
    await put('sellers', 1, { NAME: 'ann', STATE: 'OR', EXTRA: 'x'.repeat(100) }, 1000);
    await put('sellers', 2, { NAME: 'bob', STATE: 'WA', EXTRA: 'y' }, 1000);
    await put('sales', 100, { SELLER: 1, CATEGORY: 10, NOTE: 'a' }, 2000);
    await put('sales', 101, { SELLER: 1, CATEGORY: 11, NOTE: 'b' }, 2001); // other category
    await put('sales', 102, { SELLER: 2, CATEGORY: 10, NOTE: 'c' }, 2002); // seller not in OR / CA
    await put('sellers', 2, { NAME: 'bob', STATE: 'CA', EXTRA: 'y' }, 3000);
    await put('sales', 103, { SELLER: 2, CATEGORY: 10, NOTE: 'd' }, 4000);
    await put('sales', 104, { SELLER: 3, CATEGORY: 10, NOTE: 'e' }, 4001); // no such seller
    const rows = (await readTopic(engine.log, 'PICKED')).map((r) => [r.key!.readInt32BE(), json(r.value)]);
    assert.deepEqual(rows, [
      [1, { NAME: 'ann', SALE: 100 }],
      [2, { NAME: 'bob', SALE: 103 }],
    ]);
    const [explained] = await engine.execute(`EXPLAIN ${engine.queryIds()[0]};`);
    const message = (explained as { message?: string }).message ?? '';
    assert.match(message, /\[ StreamFilter \] Join\/0\/Filter: WHERE S\.CATEGORY = 10/, message);
  });
});
