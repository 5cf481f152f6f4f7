import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CatalogError, Engine, ParseError, PlanError, partitionForKey } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { withEngine } from '../support/with-engine.js';
import { jsonValues, readTopic } from '../support/read-topic.js';

const SOURCE = `CREATE STREAM orders (id BIGINT KEY, item STRING, qty INT, price DOUBLE)
  WITH (KAFKA_TOPIC='orders', PARTITIONS=2, VALUE_FORMAT='JSON');`;


test('a filter-and-project query writes the matching rows, keyed like the input', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCE);
    await engine.execute(`CREATE STREAM big AS SELECT id, UCASE(item) AS item, qty * price AS total FROM orders WHERE qty >= 2;`);
    await engine.execute(`
      INSERT INTO orders (id, item, qty, price) VALUES (1, 'pen', 1, 1.5);
      INSERT INTO orders (id, item, qty, price) VALUES (2, 'ink', 3, 2.0);
      INSERT INTO orders (id, item, qty, price) VALUES (3, 'pad', 2, 4.25);`);
    await engine.runUntilIdle();
    const out = await readTopic(engine.log, 'BIG');
    const rows = jsonValues(out).sort((a, b) => a.TOTAL - b.TOTAL);
    assert.deepEqual(rows, [
      { ITEM: 'INK', TOTAL: 6 },
      { ITEM: 'PAD', TOTAL: 8.5 },
    ]);
    // KAFKA key format: BIGINT keys as 8 big-endian bytes, in the partition Kafka would choose
    for (const r of out) assert.equal(r.partition, partitionForKey(r.key!, 2));
    assert.deepEqual(out.map((r) => r.key!.readBigInt64BE()).sort(), [2n, 3n]);
  });
});

test('the sink schema is derived from the projection, keys first', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCE);
    await engine.execute(`CREATE STREAM s AS SELECT item, id, qty + 1 FROM orders;`);
    const s = engine.catalog.getSource('S')!;
    assert.deepEqual(
      s.schema.columns.map((c) => `${c.name} ${c.type.kind} ${c.namespace}`),
      ['ID BIGINT KEY', 'ITEM STRING VALUE', 'KSQL_COL_0 INTEGER VALUE'],
    );
    assert.equal(s.topic, 'S');
    assert.equal(s.valueFormat.format, 'JSON');
  });
});

test('PARTITION BY re-keys the stream and moves the old key into the value', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCE);
    await engine.execute(`CREATE STREAM by_item WITH (KEY_FORMAT='JSON') AS SELECT * FROM orders PARTITION BY item;`);
    assert.deepEqual(
      engine.catalog.getSource('BY_ITEM')!.schema.columns.map((c) => `${c.name} ${c.namespace}`),
      ['ITEM KEY', 'QTY VALUE', 'PRICE VALUE', 'ID VALUE'],
    );
    await engine.execute(`INSERT INTO orders (id, item, qty, price) VALUES (7, 'pen', 1, 1.0);`);
    await engine.runUntilIdle();
    const [rec] = await readTopic(engine.log, 'BY_ITEM');
    assert.equal(rec!.key!.toString(), '"pen"');
    assert.deepEqual(JSON.parse(rec!.value!.toString()), { QTY: 1, PRICE: 1, ID: 7 });
    assert.equal(rec!.partition, partitionForKey(rec!.key!, 2));
  });
});

test('a record that does not deserialize goes to the processing log and the query keeps running', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCE);
    await engine.execute(`CREATE STREAM copy AS SELECT * FROM orders;`);
    const key = Buffer.alloc(8);
    await engine.log.produce([
      { topic: 'orders', partition: 0, key, value: Buffer.from('{not json') },
      { topic: 'orders', partition: 0, key, value: Buffer.from('{"ITEM":"ok","QTY":1,"PRICE":2}') },
    ]);
    await engine.runUntilIdle();
    assert.equal(engine.processingLog.length, 1);
    assert.equal(engine.processingLog[0]!.offset, 0);
    assert.equal(engine.processingLog[0]!.type, 'DESERIALIZATION_ERROR');
    assert.deepEqual(jsonValues(await readTopic(engine.log, 'COPY')), [{ ITEM: 'ok', QTY: 1, PRICE: 2 }]);
  });
});

