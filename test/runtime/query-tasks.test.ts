import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, partitionForKey, splitWindowedKey } from '../../src/index.js';
import type { FetchedRecord, ProduceRecord } from '../../src/log/log.js';
import { withEngine } from '../support/with-engine.js';
import { readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

const json = (r: FetchedRecord) => (r.value ? JSON.parse(r.value.toString('utf8')) : null);
const text = (s: string) => Buffer.from(s, 'utf8');

for (const fusion of ['true', 'false']) test(`the tutorial join: a table row inserted before the query is joined to a later order (ksqlDB's answer; repartition fusion ${fusion})`, async () => {
  // as `sluice run --until-idle` runs it: every statement, then the queries until idle
  await withEngine(async (engine) => {
    await engine.execute(`
      SET 'sluice.repartition.fusion' = '${fusion}';
      CREATE TABLE cust (customer_id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='cust', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM ord (order_id INT, customer_id STRING, amount INT) WITH (KAFKA_TOPIC='ord', PARTITIONS=1, VALUE_FORMAT='JSON');
      INSERT INTO cust VALUES ('c1', 'Alice');
      CREATE STREAM enr AS SELECT o.customer_id, o.order_id, c.name FROM ord o LEFT JOIN cust c ON o.customer_id = c.customer_id;
      INSERT INTO ord VALUES (1, 'c1', 10);`);
    await engine.runUntilIdle();
    const cust = await readTopic(engine.log, 'cust');
    const ord = await readTopic(engine.log, 'ord');
    assert.ok(cust[0]!.timestamp <= ord[0]!.timestamp, 'the table row is the older record: timestamp order puts it first');
    assert.deepEqual((await readTopic(engine.log, 'ENR')).map(json), [{ ORDER_ID: 1, NAME: 'Alice' }]);
    // ord has no key: the join on customer_id repartitions it, through a topic unless fused
    const topics = await engine.log.listTopics();
    assert.equal(topics.some((t) => /^_sluice-CSAS_ENR_\d+-Join-0-Left-repartition$/.test(t)), fusion === 'false', topics.join(' '));
  });
});

test('a stream-table join over three partitions with interleaved timestamps joins each order with the customer row current at its time', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE TABLE cust (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='cust', PARTITIONS=3, VALUE_FORMAT='JSON');
      CREATE STREAM ord (id STRING KEY, n INT) WITH (KAFKA_TOPIC='ord', PARTITIONS=3, VALUE_FORMAT='JSON');`);
    // customer versions and orders interleave in time; all are written before the query starts
    const customers = ['a', 'b', 'c', 'd', 'e', 'f'];
    const custRecords: ProduceRecord[] = [];
    const orderRecords: ProduceRecord[] = [];
    const versions = new Map<string, [number, string][]>();
    let ts = 1_000;
    for (let round = 0; round < 5; round++) {
      for (const [i, id] of customers.entries()) {
        if ((round + i) % 2 === 0) {
          const name = `${id}${round}`;
          custRecords.push({ topic: 'cust', key: text(id), value: text(JSON.stringify({ NAME: name })), timestamp: ts++ });
          versions.set(id, [...(versions.get(id) ?? []), [ts - 1, name]]);
        }
        orderRecords.push({ topic: 'ord', key: text(id), value: text(JSON.stringify({ N: round * 10 + i })), timestamp: ts++ });
      }
    }
    // orders first in the log: processing by log position would miss most customer rows
    await engine.log.produce(orderRecords);
    await engine.log.produce(custRecords);
    await engine.execute(`CREATE STREAM enr AS SELECT o.id, o.n, c.name FROM ord o LEFT JOIN cust c ON o.id = c.id;`);
    await engine.runUntilIdle();
    const got = new Map((await readTopic(engine.log, 'ENR')).map((r) => [json(r).N as number, json(r).NAME as string | null]));
    assert.equal(got.size, orderRecords.length);
    for (const o of orderRecords) {
      const id = o.key!.toString();
      const n = JSON.parse(o.value!.toString()).N as number;
      const current = (versions.get(id) ?? []).filter(([t]) => t <= o.timestamp!).at(-1)?.[1] ?? null;
      assert.equal(got.get(n), current, `order ${n} of ${id} at ${o.timestamp}`);
    }
    // key joins on co-partitioned topics need no repartition
    assert.ok(!(await engine.log.listTopics()).some((t) => t.endsWith('-repartition')));
  });
});

test('a tumbling count (grace 0) over four partitions, timestamps rising within each partition, loses no on-time window', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM clicks (k STRING KEY, v INT) WITH (KAFKA_TOPIC='clicks', PARTITIONS=4, VALUE_FORMAT='JSON');`);
    const keys = Array.from({ length: 12 }, (_, i) => `user${i}`);
    const records: ProduceRecord[] = [];
    const expected = new Map<string, number>();
    // each key lives in one partition (murmur2 of its key); every partition has its own clock that
    // only rises, and the partitions run at different paces, far apart in time
    const byPartition = new Map<number, string[]>();
    for (const k of keys) {
      const p = partitionForKey(text(k), 4);
      byPartition.set(p, [...(byPartition.get(p) ?? []), k]);
    }
    assert.ok(byPartition.size >= 3, 'the keys spread over the partitions');
    for (const [p, inPartition] of byPartition) {
      let ts = p * 25_000;
      for (let j = 0; j < 40; j++) {
        for (const [i, k] of inPartition.entries()) {
          ts += 300 + ((i * 7 + j * 3) % 5) * 200;
          records.push({ topic: 'clicks', key: text(k), value: text(JSON.stringify({ V: j })), timestamp: ts });
          const w = `${k}@${ts - (ts % 10_000)}`;
          expected.set(w, (expected.get(w) ?? 0) + 1);
        }
      }
    }
    await engine.log.produce(records);
    await engine.execute(`CREATE TABLE counts AS SELECT k, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY k EMIT CHANGES;`);
    await engine.runUntilIdle();
    const latest = new Map<string, number>();
    for (const r of await readTopic(engine.log, 'COUNTS')) {
      const { keyBytes, window } = splitWindowedKey(r.key!, { type: 'TUMBLING', sizeMs: 10_000 });
      latest.set(`${keyBytes.toString()}@${window.start}`, json(r).N);
    }
    assert.deepEqual(new Map([...latest].sort()), new Map([...expected].sort()));
  });
});

