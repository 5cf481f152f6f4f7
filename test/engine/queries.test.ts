import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import type { Engine } from '../../src/index.js';
import { withEngine } from '../support/with-engine.js';

const ORDERS = `CREATE STREAM orders (id STRING KEY, customer STRING, amount DECIMAL(10, 2), qty BIGINT)
  WITH (kafka_topic='orders', value_format='JSON', partitions=1);`;

/** The engine's running tasks, and the topics a transient query leaves. */
async function leftovers(engine: Engine): Promise<{ tasks: string[]; topics: string[] }> {
  return {
    tasks: engine.queryIds().filter((id) => id.startsWith('transient_')),
    topics: (await engine.log.listTopics()).filter((t) => t.includes('transient')),
  };
}

test('a push query streams rows inserted by another part of the program while it runs', async () => {
  await withEngine(async (engine) => {
    await engine.execute(ORDERS);
    const q = await engine.query('SELECT customer, amount, qty FROM orders WHERE qty > 1 EMIT CHANGES;');
    assert.deepEqual(
      q.columns.map((c) => c.name),
      ['CUSTOMER', 'AMOUNT', 'QTY'],
    );
    const consumer = (async () => {
      const rows = [];
      for await (const row of q) {
        rows.push(row);
        if (rows.length === 2) break;
      }
      return rows;
    })();
    const producer = (async () => {
      for (let i = 0; i < 4; i++) {
        await engine.insert('orders', { id: `o${i}`, customer: `c${i}`, amount: '1.25', qty: i });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const [rows] = await Promise.all([consumer, producer]);
    assert.deepEqual(rows.map((r) => r.CUSTOMER), ['c2', 'c3']);
    assert.equal(typeof rows[0]!.QTY, 'bigint');
    assert.ok(rows[0]!.AMOUNT instanceof Decimal && (rows[0]!.AMOUNT as Decimal).equals(new Decimal('1.25')));
    assert.equal(await q.ended, 'closed');
    assert.deepEqual(await leftovers(engine), { tasks: [], topics: [] });
  });
});

test('a pull query answers a range over a windowed table (per partition in key order, windows ascending)', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`${ORDERS}
      CREATE TABLE per_minute AS SELECT customer, COUNT(*) AS n, SUM(qty) AS total
        FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY customer;`);
    const minute = 60_000;
    await engine.insert('orders', [
      { id: 'a', customer: 'c2', amount: 1, qty: 5, ROWTIME: 10 },
      { id: 'b', customer: 'c1', amount: 1, qty: 1, ROWTIME: 20 },
      { id: 'c', customer: 'c1', amount: 1, qty: 2, ROWTIME: minute + 5 },
      { id: 'd', customer: 'c1', amount: 1, qty: 3, ROWTIME: 2 * minute + 5 },
      { id: 'e', customer: 'c3', amount: 1, qty: 4, ROWTIME: minute + 7 },
    ]);
    await engine.runUntilIdle();
    const range = await engine.pull(`SELECT * FROM per_minute WHERE customer = 'c1' AND WINDOWSTART >= ${minute} AND WINDOWSTART < ${3 * minute};`);
    assert.deepEqual(range.columns.map((c) => [c.name, !!c.key]), [['CUSTOMER', true], ['WINDOWSTART', true], ['WINDOWEND', true], ['N', false], ['TOTAL', false]]);
    assert.deepEqual(range.values, [
      ['c1', BigInt(minute), BigInt(2 * minute), 1n, 2n],
      ['c1', BigInt(2 * minute), BigInt(3 * minute), 1n, 3n],
    ]);
    const keys = await engine.pull(`SELECT customer, WINDOWSTART, total FROM per_minute WHERE customer BETWEEN 'c1' AND 'c2' AND WINDOWEND <= ${minute};`);
    assert.deepEqual(keys.rows, [
      { CUSTOMER: 'c1', WINDOWSTART: 0n, TOTAL: 1n },
      { CUSTOMER: 'c2', WINDOWSTART: 0n, TOTAL: 5n },
    ]);
    // an IN list answers in the list's order
    const inList = await engine.pull(`SELECT customer, total FROM per_minute WHERE customer IN ('c3', 'c2');`);
    assert.deepEqual(inList.rows, [{ CUSTOMER: 'c3', TOTAL: 4n }, { CUSTOMER: 'c2', TOTAL: 5n }]);
    const limited = await engine.pull(`SELECT customer, WINDOWSTART FROM per_minute LIMIT 3;`);
    assert.deepEqual(limited.rows, [{ CUSTOMER: 'c1', WINDOWSTART: 0n }, { CUSTOMER: 'c1', WINDOWSTART: BigInt(minute) }, { CUSTOMER: 'c1', WINDOWSTART: BigInt(2 * minute) }]);
  });
});