test('statements are validated before anything is applied', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCE);
    await assert.rejects(
      engine.execute(`CREATE STREAM orders (id INT KEY) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');`),
      (e: unknown) => e instanceof CatalogError && /already exists/.test(e.message),
    );
    await assert.rejects(
      engine.execute(`CREATE STREAM bad AS SELECT item FROM orders;`),
      (e: unknown) => e instanceof PlanError && e.message.includes('must include the key column ID in its projection'),
    );
    assert.equal(engine.catalog.getSource('BAD'), undefined);
    assert.ok(!(await engine.log.listTopics()).includes('BAD'));
    await assert.rejects(engine.execute(`CREATE STREAM x AS SELECT nope FROM orders;`), /NOPE/);
    await assert.rejects(engine.execute(`CREATE STREM x;`), ParseError);
    await assert.rejects(
      engine.execute(`CREATE STREAM t2 (a INT) WITH (KAFKA_TOPIC='missing', VALUE_FORMAT='JSON');`),
      /Topic 'missing' does not exist/,
    );
  });
});

test('the catalog and queries survive a restart and resume without duplicates', async () => {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(SOURCE);
    await engine.execute(`CREATE STREAM copy AS SELECT * FROM orders;`);
    await engine.execute(`INSERT INTO orders (id, item, qty, price) VALUES (1, 'a', 1, 1.0);`);
    await engine.runUntilIdle();
    await engine.close();

    engine = await Engine.open({ dataDir: dir.path });
    assert.deepEqual(engine.catalog.listSources().map((s) => s.name), ['COPY', 'KSQL_PROCESSING_LOG', 'ORDERS']);
    assert.equal(engine.queryIds().length, 1);
    // re-running the same statements is a no-op, not an error
    const again = await engine.execute(`${SOURCE}\nCREATE STREAM copy AS SELECT * FROM orders;`);
    assert.ok(again.every((r) => r.unchanged));
    await engine.execute(`INSERT INTO orders (id, item, qty, price) VALUES (2, 'b', 1, 1.0);`);
    await engine.runUntilIdle();
    const items = jsonValues(await readTopic(engine.log, 'COPY')).map((v) => v.ITEM).sort();
    assert.deepEqual(items, ['a', 'b']);
    await engine.close();
    await engine.close(); // idempotent
  } finally {
    await dir.cleanup();
  }
});

test('table functions emit one row per element', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM s (k STRING KEY, xs ARRAY<INT>) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');`);
    await engine.execute(`CREATE STREAM e AS SELECT k, EXPLODE(xs) AS x FROM s;`);
    await engine.execute(`INSERT INTO s (k, xs) VALUES ('a', ARRAY[1, 2, 3]);`);
    await engine.runUntilIdle();
    assert.deepEqual(jsonValues(await readTopic(engine.log, 'E')), [{ X: 1 }, { X: 2 }, { X: 3 }]);
  });
});

test('EXPLAIN shows the steps of a query', async () => {
  await withEngine(async (engine) => {
    await engine.execute(SOURCE);
    const [r] = await engine.execute(`EXPLAIN CREATE STREAM big AS SELECT id, item FROM orders WHERE qty > 1;`);
    for (const step of ['StreamSink', 'StreamSelect', 'StreamFilter', 'StreamSource']) assert.match(r!.message, new RegExp(step));
    assert.match(r!.message, /WHERE \(?QTY > 1\)?/);
  });
});

test('WITH (RETENTION_MS=...) and tables set the created topics\' retention and cleanup policy', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON', RETENTION_MS=60000);`);
    await engine.execute(`CREATE TABLE t (id INT PRIMARY KEY, v STRING) WITH (KAFKA_TOPIC='t', PARTITIONS=1, VALUE_FORMAT='JSON');`);
    await engine.execute(`CREATE STREAM c WITH (RETENTION_MS=1000) AS SELECT * FROM s;`);
    assert.equal((await engine.log.describeTopic('s')).config['retention.ms'], 60000);
    assert.equal((await engine.log.describeTopic('C')).config['retention.ms'], 1000);
    assert.equal((await engine.log.describeTopic('t')).config['cleanup.policy'], 'compact');
  });
});
