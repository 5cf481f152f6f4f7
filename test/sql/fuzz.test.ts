/**
 * Property-based fuzzing of the parser and the planner (fast-check, seeded so a failure replays):
 * statements generated from the grammar and mutated corpus statements end in a result or a
 * SluiceError within a second, and a failed statement leaves the engine as it was.
 * `npm run fuzz` runs the same properties longer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../../src/index.js';
import { parseStatement, parseStatements } from '../../src/sql/parse.js';
import { checkExecute, checkParse, checkPlan, generatedQueryToPlan, grammarStatement, mutatedQueryCase, mutatedStatement, SETUP } from './fuzz-cases.js';

const SEED = 20261207;

/** The topics the case's CREATE STREAM/TABLE statements name (ksqlDB's test driver creates them first). */
async function createSourceTopics(engine: Engine, statements: readonly string[]): Promise<void> {
  const existing = new Set(await engine.log.listTopics());
  for (const sql of statements) {
    let stmt;
    try {
      stmt = parseStatement(sql);
    } catch {
      continue;
    }
    if (stmt.kind !== 'CreateSource') continue;
    const topic = stmt.properties.find((p) => p.name === 'KAFKA_TOPIC')?.value;
    const name = topic?.kind === 'StringLiteral' ? topic.value : stmt.name;
    if (!existing.has(name)) await engine.log.createTopic(name, { partitions: 1, config: { 'retention.ms': -1 } });
    existing.add(name);
  }
}

describe('parser fuzzing', { timeout: 60_000 }, () => {
  before(() => {
    // build the parser and start the large-stack parser thread once, outside the timed properties
    parseStatements('SELECT a FROM s;');
    parseStatements(`SELECT ${'('.repeat(150)}1${')'.repeat(150)} FROM s;`);
  });

  it('parses or rejects statements generated from the grammar', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(grammarStatement, (sql) => {
        const o = checkParse(sql);
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: 400 },
    );
    // the generator mostly writes valid syntax: a parser that rejects everything must fail here
    assert.ok((outcomes.get('parsed') ?? 0) > 300, JSON.stringify([...outcomes]));
  });

  it('parses or rejects mutated corpus statements with a positioned ParseError', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(mutatedStatement, ({ sql }) => {
        const o = checkParse(sql);
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: 500 },
    );
    assert.ok((outcomes.get('ParseError') ?? 0) > 100, JSON.stringify([...outcomes]));
  });
});

describe('planner fuzzing', { timeout: 120_000 }, () => {
  let dir: string;
  let engine: Engine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-fuzz-'));
    engine = await Engine.open({ dataDir: dir });
    await engine.execute(SETUP.join('\n'));
  });
  after(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans or rejects generated queries, changing nothing', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(generatedQueryToPlan, async (sql) => {
        const o = await checkPlan(engine, sql);
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: 150 },
    );
    // most plan, many are rejected: a planner that rejects everything, or nothing, fails here
    assert.ok((outcomes.get('parsed') ?? 0) > 10, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get('SluiceError') ?? 0) > 10, JSON.stringify([...outcomes]));
  });

  it('executes or rejects mutated corpus queries, a failure leaving the engine as it was', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutatedQueryCase, async ({ setup, sql }) => {
        const caseDir = await mkdtemp(join(tmpdir(), 'sluice-fuzz-case-'));
        const e = await Engine.open({ dataDir: caseDir });
        try {
          try {
            await createSourceTopics(e, setup);
            await e.execute(setup.join('\n'));
          } catch {
            outcomes.set('setup failed', (outcomes.get('setup failed') ?? 0) + 1);
            return;
          }
          const o = await checkExecute(e, sql);
          outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
        } finally {
          await e.close();
          await rm(caseDir, { recursive: true, force: true });
        }
      }),
      { seed: SEED, numRuns: 80 },
    );
    assert.ok((outcomes.get('parsed') ?? 0) + (outcomes.get('SluiceError') ?? 0) > 5, JSON.stringify([...outcomes]));
  });
});
