import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformanceDir, describeDrops, droppedFiles, findRepoRoot, recordedFilePassCounts, recordedPassCount, recordedRestPassCount, restConformanceDir, runSuite } from '../../scripts/conformance-suite.js';

test('the conformance pass counts, total and per file, do not drop below CONFORMANCE.md', { timeout: 15 * 60_000 }, async (t) => {
  if (!existsSync(conformanceDir())) return t.skip(`no conformance sample at ${conformanceDir()}`);
  const markdown = readFileSync(join(findRepoRoot(), 'CONFORMANCE.md'), 'utf8');
  const recorded = recordedPassCount(markdown);
  assert.ok(recorded !== undefined, 'CONFORMANCE.md records the pass count (run npm run conformance)');
  const perFile = recordedFilePassCounts(markdown);
  assert.ok(perFile.size > 0, 'CONFORMANCE.md records the per-file pass counts (run npm run conformance)');
  const suite = await runSuite();
  t.diagnostic(`${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped; stateless ${suite.statelessPassed}/${suite.statelessTotal}`);
  const drops = droppedFiles(perFile, suite.files);
  assert.deepEqual(drops, [], describeDrops(drops));
  assert.ok(suite.passed >= recorded!, `conformance dropped: ${suite.passed} passing, CONFORMANCE.md records ${recorded}`);
});

test('the REST conformance pass counts, total and per file, do not drop below CONFORMANCE.md', { timeout: 10 * 60_000 }, async (t) => {
  if (!existsSync(restConformanceDir())) return t.skip(`no REST conformance sample at ${restConformanceDir()}`);
  const markdown = readFileSync(join(findRepoRoot(), 'CONFORMANCE.md'), 'utf8');
  const recorded = recordedRestPassCount(markdown);
  assert.ok(recorded !== undefined, 'CONFORMANCE.md records the REST pass count (run npm run conformance)');
  const perFile = recordedFilePassCounts(markdown, 'rest');
  assert.ok(perFile.size > 0, 'CONFORMANCE.md records the REST per-file pass counts (run npm run conformance)');
  const suite = await runSuite({ dir: restConformanceDir() });
  t.diagnostic(`REST: ${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped`);
  const drops = droppedFiles(perFile, suite.files);
  assert.deepEqual(drops, [], describeDrops(drops));
  assert.ok(suite.passed >= recorded!, `REST conformance dropped: ${suite.passed} passing, CONFORMANCE.md records ${recorded}`);
});
