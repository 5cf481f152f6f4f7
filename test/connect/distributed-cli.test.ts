/** `sluice connect-distributed FILE`: what it refuses before it starts (the worker itself: distributed.test.ts). */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluiceBin } from '../support/repo-root.js';

const sluice = (...args: string[]) => spawnSync(process.execPath, [sluiceBin(), ...args], { cwd: repoRoot(), encoding: 'utf8', timeout: 60_000 });

describe('sluice connect-distributed', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-connect-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says which file it cannot read, and that distributed mode needs a group.id, without a stack', async () => {
    let run = sluice('connect-distributed', join(dir, 'missing.properties'));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /cannot read the worker properties .*missing\.properties: ENOENT/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    const file = join(dir, 'standalone.properties');
    await writeFile(file, 'bootstrap.servers=127.0.0.1:1\nlisteners=http://127.0.0.1:0\n');
    run = sluice('connect-distributed', file);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /standalone\.properties: group\.id is required in distributed mode/);
    run = sluice('connect-distributed', '--help');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /Usage: sluice connect-distributed \[options\] <worker\.properties>/);
  });
});
