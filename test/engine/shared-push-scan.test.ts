import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine, PushQuery, RowChange } from '../../src/index.js';
import { withEngine } from '../support/with-engine.js';

// the test engine reads from earliest by default; push queries from latest are the shared kind
const latest = { properties: { 'auto.offset.reset': 'latest' } };
const CLICKS = `CREATE STREAM clicks (id INT KEY, page STRING, n INT) WITH (kafka_topic='clicks', value_format='JSON', partitions=2);`;

async function transientTopics(engine: Engine): Promise<string[]> {
  return (await engine.log.listTopics()).filter((t) => t.startsWith('_sluice-transient-'));
}

/** the next `count` changes of a push query */
async function take(q: PushQuery, count: number): Promise<RowChange[]> {
  const out: RowChange[] = [];
  const it = q.changes();
  while (out.length < count) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

async function insertClicks(engine: Engine, from: number, count: number): Promise<void> {
  await engine.insert(
    'clicks',
    Array.from({ length: count }, (_, i) => ({ id: from + i, page: `p${(from + i) % 3}`, n: from + i })),
  );
}

test('identical push queries share one running query; each has its own LIMIT and sees rows from when it joined', async () => {
  await withEngine(async (engine) => {
    await engine.execute(CLICKS);
    const sql = "SELECT id, page FROM clicks WHERE page <> 'p0' EMIT CHANGES;";
    const first = await engine.query(sql, latest);
    await insertClicks(engine, 1, 3); // p1, p2, p0 -> two rows
    // the first has seen them before the others join
    const early = await take(first, 2);
    const second = await engine.query(sql.replace('EMIT CHANGES;', 'EMIT CHANGES LIMIT 1;'), latest);
    const third = await engine.query(sql, latest);
    assert.equal((await transientTopics(engine)).length, 1, 'one query runs for three subscribers');
    assert.notEqual(second.queryId, first.queryId);
    await new Promise((r) => setTimeout(r, 300));
    await insertClicks(engine, 4, 3); // p1, p2, p0 -> two rows
    const got = [...early, ...(await take(first, 2))];
    assert.deepEqual(got.map((c) => c.values[0]).sort(), [1, 2, 4, 5]);
    const [secondRow] = await take(second, 5);
    assert.equal(await second.ended, 'limit');
    assert.ok(secondRow && [4, 5].includes(secondRow.values[0] as number), 'the second sees only rows produced after it joined');
    const thirdRows = await take(third, 2);
    assert.deepEqual(thirdRows.map((c) => c.values[0]).sort(), [4, 5]);
    // the same decoded row object reaches every subscriber (a server encodes it once)
    assert.ok(got.some((c) => thirdRows.includes(c)));
    await first.close();
    assert.equal((await transientTopics(engine)).length, 1, 'still running for the third');
    await third.close();
    assert.equal(await third.ended, 'closed');
    assert.deepEqual(await transientTopics(engine), [], 'the last subscriber stops it and its data goes');
    assert.deepEqual(engine.queryIds().filter((id) => id.startsWith('transient_')), []);
  });
});

test('queries that depend on when they start are not shared', async () => {
  await withEngine(async (engine) => {
    await engine.execute(CLICKS);
    const earliest = { properties: { 'auto.offset.reset': 'earliest' } };
    const queries = [
      await engine.query('SELECT id FROM clicks EMIT CHANGES;', earliest),
      await engine.query('SELECT id FROM clicks EMIT CHANGES;', earliest),
      await engine.query('SELECT page, COUNT(*) AS c FROM clicks GROUP BY page EMIT CHANGES;', latest),
      await engine.query('SELECT page, COUNT(*) AS c FROM clicks GROUP BY page EMIT CHANGES;', latest),
      await engine.query('SELECT id FROM clicks EMIT CHANGES;', latest),
      await engine.query('SELECT id, n FROM clicks EMIT CHANGES;', latest),
    ];
    assert.equal((await transientTopics(engine)).length, 6);
    await Promise.all(queries.map((q) => q.close()));
    assert.deepEqual(await transientTopics(engine), []);
  });
});

test('a subscriber that falls too far behind ends with an error; the others get every row', async () => {
  await withEngine(async (engine) => {
    await engine.execute(CLICKS);
    const props = { properties: { ...latest.properties, 'sluice.push.shared.buffer.rows': '20' } };
    const sql = 'SELECT id FROM clicks EMIT CHANGES;';
    const slow = await engine.query(sql, props);
    const fast = await engine.query(sql, props);
    const fastRows = take(fast, 200);
    for (let i = 0; i < 10; i++) await insertClicks(engine, i * 20, 20);
    assert.deepEqual((await fastRows).map((c) => c.values[0]).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 200 }, (_, i) => i));
    await assert.rejects(take(slow, 200), /fell more than 20 rows behind its shared scan/);
    assert.equal(await slow.ended, 'failed');
    await fast.close();
    assert.deepEqual(await transientTopics(engine), []);
  });
});
