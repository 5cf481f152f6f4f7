import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const NETWORK = /ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|network/i;

test('inside the repository, the package imports itself by name', async () => {
  const self = (await import('sluice' as string)) as typeof import('../../src/index.js');
  assert.equal(typeof self.Engine.open, 'function');
});

test('the package from npm pack, installed into an empty folder, runs a push and a pull query', { timeout: 300_000 }, async (t) => {
  const root = repoRoot();
  const dir = await tempDir('sluice-pack-');
  try {
    // dist is already built (npm test builds it); --ignore-scripts keeps pack from rebuilding it
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir.path], { cwd: root });
    const tarball = join(dir.path, stdout.trim().split('\n').at(-1)!);
    const app = join(dir.path, 'app');
    await run('mkdir', ['-p', app]);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    try {
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, timeout: 240_000 });
    } catch (e) {
      const message = e instanceof Error ? `${e.message}\n${(e as { stderr?: string }).stderr ?? ''}` : String(e);
      if (NETWORK.test(message)) return t.skip(`npm install needs the registry, which is unreachable: ${message.split('\n')[0]}`);
      throw e;
    }
    const script = await readFile(join(root, 'test', 'package', 'consumer.mjs'), 'utf8');
    await writeFile(join(app, 'consumer.mjs'), script);
    const out = await run('node', ['consumer.mjs'], { cwd: app, timeout: 60_000 });
    const result = JSON.parse(out.stdout) as { rows: unknown[]; pulled: unknown[] };
    assert.deepEqual(result.rows, [
      { ID: '2', URL: 'https://b' },
      { ID: '3', URL: 'https://b' },
    ]);
    assert.deepEqual(result.pulled, [
      { URL: 'https://b', WINDOWSTART: '0', WINDOWEND: '60000', N: '1' },
      { URL: 'https://b', WINDOWSTART: '60000', WINDOWEND: '120000', N: '1' },
    ]);

    // the README's embedding example, as written
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const at = readme.indexOf('Embedding (run as written');
    const start = readme.indexOf('```js\n', at) + '```js\n'.length;
    await writeFile(join(app, 'readme.mjs'), readme.slice(start, readme.indexOf('```\n', start)));
    const example = await run('node', ['readme.mjs'], { cwd: app, timeout: 60_000 });
    assert.match(example.stdout, /\{ ID: 1n, URL: 'https:\/\/a' \}/);
    assert.match(example.stdout, /URL: 'https:\/\/b', WINDOWSTART: 60000n, WINDOWEND: 120000n, N: 1n/);

    // `npx sluice server` serves the built web console at / with no further step
    const server = spawn('npx', ['sluice', 'server', '--data-dir', join(app, 'server-data'), '--listen', 'http://127.0.0.1:0', '--kafka-listen', 'none'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        server.once('exit', (code) => reject(new Error(`sluice server exited (${code}) before listening: ${out}`)));
      });
      assert.match(await (await fetch(`${url}/`)).text(), /<title>Sluice console<\/title>/);
      const script = await fetch(`${url}/console/console.js`);
      assert.equal(script.status, 200);
      assert.ok((await script.text()).length > 100_000, 'the bundled console');
    } finally {
      // npx runs the server as its child: end the whole group, and wait for it
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        process.kill(-server.pid!, 'SIGTERM');
        await exited;
      }
    }
  } finally {
    await dir.cleanup();
  }
});
