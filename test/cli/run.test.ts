import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openLocalLog } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { readTopic } from '../support/read-topic.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';

async function topicValues(dataDir: string, topic: string): Promise<string[]> {
  const log = await openLocalLog(dataDir);
  try {
    return (await readTopic(log, topic)).map((r) => r.value?.toString('utf8') ?? 'null');
  } finally {
    await log.close();
  }
}

const runSluice = (args: string[]) => spawnSync(process.execPath, [sluiceBin(), ...args], { encoding: 'utf8', cwd: repoRoot() });


/** Starts `sluice run FILE`, lets its queries run for `afterMs` once it says Running, then SIGKILLs it. */
async function killWhileRunning(file: string, data: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [sluiceBin(), 'run', file, '--data-dir', data], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Running')) setTimeout(resolve, afterMs);
    });
    child.on('exit', () => reject(new Error('sluice run exited early: ' + out)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

test('sluice run runs the example pipeline and prints its output', async () => {
  const dir = await tempDir();
  try {
    const r = runSluice(['run', 'examples/pageviews.sql', '--until-idle', '--data-dir', dir.path]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /examples\/pageviews.sql:\d+:1 +Created query with ID CSAS_SLOW_VIEWS_\d+/);
    const printed = r.stdout.split('\n').filter((l) => l.startsWith('rowtime:'));
    // views 2, 3 and 4 are slower than 300 ms
    assert.equal(printed.length, 3, r.stdout);
    assert.ok(printed.some((l) => /key: \/checkout, value: 2,bob,1450,very slow/.test(l)), r.stdout);
    // running it again applies nothing twice: the queries resume, the inserts are not repeated
    const again = runSluice(['run', 'examples/pageviews.sql', '--until-idle', '--data-dir', dir.path]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.match(/Already applied, skipped/g)?.length, 8, again.stdout);
    assert.equal(again.stdout.split('\n').filter((l) => l.startsWith('rowtime:')).length, 3, again.stdout);
  } finally {
    await dir.cleanup();
  }
});

test('sluice run applies only what a file has not applied yet; an edited applied statement stops it', async () => {
  const dir = await tempDir();
  try {
    const data = join(dir.path, 'data');
    const file = join(dir.path, 'orders.sql');
    const head =
      `SET 'auto.offset.reset' = 'earliest';\n` +
      `CREATE STREAM orders (id INT KEY, amount INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');\n` +
      `INSERT INTO orders (id, amount) VALUES (1, 10);\n`;
    await writeFile(file, head);
    assert.equal(runSluice(['run', file, '--until-idle', '--data-dir', data]).status, 0);
    // appended statements run; the applied ones (even re-indented, with a comment) are skipped
    await writeFile(file, head.replace('INSERT INTO', '-- first order\nINSERT   INTO') + `INSERT INTO orders (id, amount) VALUES (2, 20);\n`);
    const second = runSluice(['run', file, '--until-idle', '--data-dir', data]);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /orders\.sql:5:1 +Inserted 1 row into ORDERS/);
    assert.equal(second.stdout.match(/Already applied, skipped/g)?.length, 2, second.stdout);
    const third = runSluice(['run', file, '--until-idle', '--data-dir', data]);
    assert.equal(third.stdout.match(/Already applied, skipped/g)?.length, 3, third.stdout);
    assert.deepEqual(await topicValues(data, 'orders'), ['{"AMOUNT":10}', '{"AMOUNT":20}']);
    // editing an applied statement is refused before anything runs
    await writeFile(file, head.replace('(1, 10)', '(1, 11)') + `INSERT INTO orders (id, amount) VALUES (3, 30);\n`);
    const edited = runSluice(['run', file, '--until-idle', '--data-dir', data]);
    assert.equal(edited.status, 1);
    assert.match(edited.stderr, /orders\.sql:3:1: this statement was edited after it was applied/);
    assert.equal((await topicValues(data, 'orders')).length, 2);
  } finally {
    await dir.cleanup();
  }
});

test('a failing statement stops the run with its position and applies nothing of it', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'bad.sql');
    await writeFile(
      file,
      `CREATE STREAM a (id INT KEY, v STRING) WITH (KAFKA_TOPIC='a', PARTITIONS=1, VALUE_FORMAT='JSON');\n` +
        `CREATE STREAM b AS SELECT v FROM a;\nCREATE STREAM c AS SELECT * FROM a;\n`,
    );
    const r = runSluice(['run', file, '--until-idle', '--data-dir', join(dir.path, 'data')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.sql:2:\d+: The query used to build `B` must include the key column ID/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const log = await openLocalLog(join(dir.path, 'data'));
    try {
      const topics = await log.listTopics();
      assert.ok(topics.includes('a') && !topics.includes('B') && !topics.includes('C'), topics.join(','));
    } finally {
      await log.close();
    }
  } finally {
    await dir.cleanup();
  }
});

