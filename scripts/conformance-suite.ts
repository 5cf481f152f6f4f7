/**
 * Runs the conformance sample (../shared/conformance/query-validation-tests) through the same
 * runner as `sluice test`, with the functions ksqlDB's test harness ships (test/fixtures/udfs, as
 * `sluice test --functions` would load them), and renders the scoreboard. Shared by `npm run conformance` (which
 * writes CONFORMANCE.md) and the test that keeps the pass count from dropping.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { repoRoot } from './repo-root.js';
import { loadCaseFile } from '../src/cli/test-runner/test-case.js';
import type { TestCase } from '../src/cli/test-runner/test-case.js';
import { runCase } from '../src/cli/test-runner/run-case.js';
import type { CaseResult } from '../src/cli/test-runner/run-case.js';
import { registerFunctions as registerTestHarnessFunctions } from '../test/fixtures/udfs/index.js';

export const findRepoRoot = (): string => repoRoot();

export function conformanceDir(): string {
  return resolve(findRepoRoot(), '..', 'shared', 'conformance', 'query-validation-tests');
}

/** ksqlDB's REST cases: pull and push query responses and INSERT VALUES */
export function restConformanceDir(): string {
  return resolve(findRepoRoot(), '..', 'shared', 'conformance', 'rest-query-validation-tests');
}

const STATEFUL = /\b(GROUP\s+BY|JOIN|WINDOW)\b/i;
const FORMAT_PROPERTY = /(?:KEY_FORMAT|VALUE_FORMAT|FORMAT)\s*=\s*'([A-Za-z_]+)'/gi;
const BASIC_FORMATS = new Set(['JSON', 'DELIMITED', 'KAFKA', 'NONE']);

/**
 * Stateless as issue 4 defines it: no GROUP BY, JOIN or WINDOW, and only the JSON, DELIMITED,
 * KAFKA and NONE formats.
 */
export function isStatelessCase(tc: TestCase): boolean {
  if (tc.statements.some((s) => STATEFUL.test(s))) return false;
  const formats = tc.statements.flatMap((s) => [...s.matchAll(FORMAT_PROPERTY)].map((m) => m[1]!.toUpperCase()));
  for (const key of ['ksql.persistence.default.format.value', 'ksql.persistence.default.format.key']) {
    const v = tc.properties[key];
    if (typeof v === 'string') formats.push(v.toUpperCase());
  }
  return formats.every((f) => BASIC_FORMATS.has(f));
}

export interface FileScore {
  readonly file: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface SuiteResult {
  readonly files: FileScore[];
  readonly results: (CaseResult & { stateless: boolean })[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly statelessPassed: number;
  readonly statelessTotal: number;
}

/** Runs every case, `concurrency` at a time (engines are independent: one temp dir each). */
export async function runSuite(options: { concurrency?: number; onResult?: (r: CaseResult) => void; dir?: string } = {}): Promise<SuiteResult> {
  const dir = options.dir ?? conformanceDir();
  const names = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const cases: TestCase[] = [];
  for (const n of names) cases.push(...(await loadCaseFile(join(dir, n))));
  const results: (CaseResult & { stateless: boolean })[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const r = await runCase(cases[i]!, { functions: [registerTestHarnessFunctions] });
      results[i] = { ...r, actual: [], stateless: isStatelessCase(cases[i]!) };
      options.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  const files = names.map((file) => {
    const rs = results.filter((r) => r.file === file);
    return {
      file,
      passed: rs.filter((r) => r.status === 'PASS').length,
      failed: rs.filter((r) => r.status === 'FAIL').length,
      skipped: rs.filter((r) => r.status === 'SKIP').length,
    };
  });
  const stateless = results.filter((r) => r.stateless && r.status !== 'SKIP');
  return {
    files,
    results,
    passed: results.filter((r) => r.status === 'PASS').length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    skipped: results.filter((r) => r.status === 'SKIP').length,
    statelessPassed: stateless.filter((r) => r.status === 'PASS').length,
    statelessTotal: stateless.length,
  };
}

/** The first line of a failure reason with literals blanked, so similar failures group. */
export function failureCause(reason: string | undefined): string {
  const first = (reason ?? '').split('\n').find((l) => l.trim()) ?? '';
  return first
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '…')
    .replace(/\d+/g, 'N')
    .slice(0, 110);
}

export function renderScoreboard(s: SuiteResult): string {
  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '0.0');
  const causes = new Map<string, number>();
  for (const r of s.results) if (r.status === 'FAIL') causes.set(failureCause(r.reason), (causes.get(failureCause(r.reason)) ?? 0) + 1);
  const statelessCauses = new Map<string, number>();
  for (const r of s.results)
    if (r.status === 'FAIL' && r.stateless) statelessCauses.set(failureCause(r.reason), (statelessCauses.get(failureCause(r.reason)) ?? 0) + 1);
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([c, n]) => `| ${n} | ${c.replace(/\|/g, '\\|')} |`);
  return [
    '# Conformance scoreboard',
    '',
    'Generated by `npm run conformance` from the sample of ksqlDB query-validation tests in',
    '`../shared/conformance/query-validation-tests`. `npm test` fails if the total passing, or any',
    "file's passing count in the per-file table, drops below the numbers recorded here.",
    '',
    `<!-- total-passed: ${s.passed} -->`,
    '',
    `Source: commit ${headCommit()}.`,
    '',
    `- **Total**: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${pct(s.passed, s.passed + s.failed)}% of the cases run)`,
    `- **Stateless cases** (no GROUP BY, JOIN or WINDOW; JSON, DELIMITED, KAFKA or NONE): ${s.statelessPassed} of ${s.statelessTotal} pass (${pct(s.statelessPassed, s.statelessTotal)}%)`,
    '',
    '## Largest failure causes among stateless cases',
    '',
    '| cases | first line of the failure |',
    '|---:|---|',
    ...top(statelessCauses),
    '',
    '## Largest failure causes overall',
    '',
    '| cases | first line of the failure |',
    '|---:|---|',
    ...top(causes),
    '',
    '## Per file',
    '',
    ...fileTable(s.files),
    '',
  ].join('\n');
}

