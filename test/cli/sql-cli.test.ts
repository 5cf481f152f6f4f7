/** `sluice -e`, SQL on stdin, output formats, help and version, and the CLI's rough edges. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLocalLog } from '../../src/index.js';
import { PtySession } from '../support/pty-session.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';

const sluice = (args: string[], input?: string) =>
  spawnSync(process.execPath, [sluiceBin(), ...args], { encoding: 'utf8', cwd: repoRoot(), ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }) });

const ORDERS =
  "SET 'auto.offset.reset' = 'earliest';\n" +
  "CREATE STREAM orders (id STRING KEY, amount INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');\n" +
  "INSERT INTO orders (id, amount, ROWTIME) VALUES ('c1', 10, 60000);\n" +
  "INSERT INTO orders (id, amount, ROWTIME) VALUES ('c1', 5, 70000);\n" +
  "INSERT INTO orders (id, amount, ROWTIME) VALUES ('c2', 7, 130000);\n";

describe('sluice without a command', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let n = 0;
  const data = () => join(dir.path, `data-${n++}`);
  before(async () => (dir = await tempDir('sluice-cli-')));
  after(() => dir.cleanup());

  it('-e runs statements and shows results as tables, without colour off a terminal', () => {
    const r = sluice(['--data-dir', data(), '-e', ORDERS + 'SHOW STREAMS; SELECT * FROM orders EMIT CHANGES LIMIT 2;']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Stream ORDERS created/);
    assert.match(r.stdout, /\| Stream Name +\| Kafka Topic +\| Key Format \| Value Format \| Windowed \|\n\+-+/);
    assert.match(r.stdout, /\| ORDERS +\| orders +\| KAFKA +\| JSON +\| false +\|/);
    assert.match(r.stdout, /\| c1 +\| 10 +\|\n\| c1 +\| 5 +\|/);
    assert.match(r.stdout, /Limit Reached\nQuery terminated/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no escape codes off a terminal');
  });

  it('runs SQL piped on stdin, with OUTPUT FORMAT JSON', () => {
    const r = sluice(['--data-dir', data()], ORDERS + 'OUTPUT FORMAT JSON;\nSHOW STREAMS;\nSELECT id, amount FROM orders EMIT CHANGES LIMIT 3;\nOUTPUT;\n');
    assert.equal(r.status, 0, r.stderr);
    const after = r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('Output format: JSON'));
    const docs = after.split(/\n(?=[{[])/).map((t) => JSON.parse(t) as Record<string, unknown>);
    assert.deepEqual(docs[1], {
      '@type': 'Show',
      statementText: 'SHOW STREAMS;',
      message: '2 streams',
      rows: [
        // created by default, as ksqlDB's processing log is (ksql.logging.processing.stream.auto.create)
        { 'Stream Name': 'KSQL_PROCESSING_LOG', 'Kafka Topic': 'default_ksql_processing_log', 'Key Format': 'KAFKA', 'Value Format': 'JSON', Windowed: 'false' },
        { 'Stream Name': 'ORDERS', 'Kafka Topic': 'orders', 'Key Format': 'KAFKA', 'Value Format': 'JSON', Windowed: 'false' },
      ],
    });
    assert.deepEqual(docs.slice(2, 5), [
      { ID: 'c1', AMOUNT: 10 },
      { ID: 'c1', AMOUNT: 5 },
      { ID: 'c2', AMOUNT: 7 },
    ]);
    assert.match(r.stdout, /Output format: JSON\n$/);
  });

  it('--output json and a failing statement: caret, exit 1, no stack', () => {
    const r = sluice(['--data-dir', data(), '--output', 'json', '-e', 'SHOW STREAMS;\nDESCRIBE nowhere;']);
    assert.equal(r.status, 1);
    assert.equal((JSON.parse(r.stdout) as { '@type': string })['@type'], 'Show');
    assert.match(r.stderr, /line 2:1: Could not find STREAM\/TABLE 'NOWHERE' in the Metastore\n  DESCRIBE nowhere;\n  \^/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('--help names the default data directory; --version prints the version; subcommand help has no stack', async () => {
    const help = sluice(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--data-dir <dir> +data directory of the embedded log \(default:\s+\.sluice-data in the current\s+directory\)/);
    assert.match(help.stdout, /repl|run|check|test/);
    const pkg = JSON.parse(await readFile(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
    const version = sluice(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), pkg.version);
    for (const cmd of ['test', 'run', 'check', 'repl']) {
      const r = sluice([cmd, '--help']);
      assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Usage: sluice ${cmd}`));
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
    }
    const unknown = sluice(['frobnicate']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });

  it('PRINT decodes windowed keys and names key formats as ksqlDB does', () => {
    const r = sluice([
      '--data-dir', data(), '-e',
      ORDERS + "CREATE TABLE totals AS SELECT id, SUM(amount) AS total FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id;\nPRINT 'TOTALS' FROM BEGINNING;\nPRINT 'orders' FROM BEGINNING LIMIT 1;",
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Key format: TUMBLING\(KAFKA_STRING\)\nValue format: JSON/);
    assert.match(r.stdout, /key: c1 @ \[1970\/01\/01 00:01:00\.000 Z, 1970\/01\/01 00:02:00\.000 Z\), value: \{"TOTAL":10\}/);
    assert.match(r.stdout, /key: c1 @ \[1970\/01\/01 00:01:00\.000 Z, 1970\/01\/01 00:02:00\.000 Z\), value: \{"TOTAL":15\}/);
    assert.match(r.stdout, /key: c2 @ \[1970\/01\/01 00:02:00\.000 Z, 1970\/01\/01 00:03:00\.000 Z\), value: \{"TOTAL":7\}/);
    assert.match(r.stdout, /Key format: KAFKA_STRING\nValue format: JSON\nrowtime: 1970\/01\/01 00:01:00\.000 Z, key: c1, value: \{"AMOUNT":10\}/);
  });

  it('DESCRIBE shows the schema once, with the window type; SHOW PROPERTIES lists the properties in force', () => {
    const r = sluice([
      '--data-dir', data(), '-e',
      ORDERS + "CREATE TABLE totals AS SELECT id, SUM(amount) AS total FROM orders WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 1 MINUTE) GROUP BY id;\nDESCRIBE totals;\nDESCRIBE totals EXTENDED;\nSHOW PROPERTIES;",
    ]);
    assert.equal(r.status, 0, r.stderr);
    const plain = r.stdout.slice(r.stdout.indexOf('Name                 : TOTALS'), r.stdout.indexOf('For runtime statistics'));
    assert.equal(plain.match(/ TOTAL +\| INTEGER/g)?.length, 1, plain);
    assert.match(plain, / ID +\| STRING +\(primary key\) \(Window type: HOPPING\)/);
    assert.match(r.stdout, /Window type +: HOPPING \(size 120000 ms\)/);
    assert.match(r.stdout, /\| auto\.offset\.reset +\| STREAMS +\| SESSION +\| earliest +\|/);
    assert.match(r.stdout, /\| ksql\.persistence\.default\.format\.key +\| KSQL +\| +\| KAFKA +\|/);
  });

  it('RUN SCRIPT shows the tables of its statements; OUTPUT and SPOOL work in files', async () => {
    const script = join(dir.path, 'inner.sql');
    const spool = join(dir.path, 'spooled.txt');
    await writeFile(script, `SHOW STREAMS;\nOUTPUT FORMAT JSON;\nSPOOL '${spool}';\nSHOW TOPICS;\nSPOOL OFF;\n`);
    const r = sluice(['--data-dir', data(), '-e', ORDERS + `RUN SCRIPT '${script}';\nSHOW STREAMS;`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| ORDERS +\| orders +\| KAFKA +\| JSON +\| false +\|/, 'the nested SHOW prints its table');
    assert.match(r.stdout, /"Stream Name": "ORDERS"/, 'the nested OUTPUT FORMAT JSON holds after the script');
    const spooled = await readFile(spool, 'utf8');
    assert.match(spooled, /"Kafka Topic": "orders"/);
    assert.doesNotMatch(spooled, /Stream Name/, 'spooling stopped at SPOOL OFF');
    const check = spawnSync(process.execPath, [sluiceBin(), 'check', script], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /OUTPUT FORMAT JSON[\s\S]*SPOOL OFF/);
  });
});

describe('sluice run progress', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => (dir = await tempDir('sluice-progress-')));
  after(() => dir.cleanup());

  const pipeline = (rows: number) =>
    ORDERS.split('\n').slice(0, 2).join('\n') +
    '\nCREATE STREAM big AS SELECT id, amount * 2 AS doubled FROM orders;\n' +
    'CREATE TABLE per_key AS SELECT id, COUNT(*) AS n FROM orders GROUP BY id;\n' +
    Array.from({ length: rows }, (_, i) => `INSERT INTO orders (id, amount) VALUES ('k${i}', ${i});`).join('\n') +
    '\n';

  it('on a terminal: a bar per query and a one-line summary; nothing with --quiet or off a terminal', async () => {
    const file = join(dir.path, 'p.sql');
    await writeFile(file, pipeline(300));
    const tty = new PtySession(['run', file, '--until-idle', '--data-dir', join(dir.path, 'a')], {});
    try {
      const shown = await tty.waitFor(/All queries are idle/, 60_000);
      assert.equal(await tty.exited, 0);
      assert.match(shown, /2 queries consumed 600 records in [\d.]+ s \(\d+ records\/s\), lag 0/);
      assert.doesNotMatch(shown, /restored/);
    } finally {
      tty.kill();
    }
    // lose the local state: the next run restores it from the changelog, with the same display
    const log = await openLocalLog(join(dir.path, 'a'));
    await log.extras.clearRange(Buffer.from('state\u0000'), Buffer.from('state\u0001'));
    await log.close();
    const again = new PtySession(['run', file, '--until-idle', '--data-dir', join(dir.path, 'a')], {});
    try {
      const shown = await again.waitFor(/All queries are idle/, 60_000);
      assert.match(shown, /restored 300 changelog records of 1 store; 2 queries consumed 0 records/);
    } finally {
      again.kill();
    }
    const quiet = new PtySession(['run', file, '--until-idle', '--quiet', '--data-dir', join(dir.path, 'b')], {});
    try {
      const shown = await quiet.waitFor(/All queries are idle/, 60_000);
      assert.doesNotMatch(shown, /records\/s/);
    } finally {
      quiet.kill();
    }
    const piped = sluice(['run', file, '--until-idle', '--data-dir', join(dir.path, 'c')]);
    assert.equal(piped.status, 0, piped.stderr);
    assert.doesNotMatch(piped.stdout + piped.stderr, /records\/s/);
  });
});
