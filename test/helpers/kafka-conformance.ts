/**
 * Runs conformance cases (the sample in ../shared/conformance) through the engine on a Kafka
 * cluster: one shared KafkaLog, each case in its own namespace (PrefixedLog) with its state in the
 * case's temp dir, the same runner as `npm run conformance` otherwise.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaLog } from '../../src/log/kafka/index.js';
import { KafkaStateBackend, type ProcessingGuarantee } from '../../src/state/index.js';
import { loadCaseFile, type TestCase } from '../../src/cli/test-runner/test-case.js';
import { runCase, type CaseResult } from '../../src/cli/test-runner/run-case.js';
import { registerFunctions as registerTestHarnessFunctions } from '../fixtures/udfs/index.js';
import { conformanceDir } from '../../scripts/conformance-suite.js';
import { PrefixedLog } from './prefixed-log.js';

export async function loadConformanceCases(): Promise<TestCase[]> {
  const dir = conformanceDir();
  const cases: TestCase[] = [];
  for (const n of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) cases.push(...(await loadCaseFile(join(dir, n))));
  return cases;
}

/** every `step`-th case of the sample (a spread over every file), for CI */
export function representative(cases: readonly TestCase[], step: number): TestCase[] {
  return cases.filter((_, i) => i % step === 0);
}

export interface Backend {
  readonly name: string;
  run(tc: TestCase): Promise<CaseResult>;
  close(): Promise<void>;
}

export function embeddedBackend(): Backend {
  return { name: 'embedded', run: (tc) => runCase(tc, { functions: [registerTestHarnessFunctions] }), close: async () => {} };
}

export async function kafkaBackend(bootstrap: string, guarantee: ProcessingGuarantee = 'at_least_once'): Promise<Backend> {
  const shared = await KafkaLog.open({ properties: { 'bootstrap.servers': bootstrap, 'client.id': 'sluice-conformance' } });
  let n = 0;
  const run = `r${Date.now().toString(36)}`;
  // a finished case's topics are deleted while the next case runs
  const cleanups = new Set<Promise<void>>();
  return {
    name: `kafka (${guarantee})`,
    run: async (tc) => {
      const log = new PrefixedLog(shared, `${run}-${++n}-`);
      try {
        return await runCase(tc, {
          functions: [registerTestHarnessFunctions],
          engineOptions: async (dir) => {
            const state = await KafkaStateBackend.open(log, { dir: join(dir, 'kafka-state'), guarantee });
            return { log, stateBackend: () => state };
          },
        });
      } finally {
        const cleanup = dropNamespace(log);
        cleanups.add(cleanup);
        void cleanup.then(() => cleanups.delete(cleanup));
      }
    },
    close: async () => {
      await Promise.all([...cleanups]);
      await shared.close();
    },
  };
}

/**
 * Deletes a finished case's topics and groups: a broker holding every topic of a long run answers
 * each metadata request for all of them, and kafkajs refreshes the metadata of every topic it has
 * used, so a run that keeps them slows down case after case.
 */
async function dropNamespace(log: PrefixedLog): Promise<void> {
  const [topics, groups] = await Promise.all([log.listTopics().catch(() => []), log.listGroups().catch(() => [])]);
  await Promise.all([...topics.map((t) => log.deleteTopic(t).catch(() => {})), ...groups.map((g) => log.deleteGroup(g).catch(() => {}))]);
}

export interface RunSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly ms: number;
  readonly results: readonly CaseResult[];
}

export async function runCases(backend: Backend, cases: readonly TestCase[], concurrency = 4, onResult?: (r: CaseResult, index: number) => void): Promise<RunSummary> {
  const started = Date.now();
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await backend.run(cases[i]!);
      onResult?.(results[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    passed: results.filter((r) => r.status === 'PASS').length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    skipped: results.filter((r) => r.status === 'SKIP').length,
    ms: Date.now() - started,
    results,
  };
}
