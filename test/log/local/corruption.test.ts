/**
 * Corruption is detected, never served: damaged bytes in the log directory (a batch value, a
 * LevelDB table file, LevelDB's write-ahead log) end in a CORRUPT LogError naming topic,
 * partition and offsets; a torn write at the end recovers to the last whole batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { Level } from 'level';
import { LogError } from '../../../src/common/errors.js';
import { LocalLog } from '../../../src/log/local/local-log.js';
import { batchProblem, encodeBatch, sealBatch } from '../../../src/log/local/batch-codec.js';
import { dataKey, dataPartitionEnd, dataPartitionStart } from '../../../src/log/local/key-layout.js';
import { buf, str, withTempDir } from '../log-test-helpers.js';

function corrupt(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LogError, `expected a LogError, got ${String(e)}`);
    assert.equal(e.code, 'CORRUPT');
    assert.match(e.message, pattern);
    return true;
  };
}

async function open(dir: string): Promise<LocalLog> {
  return LocalLog.open(dir, { maintenanceIntervalMs: 0, checkpointIntervalMs: 0 });
}

async function withRaw<T>(dir: string, fn: (db: Level<Buffer, Buffer>) => Promise<T>): Promise<T> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Flips one byte of `file` at the first occurrence of `needle` (plus `skip`); fails if absent. */
async function flipByteAt(file: string, needle: string, skip = 0): Promise<void> {
  const bytes = await readFile(file);
  const at = bytes.indexOf(Buffer.from(needle));
  assert.ok(at >= 0, `'${needle}' is in ${file}`);
  bytes[at + skip] ^= 0x20;
  await writeFile(file, bytes);
}

async function filesEnding(dir: string, ext: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
}

test('CRC32C matches the published check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  // RFC 3720 (iSCSI) appendix B.4
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
});

test('a sealed batch fails its check when any byte of it or of its key flips', () => {
  const key = dataKey(7, 3, 1000);
  const batch = sealBatch(key, encodeBatch(1000, 1001, [
    { key: buf('k'), value: buf('value-1'), timestamp: 5, headers: [{ key: 'h', value: buf('x') }] },
    { key: null, value: buf('value-2'), timestamp: 6 },
  ], undefined, 0, 0));
  assert.equal(batchProblem(key, batch), undefined);
  for (let i = 0; i < batch.length; i++) {
    const damaged = Buffer.from(batch);
    damaged[i] ^= 0x01;
    assert.notEqual(batchProblem(key, damaged), undefined, `flipped batch byte ${i} is caught`);
  }
  for (let i = 0; i < key.length; i++) {
    const otherKey = Buffer.from(key);
    otherKey[i] ^= 0x01;
    assert.notEqual(batchProblem(otherKey, batch), undefined, `flipped key byte ${i} is caught`);
  }
  assert.match(batchProblem(key, batch.subarray(0, batch.length - 3))!, /checksum/);
  assert.match(batchProblem(key, batch.subarray(0, 20))!, /shorter than its header/);
});

test('a flipped byte in a stored batch is a CORRUPT error naming topic, partition and offsets; other partitions still read', () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 2 });
    await log.produce([0, 1, 2].map((i) => ({ topic: 't', partition: 0, key: null, value: buf(`a${i}`) })));
    await log.produce([3, 4].map((i) => ({ topic: 't', partition: 0, key: null, value: buf(`b${i}`) })));
    await log.produce([{ topic: 't', partition: 1, key: null, value: buf('other') }]);
    await log.close();
    await withRaw(dir, async (db) => {
      const key = dataKey(1, 0, 3);
      const value = await db.get(key);
      assert.ok(value !== undefined);
      value[value.length - 1] ^= 0x04; // 'b4' becomes 'b0'
      await db.put(key, value);
    });
    log = await open(dir);
    try {
      // the sound batch before it is served; a fetch reaching the damaged one fails whole
      assert.deepEqual((await log.fetch('t', 0, 0n, { maxRecords: 3 })).records.map((r) => str(r.value)), ['a0', 'a1', 'a2']);
      await assert.rejects(log.fetch('t', 0, 0n), corrupt(/corrupt record batch in t-0 at offsets 3\.\.4.*checksum mismatch/));
      await assert.rejects(log.fetch('t', 0, 4n), corrupt(/t-0 at offsets 3\.\.4/));
      assert.deepEqual((await log.fetch('t', 1, 0n)).records.map((r) => str(r.value)), ['other']);
      // nor does compaction or retention launder it under a fresh checksum
      await assert.rejects(log.deleteRecords('t', 0, 5n), corrupt(/t-0/));
      // and the log keeps taking records
      await log.produce([{ topic: 't', partition: 0, key: null, value: buf('c5') }]);
      assert.equal(await log.latestOffset('t', 0), 6n);
    } finally {
      await log.close();
    }
  }));

