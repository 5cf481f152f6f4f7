/**
 * Loads the SQL statements of the ksqlDB conformance cases (shared, read-only folder), expanding
 * `{FORMAT}` / `{CONFIG}` placeholders with each value the case lists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../scripts/repo-root.js';

export { repoRoot };

export interface CorpusStatement {
  readonly file: string;
  readonly test: string;
  readonly sql: string;
}

export function conformanceDir(): string {
  return join(repoRoot(), '..', 'shared', 'conformance');
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

function expand(sql: string, placeholder: string, values: unknown): string[] {
  if (!sql.includes(placeholder) || !Array.isArray(values) || values.length === 0) return [sql];
  return values.map((v) => sql.split(placeholder).join(String(v)));
}

interface TestCase {
  name?: string;
  statements?: unknown[];
  expectedException?: unknown;
  /** REST cases' equivalent of expectedException */
  expectedError?: unknown;
  format?: unknown;
  config?: unknown;
}

/** Statements of all cases; `valid` selects cases expected to succeed (no expectedException/expectedError) or not. */
export function loadCorpus(valid = true): CorpusStatement[] | undefined {
  const dir = conformanceDir();
  if (!existsSync(dir)) return undefined;
  const out: CorpusStatement[] = [];
  for (const file of jsonFiles(dir)) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { tests?: TestCase[] };
    for (const t of data.tests ?? []) {
      if ((t.expectedException === undefined && t.expectedError === undefined) !== valid) continue;
      for (const s of t.statements ?? []) {
        if (typeof s !== 'string') continue;
        for (const a of expand(s, '{FORMAT}', t.format)) {
          for (const b of expand(a, '{CONFIG}', t.config)) out.push({ file: relative(dir, file), test: t.name ?? '', sql: b });
        }
      }
    }
  }
  return out;
}
