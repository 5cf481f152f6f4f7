import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openLocalLog } from '../../src/index.js';
import { readTopic } from '../support/read-topic.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';

const TOTAL = 40_000;
const REGIONS = 5;

const pipeline =
  `SET 'auto.offset.reset' = 'earliest';\n` +
  `CREATE STREAM ev (id INT KEY, region STRING, amount INT) WITH (KAFKA_TOPIC='ev', PARTITIONS=3, VALUE_FORMAT='JSON');\n` +
  `CREATE STREAM copy AS SELECT id, amount * 2 AS twice FROM ev;\n` +
  `CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM ev GROUP BY region;\n`;

async function setUp(dir: string): Promise<{ file: string; data: string }> {
  const file = join(dir, 'p.sql');
  const data = join(dir, 'data');
  await writeFile(file, pipeline);
  const log = await openLocalLog(data);
  await log.createTopic('ev', { partitions: 3 });
  for (let start = 0; start < TOTAL; start += 10_000) {
    const batch = [];
    for (let i = start; i < start + 10_000; i++) {
      const key = Buffer.alloc(4);
      key.writeInt32BE(i);
      batch.push({ topic: 'ev', key, value: Buffer.from(JSON.stringify({ REGION: `r${i % REGIONS}`, AMOUNT: i % 10 })), timestamp: 1_000_000 + i });
    }
    await log.produce(batch);
  }
  await log.close();
  return { file, data };
}

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from the first signal to the exit */
  exitMs: number;
  stderr: string;
}

/** Runs `sluice run`, sends the signals once it processes (after its queries are created), waits for the exit. */
function runAndSignal(file: string, data: string, args: string[], signals: NodeJS.Signals[]): Promise<Stopped> {
  const child = spawn(process.execPath, [sluiceBin(), 'run', file, '--data-dir', data, ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let signalledAt = 0;
  let scheduled = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!scheduled && out.match(/Created query/g)?.length === 2) {
        scheduled = true;
        setTimeout(() => {
          signalledAt = Date.now();
          for (const s of signals) child.kill(s);
        }, 400);
      }
    });
    child.on('close', (code, signal) => {
      if (!signalledAt) reject(new Error(`sluice run ended before the signal (${code ?? signal}): ${out}${stderr}`));
      else resolve({ code, signal, exitMs: Date.now() - signalledAt, stderr });
    });
  });
}

async function consumed(data: string): Promise<{ copy: number; copied: number }> {
  const log = await openLocalLog(data);
  try {
    const group = (await log.listGroups()).find((g) => g.startsWith('CSAS_COPY'))!;
    const copy = (await log.committedOffsets(group, 'ev')).reduce((n, o) => n + Number(o.offset), 0);
    const copied = (await log.listTopics()).includes('COPY') ? (await readTopic(log, 'COPY')).length : 0;
    return { copy, copied };
  } finally {
    await log.close();
  }
}

/** Resumes to the end and checks every output exactly. */
async function resumeAndCheck(file: string, data: string): Promise<void> {
  const r = spawnSync(process.execPath, [sluiceBin(), 'run', file, '--until-idle', '--data-dir', data], { encoding: 'utf8', cwd: repoRoot() });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const log = await openLocalLog(data);
  try {
    const copy = await readTopic(log, 'COPY');
    const ids = copy.map((c) => c.key!.readInt32BE());
    assert.equal(new Set(ids).size, ids.length, 'no duplicate');
    assert.equal(ids.length, TOTAL, 'no loss');
    for (const c of copy) assert.equal(JSON.parse(c.value!.toString()).TWICE, (c.key!.readInt32BE() % 10) * 2);
    const latest = new Map<string, unknown>();
    for (const r of await readTopic(log, 'BY_REGION')) latest.set(r.key!.toString(), JSON.parse(r.value!.toString()));
    for (let g = 0; g < REGIONS; g++) {
      let total = 0;
      for (let i = g; i < TOTAL; i += REGIONS) total += i % 10;
      assert.deepEqual(latest.get(`r${g}`), { N: TOTAL / REGIONS, TOTAL: total }, `r${g}`);
    }
  } finally {
    await log.close();
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} stops sluice run within a bounded time, committing what it processed`, async () => {
    const dir = await tempDir();
    try {
      const { file, data } = await setUp(dir.path);
      const stopped = await runAndSignal(file, data, [], [signal]);
      assert.equal(stopped.code, 0, `exits by itself with 0, not by the signal (${stopped.signal}): ${stopped.stderr}`);
      assert.ok(stopped.exitMs < 5000, `exited ${stopped.exitMs} ms after the signal`);
      assert.match(stopped.stderr, new RegExp(`${signal}, stopping`));
      const mid = await consumed(data);
      // what it processed is committed: the copy's output matches its committed offsets exactly
      assert.ok(mid.copy > 0, 'some input was processed and committed');
      assert.equal(mid.copied, mid.copy, 'outputs and offsets committed together');
      await resumeAndCheck(file, data);
    } finally {
      await dir.cleanup();
    }
  });
}

test('SIGTERM ends sluice run --until-idle early too, and a rerun completes it exactly', async () => {
  const dir = await tempDir();
  try {
    const { file, data } = await setUp(dir.path);
    const stopped = await runAndSignal(file, data, ['--until-idle'], ['SIGTERM']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.ok(stopped.exitMs < 5000, `exited ${stopped.exitMs} ms after the signal`);
    const mid = await consumed(data);
    // without the stop, --until-idle would have gone on to the end of the backlog
    assert.ok(mid.copy < TOTAL, `stopped mid-stream (had consumed ${mid.copy} of ${TOTAL})`);
    assert.equal(mid.copied, mid.copy);
    await resumeAndCheck(file, data);
  } finally {
    await dir.cleanup();
  }
});

test('a second signal exits at once, and a restart still loses and duplicates nothing', async () => {
  const dir = await tempDir();
  try {
    const { file, data } = await setUp(dir.path);
    const stopped = await runAndSignal(file, data, [], ['SIGTERM', 'SIGINT']);
    // 128 + the number of whichever signal arrived second (the OS may deliver them in either order)
    const second = stopped.stderr.match(/(SIGINT|SIGTERM) again, exiting at once/)?.[1];
    assert.ok(second, `the second signal was handled: ${stopped.stderr}`);
    assert.equal(stopped.code, second === 'SIGINT' ? 130 : 143, `the second signal's exit code (${stopped.signal}): ${stopped.stderr}`);
    assert.ok(stopped.exitMs < 3000, `exited ${stopped.exitMs} ms after the first signal`);
    await resumeAndCheck(file, data);
  } finally {
    await dir.cleanup();
  }
});
