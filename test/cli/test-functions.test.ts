/** `sluice test --functions MODULE`: a suite's own functions, loaded by the test runner only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';

const suite = {
  tests: [
    {
      name: 'test_udf var args',
      statements: [
        "CREATE STREAM INPUT (K STRING KEY, col0 BIGINT) WITH (kafka_topic='test_topic', value_format='DELIMITED');",
        'CREATE STREAM OUTPUT AS SELECT K, test_udf(col0, col0, col0) from INPUT;',
      ],
      inputs: [{ topic: 'test_topic', value: '0' }],
      outputs: [{ topic: 'OUTPUT', value: 'doStuffLongVarargs' }],
    },
  ],
};

const fixtures = () => join(repoRoot(), 'dist', 'test', 'fixtures', 'udfs', 'index.js');
const sluice = (...args: string[]) => spawnSync(process.execPath, [sluiceBin(), 'test', ...args], { encoding: 'utf8', cwd: repoRoot() });

test('the harness functions exist only when --functions loads them', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'udf.json');
    await writeFile(file, JSON.stringify(suite));
    const without = sluice(file);
    assert.equal(without.status, 1);
    assert.match(without.stdout, /FAIL udf\.json :: test_udf var args\n[\s\S]*Can't find any functions with the name 'TEST_UDF'/);
    const withFixtures = sluice(file, '--functions', fixtures());
    assert.equal(withFixtures.status, 0, withFixtures.stdout + withFixtures.stderr);
    assert.match(withFixtures.stdout, /PASS udf\.json :: test_udf var args\n1 passed, 0 failed, 0 skipped/);
  } finally {
    await dir.cleanup();
  }
});

test('a functions module without registerFunctions, or missing, is a clear error', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'udf.json');
    await writeFile(file, JSON.stringify(suite));
    const module = join(dir.path, 'nothing.mjs');
    await writeFile(module, 'export const x = 1;\n');
    const r = sluice(file, '--functions', module);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Functions module .*nothing\.mjs does not export registerFunctions\(registry\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const missing = sluice(file, '--functions', join(dir.path, 'absent.js'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Cannot load functions module .*absent\.js/);
  } finally {
    await dir.cleanup();
  }
});
