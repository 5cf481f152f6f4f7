import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue } from '../../src/common/value-codec.js';
import { Engine } from '../../src/index.js';
import { openLocalLog, type LocalLog } from '../../src/log/local/index.js';
import { readTopic } from '../support/read-topic.js';
import { repoRoot } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Join state written by an earlier Sluice (state format 1: a key's buffered records as
 * { next, sealed, recent } with full-width rows, chunks and table rows as arrays of rows; the
 * fixture's README says how it was made) is read by today's joins: a query restarted over it, or
 * restored from its changelogs, continues exactly as one that wrote today's format all along.
 */
const FIXTURE = () => join(repoRoot(), 'test', 'engine', 'fixtures', 'join-state-v1');
const OUTPUTS = ['INNER_J', 'LEFT_J', 'TABLE_J'];
const STATE = [Buffer.from('state\u0000'), Buffer.from('state\u0001')] as const;

interface Scenario {
  ddl: string;
  before: string;
  after: string;
}

async function scenario(): Promise<Scenario> {
  return JSON.parse(await readFile(join(FIXTURE(), 'scenario.json'), 'utf8')) as Scenario;
}

/** the decoded state values of a data directory */
async function stateValues(dir: string): Promise<unknown[]> {
  const log = await openLocalLog(dir, { maintenanceIntervalMs: 0 });
  try {
    const out: unknown[] = [];
    for await (const [, value] of log.extras.range({ gte: STATE[0], lt: STATE[1] })) out.push(decodeValue(value));
    return out;
  } finally {
    await log.close();
  }
}

/** `after` run over the data directory, then every output record */
async function continueWith(dir: string, s: Scenario, wipe: boolean): Promise<Record<string, string[]>> {
  if (wipe) {
    // every state key lost: the stores are rebuilt from their changelogs
    const log = await openLocalLog(dir, { maintenanceIntervalMs: 0 });
    await log.extras.clearRange(STATE[0], STATE[1]);
    await log.close();
  }
  const engine = await Engine.open({ dataDir: dir });
  try {
    await engine.execute(s.after);
    await engine.runUntilIdle();
    const out: Record<string, string[]> = {};
    for (const topic of OUTPUTS) out[topic] = (await readTopic(engine.log, topic)).map((r) => `${r.key?.toString('hex')} ${r.value?.toString() ?? 'null'} @${r.timestamp}`);
    return out;
  } finally {
    await engine.close();
  }
}

test('join state of format 1 (an earlier Sluice) is read on restart and after a restore, as if it had been written in format 2', async () => {
  const s = await scenario();
  // today's code all along
  const fresh = await tempDir();
  const old = await tempDir();
  const restored = await tempDir();
  try {
    const engine = await Engine.open({ dataDir: fresh.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(s.ddl);
    await engine.execute(s.before);
    await engine.runUntilIdle();
    await engine.close();
    const expected = await continueWith(fresh.path, s, false);

    await cp(join(FIXTURE(), 'data'), old.path, { recursive: true });
    await cp(join(FIXTURE(), 'data'), restored.path, { recursive: true });
    // the fixture holds format 1: a key's buffer as an object, a sealed chunk and table rows as arrays of rows
    const before = await stateValues(old.path);
    const isV1Buffer = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'recent' in v;
    const isRowList = (v: unknown) => Array.isArray(v) && v.length > 0 && Array.isArray(v[0]);
    assert.ok(before.some(isV1Buffer), 'a format 1 key buffer');
    assert.ok(before.some((v) => isRowList(v) && (v as unknown[]).length === 64), 'a format 1 chunk');
    assert.ok(before.some((v) => isRowList(v) && (v as unknown[]).length === 2 && typeof (v as unknown[])[1] === 'number'), 'a format 1 table row');
    assert.ok(before.some((v) => typeof v === 'number'), 'format 1 stream times, an entry each');

    const got = await continueWith(old.path, s, false);
    assert.deepEqual(got, expected);
    const gotRestored = await continueWith(restored.path, s, true);
    assert.deepEqual(gotRestored, expected);

    // the joins reached the records kept before the restart: the sealed chunk's and the recent ones
    const inner = expected.INNER_J!.map((r) => JSON.parse(r.slice(r.indexOf(' ') + 1, r.lastIndexOf(' @'))) as { A: number; B: number });
    assert.ok(inner.some((v) => v.A < 64 && v.B >= 10), 'a left record of the old chunk joins a later right record');
    assert.ok(inner.some((v) => v.A >= 64 && v.A < 100 && v.B >= 10), 'an old recent left record joins a later right record');
    assert.ok(expected.TABLE_J!.some((r) => r.includes('"A":500,"C":200')), 'a table row of the old state joins');
    assert.ok(expected.LEFT_J!.some((r) => r.includes('"A":600,"B":3')), 'a held outer record of the old state is matched');

    // what the keys touched since hold now is format 2
    const after = await stateValues(old.path);
    assert.ok(after.some((v) => Array.isArray(v) && v[0] === 2), 'format 2 written back');
    assert.ok(!after.some((v) => typeof v === 'number'), 'no stream time left in its format 1 entry');
    assert.ok(after.some((v) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')), 'the stream times in one entry');
  } finally {
    await fresh.cleanup();
    await old.cleanup();
    await restored.cleanup();
  }
});

test('CREATE OR REPLACE keeping more columns of a stream-stream join reads the records buffered before it, NULL where they kept nothing', async () => {
  const dir = await tempDir();
  try {
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      await engine.execute(`
        CREATE STREAM l (id STRING KEY, a INT, c INT) WITH (KAFKA_TOPIC='l', PARTITIONS=1, VALUE_FORMAT='JSON');
        CREATE STREAM r (id STRING KEY, b INT, d INT) WITH (KAFKA_TOPIC='r', PARTITIONS=1, VALUE_FORMAT='JSON');
        CREATE STREAM j AS SELECT l.id AS id, a, b FROM l JOIN r WITHIN 10 SECONDS ON l.id = r.id;
        INSERT INTO l (ROWTIME, id, a, c) VALUES (1000, 'x', 1, 100);
        INSERT INTO l (ROWTIME, id, a, c) VALUES (1100, 'x', 11, 110);
        INSERT INTO r (ROWTIME, id, b, d) VALUES (1500, 'y', 5, 500);
        INSERT INTO r (ROWTIME, id, b, d) VALUES (1600, 'y', 7, 700);`);
      await engine.runUntilIdle();
      await engine.execute(`CREATE OR REPLACE STREAM j AS SELECT l.id AS id, a, b, c, d FROM l JOIN r WITHIN 10 SECONDS ON l.id = r.id;`);
      await engine.execute(`
        INSERT INTO r (ROWTIME, id, b, d) VALUES (2000, 'x', 2, 200);
        INSERT INTO l (ROWTIME, id, a, c) VALUES (2500, 'y', 6, 600);
        INSERT INTO l (ROWTIME, id, a, c) VALUES (3000, 'x', 3, 300);`);
      await engine.runUntilIdle();
      const got = (await readTopic(engine.log, 'J')).map((r) => r.value!.toString());
      assert.deepEqual(got, [
        // the left record buffered before the replacement kept no C, the right one no D
        '{"A":1,"B":2,"C":null,"D":200}',
        '{"A":11,"B":2,"C":null,"D":200}',
        '{"A":6,"B":5,"C":600,"D":null}',
        '{"A":6,"B":7,"C":600,"D":null}',
        '{"A":3,"B":2,"C":300,"D":200}',
      ]);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});

test('CREATE OR REPLACE keeping other columns of a stream-table join reads the table rows stored before it, NULL where they kept nothing', async () => {
  const dir = await tempDir();
  try {
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      await engine.execute(`
        CREATE STREAM s (id STRING KEY, a INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
        CREATE TABLE t (id STRING PRIMARY KEY, c INT, e INT) WITH (KAFKA_TOPIC='t', PARTITIONS=1, VALUE_FORMAT='JSON');
        CREATE STREAM st AS SELECT s.id AS id, a, e FROM s JOIN t ON s.id = t.id;
        INSERT INTO t (ROWTIME, id, c, e) VALUES (1000, 'x', 1, 10);`);
      await engine.runUntilIdle();
      await engine.execute(`CREATE OR REPLACE STREAM st AS SELECT s.id AS id, a, c, e FROM s JOIN t ON s.id = t.id;`);
      await engine.execute(`
        INSERT INTO s (ROWTIME, id, a) VALUES (2000, 'x', 5);
        INSERT INTO t (ROWTIME, id, c, e) VALUES (3000, 'x', 2, 20);
        INSERT INTO s (ROWTIME, id, a) VALUES (4000, 'x', 6);`);
      await engine.runUntilIdle();
      const got = (await readTopic(engine.log, 'ST')).map((r) => r.value!.toString());
      // the row stored before the replacement kept no C
      assert.deepEqual(got, ['{"A":5,"C":null,"E":10}', '{"A":6,"C":2,"E":20}']);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});