test('a flipped byte inside a LevelDB table file (.ldb) is detected before LevelDB reads it, and never served', () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 1 });
    await log.produce([{ topic: 't', key: buf('k'), value: buf('needle-in-a-table-0001') }]);
    await log.close();
    // reopening replays the write-ahead log into a table file
    log = await open(dir);
    await log.close();
    const tables = await filesEnding(dir, '.ldb');
    assert.equal(tables.length, 1);
    await flipByteAt(tables[0], 'needle-in-a-table-0001', 7);
    // the table check refuses the directory, naming the file and what the block holds
    await assert.rejects(
      open(dir),
      corrupt(/the log directory '.*' is damaged: \d+\.ldb: the data block at byte 0 fails its checksum \(it holds log batches of topic id 1 partition 0 offset 0, as far as it still reads\); it is not opened/),
    );
    // without that check, the batch checksum still keeps the damaged record from being served
    log = await LocalLog.open(dir, { maintenanceIntervalMs: 0, checkpointIntervalMs: 0, checkTablesOnOpen: false });
    try {
      await assert.rejects(log.fetch('t', 0, 0n), corrupt(/t-0 at offset 0.*checksum mismatch/));
    } finally {
      await log.close();
    }
  }));

test('every flipped byte of a table file is refused or harmless, never served and never a crash (sampled)', () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 2 });
    for (let i = 0; i < 30; i++) await log.produce([{ topic: 't', key: buf(`key${i}`), value: buf(`value-${i}`) }]);
    await log.commitOffsets('g', [{ topic: 't', partition: 0, offset: 5n }]);
    await log.close();
    log = await open(dir);
    const expected = await readEverything(log);
    await log.close();
    const [table] = await filesEnding(dir, '.ldb');
    const pristine = await readFile(table);
    const outcomes = { refused: 0, same: 0 };
    for (let pos = 0; pos < pristine.length; pos += 7) {
      const damaged = Buffer.from(pristine);
      damaged[pos] ^= 0x10;
      await writeFile(table, damaged);
      try {
        const l = await open(dir);
        try {
          assert.deepEqual(await readEverything(l), expected, `flip at byte ${pos} changes nothing`);
          outcomes.same++;
        } finally {
          await l.close();
        }
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assert.ok(err instanceof LogError && err.code === 'CORRUPT', `flip at byte ${pos}: ${String(err)}`);
        outcomes.refused++;
      }
    }
    await writeFile(table, pristine);
    assert.ok(outcomes.refused > outcomes.same, JSON.stringify(outcomes));
  }));

async function readEverything(log: LocalLog): Promise<string[]> {
  const out: string[] = [];
  for (const topic of await log.listTopics()) {
    for (const p of (await log.describeTopic(topic)).partitions) {
      for (const r of (await log.fetch(topic, p.partition, p.logStartOffset, { maxRecords: 100_000 })).records) {
        out.push(`${topic}-${p.partition}@${r.offset}: ${str(r.key)}=${str(r.value)}`);
      }
    }
  }
  for (const g of await log.listGroups()) for (const o of await log.committedOffsets(g)) out.push(`${g} ${o.topic}-${o.partition}: ${o.offset}`);
  return out;
}

test("a committed batch that LevelDB drops from a damaged write-ahead log is reported missing, and its offsets are never reused", () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 1 });
    await log.produce([0, 1, 2].map((i) => ({ topic: 't', key: null, value: buf(`needle-in-the-wal-${i}`) })));
    await log.close(); // the checkpoint says offsets 0..2 are durable; the records are in the WAL
    const wals = await filesEnding(dir, '.log');
    assert.equal(wals.length, 1);
    await flipByteAt(wals[0], 'needle-in-the-wal-1', 3);
    log = await open(dir);
    try {
      assert.deepEqual(log.recoveryFindings, ['t-0: offsets 0..2 are missing (the log directory lost committed batches)']);
      assert.equal(await log.latestOffset('t', 0), 3n);
      await assert.rejects(log.fetch('t', 0, 0n), corrupt(/t-0: offsets 0\.\.2 are missing/));
      await assert.rejects(log.fetch('t', 0, 2n), corrupt(/t-0: offsets 2\.\.2 are missing/));
      const [res] = await log.produce([{ topic: 't', key: null, value: buf('new') }]);
      assert.equal(res.baseOffset, 3n, 'the lost offsets are not given to new records');
      assert.deepEqual((await log.fetch('t', 0, 3n)).records.map((r) => str(r.value)), ['new']);
      await log.close();
      // the loss stays recorded across restarts (a marker batch, not only the checkpoint)
      log = await open(dir);
      await assert.rejects(log.fetch('t', 0, 0n), corrupt(/offsets 0\.\.2 are missing/));
      // deleteRecords past the damage is the way to accept the loss
      await log.deleteRecords('t', 0, 3n);
      assert.deepEqual((await log.fetch('t', 0, 3n)).records.map((r) => str(r.value)), ['new']);
    } finally {
      await log.close();
    }
  }));

