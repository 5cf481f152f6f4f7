import type { LocalLog } from '../../src/log/local/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { readTopic } from '../support/read-topic.js';

/**
 * The state layout (join buffers, window lists, EMIT FINAL's pending windows, the stores' key
 * filters) survives a lost local copy: rebuilt from the changelogs, a query continues exactly as
 * one that kept its state.
 */
const DDL = `
  CREATE STREAM l (id STRING KEY, a INT) WITH (KAFKA_TOPIC='l', PARTITIONS=1, VALUE_FORMAT='JSON');
  CREATE STREAM r (id STRING KEY, b INT) WITH (KAFKA_TOPIC='r', PARTITIONS=1, VALUE_FORMAT='JSON');
  CREATE STREAM joined AS SELECT l.id AS id, a, b FROM l JOIN r WITHIN 10 SECONDS ON l.id = r.id;
  CREATE TABLE hop_counts AS SELECT id, COUNT(*) AS n, SUM(a) AS total FROM l
    WINDOW HOPPING (SIZE 4 SECONDS, ADVANCE BY 2 SECONDS, GRACE PERIOD 3 SECONDS) GROUP BY id EMIT CHANGES;
  CREATE TABLE final_counts AS SELECT id, COUNT(*) AS n FROM l
    WINDOW TUMBLING (SIZE 2 SECONDS, GRACE PERIOD 1 SECOND) GROUP BY id EMIT FINAL;`;

const insertsBefore = `
  INSERT INTO l (ROWTIME, id, a) VALUES (1000, 'x', 1);
  INSERT INTO r (ROWTIME, id, b) VALUES (1500, 'x', 10);
  INSERT INTO l (ROWTIME, id, a) VALUES (2500, 'y', 2);
  INSERT INTO l (ROWTIME, id, a) VALUES (3000, 'x', 3);
  INSERT INTO r (ROWTIME, id, b) VALUES (3500, 'z', 30);`;

const insertsAfter = `
  INSERT INTO r (ROWTIME, id, b) VALUES (4000, 'y', 20);
  INSERT INTO l (ROWTIME, id, a) VALUES (4500, 'z', 4);
  INSERT INTO l (ROWTIME, id, a) VALUES (5000, 'x', 5);
  INSERT INTO l (ROWTIME, id, a) VALUES (5200, 'w', 6);
  INSERT INTO r (ROWTIME, id, b) VALUES (9000, 'w', 60);
  INSERT INTO l (ROWTIME, id, a) VALUES (12000, 'x', 7);`;

async function run(wipe: boolean): Promise<Record<string, string[]>> {
  const dir = await tempDir();
  try {
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(DDL);
    await engine.execute(insertsBefore);
    await engine.runUntilIdle();
    // wipe every state key, as if the stores' files were lost
    if (wipe) await (engine.log as LocalLog).extras.clearRange(Buffer.from('state\u0000'), Buffer.from('state\u0001'));
    await engine.close();
    engine = await Engine.open({ dataDir: dir.path });
    await engine.execute(insertsAfter);
    await engine.runUntilIdle();
    const out: Record<string, string[]> = {};
    for (const topic of ['JOINED', 'HOP_COUNTS', 'FINAL_COUNTS'])
      out[topic] = (await readTopic(engine.log, topic)).map((r) => `${r.key?.toString('hex')} ${r.value?.toString() ?? 'null'} @${r.timestamp}`);
    await engine.close();
    return out;
  } finally {
    await dir.cleanup();
  }
}

test('joins and windowed aggregations restored from their changelogs continue as if their state was kept', async () => {
  const kept = await run(false);
  const restored = await run(true);
  // the runs saw the joins and windows that span the restart
  assert.equal(kept.JOINED!.length, 6, kept.JOINED!.join('\n'));
  assert.ok(kept.JOINED!.some((r) => r.includes('"A":5,"B":10')), 'a record after the restart joins one buffered before it');
  assert.ok(kept.FINAL_COUNTS!.length >= 3, kept.FINAL_COUNTS!.join('\n'));
  assert.deepEqual(restored, kept);
});

test('a busy join key (its records sealed in chunks) joins every pair within the window, across a lost state', async () => {
  const dir = await tempDir();
  try {
    // 150 left records in 750 ms, then right records that reach back over all or some of them,
    // then one so late that the old chunks expire
    const left = Array.from({ length: 150 }, (_, i) => 1000 + i * 5);
    const right = [1800, 1900, 2000, 2100, 2200, 6000];
    const insertLeft = (from: number, to: number) =>
      left.slice(from, to).map((ts, i) => `INSERT INTO l (ROWTIME, id, a) VALUES (${ts}, 'k', ${from + i});`).join('\n');
    const insertRight = right.map((ts, i) => `INSERT INTO r (ROWTIME, id, b) VALUES (${ts}, 'k', ${i});`).join('\n');
    let engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`
      CREATE STREAM l (id STRING KEY, a INT) WITH (KAFKA_TOPIC='l', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM r (id STRING KEY, b INT) WITH (KAFKA_TOPIC='r', PARTITIONS=1, VALUE_FORMAT='JSON');
      CREATE STREAM joined AS SELECT l.id AS id, a, b FROM l JOIN r WITHIN 1 SECOND GRACE PERIOD 1 SECOND ON l.id = r.id;`);
    await engine.execute(insertLeft(0, 100));
    await engine.runUntilIdle();
    await (engine.log as LocalLog).extras.clearRange(Buffer.from('state\u0000'), Buffer.from('state\u0001'));
    await engine.close();
    engine = await Engine.open({ dataDir: dir.path });
    await engine.execute(insertLeft(100, left.length));
    await engine.runUntilIdle();
    await engine.execute(insertRight);
    await engine.execute(`INSERT INTO l (ROWTIME, id, a) VALUES (6500, 'k', 999);`);
    await engine.runUntilIdle();
    const got = (await readTopic(engine.log, 'JOINED')).map((r) => {
      const v = JSON.parse(r.value!.toString()) as { A: number; B: number };
      return `${v.A}-${v.B}`;
    });
    await engine.close();
    const expected: string[] = ['999-5'];
    for (let a = 0; a < left.length; a++) for (let b = 0; b < right.length; b++) if (Math.abs(left[a]! - right[b]!) <= 1000) expected.push(`${a}-${b}`);
    assert.ok(expected.length > 4 * 64, 'more matches than the recent records hold');
    assert.deepEqual([...got].sort(), expected.sort());
  } finally {
    await dir.cleanup();
  }
});
