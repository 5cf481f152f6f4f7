import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import type { QueryPlan } from '../../src/catalog/query-plan.js';
import { COMMAND_TOPIC } from '../../src/engine/command-log.js';
import type { Command } from '../../src/engine/command-log.js';
import { decodePlanJson } from '../../src/engine/plan-codec.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import type { FetchedRecord, ProduceRecord } from '../../src/log/log.js';
import { operatorFactories } from '../../src/operators/index.js';
import { STATELESS_FUSION } from '../../src/operators/stateless/fused-chain.js';
import { inertOperatorContext } from '../../src/runtime/inert-context.js';
import { processingErrorHandler } from '../../src/runtime/processing-errors.js';
import { buildTopology, type OperatorContext, type ProcessingLogEntry } from '../../src/runtime/processor.js';
import { QueryMetrics } from '../../src/runtime/query-metrics.js';
import { tempDir } from '../support/temp-dir.js';

// The fused stateless chain (source, filters and selects, sink as one function) must write what
// the step-by-step operators write: the same outputs, the same processing-log entries, the same
// per-step counts. Plans are the planner's own, as a created query stores them.

const QUERIES = {
  // filter then select, with an expression that fails on some rows (CAST of a non-number)
  filtered: `CREATE STREAM f AS SELECT id, amount * 2 AS dbl, CAST(note AS INT) AS n, ROWTIME AS rt, ROWOFFSET AS ro FROM s WHERE amount > 10;`,
  // no filter: a tombstone passes the select (key columns only) and is written as a delete
  projected: `CREATE STREAM p AS SELECT id, UCASE(note) AS u, amount / 3 AS third FROM s;`,
  // two filters around a select (a nested query's shape, written as a WHERE on a computed column)
  twoFilters: `CREATE STREAM t AS SELECT id, amount FROM s WHERE amount > 5 AND LEN(note) < 4;`,
} as const;

async function plans(): Promise<Map<string, QueryPlan>> {
  const dir = await tempDir();
  try {
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    await engine.execute(`CREATE STREAM s (id STRING KEY, amount INT, note STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');`);
    for (const sql of Object.values(QUERIES)) await engine.execute(sql);
    const commands = (await engine.log.fetch(COMMAND_TOPIC, 0, 0n, { maxRecords: 100 })).records.map((r) => decodePlanJson<Command>(r.value!.toString()));
    await engine.close();
    const out = new Map<string, QueryPlan>();
    for (const c of commands) if (c.query) out.set(c.query.plan.queryId, c.query.plan);
    return out;
  } finally {
    await dir.cleanup();
  }
}

const text = (s: string) => Buffer.from(s, 'utf8');

/** good and bad records of topic s: filtered in and out, bad JSON, a failing CAST, tombstones, null keys, headers */
function inputs(): FetchedRecord[] {
  const values: (string | null)[] = [
    '{"AMOUNT":20,"NOTE":"7"}',
    '{"AMOUNT":3,"NOTE":"1"}',
    '{"AMOUNT":30,"NOTE":"x"}', // CAST fails
    '{"AMOUNT":', // cannot be read
    null, // tombstone
    '{"AMOUNT":11,"NOTE":"long note"}',
    '[1,2]', // not an object
    '{"AMOUNT":"12","NOTE":"12"}',
    '{"AMOUNT":99999999999,"NOTE":"9"}', // out of INT range
    '{"AMOUNT":15}',
    '{"AMOUNT":6,"NOTE":"ab"}',
  ];
  const out: FetchedRecord[] = [];
  for (let round = 0; round < 3; round++)
    values.forEach((v, i) =>
      out.push({
        topic: 's',
        partition: 0,
        offset: BigInt(out.length),
        key: (i + round) % 4 === 0 ? null : text(`k${i}`),
        value: v === null ? null : text(v),
        timestamp: 1_000 + out.length * 7,
        headers: i % 5 === 0 ? [{ key: 'h', value: text('v') }] : [],
      }),
    );
  return out;
}

