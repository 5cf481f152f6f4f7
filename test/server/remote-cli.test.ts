/**
 * `sluice server` as a process and the CLI as its client: the same statements give the same
 * output embedded and through `--server`; Ctrl-C ends a remote push query; SIGTERM ends push
 * queries and leaves a data directory the embedded engine reopens.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluiceBin } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';
import { request } from './http-client.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const sluice = (args: string[]) => spawnSync(process.execPath, [sluiceBin(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const SQL = `SET 'auto.offset.reset' = 'earliest';
CREATE STREAM orders (id STRING KEY, amount INT, big BIGINT, price DECIMAL(6,2), tags ARRAY<STRING>, attrs MAP<STRING, INT>) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');
INSERT INTO orders (id, amount, big, price, tags, attrs, ROWTIME) VALUES ('c1', 10, 9000000000, 12.5, ARRAY['a','b'], MAP('x' := 1), 60000);
INSERT INTO orders (id, amount, big, price, tags, attrs, ROWTIME) VALUES ('c2', 7, 1, 3.25, ARRAY['c'], MAP('y' := 2), 130000);
CREATE TABLE totals AS SELECT id, SUM(amount) AS total, COUNT(*) AS n FROM orders GROUP BY id;
SHOW STREAMS; SHOW TABLES; DESCRIBE orders;
SELECT * FROM orders EMIT CHANGES LIMIT 2;
SELECT * FROM totals;
OUTPUT FORMAT JSON;
SELECT id, amount FROM orders EMIT CHANGES LIMIT 1;
SELECT * FROM totals WHERE id = 'c1';
OUTPUT FORMAT TABULAR;
DROP TABLE no_such_table;
`;

describe('the CLI against sluice server', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => (dir = await tempDir('sluice-remote-cli-')));
  after(() => dir.cleanup());

  it('-e gives the same output (stdout and errors) embedded and through --server', async () => {
    // both data directories start as a server leaves them (with its audit stream)
    const embeddedDir = join(dir.path, 'embedded');
    await (await startServerProcess(embeddedDir)).stop();
    const embedded = sluice(['--data-dir', embeddedDir, '-e', SQL]);
    const server = await startServerProcess(join(dir.path, 'served'));
    try {
      const remote = sluice(['--server', server.url, '-e', SQL]);
      assert.equal(remote.stdout, embedded.stdout);
      assert.equal(remote.stderr, embedded.stderr);
      assert.equal(remote.status, embedded.status);
      assert.match(remote.stdout, /Created query with ID CTAS_TOTALS/);
      assert.match(remote.stdout, /9000000000/);
      assert.match(remote.stderr, /DROP TABLE no_such_table|no_such_table/i);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('Ctrl-C ends a remote push query; SIGTERM ends the server\'s push queries and leaves the data directory reopenable', async () => {
    const dataDir = join(dir.path, 'sigterm');
    const server = await startServerProcess(dataDir);
    const setup = sluice(['--server', server.url, '-e', "CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON'); INSERT INTO s (id, v) VALUES (1, 'kept');"]);
    assert.equal(setup.status, 0, setup.stderr);
    // a CLI push query, then Ctrl-C (SIGINT)
    const cli = spawn(process.execPath, [sluiceBin(), '--server', server.url, '--set', 'auto.offset.reset=earliest', '-e', 'SELECT * FROM s EMIT CHANGES;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let cliOut = '';
    cli.stdout!.on('data', (c) => (cliOut += c));
    const cliExit = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    while (!cliOut.includes('kept')) await new Promise((r) => setTimeout(r, 50));
    cli.kill('SIGINT');
    assert.equal(await cliExit, 0);
    assert.match(cliOut, /Query terminated/);
    // a push query held open over HTTP ends when the server is told to stop
    let seenHeader!: () => void;
    const header = new Promise<void>((r) => (seenHeader = r));
    const push = request('h1', server.url, '/query-stream', {
      body: JSON.stringify({ sql: 'SELECT * FROM s EMIT CHANGES;', properties: { 'auto.offset.reset': 'earliest' } }),
      onChunk: (t) => (t.includes('kept') && seenHeader(), false),
    });
    await header;
    assert.equal(await server.stop(), 0);
    const ended = await push;
    assert.equal(ended.status, 200);
    assert.match(ended.text, /"kept"/);
    assert.match(server.stderr(), /SIGTERM: stopping/);
    // the data directory reopens embedded, with everything the server acknowledged
    const reopened = sluice(['--data-dir', dataDir, '-e', 'SELECT * FROM s WHERE id = 1;']);
    assert.equal(reopened.status, 0, reopened.stderr);
    assert.match(reopened.stdout, /kept/);
  });

  it('says clearly when the server is unreachable or refuses the credentials', () => {
    const r = sluice(['--server', 'http://127.0.0.1:9', '-e', 'SHOW STREAMS;']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot reach the server at http:\/\/127\.0\.0\.1:9/);
  });
});
