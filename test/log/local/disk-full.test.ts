/**
 * Disk full, on a real small filesystem (a tmpfs of a few MiB; mounting needs root, as CI has):
 * writes fail with DISK_FULL naming the data directory, everything committed stays, reads go on,
 * and once space is freed writing resumes without loss or duplicates.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, rmdir, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogError } from '../../../src/common/errors.js';
import { LocalLog } from '../../../src/log/local/local-log.js';
import { Engine } from '../../../src/index.js';
import { readTopic, jsonValues } from '../../support/read-topic.js';

/** Mounts a tmpfs of `mib` MiB for fn; skips the test (saying why) where mounting is not permitted. */
async function withSmallDisk(t: TestContext, mib: number, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    await rmdir(dir);
    t.skip(`cannot mount a small tmpfs here (needs root): ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  try {
    await fn(dir);
  } finally {
    execFileSync('umount', [dir]);
    await rmdir(dir);
  }
}

/** Leaves about `leave` bytes free on the filesystem of `dir`, in a file that can be deleted later. */
async function fill(dir: string, leave: number): Promise<string> {
  const s = await statfs(dir);
  const filler = join(dir, 'filler');
  await writeFile(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - leave)));
  return filler;
}

function diskFull(dir: string) {
  return (e: unknown) => {
    assert.ok(e instanceof LogError, `expected a LogError, got ${String(e)}`);
    assert.equal(e.code, 'DISK_FULL');
    assert.ok(e.message.includes(dir), `the message names the directory: ${e.message}`);
    return true;
  };
}

test('the log on a full disk: DISK_FULL naming the directory, reads go on, nothing committed is lost, writing resumes once space is freed', (t) =>
  withSmallDisk(t, 6, async (mount) => {
    const dir = join(mount, 'log');
    let log = await LocalLog.open(dir, { maintenanceIntervalMs: 0, checkpointIntervalMs: 0 });
    await log.createTopic('t', { partitions: 2 });
    const filler = await fill(mount, 1 << 20);
    const written: string[][] = [[], []];
    let failure: unknown;
    for (let i = 0; failure === undefined && i < 10_000; i++) {
      const value = `${i}:`.padEnd(8000, 'x');
      await log.produce([{ topic: 't', partition: i % 2, key: null, value: Buffer.from(value) }]).then(
        () => written[i % 2].push(value),
        (err: unknown) => (failure = err),
      );
    }
    diskFull(dir)(failure);
    assert.ok(written[0].length > 10, 'some records went in before the disk filled');
    // while full: writes keep failing clearly, reads of everything committed keep working
    await assert.rejects(log.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from('while-full') }]), diskFull(dir));
    for (const p of [0, 1]) {
      const got = (await log.fetch('t', p, 0n, { maxRecords: 100_000 })).records.map((r) => r.value!.toString());
      assert.deepEqual(got, written[p]);
    }
    await rm(filler);
    for (let i = 0; i < 20; i++) {
      const value = `after-${i}`;
      await log.produce([{ topic: 't', partition: i % 2, key: null, value: Buffer.from(value) }]);
      written[i % 2].push(value);
    }
    await log.close();
    log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    try {
      assert.deepEqual(log.recoveryFindings, []);
      for (const p of [0, 1]) {
        const got = (await log.fetch('t', p, 0n, { maxRecords: 100_000 })).records;
        assert.deepEqual(got.map((r) => r.value!.toString()), written[p], `partition ${p}: every acknowledged record once, in order`);
        assert.deepEqual(got.map((r) => Number(r.offset)), written[p].map((_, i) => i), 'offsets stay dense');
      }
    } finally {
      await log.close();
    }
  }));

test('a query that runs out of disk stops with DISK_FULL; the engine keeps running; resumed, its output equals its input exactly', (t) =>
  withSmallDisk(t, 8, async (mount) => {
    const dataDir = join(mount, 'data');
    let engine = await Engine.open({ dataDir, properties: { 'auto.offset.reset': 'earliest' } });
    const inputs: { id: number; note: string }[] = [];
    try {
      await engine.execute(`CREATE STREAM src (id INT KEY, note STRING) WITH (KAFKA_TOPIC='src', PARTITIONS=2, VALUE_FORMAT='JSON');
        CREATE STREAM copy AS SELECT id, note FROM src WHERE id >= 0;`);
      for (let i = 0; i < 400; i++) inputs.push({ id: i, note: `${i}-`.padEnd(2000, 'n') });
      const key = (id: number) => {
        const k = Buffer.alloc(4);
        k.writeInt32BE(id);
        return k;
      };
      await engine.log.produce(inputs.map((r) => ({ topic: 'src', key: key(r.id), value: Buffer.from(JSON.stringify({ NOTE: r.note })) })));
      // room for part of the output only
      const filler = await fill(mount, 400 << 10);
      await engine.runUntilIdle();
      const failed = engine.failedQueries();
      assert.equal(failed.length, 1, 'the query stopped');
      assert.match(failed[0].error.message, /out of disk space/);
      assert.ok(failed[0].error.message.includes(dataDir), `names the data directory: ${failed[0].error.message}`);
      // the engine keeps answering
      const shown = (await engine.execute('SHOW QUERIES;'))[0]!.table!.rows;
      assert.equal(shown[0]![1], 'ERROR');
      assert.ok((await engine.execute('SHOW STREAMS;'))[0]!.table!.rows.length >= 2);
      const partial = jsonValues(await readTopic(engine.log, 'COPY'));
      assert.ok(partial.length < inputs.length, `only part of the output fit (${partial.length})`);
      await rm(filler);
      engine.restartQuery(failed[0].queryId);
      await engine.runUntilIdle();
      assert.deepEqual(engine.failedQueries(), []);
      await engine.close();
      engine = await Engine.open({ dataDir, properties: { 'auto.offset.reset': 'earliest' } });
      await engine.runUntilIdle();
      const out = await readTopic(engine.log, 'COPY');
      const got = out.map((r) => ({ id: r.key!.readInt32BE(0), note: (JSON.parse(r.value!.toString()) as { NOTE: string }).NOTE }));
      got.sort((a, b) => a.id - b.id);
      assert.equal(got.length, inputs.length, 'no record lost or duplicated');
      assert.deepEqual(got, inputs);
    } finally {
      await engine.close();
    }
  }));