interface Run {
  emitted: ProduceRecord[];
  logged: Omit<ProcessingLogEntry, 'time'>[];
  counts: [string, number, number][];
  fused: boolean;
}

function run(plan: QueryPlan, fusion: boolean, config: Record<string, string> = {}): Run {
  const properties = new Map(Object.entries({ [STATELESS_FUSION]: String(fusion), ...config }));
  const emitted: ProduceRecord[] = [];
  const logged: Omit<ProcessingLogEntry, 'time'>[] = [];
  const metrics = new QueryMetrics(plan.queryId);
  const rootCounters = metrics.operator(plan.sink.id);
  const base = inertOperatorContext({ queryId: plan.queryId, registry: createBuiltinRegistry(), config: properties, schemaRegistry: undefined as never });
  const ctx: OperatorContext = {
    ...base,
    emit: (r) => {
      emitted.push(r);
      rootCounters.recordsOut++;
    },
    logError: processingErrorHandler(plan.queryId, properties, ({ time: _time, ...entry }) => logged.push(entry)),
  };
  const fused = operatorFactories.fuseChain!(plan.sink, operatorFactories, ctx) !== undefined;
  const topology = buildTopology(plan.sink, operatorFactories, ctx, metrics);
  const entries = topology.sources.get('s')!;
  for (const rec of inputs()) {
    try {
      for (const entry of entries) void entry(rec);
    } catch (e) {
      logged.push({ queryId: 'thrown', step: '', type: 'QUERY_ERROR', message: e instanceof Error ? e.message : String(e), cause: [] });
      break;
    }
  }
  return { emitted, logged, counts: [...metrics.operators].map(([id, c]) => [id, c.recordsIn, c.recordsOut]), fused };
}

test('a fused stateless chain writes the same outputs, processing-log entries and per-step counts as the operators one by one', async () => {
  const all = await plans();
  assert.equal(all.size, Object.keys(QUERIES).length);
  for (const plan of all.values()) {
    const fused = run(plan, true);
    const stepwise = run(plan, false);
    assert.equal(fused.fused, true, `${plan.queryId} is fused`);
    assert.equal(stepwise.fused, false, `${plan.queryId}: ${STATELESS_FUSION}=false builds step by step`);
    assert.deepEqual(fused.emitted, stepwise.emitted, `${plan.queryId} outputs`);
    assert.deepEqual(fused.logged, stepwise.logged, `${plan.queryId} processing log`);
    assert.deepEqual(fused.counts, stepwise.counts, `${plan.queryId} counts`);
    // the mix exercised what it is meant to: outputs, read errors, and (with the CAST) expression errors
    assert.ok(fused.emitted.length > 0 && fused.emitted.length < inputs().length, `${plan.queryId}: ${fused.emitted.length} outputs`);
    assert.ok(fused.logged.some((e) => e.type === 'DESERIALIZATION_ERROR' && e.offset === 3 && e.topic === 's' && e.partition === 0));
    if (plan.queryId.startsWith('CSAS_F_')) assert.ok(fused.logged.some((e) => e.type === 'RECORD_PROCESSING_ERROR' && /Cannot cast/.test(e.message + e.cause.join(' '))), JSON.stringify(fused.logged));
    if (plan.queryId.startsWith('CSAS_P_')) assert.ok(fused.emitted.some((r) => r.value === null), 'a tombstone passes');
  }
});

test('with the fail policy, the first bad record stops a fused chain where it stops the operators one by one', async () => {
  const all = await plans();
  const config = { 'ksql.fail.on.deserialization.error': 'true' };
  for (const plan of all.values()) {
    const fused = run(plan, true, config);
    const stepwise = run(plan, false, config);
    assert.deepEqual(fused.emitted, stepwise.emitted, `${plan.queryId} outputs`);
    assert.deepEqual(fused.logged, stepwise.logged, `${plan.queryId} processing log`);
    assert.deepEqual(fused.counts, stepwise.counts, `${plan.queryId} counts`);
    assert.equal(fused.logged.at(-1)!.queryId, 'thrown');
  }
});