test('a lost group commit and a lost topic are reported on open, and a lost topic id is never reused', () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('early', { partitions: 1 });
    await log.produce([{ topic: 'early', key: null, value: buf('e') }]);
    await log.checkpoint();
    await log.createTopic('doomed', { partitions: 1 });
    await log.produce([{ topic: 'doomed', key: null, value: buf('d') }]);
    await log.commitOffsets('g', [{ topic: 'early', partition: 0, offset: 1n }]);
    await log.close();
    // what a damaged write-ahead log loses: the second topic, its records, the commit
    await withRaw(dir, async (db) => {
      await db.del(Buffer.from('Tdoomed'));
      await db.clear({ gte: dataKey(2, 0, 0), lt: dataKey(3, 0, 0) });
      await db.clear({ gte: Buffer.from('G'), lt: Buffer.from('H') });
      await db.put(Buffer.from('SnextTopicId'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]));
    });
    log = await open(dir);
    try {
      assert.deepEqual(log.recoveryFindings, [
        'topic id 2 is gone from the log directory although the checkpoint has its offsets (its metadata was lost, or it was deleted just before a crash)',
        'group g: the committed offset of early-0 went back from 1 to none (the log directory lost a commit)',
      ]);
      await log.createTopic('fresh', { partitions: 1 });
      await log.produce([{ topic: 'fresh', key: null, value: buf('f') }]);
      await log.close();
      log = await open(dir);
      assert.deepEqual(log.recoveryFindings, [], 'the fresh topic did not inherit the lost one\'s checkpoint');
      assert.deepEqual((await log.fetch('fresh', 0, 0n)).records.map((r) => str(r.value)), ['f']);
    } finally {
      await log.close();
    }
  }));

test('deleting a group or a topic updates the checkpoint at once: no false alarm after a crash', () =>
  withTempDir(async (dir) => {
    const log = await open(dir);
    const copy = `${dir}-copy`;
    try {
      await log.createTopic('t', { partitions: 1 });
      await log.produce([{ topic: 't', key: null, value: buf('x') }]);
      await log.commitOffsets('g', [{ topic: 't', partition: 0, offset: 1n }]);
      await log.checkpoint();
      await log.deleteGroup('g');
      await log.deleteTopic('t');
      await cp(dir, copy, { recursive: true }); // a crash right after
    } finally {
      await log.close();
    }
    const again = await open(copy);
    try {
      assert.deepEqual(again.recoveryFindings, []);
    } finally {
      await again.close();
      await rm(copy, { recursive: true, force: true });
    }
  }));

test('a batch missing between two others is reported as a hole, not skipped', () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 1 });
    for (const v of ['a', 'b', 'c']) await log.produce([{ topic: 't', key: null, value: buf(v) }]);
    await log.close();
    await withRaw(dir, (db) => db.del(dataKey(1, 0, 1)));
    log = await open(dir);
    try {
      await assert.rejects(log.fetch('t', 0, 0n), corrupt(/t-0: offsets 1\.\.1 are missing/));
      await assert.rejects(log.fetch('t', 0, 1n), corrupt(/t-0: offsets 1\.\.1 are missing/));
      assert.deepEqual((await log.fetch('t', 0, 2n)).records.map((r) => str(r.value)), ['c']);
    } finally {
      await log.close();
    }
  }));

