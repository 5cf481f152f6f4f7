/** The per-file conformance ratchet, on a recorded scoreboard and made-up results. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeDrops, droppedFiles, findRepoRoot, recordedFilePassCounts, recordedPassCount, recordedRestPassCount, renderScoreboard } from '../../scripts/conformance-suite.js';
import type { FileScore, SuiteResult } from '../../scripts/conformance-suite.js';

const files: FileScore[] = [
  { file: 'a.json', passed: 3, failed: 0, skipped: 0 },
  { file: 'b-udaf.json', passed: 5, failed: 2, skipped: 1 },
  { file: 'c.json', passed: 0, failed: 4, skipped: 0 },
];

function suiteOf(fs: FileScore[]): SuiteResult {
  const sum = (k: 'passed' | 'failed' | 'skipped') => fs.reduce((n, f) => n + f[k], 0);
  return { files: fs, results: [], passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped'), statelessPassed: 0, statelessTotal: 0 };
}

test('the scoreboard records every file pass count where the ratchet reads it back', () => {
  const markdown = renderScoreboard(suiteOf(files));
  assert.equal(recordedPassCount(markdown), 8);
  assert.deepEqual([...recordedFilePassCounts(markdown)], [
    ['a.json', 3],
    ['b-udaf.json', 5],
    ['c.json', 0],
  ]);
});

test('a file passing fewer cases fails the ratchet by name even when the total rises', () => {
  const recorded = recordedFilePassCounts(renderScoreboard(suiteOf(files)));
  const now = [
    { file: 'a.json', passed: 3, failed: 0, skipped: 0 },
    { file: 'b-udaf.json', passed: 4, failed: 3, skipped: 1 },
    { file: 'c.json', passed: 4, failed: 0, skipped: 0 },
  ];
  assert.ok(suiteOf(now).passed > suiteOf(files).passed);
  const drops = droppedFiles(recorded, now);
  assert.deepEqual(drops, [{ file: 'b-udaf.json', recorded: 5, passed: 4 }]);
  assert.equal(describeDrops(drops), 'conformance dropped in 1 file:\n  b-udaf.json: 4 passing, CONFORMANCE.md records 5');
});

test('equal or better counts pass; a file gone from the sample is a drop unless it passed nothing', () => {
  const recorded = recordedFilePassCounts(renderScoreboard(suiteOf(files)));
  assert.deepEqual(droppedFiles(recorded, files), []);
  assert.deepEqual(droppedFiles(recorded, [...files.slice(1), { file: 'new.json', passed: 0, failed: 1, skipped: 0 }]), [
    { file: 'a.json', recorded: 3, passed: undefined },
  ]);
  assert.deepEqual(droppedFiles(recorded, files.slice(0, 2)), []);
  assert.match(describeDrops(droppedFiles(recorded, files.slice(1))), /a\.json: missing from the sample, CONFORMANCE\.md records 3/);
});

test('the committed CONFORMANCE.md has a per-file table the ratchet can read', () => {
  const markdown = readFileSync(join(findRepoRoot(), 'CONFORMANCE.md'), 'utf8');
  const counts = recordedFilePassCounts(markdown);
  assert.ok(counts.size > 100, `read ${counts.size} files`);
  assert.equal([...counts.values()].reduce((a, b) => a + b, 0), recordedPassCount(markdown));
  const rest = recordedFilePassCounts(markdown, 'rest');
  assert.ok(rest.size > 5, `read ${rest.size} REST files`);
  assert.equal([...rest.values()].reduce((a, b) => a + b, 0), recordedRestPassCount(markdown));
  assert.ok([...rest.keys()].every((f) => !counts.has(f)), 'the REST table is not read as engine files');
});
