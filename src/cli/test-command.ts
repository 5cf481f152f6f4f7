/**
 * `sluice test FILE.json... [--json OUT] [--filter TEXT] [--quiet] [--functions MODULE]...`
 * `sluice test -s statements.sql [-i input.json] -o output.json [--functions MODULE]...`
 * Runs conformance-format cases, a PASS/FAIL/SKIP line each (with a diff for failures), then
 * the closing line `N passed, N failed, N skipped`. Exit status 1 when anything fails.
 * `--functions MODULE` (repeatable) adds the functions a JS module registers through its exported
 * `registerFunctions(registry)`, e.g. ksqlDB's test-harness functions from this repository's
 * `dist/test/fixtures/udfs/index.js`.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toTestValue } from './test-runner/test-values.js';
import type { CliIo } from './cli-io.js';
import { loadCaseFile, loadRunnerCase } from './test-runner/test-case.js';
import type { TestCase } from './test-runner/test-case.js';
import { runCase } from './test-runner/run-case.js';
import type { CaseResult, RunCaseOptions } from './test-runner/run-case.js';
import { loadFunctionModule } from './test-runner/function-modules.js';
import type { RegisterFunctions } from './test-runner/function-modules.js';

export interface TestRunSummary {
  readonly results: CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export async function runCases(cases: readonly TestCase[], onResult?: (r: CaseResult) => void, options: RunCaseOptions = {}): Promise<TestRunSummary> {
  const results: CaseResult[] = [];
  for (const tc of cases) {
    const r = await runCase(tc, options);
    results.push(r);
    onResult?.(r);
  }
  return {
    results,
    passed: results.filter((r) => r.status === 'PASS').length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    skipped: results.filter((r) => r.status === 'SKIP').length,
  };
}

export interface TestOptions {
  readonly sqlFile?: string;
  readonly inputFile?: string;
  readonly outputFile?: string;
  readonly json?: string;
  readonly filter?: string;
  readonly quiet?: boolean;
  /** modules exporting registerFunctions(registry), e.g. ksqlDB's test-harness fixtures */
  readonly functions?: readonly string[];
  /** REST cases go over HTTP to a `sluice server` on each case's engine */
  readonly viaServer?: boolean;
}

export async function runTest(files: readonly string[], options: TestOptions, io: CliIo): Promise<number> {
  const { sqlFile: statements, inputFile: input, outputFile: output, json: jsonOut, filter, quiet } = options;
  const functionModules = options.functions ?? [];
  let cases: TestCase[] = [];
  if (statements || output) {
    if (!statements || !output) {
      io.err('usage: sluice test -s statements.sql [-i input.json] -o output.json');
      return 1;
    }
    cases.push(await loadRunnerCase(statements, input, output));
  }
  let caseFiles: string[];
  try {
    caseFiles = await expandCaseFiles(files);
    for (const f of caseFiles) cases.push(...(await loadCaseFile(f)));
  } catch (e) {
    io.err(`sluice test: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (filter) cases = cases.filter((c) => c.name.includes(filter!) || c.file.includes(filter!));
  if (!cases.length) {
    io.err('usage: sluice test FILE.json... [--json OUT] [--filter TEXT] [--functions MODULE] | -s statements.sql [-i input.json] -o output.json');
    return 1;
  }
  const functions: RegisterFunctions[] = [];
  for (const m of functionModules) functions.push(await loadFunctionModule(m));
  const summary = await runCases(
    cases,
    (r) => {
      if (quiet && r.status !== 'FAIL') return;
      io.out(`${r.status} ${r.file} :: ${r.name}${r.status === 'SKIP' ? ` (${r.reason})` : ''}`);
      if (r.status === 'FAIL') io.out(indent(r.reason ?? ''));
    },
    { functions, ...(options.viaServer ? { viaServer: true } : {}) },
  );
  if (jsonOut) {
    const data = summary.results.map((r) => ({ ...r, actual: r.actual?.map((a) => ({ ...a, key: toTestValue(a.key), value: toTestValue(a.value) })) }));
    await writeFile(jsonOut, JSON.stringify({ passed: summary.passed, failed: summary.failed, skipped: summary.skipped, cases: data }, null, 2));
  }
  io.out(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
  return summary.failed ? 1 : 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
}

/** A directory stands for the case files in it (ksqlDB's suite is a directory of JSON files). */
async function expandCaseFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) throw new Error(`${p}: no such file or directory`);
    if (!info.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => n.endsWith('.json')).sort();
    if (!names.length) throw new Error(`${p}: a directory with no .json case files`);
    out.push(...names.map((n) => join(p, n)));
  }
  return out;
}