test('cancelling a push query through the signal or return() frees its task, topic and state', async () => {
  await withEngine(async (engine) => {
    await engine.execute(ORDERS);
    await engine.insert('orders', [{ id: 'a', customer: 'c1', qty: 1 }, { id: 'b', customer: 'c1', qty: 2 }]);
    // a stateful query: it has a state store and a changelog topic to drop
    const controller = new AbortController();
    const counts = await engine.query('SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer EMIT CHANGES;', { signal: controller.signal });
    const seen: unknown[] = [];
    for await (const row of counts) {
      seen.push(row.N);
      if (seen.length === 2) controller.abort();
    }
    assert.deepEqual(seen, [1n, 2n]);
    assert.equal(await counts.ended, 'closed');
    const topics = await engine.log.listTopics();
    assert.ok(!topics.some((t) => t.includes(counts.queryId)), `topics left: ${topics.join(', ')}`);
    let state = 0;
    for await (const _ of engine.log.extras.range({ gte: Buffer.from(`state\u0000${counts.queryId}\u0000`), lt: Buffer.from(`state\u0000${counts.queryId}\u0001`) })) state++;
    assert.equal(state, 0);
    assert.ok(!(await engine.log.listGroups()).includes(counts.queryId));

    const plain = await engine.query('SELECT * FROM orders EMIT CHANGES;');
    const it = plain[Symbol.asyncIterator]();
    assert.equal(((await it.next()).value as { ID: string }).ID, 'a');
    await it.return!();
    assert.equal(await plain.ended, 'closed');
    assert.deepEqual(await leftovers(engine), { tasks: [], topics: [] });
  });
});

test('LIMIT ends a push query; many push queries run at once', async () => {
  await withEngine(async (engine) => {
    await engine.execute(ORDERS);
    await engine.insert(
      'orders',
      Array.from({ length: 10 }, (_, i) => ({ id: `o${i}`, customer: `c${i % 3}`, qty: i })),
    );
    const queries = await Promise.all([
      engine.query('SELECT id FROM orders EMIT CHANGES LIMIT 3;'),
      engine.query("SELECT id FROM orders WHERE customer = 'c1' EMIT CHANGES LIMIT 2;"),
      engine.query('SELECT customer, SUM(qty) AS total FROM orders GROUP BY customer EMIT CHANGES LIMIT 10;'),
      engine.query('SELECT id FROM orders EMIT CHANGES LIMIT 0;'),
    ]);
    assert.equal(new Set(queries.map((q) => q.queryId)).size, 4);
    const results = await Promise.all(
      queries.map(async (q) => {
        const rows = [];
        for await (const r of q) rows.push(r);
        return rows;
      }),
    );
    assert.deepEqual(results[0]!.map((r) => r.ID), ['o0', 'o1', 'o2']);
    assert.deepEqual(results[1]!.map((r) => r.ID), ['o1', 'o4']);
    assert.equal(results[2]!.length, 10);
    assert.deepEqual(results[2]!.at(-1), { CUSTOMER: 'c0', TOTAL: 18n });
    assert.deepEqual(results[3], []);
    for (const q of queries) assert.equal(await q.ended, 'limit');
    assert.deepEqual(await leftovers(engine), { tasks: [], topics: [] });
  });
});

