/** A data directory that lost committed records while closed is never opened silently. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLocalLog } from '../../src/index.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';

test('sluice warns on open when the log lost committed records (a damaged write-ahead log)', async () => {
  const dir = await tempDir();
  try {
    const makeDir = async (name: string) => {
      const data = join(dir.path, name);
      const log = await openLocalLog(data);
      await log.createTopic('t', { partitions: 1 });
      await log.produce([0, 1, 2].map((i) => ({ topic: 't', key: null, value: Buffer.from(`needle-in-the-wal-${i}`) })));
      await log.close();
      return data;
    };
    const sluice = (data: string) =>
      spawnSync(process.execPath, [sluiceBin(), '--data-dir', data, '-e', 'SHOW TOPICS;'], { encoding: 'utf8', cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    assert.doesNotMatch(sluice(await makeDir('sound')).stderr, /warning/, 'a sound directory opens without warnings');
    // LevelDB drops a write-ahead-log record whose checksum fails, silently: flip a byte of one
    const data = await makeDir('data');
    const [wal] = (await readdir(data)).filter((f) => f.endsWith('.log')).map((f) => join(data, f));
    assert.ok(wal, 'the records are still in the write-ahead log');
    const bytes = await readFile(wal);
    const at = bytes.indexOf(Buffer.from('needle-in-the-wal-1'));
    assert.ok(at >= 0);
    bytes[at + 3] ^= 0x20;
    await writeFile(wal, bytes);
    const r = sluice(data);
    assert.match(r.stderr, /warning: .*data: t-0: offsets 0\.\.2 are missing/);
    assert.equal(r.status, 0, 'the rest of the directory stays usable');
  } finally {
    await dir.cleanup();
  }
});
