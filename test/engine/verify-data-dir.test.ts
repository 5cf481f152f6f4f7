import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Level } from 'level';
import { Engine, verifyDataDirectory } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { encodeBatch, sealBatch } from '../../src/log/local/batch-codec.js';
import { PREFIX_DATA, PREFIX_EXTRA, PREFIX_TOPIC, dataKey, dataKeyOffset } from '../../src/log/local/key-layout.js';
import { tempDir } from '../support/temp-dir.js';

async function makeDataDir(path: string): Promise<void> {
  const engine = await Engine.open({ dataDir: path, properties: { 'auto.offset.reset': 'earliest' } });
  try {
    await engine.execute(`CREATE STREAM clicks (id INT KEY, page STRING) WITH (KAFKA_TOPIC='clicks', PARTITIONS=2, VALUE_FORMAT='JSON');
      CREATE TABLE per_page AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page;`);
    await engine.execute(`INSERT INTO clicks (id, page) VALUES (1, 'home'); INSERT INTO clicks (id, page) VALUES (2, 'cart');
      INSERT INTO clicks (id, page) VALUES (3, 'home');`);
    await engine.runUntilIdle();
  } finally {
    await engine.close();
  }
}

async function withRaw(path: string, fn: (db: Level<Buffer, Buffer>) => Promise<void>): Promise<void> {
  const db = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

async function topicIdOf(db: Level<Buffer, Buffer>, name: string): Promise<number> {
  const v = await db.get(Buffer.concat([Buffer.of(PREFIX_TOPIC), Buffer.from(name)]));
  assert.ok(v !== undefined, `topic ${name} exists`);
  return (JSON.parse(v.toString()) as { id: number }).id;
}

async function verifyCli(path: string): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main(['verify', '--data-dir', path], { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, out: out.join('\n') };
}

test('sluice verify passes a sound data directory: log, state stores against changelogs, command log', async () => {
  const dir = await tempDir();
  try {
    await makeDataDir(dir.path);
    const report = await verifyDataDirectory(dir.path);
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error'), []);
    assert.ok(report.ok);
    assert.ok(report.stores >= 1, 'the aggregation has a store');
    assert.ok(report.storeEntries >= 2);
    assert.ok(report.commands >= 2);
    assert.ok(report.records >= 3);
    const { code, out } = await verifyCli(dir.path);
    assert.equal(code, 0);
    assert.match(out, /OK: no problems found/);
    const missing = await verifyCli(dir.path + '-nope');
    assert.equal(missing.code, 1);
  } finally {
    await dir.cleanup();
  }
});

test('sluice verify reports a damaged batch, a store that disagrees with its changelog and a command that does not parse', async () => {
  const dir = await tempDir();
  try {
    await makeDataDir(dir.path);
    await withRaw(dir.path, async (db) => {
      // a flipped byte in a batch of the source topic
      const clicks = await topicIdOf(db, 'clicks');
      const [[k, v]] = await db.iterator({ gte: dataKey(clicks, 0, 0), lt: dataKey(clicks, 1, 0), limit: 1 }).all();
      v[v.length - 2] ^= 0x01;
      await db.put(k, v);
      // a state entry changed behind its changelog's back
      const state = await db.iterator({ gte: Buffer.from([PREFIX_EXTRA, ...Buffer.from('state\u0000')]), lt: Buffer.from([PREFIX_EXTRA, ...Buffer.from('state\u0001')]), limit: 1 }).all();
      assert.equal(state.length, 1);
      const [sk, sv] = state[0];
      sv[sv.length - 1] ^= 0x01;
      await db.put(sk, sv);
      // a command record that is not a command (checksummed, so only the parse can object)
      const commands = await topicIdOf(db, '_sluice_commands');
      const [[ck]] = await db.iterator({ gte: dataKey(commands, 0, 0), lt: dataKey(commands, 1, 0), reverse: true, limit: 1 }).all();
      const base = dataKeyOffset(ck);
      await db.put(ck, sealBatch(ck, encodeBatch(base, base, [{ key: null, value: Buffer.from('{not a command') }], undefined, 0, 0)));
      assert.equal(ck[0], PREFIX_DATA);
    });
    const { code, out } = await verifyCli(dir.path);
    assert.equal(code, 1, out);
    assert.match(out, /ERROR clicks-0: batch at offset 0: checksum mismatch/);
    assert.match(out, /ERROR store .* keys disagree with changelog _sluice-.*-changelog \(first: key .* differs from its changelog\)/);
    assert.match(out, /ERROR _sluice_commands-0: command at offset \d+ does not parse/);
    assert.match(out, /FAILED: \d+ problems found/);
  } finally {
    await dir.cleanup();
  }
});

test('sluice verify reports a damaged LevelDB table file without letting LevelDB read it', async () => {
  const dir = await tempDir();
  try {
    await makeDataDir(dir.path);
    // open and close once more so that the write-ahead log is replayed into table files
    await (await Engine.open({ dataDir: dir.path })).close();
    const { readdir, readFile, writeFile } = await import('node:fs/promises');
    const tables = (await readdir(dir.path)).filter((f) => f.endsWith('.ldb'));
    assert.ok(tables.length > 0);
    const file = `${dir.path}/${tables[0]}`;
    const bytes = await readFile(file);
    bytes[10] ^= 0x01;
    await writeFile(file, bytes);
    const { code, out } = await verifyCli(dir.path);
    assert.equal(code, 1, out);
    assert.match(out, /ERROR .*: damaged table file \d+\.ldb: the data block at byte 0 fails its checksum/);
  } finally {
    await dir.cleanup();
  }
});