test('SELECT through execute answers pull queries and points push queries at engine.query', async () => {
  await withEngine(async (engine) => {
    await engine.execute(ORDERS);
    await engine.insert('orders', { id: 'a', customer: 'c1', amount: 2.5, qty: 7 });
    const [result] = await engine.execute("SELECT id, qty FROM orders WHERE customer = 'c1';");
    assert.deepEqual(result!.table, { columns: ['ID', 'QTY'], rows: [['a', '7']] });
    await assert.rejects(engine.execute('SELECT * FROM orders EMIT CHANGES;'), /engine\.query/);
    await assert.rejects(engine.insert('orders', { nope: 1 }), /NOPE|nope/);
    await assert.rejects(engine.pull('SELECT * FROM orders o JOIN orders p WITHIN 1 SECOND ON o.id = p.id;'), /don't support JOIN/);
  });
});

test('processing-log entries serialize with JSON.stringify', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`${ORDERS} CREATE STREAM big AS SELECT id, qty FROM orders;`);
    await engine.log.produce([{ topic: 'orders', key: Buffer.from('x'), value: Buffer.from('{not json'), timestamp: 1 }]);
    await engine.runUntilIdle();
    assert.ok(engine.processingLog.length > 0);
    const parsed = JSON.parse(JSON.stringify(engine.processingLog)) as { offset: string; queryId: string }[];
    assert.equal(parsed[0]!.offset, '0');
    assert.equal(parsed[0]!.queryId, 'CSAS_BIG_1');
  });
});

test('a push query from latest sees every row inserted after engine.query returns, and none before', async () => {
  await withEngine(async (engine) => {
    await engine.execute(ORDERS);
    await engine.insert('orders', { id: 'before', customer: 'c1', qty: 1 });
    // the session reads from earliest; this query's own property wins
    const q = await engine.query('SELECT id FROM orders EMIT CHANGES LIMIT 2;', { properties: { 'auto.offset.reset': 'latest' } });
    await engine.insert('orders', [{ id: 'after1', customer: 'c1', qty: 1 }, { id: 'after2', customer: 'c1', qty: 1 }]);
    const ids = [];
    for await (const row of q) ids.push(row.ID);
    assert.deepEqual(ids, ['after1', 'after2']);
  });
});

test('a push query over a table shows changes and deletes of the rows it showed', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`${ORDERS}
      CREATE TABLE totals AS SELECT customer, SUM(qty) AS total FROM orders GROUP BY customer HAVING SUM(qty) < 10;`);
    const q = await engine.query('SELECT customer, total FROM totals EMIT CHANGES LIMIT 3;');
    await engine.insert('orders', [
      { id: 'a', customer: 'c1', qty: 4 },
      { id: 'b', customer: 'c2', qty: 20 },
      { id: 'c', customer: 'c1', qty: 5 },
      { id: 'd', customer: 'c1', qty: 5 },
    ]);
    const changes = [];
    for await (const change of q.changes()) changes.push([...change.values, change.tombstone]);
    // c2 never passed HAVING, so its delete is not shown; c1's is
    assert.deepEqual(changes, [
      ['c1', 4n, false],
      ['c1', 9n, false],
      ['c1', null, true],
    ]);
  });
});

test('push and pull results keep every SQL type exactly', async () => {
  await withEngine(async (engine) => {
    await engine.execute(`CREATE TABLE things (id BIGINT PRIMARY KEY, d DECIMAL(20, 4), x DOUBLE, b BYTES, m MAP<STRING, INT>,
        s STRUCT<A STRING, B ARRAY<BIGINT>>, dt DATE, tm TIME, ts TIMESTAMP, f BOOLEAN)
      WITH (kafka_topic='things', value_format='JSON', partitions=1);
      CREATE TABLE things_copy AS SELECT * FROM things;`);
    const row = {
      ID: 9_007_199_254_740_993n,
      D: new Decimal('1234567890123456.0001'),
      X: Number.NaN,
      B: Buffer.from([0, 255, 1]),
      M: new Map([['k', 7]]),
      S: { A: 'a', B: [1n, -9_007_199_254_740_993n] },
      DT: 19_000,
      TM: 3_600_000,
      TS: 1_700_000_000_123,
      F: false,
    };
    const q = await engine.query('SELECT * FROM things EMIT CHANGES LIMIT 1;');
    await engine.insert('things', row);
    let pushed: Record<string, unknown> | undefined;
    for await (const r of q) pushed = r;
    assert.deepEqual(pushed, row);
    await engine.runUntilIdle();
    const pulled = await engine.pull('SELECT * FROM things_copy WHERE id = 9007199254740993;');
    assert.deepEqual(pulled.rows, [row]);
  });
});