test('GROUP BY a non-key column goes through a repartition topic and counts exactly over several partitions', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE STREAM ev (id INT KEY, region STRING, amount INT) WITH (KAFKA_TOPIC='ev', PARTITIONS=4, VALUE_FORMAT='JSON');`);
    const records: ProduceRecord[] = [];
    const expected = new Map<string, [number, number]>();
    for (let i = 0; i < 2_000; i++) {
      const key = Buffer.alloc(4);
      key.writeInt32BE(i);
      const region = `r${(i * 13) % 7}`;
      records.push({ topic: 'ev', key, value: text(JSON.stringify({ REGION: region, AMOUNT: i % 10 })), timestamp: 1_000 + i });
      const [n, sum] = expected.get(region) ?? [0, 0];
      expected.set(region, [n + 1, sum + (i % 10)]);
    }
    await engine.log.produce(records);
    await engine.execute(`CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM ev GROUP BY region;`);
    await engine.runUntilIdle();
    const topics = await engine.log.listTopics();
    const repartition = topics.find((t) => t.endsWith('-Aggregate-GroupBy-repartition'));
    assert.ok(repartition, topics.join(' '));
    assert.equal((await engine.log.describeTopic(repartition!)).partitions.length, 4, "as many partitions as the source");
    // the changelog has one partition per task
    const changelog = topics.find((t) => t.startsWith('_sluice-CTAS_BY_REGION') && t.endsWith('-changelog'))!;
    assert.equal((await engine.log.describeTopic(changelog)).partitions.length, 4);
    const latest = new Map<string, [number, number]>();
    for (const r of await readTopic(engine.log, 'BY_REGION')) latest.set(r.key!.toString(), [json(r).N, json(r).TOTAL]);
    assert.deepEqual(new Map([...latest].sort()), new Map([...expected].sort()));
  });
});

const noRepartition: [string, string][] = [
  ['GROUP BY the key', `CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;`],
  ['PARTITION BY into a sink', `CREATE STREAM t AS SELECT * FROM s PARTITION BY v;`],
  ['a stateless projection', `CREATE STREAM t AS SELECT id, v FROM s WHERE v > 1;`],
];
for (const [name, sql] of noRepartition) {
  test(`no repartition topic where ksqlDB plans none: ${name}`, async () => {
    await withEngine(async (engine) => {
      await engine.execute(`CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=2, VALUE_FORMAT='JSON'); ${sql} INSERT INTO s VALUES (1, 2);`);
      await engine.runUntilIdle();
      assert.deepEqual((await engine.log.listTopics()).filter((t) => t.endsWith('-repartition')), []);
    });
  });
}

test('a repartitioned aggregate resumes exactly after a restart (upstream and downstream commits are separate)', async () => {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`
      CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=3, VALUE_FORMAT='JSON');
      CREATE TABLE n AS SELECT region, COUNT(*) AS n FROM ev GROUP BY region;
      INSERT INTO ev VALUES (1, 'x'); INSERT INTO ev VALUES (2, 'x'); INSERT INTO ev VALUES (3, 'y');`);
    await engine.runUntilIdle();
    await engine.close();
    engine = await Engine.open({ dataDir: dir.path });
    await engine.execute(`INSERT INTO ev VALUES (4, 'x'); INSERT INTO ev VALUES (5, 'y');`);
    await engine.runUntilIdle();
    const latest = new Map((await readTopic(engine.log, 'N')).map((r) => [r.key!.toString(), json(r).N]));
    assert.deepEqual(Object.fromEntries(latest), { x: 3, y: 2 });
    await engine.close();
  } finally {
    await dir.cleanup();
  }
});

const keyFormats: [string, string][] = [
  ['KAFKA', `KEY_FORMAT='KAFKA'`],
  ['JSON', `KEY_FORMAT='JSON'`],
  ['DELIMITED', `KEY_FORMAT='DELIMITED'`],
];
for (const [format, keyFormat] of keyFormats) {
  test(`a join on a stream value column repartitions only the stream, partitioned as the ${format}-keyed table's topic`, async () => {
    await withEngine(async (engine) => {
      await engine.execute(`
        CREATE TABLE cust (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='cust', PARTITIONS=3, ${keyFormat}, VALUE_FORMAT='JSON');
        CREATE STREAM ord (oid INT KEY, cid INT) WITH (KAFKA_TOPIC='ord', PARTITIONS=2, VALUE_FORMAT='JSON');`);
      for (let c = 0; c < 12; c++) await engine.execute(`INSERT INTO cust (id, name) VALUES (${c}, 'n${c}');`);
      for (let o = 0; o < 36; o++) await engine.execute(`INSERT INTO ord (oid, cid) VALUES (${o}, ${o % 12});`);
      await engine.execute(`CREATE STREAM enr AS SELECT c.id, o.oid, c.name FROM ord o JOIN cust c ON o.cid = c.id;`);
      await engine.runUntilIdle();
      const topics = await engine.log.listTopics();
      const repartitions = topics.filter((t) => t.endsWith('-repartition'));
      assert.equal(repartitions.length, 1, repartitions.join(' '));
      assert.equal((await engine.log.describeTopic(repartitions[0]!)).partitions.length, 3, "the table topic's partition count");
      const out = (await readTopic(engine.log, 'ENR')).map(json);
      assert.equal(out.length, 36, 'every order found its customer in the task of its partition');
      for (const r of out) assert.equal(r.NAME, `n${r.OID % 12}`);
    });
  });
}

