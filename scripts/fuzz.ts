/**
 * `npm run fuzz [-- --runs N --seed S]`: the fuzz properties of test/sql/fuzz.test.ts, run longer.
 * Prints how many inputs each property tried, their outcomes, the slowest input's time, and any
 * failure with the seed and path that replay it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import { parseStatement, parseStatements } from '../src/sql/parse.js';
import { checkExecute, checkParse, checkPlan, generatedQueryToPlan, grammarStatement, mutatedQueryCase, mutatedStatement, SETUP } from '../test/sql/fuzz-cases.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
console.log(`fuzz: seed ${seed}, ${runs} runs per parser property (a tenth of that through the engine)`);

interface Tally {
  outcomes: Map<string, number>;
  slowestMs: number;
}

function tally(): Tally {
  return { outcomes: new Map(), slowestMs: 0 };
}

function timed<T>(t: Tally, run: () => T): T {
  const started = performance.now();
  const r = run();
  t.slowestMs = Math.max(t.slowestMs, performance.now() - started);
  return r;
}

async function timedAsync<T>(t: Tally, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const r = await run();
  t.slowestMs = Math.max(t.slowestMs, performance.now() - started);
  return r;
}

function count(t: Tally, outcome: string): void {
  t.outcomes.set(outcome, (t.outcomes.get(outcome) ?? 0) + 1);
}

let failed = 0;

function report<T>(name: string, t: Tally, details: fc.RunDetails<T>): void {
  const total = [...t.outcomes.values()].reduce((a, b) => a + b, 0);
  const parts = [...t.outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${name}: ${total} inputs (${parts}); slowest ${t.slowestMs.toFixed(0)} ms`);
  if (details.failed) {
    failed++;
    console.log(`  FAILED (seed ${details.seed}, path "${details.counterexamplePath}"):`);
    console.log(`  ${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance).split('\n').slice(0, 6).join('\n  ')}`);
  }
}

// build the parser and start the large-stack parser thread outside the timed inputs
parseStatements('SELECT a FROM s;');
parseStatements(`SELECT ${'('.repeat(150)}1${')'.repeat(150)} FROM s;`);

const grammar = tally();
report('grammar statements', grammar, fc.check(fc.property(grammarStatement, (sql) => count(grammar, timed(grammar, () => checkParse(sql)))), { seed, numRuns: runs }));

const mutated = tally();
report('mutated corpus statements', mutated, fc.check(fc.property(mutatedStatement, ({ sql }) => count(mutated, timed(mutated, () => checkParse(sql)))), { seed, numRuns: runs }));

const dir = await mkdtemp(join(tmpdir(), 'sluice-fuzz-'));
const engine = await Engine.open({ dataDir: dir });
await engine.execute(SETUP.join('\n'));
const planned = tally();
report(
  'generated queries planned (EXPLAIN)',
  planned,
  await fc.check(
    fc.asyncProperty(generatedQueryToPlan, async (sql) => count(planned, await timedAsync(planned, () => checkPlan(engine, sql)))),
    { seed, numRuns: Math.ceil(runs / 10) },
  ),
);
await engine.close();
await rm(dir, { recursive: true, force: true });

const executed = tally();
report(
  'mutated corpus queries executed',
  executed,
  await fc.check(
    fc.asyncProperty(mutatedQueryCase, async ({ setup, sql }) => {
      const caseDir = await mkdtemp(join(tmpdir(), 'sluice-fuzz-case-'));
      const e = await Engine.open({ dataDir: caseDir });
      try {
        try {
          const existing = new Set(await e.log.listTopics());
          for (const s of setup) {
            let stmt;
            try {
              stmt = parseStatement(s);
            } catch {
              continue;
            }
            if (stmt.kind !== 'CreateSource') continue;
            const topic = stmt.properties.find((p) => p.name === 'KAFKA_TOPIC')?.value;
            const name = topic?.kind === 'StringLiteral' ? topic.value : stmt.name;
            if (!existing.has(name)) await e.log.createTopic(name, { partitions: 1, config: { 'retention.ms': -1 } });
            existing.add(name);
          }
          await e.execute(setup.join('\n'));
        } catch {
          count(executed, 'setup failed');
          return;
        }
        count(executed, await timedAsync(executed, () => checkExecute(e, sql)));
      } finally {
        await e.close();
        await rm(caseDir, { recursive: true, force: true });
      }
    }),
    { seed, numRuns: Math.ceil(runs / 10) },
  ),
);

console.log(failed === 0 ? 'fuzz: no failures' : `fuzz: ${failed} properties failed`);
process.exit(failed === 0 ? 0 : 1);
