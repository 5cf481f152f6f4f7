import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessingLogEntry } from '../../src/index.js';
import { ProcessingLogSummary } from '../../src/cli/processing-log-summary.js';
import { tempDir } from '../support/temp-dir.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';

const entry = (queryId: string, offset: number, type: ProcessingLogEntry['type'] = 'DESERIALIZATION_ERROR'): ProcessingLogEntry => ({
  queryId,
  step: 'Source/S',
  type,
  message: `Failed to deserialize value from topic: s. Invalid JSON: Unexpected end of JSON input at position ${offset}`,
  cause: [],
  topic: 's',
  partition: 0,
  offset,
  time: 0,
});

/** How many records the printed lines account for: one per full line, N per summary line. */
function accounted(lines: readonly string[], queryId: string): number {
  let n = 0;
  for (const l of lines) {
    if (l.startsWith(`processing error in ${queryId} `)) n++;
    const m = /^(\d+) records skipped \(deserialization errors\) in query (\S+) \((\d+) in all\); see KSQL_PROCESSING_LOG$/.exec(l);
    if (m && m[2] === queryId) n += Number(m[1]);
  }
  return n;
}

test('processing-log entries: the first few per query in full, then one summary line per interval, the rest when flushed', () => {
  const lines: string[] = [];
  let now = 0;
  const summary = new ProcessingLogSummary((l) => lines.push(l), { firstEntries: 3, intervalMs: 5000, now: () => now });
  // 87,500 bad records read by two queries over 20 s of (fake) time
  for (let i = 0; i < 87_500; i++) {
    now = Math.floor((i * 20_000) / 87_500);
    summary.report(entry('Q1', i));
    summary.report(entry('Q2', i));
  }
  summary.flush();
  assert.ok(lines.length <= 2 * (3 + 1 + 5), `${lines.length} lines:\n${lines.join('\n')}`);
  assert.equal(accounted(lines, 'Q1'), 87_500);
  assert.equal(accounted(lines, 'Q2'), 87_500);
  assert.match(lines[0]!, /^processing error in Q1 \(Source\/S s\/0@0\): Failed to deserialize value/);
  assert.ok(lines.includes('(further records skipped (deserialization errors) in Q1 are summarised; see KSQL_PROCESSING_LOG)'));
  // a flush with nothing pending prints nothing
  const before = lines.length;
  summary.flush();
  assert.equal(lines.length, before);
});

test('a query stopping is always printed in full', () => {
  const lines: string[] = [];
  const summary = new ProcessingLogSummary((l) => lines.push(l), { firstEntries: 0 });
  summary.report(entry('Q1', 1));
  summary.report(entry('Q1', 1, 'QUERY_ERROR'));
  summary.flush();
  assert.deepEqual(lines.map((l) => l.slice(0, 30)), ['processing error in Q1 (Source', '1 records skipped (deserializa']);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /@1\): Failed/);
});

const sluice = (args: string[]) => spawnSync(process.execPath, [sluiceBin(), ...args], { encoding: 'utf8', cwd: repoRoot() });

async function badRecordsFile(dir: string, bad: number): Promise<string> {
  const file = join(dir, 'bad.sql');
  let sql =
    `CREATE STREAM RAW (V STRING) WITH (KAFKA_TOPIC='t', PARTITIONS=1, VALUE_FORMAT='KAFKA');\n` +
    `CREATE STREAM J (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');\n` +
    `INSERT INTO RAW (V) VALUES ('{"A": 1}');\n`;
  for (let i = 0; i < bad; i++) sql += `INSERT INTO RAW (V) VALUES ('{"A": secret-${i}}');\n`;
  sql += `INSERT INTO RAW (V) VALUES ('{"A": 2}');\nCREATE STREAM O1 AS SELECT * FROM J;\nCREATE STREAM O2 AS SELECT * FROM J;\n`;
  await writeFile(file, sql);
  return file;
}

test('sluice run: 200 bad records read by two queries give a few stderr lines, not 400', async () => {
  const dir = await tempDir();
  try {
    const file = await badRecordsFile(dir.path, 200);
    const r = sluice(['run', file, '--until-idle', '--quiet', '--data-dir', join(dir.path, 'data'), '--set', 'auto.offset.reset=earliest']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.ok(lines.length <= 2 * 5, `${lines.length} lines:\n${r.stderr}`);
    for (const q of ['CSAS_O1_', 'CSAS_O2_']) {
      const id = /processing error in (CSAS_O\d_\d+)/.exec(lines.find((l) => l.includes(q))!)![1]!;
      assert.equal(accounted(lines, id), 200, r.stderr);
    }
    assert.match(r.stderr, /processing error in CSAS_O1_\d+ \(Source\/J t\/0@1\): Failed to deserialize value from topic: t\. Invalid JSON: Unexpected character 's' at position 6/);
    assert.doesNotMatch(r.stderr, /secret/);
  } finally {
    await dir.cleanup();
  }
});

test('--set and --data-dir given before the subcommand apply to it', async () => {
  const dir = await tempDir();
  try {
    const file = await badRecordsFile(dir.path, 2);
    const data = join(dir.path, 'given-first');
    const r = sluice(['--data-dir', data, '--set', 'auto.offset.reset=earliest', '--set', 'ksql.fail.on.deserialization.error=true', 'run', file, '--until-idle', '--quiet']);
    assert.ok(existsSync(data), 'the data directory given before `run`');
    // the policy applied: both queries stop at the first bad record, and the run says so
    assert.match(r.stdout, /All queries are idle \(0 running, 2 failed\)\./, r.stdout);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Exception caught in process\. queryId=CSAS_O1_\d+, topic=t, partition=0, offset=1: Failed to deserialize value/);
    // the subcommand's own --set adds to (and wins over) the root's
    const again = sluice(['--data-dir', join(dir.path, 'second'), '--set', 'ksql.fail.on.deserialization.error=true', '--set', 'auto.offset.reset=earliest', 'run', file, '--until-idle', '--quiet', '--set', 'ksql.fail.on.deserialization.error=false']);
    assert.match(again.stdout, /All queries are idle \(2 running\)\./, again.stdout + again.stderr);
    // the root's auto.offset.reset applied too: the bad records were read, logged and skipped
    assert.match(again.stderr, /processing error in CSAS_O1_\d+ \(Source\/J t\/0@1\)/);
    assert.doesNotMatch(again.stderr, /Exception caught/);
    assert.equal(again.status, 0);
  } finally {
    await dir.cleanup();
  }
});