test('max.task.idle.ms set on the session: runUntilIdle still finishes, and an input written late but earlier in time goes first', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      SET 'max.task.idle.ms' = '300';
      CREATE TABLE cust (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='cust', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM ord (id STRING KEY, n INT) WITH (KAFKA_TOPIC='ord', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM enr AS SELECT o.id, o.n, c.name FROM ord o LEFT JOIN cust c ON o.id = c.id;`);
    engine.start();
    try {
      // the order arrives first; the customer row, older in time, a moment later
      await engine.log.produce([{ topic: 'ord', key: text('c1'), value: text('{"N":1}'), timestamp: 2_000 }]);
      await new Promise((r) => setTimeout(r, 50));
      await engine.log.produce([{ topic: 'cust', key: text('c1'), value: text('{"NAME":"Alice"}'), timestamp: 1_000 }]);
      const started = Date.now();
      await engine.runUntilIdle();
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await engine.stop();
    }
    // the task waited for the empty table input, so the older row was there for the order
    assert.deepEqual((await readTopic(engine.log, 'ENR')).map(json), [{ N: 1, NAME: 'Alice' }]);
  });
});

test('state whose changelog no longer matches the task layout stops the query with a clear error', async () => {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`
      CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=2, VALUE_FORMAT='JSON');
      CREATE TABLE n AS SELECT id, COUNT(*) AS n FROM ev GROUP BY id;
      INSERT INTO ev VALUES (1, 'x');`);
    await engine.runUntilIdle();
    const changelog = (await engine.log.listTopics()).find((t) => t.endsWith('-changelog'))!;
    await engine.close();
    // as a data directory written by a layout with one task would look
    const { openLocalLog } = await import('../../src/index.js');
    const log = await openLocalLog(dir.path);
    await log.deleteTopic(changelog);
    await log.createTopic(changelog, { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    await log.close();
    engine = await Engine.open({ dataDir: dir.path });
    await engine.runUntilIdle();
    const [failed] = engine.failedQueries();
    assert.match(failed?.error.message ?? '', /has 1 partition\(s\) but the query runs 2 task\(s\)/);
    await engine.close();
  } finally {
    await dir.cleanup();
  }
});

test('the background loop drives a repartitioned query as data arrives', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=3, VALUE_FORMAT='JSON');
      CREATE TABLE n AS SELECT region, COUNT(*) AS n FROM ev GROUP BY region;`);
    engine.start();
    try {
      for (let i = 0; i < 30; i++) {
        await engine.execute(`INSERT INTO ev VALUES (${i}, 'r${i % 3}');`);
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      const deadline = Date.now() + 10_000;
      let latest = new Map<string, number>();
      while (Date.now() < deadline) {
        latest = new Map((await readTopic(engine.log, 'N')).map((r) => [r.key!.toString(), json(r).N as number]));
        if ([...latest.values()].reduce((a, b) => a + b, 0) === 30) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(Object.fromEntries([...latest].sort()), { r0: 10, r1: 10, r2: 10 });
    } finally {
      await engine.stop();
    }
  });
});