test('a write-ahead log torn in its last record recovers to the last whole batch', () =>
  withTempDir(async (dir) => {
    const log = await open(dir);
    const copy = `${dir}-copy`;
    try {
      await log.createTopic('t', { partitions: 1 });
      await log.produce([{ topic: 't', key: null, value: buf('whole-1') }]);
      await log.produce([{ topic: 't', key: null, value: buf('whole-2') }]);
      await log.checkpoint();
      await log.produce([{ topic: 't', key: null, value: buf('torn-3'.repeat(50)) }]);
      // the directory as a crash in the middle of that last write would leave it
      await cp(dir, copy, { recursive: true });
    } finally {
      await log.close();
    }
    const [wal] = await filesEnding(copy, '.log');
    const bytes = await readFile(wal);
    await truncate(wal, bytes.indexOf(Buffer.from('torn-3')) + 100);
    const recovered = await open(copy);
    try {
      assert.deepEqual(recovered.recoveryFindings, []);
      assert.deepEqual((await recovered.fetch('t', 0, 0n)).records.map((r) => str(r.value)), ['whole-1', 'whole-2']);
      const [res] = await recovered.produce([{ topic: 't', key: null, value: buf('next') }]);
      assert.equal(res.baseOffset, 2n);
      assert.deepEqual((await recovered.fetch('t', 0, 0n)).records.map((r) => str(r.value)), ['whole-1', 'whole-2', 'next']);
    } finally {
      await recovered.close();
      await rm(copy, { recursive: true, force: true });
    }
  }));

test('a partial last batch past the checkpoint is dropped; one the checkpoint confirmed is kept and reported', () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 2 });
    await log.produce([{ topic: 't', partition: 0, key: null, value: buf('p0-whole') }]);
    await log.produce([{ topic: 't', partition: 1, key: null, value: buf('p1-whole') }]);
    await log.produce([{ topic: 't', partition: 1, key: null, value: buf('p1-committed') }]);
    await log.close(); // checkpoint: t-0 up to 1, t-1 up to 2
    await withRaw(dir, async (db) => {
      // t-0: a partial batch appended after the checkpoint (as a torn write would leave it)
      const torn = sealBatch(dataKey(1, 0, 1), encodeBatch(1, 1, [{ key: null, value: buf('p0-torn') }], undefined, 0, 0));
      await db.put(dataKey(1, 0, 1), torn.subarray(0, torn.length - 4));
      // t-1: the committed last batch cut short
      const last = (await db.get(dataKey(1, 1, 1)))!;
      await db.put(dataKey(1, 1, 1), last.subarray(0, last.length - 2));
    });
    log = await open(dir);
    try {
      assert.equal(log.recoveryFindings.length, 2);
      assert.match(log.recoveryFindings[0], /t-0: dropped a torn batch at the end \(offset 1/);
      assert.match(log.recoveryFindings[1], /t-1: the batch at offset 1 is damaged/);
      assert.deepEqual((await log.fetch('t', 0, 0n)).records.map((r) => str(r.value)), ['p0-whole']);
      assert.equal(await log.latestOffset('t', 0), 1n);
      const [res] = await log.produce([{ topic: 't', partition: 0, key: null, value: buf('p0-next') }]);
      assert.equal(res.baseOffset, 1n);
      await assert.rejects(log.fetch('t', 1, 0n), corrupt(/t-1 at offset 1/));
      assert.equal(await log.latestOffset('t', 1), 2n);
    } finally {
      await log.close();
    }
    await withRaw(dir, async (db) => {
      const keys = await db.keys({ gte: dataPartitionStart(1, 0), lt: dataPartitionEnd(1, 0) }).all();
      assert.equal(keys.length, 2);
    });
  }));

test("only the tables LevelDB's manifest lists are checked: a compaction's leftover is no alarm, a cut-short live table is", () =>
  withTempDir(async (dir) => {
    let log = await open(dir);
    await log.createTopic('t', { partitions: 1 });
    await log.produce([{ topic: 't', key: null, value: buf('kept') }]);
    await log.close();
    log = await open(dir);
    await log.close();
    // a table a compaction was writing when the process stopped: never in the manifest
    await writeFile(join(dir, '000999.ldb'), Buffer.from('half a table'));
    log = await open(dir);
    try {
      assert.deepEqual((await log.fetch('t', 0, 0n)).records.map((r) => str(r.value)), ['kept']);
    } finally {
      await log.close();
    }
    const [table] = await filesEnding(dir, '.ldb');
    const bytes = await readFile(table);
    await writeFile(table, bytes.subarray(0, bytes.length - 10));
    await assert.rejects(open(dir), corrupt(/\.ldb: the table file is \d+ bytes, its manifest says \d+/));
  }));
