import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import type { FetchedRecord, ProduceRecord } from '../../src/log/log.js';
import { withEngine } from '../support/with-engine.js';
import { readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

// With every source of one partition a repartition runs in place (sluice.repartition.fusion, on
// by default): these check it answers exactly as the path through the topic does.

const json = (r: FetchedRecord) => (r.value ? JSON.parse(r.value.toString('utf8')) : null);
const text = (s: string) => Buffer.from(s, 'utf8');
const records = (rs: FetchedRecord[]) => rs.map((r) => [r.key?.toString('hex') ?? null, r.value?.toString('utf8') ?? null, r.timestamp]);
const repartitionTopics = async (engine: Engine) => (await engine.log.listTopics()).filter((t) => t.endsWith('-repartition'));

/** orders and customer versions interleaved in time; the orders are written first */
function ordersAndCustomers(): { orders: ProduceRecord[]; customers: ProduceRecord[]; nameAt: (id: string, ts: number) => string | null } {
  const orders: ProduceRecord[] = [];
  const customers: ProduceRecord[] = [];
  const versions = new Map<string, [number, string][]>();
  let ts = 1_000;
  for (let round = 0; round < 6; round++) {
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) {
      if ((round + i) % 2 === 0) {
        const name = `${id}${round}`;
        customers.push({ topic: 'cust', key: text(id), value: text(JSON.stringify({ NAME: name })), timestamp: ts });
        versions.set(id, [...(versions.get(id) ?? []), [ts, name]]);
        ts++;
      }
      // the order's customer is a value column: the join repartitions the orders by it
      orders.push({ topic: 'ord', key: null, value: text(JSON.stringify({ N: round * 10 + i, CID: id })), timestamp: ts++ });
    }
  }
  return { orders, customers, nameAt: (id, at) => (versions.get(id) ?? []).filter(([t]) => t <= at).at(-1)?.[1] ?? null };
}

async function joinOutput(fusion: string): Promise<{ out: FetchedRecord[]; repartitions: string[] }> {
  let result: { out: FetchedRecord[]; repartitions: string[] } | undefined;
  await withEngine(async (engine) => {
    await engine.execute(`
      SET 'sluice.repartition.fusion' = '${fusion}';
      CREATE TABLE cust (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='cust', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM ord (n INT, cid STRING) WITH (KAFKA_TOPIC='ord', PARTITIONS=1, VALUE_FORMAT='JSON');`);
    const { orders, customers } = ordersAndCustomers();
    await engine.log.produce(orders);
    await engine.log.produce(customers);
    await engine.execute(`CREATE STREAM enr AS SELECT o.cid, o.n, c.name FROM ord o LEFT JOIN cust c ON o.cid = c.id;`);
    await engine.runUntilIdle();
    result = { out: await readTopic(engine.log, 'ENR'), repartitions: await repartitionTopics(engine) };
  });
  return result!;
}

test('a fused stream-table join on a value column joins each order with the row current at its time, record for record as through the topic', async () => {
  const fused = await joinOutput('true');
  const viaTopic = await joinOutput('false');
  assert.deepEqual(fused.repartitions, [], 'fused: no repartition topic');
  assert.equal(viaTopic.repartitions.length, 1);
  const { orders, nameAt } = ordersAndCustomers();
  assert.equal(fused.out.length, orders.length);
  for (const r of fused.out) {
    const o = orders.find((x) => JSON.parse(x.value!.toString()).N === json(r).N)!;
    assert.equal(json(r).NAME, nameAt(JSON.parse(o.value!.toString()).CID, o.timestamp!), `order ${json(r).N}`);
  }
  assert.deepEqual(records(fused.out), records(viaTopic.out));
});

async function groupByOutput(fusion: string): Promise<FetchedRecord[]> {
  let out: FetchedRecord[] = [];
  await withEngine(async (engine) => {
    await engine.execute(`
      SET 'sluice.repartition.fusion' = '${fusion}';
      CREATE STREAM ev (id INT KEY, region STRING, amount INT) WITH (KAFKA_TOPIC='ev', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE totals AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM ev
        WINDOW TUMBLING (SIZE 10 SECONDS) WHERE amount > 0 GROUP BY region;`);
    const evs: ProduceRecord[] = [];
    for (let i = 0; i < 200; i++) evs.push({ topic: 'ev', key: null, value: text(JSON.stringify({ REGION: `r${i % 7}`, AMOUNT: (i % 5) - 1 })), timestamp: 1_000 + i * 97 });
    await engine.log.produce(evs);
    await engine.runUntilIdle();
    out = await readTopic(engine.log, 'TOTALS');
  });
  return out;
}