test('repartition records are purged once the downstream task has committed them', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`
      SET 'repartition.purge.interval.ms' = '0';
      CREATE STREAM ev (id INT KEY, region STRING) WITH (KAFKA_TOPIC='ev', PARTITIONS=2, VALUE_FORMAT='JSON');
      CREATE TABLE n AS SELECT region, COUNT(*) AS n FROM ev GROUP BY region;`);
    for (let i = 0; i < 20; i++) await engine.execute(`INSERT INTO ev VALUES (${i}, 'r${i % 4}');`);
    await engine.runUntilIdle();
    const topic = (await engine.log.listTopics()).find((t) => t.endsWith('-repartition'))!;
    const written = async () => {
      let n = 0n;
      for (const p of (await engine.log.describeTopic(topic)).partitions) n += p.highWatermark;
      return n;
    };
    const left = async () => {
      let n = 0n;
      for (const p of (await engine.log.describeTopic(topic)).partitions) n += p.highWatermark - p.logStartOffset;
      return n;
    };
    assert.equal(await written(), 20n);
    for (let i = 0; i < 50 && (await left()) > 0n; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await left(), 0n, 'nothing consumed is kept');
    // the counts are right, and a restart does not trip over the purged offsets
    const latest = new Map((await readTopic(engine.log, 'N')).map((r) => [r.key!.toString(), json(r).N]));
    assert.deepEqual(Object.fromEntries([...latest].sort()), { r0: 5, r1: 5, r2: 5, r3: 5 });
  });
});