/** The per-file table both sections render and the ratchet reads back. */
function fileTable(files: readonly FileScore[]): string[] {
  return ['| file | passed | failed | skipped |', '|---|---:|---:|---:|', ...files.map((f) => `| ${f.file} | ${f.passed} | ${f.failed} | ${f.skipped} |`)];
}

export function recordedPassCount(markdown: string): number | undefined {
  const m = /<!-- total-passed: (\d+) -->/.exec(markdown);
  return m ? Number(m[1]) : undefined;
}

/** The passing count of every file in the scoreboard's per-file table. */
const REST_HEADING = /^## REST cases\b.*$/m;

/** The per-file pass counts CONFORMANCE.md records for the engine cases, or for the REST cases. */
export function recordedFilePassCounts(markdown: string, suite: 'engine' | 'rest' = 'engine'): Map<string, number> {
  const counts = new Map<string, number>();
  const [engine, rest] = markdown.split(REST_HEADING);
  const section = suite === 'engine' ? engine!.split(/^## Per file\s*$/m)[1] : rest;
  if (section === undefined) return counts;
  for (const line of section.split('\n')) {
    const m = /^\|\s*([^|\s][^|]*?)\s*\|\s*(\d+)\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*$/.exec(line);
    if (m) counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}

export interface FileDrop {
  readonly file: string;
  readonly recorded: number;
  /** undefined when the file is no longer in the sample */
  readonly passed: number | undefined;
}

/** Files passing fewer cases than recorded (a file gone from the sample counts as a drop). */
export function droppedFiles(recorded: ReadonlyMap<string, number>, files: readonly FileScore[]): FileDrop[] {
  const now = new Map(files.map((f) => [f.file, f.passed]));
  const drops: FileDrop[] = [];
  for (const [file, count] of recorded) {
    const passed = now.get(file);
    if (passed === undefined ? count > 0 : passed < count) drops.push({ file, recorded: count, passed });
  }
  return drops.sort((a, b) => a.file.localeCompare(b.file));
}

export function describeDrops(drops: readonly FileDrop[]): string {
  const lines = drops.map((d) => `  ${d.file}: ${d.passed === undefined ? 'missing from the sample' : `${d.passed} passing`}, CONFORMANCE.md records ${d.recorded}`);
  return `conformance dropped in ${drops.length} file${drops.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}

/** The commit the scoreboard was generated from (so it changes whenever the source does). */
function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The REST cases' section of the scoreboard, appended after the engine cases. */
export function renderRestSection(s: SuiteResult): string {
  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '0.0');
  const causes = new Map<string, number>();
  for (const r of s.results) if (r.status === 'FAIL') causes.set(failureCause(r.reason), (causes.get(failureCause(r.reason)) ?? 0) + 1);
  return [
    '## REST cases (rest-query-validation-tests)',
    '',
    'Pull and push query responses and INSERT VALUES, run as ksqlDB\'s REST test runner runs them.',
    '',
    `<!-- rest-passed: ${s.passed} -->`,
    '',
    `- **Total**: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${pct(s.passed, s.passed + s.failed)}% of the cases run)`,
    '',
    '| cases | first line of the failure |',
    '|---:|---|',
    ...[...causes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([c, n]) => `| ${n} | ${c.replace(/\|/g, '\\|')} |`),
    '',
    ...fileTable(s.files),
    '',
  ].join('\n');
}

export function recordedRestPassCount(markdown: string): number | undefined {
  const m = /<!-- rest-passed: (\d+) -->/.exec(markdown);
  return m ? Number(m[1]) : undefined;
}