test('a fused windowed GROUP BY on a non-key writes exactly what the path through the topic writes', async () => {
  const fused = await groupByOutput('true');
  const viaTopic = await groupByOutput('false');
  assert.ok(fused.length > 100);
  assert.deepEqual(records(fused), records(viaTopic));
});

test('a fused aggregate resumes exactly after a restart, and a query that ran with its repartition topic keeps it', async () => {
  const dir = await tempDir();
  try {
    const open = (properties: Record<string, string> = {}) => Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', ...properties } });
    let engine = await open();
    await engine.execute(`
      CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE TABLE fused AS SELECT region, COUNT(*) AS n FROM ev GROUP BY region;
      SET 'sluice.repartition.fusion' = 'false';
      CREATE TABLE topical AS SELECT region, COUNT(*) AS n FROM ev GROUP BY region;
      INSERT INTO ev VALUES (1, 'x'); INSERT INTO ev VALUES (2, 'x'); INSERT INTO ev VALUES (3, 'y');`);
    await engine.runUntilIdle();
    const before = await repartitionTopics(engine);
    assert.equal(before.length, 1, 'only the query with fusion off has a topic');
    assert.match(before[0]!, /TOPICAL/);
    await engine.close();
    // reopened with fusion on for every query: the one that had a topic goes on using it
    engine = await open();
    await engine.execute(`INSERT INTO ev VALUES (4, 'x'); INSERT INTO ev VALUES (5, 'y'); INSERT INTO ev VALUES (6, 'z');`);
    await engine.runUntilIdle();
    assert.deepEqual(await repartitionTopics(engine), before);
    const written = (await engine.log.describeTopic(before[0]!)).partitions[0]!.highWatermark;
    assert.equal(written, 6n, 'the later records went through the topic too');
    for (const table of ['FUSED', 'TOPICAL']) {
      const latest = new Map((await readTopic(engine.log, table)).map((r) => [r.key!.toString(), json(r).N]));
      assert.deepEqual(Object.fromEntries([...latest].sort()), { x: 3, y: 2, z: 1 }, table);
    }
    await engine.close();
  } finally {
    await dir.cleanup();
  }
});

test('a bad sluice.repartition.fusion value refuses the query with the setting named', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=1, VALUE_FORMAT='JSON');
      SET 'sluice.repartition.fusion' = 'sometimes';`);
    await assert.rejects(engine.execute(`CREATE TABLE n AS SELECT region, COUNT(*) AS n FROM ev GROUP BY region;`), /Invalid value sometimes for configuration sluice\.repartition\.fusion/);
    assert.deepEqual(await repartitionTopics(engine), []);
  });
});

test('EMIT FINAL keeps its repartition topic: records a filter drops before it do not close its windows', async () => {
  const run = async (fusion: string) => {
    let out: FetchedRecord[] = [];
    let topics: string[] = [];
    await withEngine(async (engine) => {
      await engine.execute(`
        SET 'sluice.repartition.fusion' = '${fusion}';
        CREATE STREAM ev (id INT KEY, region STRING, amount INT) WITH (KAFKA_TOPIC='ev', PARTITIONS=1, VALUE_FORMAT='JSON');
        CREATE TABLE totals AS SELECT region, COUNT(*) AS n FROM ev
          WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) WHERE amount > 0 GROUP BY region EMIT FINAL;`);
      // the window [0, 10 s) of r1; then records far later in time that the WHERE drops
      await engine.log.produce([
        { topic: 'ev', key: null, value: text('{"REGION":"r1","AMOUNT":5}'), timestamp: 1_000 },
        { topic: 'ev', key: null, value: text('{"REGION":"r1","AMOUNT":0}'), timestamp: 30_000 },
        { topic: 'ev', key: null, value: text('{"REGION":"r2","AMOUNT":0}'), timestamp: 40_000 },
      ]);
      await engine.runUntilIdle();
      out = await readTopic(engine.log, 'TOTALS');
      topics = await repartitionTopics(engine);
    });
    return { out, topics };
  };
  const withFusionOn = await run('true');
  const withFusionOff = await run('false');
  assert.equal(withFusionOn.topics.length, 1, 'not fused');
  // ksqlDB's suppression sees only what passes the WHERE: nothing has closed the window yet
  assert.deepEqual(records(withFusionOn.out), []);
  assert.deepEqual(records(withFusionOn.out), records(withFusionOff.out));
});

test('a bad sluice.stateless.fusion value refuses the query too', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=1, VALUE_FORMAT='JSON');
      SET 'sluice.stateless.fusion' = 'no';`);
    await assert.rejects(engine.execute(`CREATE STREAM r AS SELECT id, region FROM ev;`), /Invalid value no for configuration sluice\.stateless\.fusion/);
  });
});
