/** `npm run conformance`: runs the conformance sample and writes CONFORMANCE.md. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findRepoRoot, renderRestSection, renderScoreboard, restConformanceDir, runSuite } from './conformance-suite.js';

const started = Date.now();
let done = 0;
const suite = await runSuite({
  onResult: () => {
    if (++done % 100 === 0) process.stderr.write(`  ${done} cases...\n`);
  },
});
const rest = await runSuite({ dir: restConformanceDir() });
await writeFile(join(findRepoRoot(), 'CONFORMANCE.md'), `${renderScoreboard(suite)}\n${renderRestSection(rest)}`);
console.log(`REST cases: ${rest.passed} passed, ${rest.failed} failed, ${rest.skipped} skipped`);
console.log(`${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped`);
console.log(`stateless: ${suite.statelessPassed}/${suite.statelessTotal}; wrote CONFORMANCE.md in ${((Date.now() - started) / 1000).toFixed(1)} s`);
