/**
 * ksqlDB's rest-query-validation-tests through `sluice server`: every statement and query goes
 * over HTTP to a server on the case's engine. The pass count must match the engine's own
 * (recorded in CONFORMANCE.md), i.e. the server loses nothing the engine answers.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { findRepoRoot, recordedRestPassCount, restConformanceDir } from '../../scripts/conformance-suite.js';
import { runCase, type CaseResult } from '../../src/cli/test-runner/run-case.js';
import { loadCaseFile, type TestCase } from '../../src/cli/test-runner/test-case.js';
import { registerFunctions } from '../fixtures/udfs/index.js';

test('rest-query-validation-tests pass through the server as through the engine', { timeout: 10 * 60_000 }, async (t) => {
  const dir = restConformanceDir();
  if (!existsSync(dir)) return t.skip(`no REST conformance sample at ${dir}`);
  const recorded = recordedRestPassCount(readFileSync(join(findRepoRoot(), 'CONFORMANCE.md'), 'utf8'));
  assert.ok(recorded !== undefined);
  const cases: TestCase[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) cases.push(...(await loadCaseFile(join(dir, f))));
  const results: CaseResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) results.push(await runCase(cases[next++]!, { functions: [registerFunctions], viaServer: true }));
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const passed = results.filter((r) => r.status === 'PASS').length;
  t.diagnostic(`through the server: ${passed} passed of ${results.length}; CONFORMANCE.md records ${recorded} through the engine`);
  assert.ok(passed >= recorded!, `through the server ${passed} pass, through the engine ${recorded}`);
});