test('a sluice run killed mid-stream resumes with every input record exactly once', async () => {
  const dir = await tempDir();
  const data = join(dir.path, 'data');
  const total = 60_000;
  try {
    const file = join(dir.path, 'copy.sql');
    await writeFile(
      file,
      `SET 'auto.offset.reset' = 'earliest';\n` +
        `CREATE STREAM src (id INT KEY, n INT, s STRING) WITH (KAFKA_TOPIC='src', PARTITIONS=2, VALUE_FORMAT='JSON');\n` +
        `CREATE STREAM dst AS SELECT id, n * 2 AS twice, UCASE(s) AS s FROM src;\n`,
    );
    const log = await openLocalLog(data);
    await log.createTopic('src', { partitions: 2 });
    for (let start = 0; start < total; start += 5000) {
      const batch = [];
      for (let i = start; i < start + 5000; i++) {
        const key = Buffer.alloc(4);
        key.writeInt32BE(i);
        batch.push({ topic: 'src', key, value: Buffer.from(JSON.stringify({ N: i, S: `row-${i}` })) });
      }
      await log.produce(batch);
    }
    await log.close();

    // start, wait until the query is running and has made some progress, then SIGKILL
    await killWhileRunning(file, data, 150);

    const mid = await openLocalLog(data);
    const partial = (await mid.listTopics()).includes('DST') ? (await readTopic(mid, 'DST')).length : 0;
    await mid.close();

    const resumed = runSluice(['run', file, '--until-idle', '--data-dir', data]);
    assert.equal(resumed.status, 0, resumed.stderr);

    const after = await openLocalLog(data);
    const out = await readTopic(after, 'DST');
    await after.close();
    const ids = out.map((r) => r.key!.readInt32BE());
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.equal(ids.length, total, 'no loss');
    for (const r of out) {
      const v = JSON.parse(r.value!.toString());
      assert.equal(v.TWICE, r.key!.readInt32BE() * 2);
    }
    assert.ok(partial < total, `the kill should land mid-stream (had ${partial} of ${total})`);
  } finally {
    await dir.cleanup();
  }
});

test('a sluice run with a repartitioned aggregate killed mid-stream resumes with exact totals', async () => {
  const dir = await tempDir();
  const data = join(dir.path, 'data');
  const total = 40_000;
  const regions = 7;
  try {
    const file = join(dir.path, 'agg.sql');
    // GROUP BY a value column over four partitions: the counts go through a repartition topic
    await writeFile(
      file,
      `SET 'auto.offset.reset' = 'earliest';\n` +
        `CREATE STREAM ev (id INT KEY, region STRING, amount INT) WITH (KAFKA_TOPIC='ev', PARTITIONS=4, VALUE_FORMAT='JSON');\n` +
        `CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM ev GROUP BY region;\n`,
    );
    const expected = new Map<string, { N: number; TOTAL: number }>();
    const log = await openLocalLog(data);
    await log.createTopic('ev', { partitions: 4 });
    for (let start = 0; start < total; start += 5000) {
      const batch = [];
      for (let i = start; i < start + 5000; i++) {
        const key = Buffer.alloc(4);
        key.writeInt32BE(i);
        const region = `r${(i * 31) % regions}`;
        const amount = i % 100;
        batch.push({ topic: 'ev', key, value: Buffer.from(JSON.stringify({ REGION: region, AMOUNT: amount })), timestamp: 1_000_000 + i });
        const e = expected.get(region) ?? { N: 0, TOTAL: 0 };
        expected.set(region, { N: e.N + 1, TOTAL: e.TOTAL + amount });
      }
      await log.produce(batch);
    }
    await log.close();

    await killWhileRunning(file, data, 300);

    const mid = await openLocalLog(data);
    const group = (await mid.listGroups()).find((g) => g.startsWith('CTAS_BY_REGION'))!;
    const consumed = (await mid.committedOffsets(group, 'ev')).reduce((n, o) => n + Number(o.offset), 0);
    const topics = await mid.listTopics();
    await mid.close();
    assert.ok(topics.some((t) => t.endsWith('-Aggregate-GroupBy-repartition')), topics.join(' '));
    assert.ok(consumed < total, `the kill should land mid-stream (had consumed ${consumed} of ${total})`);

    const resumed = runSluice(['run', file, '--until-idle', '--data-dir', data]);
    assert.equal(resumed.status, 0, resumed.stderr);

    const after = await openLocalLog(data);
    const out = await readTopic(after, 'BY_REGION');
    await after.close();
    const latest = new Map<string, { N: number; TOTAL: number }>();
    // one partition per key: the last record of a key is its final total
    for (const r of out) latest.set(r.key!.toString(), JSON.parse(r.value!.toString()));
    assert.deepEqual(new Map([...latest].sort()), new Map([...expected].sort()), 'no loss, no double count');
  } finally {
    await dir.cleanup();
  }
});
