/**
 * A task picks its next record by the timestamp the source extracts (TIMESTAMP column), as Kafka
 * Streams' PartitionGroup does, not by the log timestamp.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceStep } from '../../src/catalog/query-plan.js';
import { COMMAND_TOPIC } from '../../src/engine/command-log.js';
import type { Command } from '../../src/engine/command-log.js';
import { decodePlanJson } from '../../src/engine/plan-codec.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import { Engine } from '../../src/index.js';
import { openLocalLog } from '../../src/log/local/index.js';
import { operatorFactories } from '../../src/operators/index.js';
import type { Downstream, OperatorContext, OperatorFactories } from '../../src/runtime/processor.js';
import { QueryRuntime } from '../../src/runtime/query-runtime.js';
import { InMemorySchemaRegistry } from '../../src/serde/index.js';
import { LocalStateBackend } from '../../src/state/index.js';
import { jsonValues, readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

const SQL = `CREATE TABLE T (K STRING PRIMARY KEY, V STRING, TS BIGINT) WITH (kafka_topic='t', value_format='JSON', partitions=1, timestamp='TS');
  CREATE STREAM S (K STRING KEY, X INT, TS BIGINT) WITH (kafka_topic='s', value_format='JSON', partitions=1, timestamp='TS');
  CREATE STREAM J AS SELECT S.K AS K, X, V FROM S LEFT JOIN T ON S.K = T.K;`;

const record = (topic: string, value: object, logTimestamp: number) => ({ topic, partition: 0, key: Buffer.from('k'), value: Buffer.from(JSON.stringify(value)), timestamp: logTimestamp });

// log timestamps run opposite to the column timestamps: by log time every stream record comes
// before every table row; by event time they alternate (t@100, s@200, t@300, s@400)
const TABLE = [record('t', { V: 'first', TS: 100 }, 5000), record('t', { V: 'second', TS: 300 }, 6000)];
// the middle stream record has no event time: it is picked at its log time and logged as bad
const STREAM = [record('s', { X: 1, TS: 200 }, 1000), record('s', { X: 99, TS: null }, 1500), record('s', { X: 2, TS: 400 }, 2000)];

test('a stream-table join over TIMESTAMP columns joins in event-time order, not log-time order', async () => {
  const dir = await tempDir();
  try {
    const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      await engine.execute(SQL);
      // written before the query runs, so only the task's pick decides the order
      await engine.log.produce([...STREAM, ...TABLE]);
      await engine.runUntilIdle();
      assert.deepEqual(engine.failedQueries(), []);
      const out = await readTopic(engine.log, 'J');
      // log-time order would give V null twice (no table row yet)
      assert.deepEqual(jsonValues(out), [
        { X: 1, V: 'first' },
        { X: 2, V: 'second' },
      ]);
      // the output carries the extracted timestamps
      assert.deepEqual(
        out.map((r) => r.timestamp),
        [200, 400],
      );
      const bad = engine.processingLog.filter((e) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? String(v) : v)).includes('Timestamp column TS is null'));
      assert.equal(bad.length, 1, 'the record without an event time goes to the processing log');
    } finally {
      await engine.close();
    }

    // the same plan again, on its own offsets, with a trace of what each source passes on
    const log = await openLocalLog(dir.path);
    try {
      const commands = (await log.fetch(COMMAND_TOPIC, 0, 0n, { maxRecords: 10 })).records.map((r) => decodePlanJson<Command>(r.value!.toString()));
      const plan = commands.find((c) => c.query)!.query!.plan;
      const trace: string[] = [];
      const traced = (kind: 'StreamSource' | 'TableSource') => (step: SourceStep, ctx: OperatorContext, downstream: Downstream) =>
        operatorFactories[kind](step as never, ctx, (r) => {
          trace.push(`${step.topic}@${r.timestamp}`);
          return downstream(r);
        });
      const factories: OperatorFactories = { ...operatorFactories, StreamSource: traced('StreamSource'), TableSource: traced('TableSource') };
      const runtime = new QueryRuntime({
        plan: { ...plan, queryId: 'TRACE' },
        log,
        state: new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) }),
        factories,
        registry: createBuiltinRegistry(),
        config: new Map(),
        offsetReset: 'earliest',
        onProcessingLog: (entry) => trace.push(`bad ${entry.message.includes('Timestamp column TS is null') ? 'timestamp' : 'other'}`),
        schemaRegistry: new InMemorySchemaRegistry(),
        drainSchemaRegistrations: () => [],
        batchSize: 1,
      });
      for (let i = 0; i < 100 && !(await runtime.caughtUp()); i++) await runtime.step();
      runtime.close();
      assert.equal(runtime.failure, undefined);
      assert.deepEqual(trace, ['t@100', 's@200', 't@300', 'bad timestamp', 's@400']);
    } finally {
      await log.close();
    }
  } finally {
    await dir.cleanup();
  }
});
