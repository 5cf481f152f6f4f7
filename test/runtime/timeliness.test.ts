/**
 * A task's timeliness settings (runtime/timeliness.ts) on a real log: max.poll.records bounds a
 * step, commit.interval.ms and linger.ms defer commits (outputs and offsets stay unwritten until
 * due), buffer.memory bounds what waits (a commit mid-step), bad values are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../../src/catalog/query-plan.js';
import { ConfigError } from '../../src/common/errors.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import { openLocalLog } from '../../src/log/local/index.js';
import type { LocalLog } from '../../src/log/local/index.js';
import type { OperatorContext, OperatorFactories } from '../../src/runtime/processor.js';
import { StreamTask } from '../../src/runtime/stream-task.js';
import { timeliness } from '../../src/runtime/timeliness.js';
import { InMemorySchemaRegistry } from '../../src/serde/index.js';
import { LocalStateBackend } from '../../src/state/index.js';
import { tempDir } from '../support/temp-dir.js';

/** a source that writes one 100-byte record to `out` per input record */
function echoFactories(): OperatorFactories {
  return new Proxy({} as OperatorFactories, {
    get: (_, kind) => {
      // every step kind, and no chain fuser (the steps are built one by one)
      if (kind === 'fuseChain') return undefined;
      if (kind === 'StreamSource')
        return (_step: Step, ctx: OperatorContext) => (rec: { timestamp: number }) => {
          ctx.emit({ topic: 'out', partition: 0, key: null, value: Buffer.alloc(100, 0x61), timestamp: rec.timestamp });
        };
      return () => () => {};
    },
  });
}

function task(log: LocalLog, config: Record<string, string>): StreamTask {
  return new StreamTask({
    queryId: 'Q',
    taskId: '0_0',
    partition: 0,
    partitions: 1,
    root: { kind: 'StreamSource', id: 'Source/in', topic: 'in', columns: [] } as unknown as Step,
    inputs: [{ topic: 'in', partition: 0 }],
    log,
    state: new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) }),
    factories: echoFactories(),
    registry: createBuiltinRegistry(),
    config: new Map(Object.entries(config)),
    offsetReset: 'earliest',
    onProcessingLog: () => {},
    schemaRegistry: new InMemorySchemaRegistry(),
    drainSchemaRegistrations: () => [],
    internalTopicPartitions: new Map(),
  });
}

async function withLog(fn: (log: LocalLog) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const log = await openLocalLog(dir.path);
  try {
    await log.createTopic('in', { partitions: 1 });
    await log.createTopic('out', { partitions: 1 });
    await fn(log);
  } finally {
    await log.close();
    await dir.cleanup();
  }
}

const feed = (log: LocalLog, n: number) => log.produce(Array.from({ length: n }, (_, i) => ({ topic: 'in', partition: 0, key: null, value: Buffer.from('x'), timestamp: 1000 + i })));
const written = (log: LocalLog) => log.latestOffset('out', 0);
const committed = async (log: LocalLog) => (await log.committedOffsets('Q')).find((o) => o.topic === 'in')?.offset;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('max.poll.records bounds what one step reads; by default every step commits', async () => {
  await withLog(async (log) => {
    await feed(log, 10);
    const t = task(log, { 'max.poll.records': '3' });
    assert.equal(await t.step(), 3);
    assert.equal(await written(log), 3n);
    assert.equal(await committed(log), 3n);
    assert.equal(await t.step(), 3);
    assert.equal(await written(log), 6n);
  });
});

test('commit.interval.ms: steps within the interval leave outputs and offsets uncommitted', async () => {
  await withLog(async (log) => {
    await feed(log, 10);
    const t = task(log, { 'ksql.streams.commit.interval.ms': '300', 'max.poll.records': '4' });
    assert.equal(await t.step(), 4);
    // the first commit is due at once (none before it)
    assert.equal(await written(log), 4n);
    assert.equal(await t.step(), 4);
    assert.equal(await t.step(), 2);
    assert.equal(await written(log), 4n, 'nothing new readable inside the interval');
    assert.equal(await committed(log), 4n);
    assert.equal(await t.caughtUp(), false, 'uncommitted work is not caught up');
    const due = t.commitDueInMs();
    assert.ok(due !== undefined && due > 0 && due <= 300, `due in ${due}`);
    await sleep(due! + 20);
    assert.equal(await t.step(), 0);
    assert.equal(await written(log), 10n);
    assert.equal(await committed(log), 10n);
    assert.equal(await t.caughtUp(), true);
  });
});

test('linger.ms: a step that did not fill its poll waits for more before committing, a full one commits', async () => {
  await withLog(async (log) => {
    const t = task(log, { 'linger.ms': '150', 'max.poll.records': '5' });
    await feed(log, 2);
    assert.equal(await t.step(), 2);
    assert.equal(await written(log), 0n, 'two outputs linger');
    await feed(log, 1);
    assert.equal(await t.step(), 1);
    assert.equal(await written(log), 0n);
    await feed(log, 5);
    assert.equal(await t.step(), 5);
    assert.equal(await written(log), 8n, 'a full poll commits with what lingered');
    await feed(log, 1);
    assert.equal(await t.step(), 1);
    assert.equal(await written(log), 8n);
    await sleep(170);
    await t.step();
    assert.equal(await written(log), 9n, 'committed once linger.ms passed');
  });
});

test('buffer.memory bounds uncommitted output: reaching it commits mid-step', async () => {
  await withLog(async (log) => {
    await feed(log, 50);
    // ~164 bytes per output: a commit every 4 records; the interval alone would hold all 50
    const t = task(log, { 'commit.interval.ms': '60000', 'producer.buffer.memory': '600', 'max.poll.records': '50' });
    assert.equal(await t.step(), 50);
    const out = await written(log);
    assert.ok(out >= 48n, `written ${out}`);
    const offset = await committed(log);
    assert.equal(offset, out, 'outputs and input offsets are committed together');
  });
});

test('bad settings are refused with the setting named', () => {
  assert.throws(() => timeliness(new Map([['linger.ms', '-1']])), (e) => e instanceof ConfigError && /linger\.ms/.test(e.message));
  assert.throws(() => timeliness(new Map([['max.poll.records', 'many']])), ConfigError);
  assert.throws(() => timeliness(new Map([['consumer.fetch.max.wait.ms', '1.5']])), (e) => e instanceof ConfigError && /fetch\.max\.wait\.ms/.test(e.message));
  assert.deepEqual(timeliness(new Map()), { maxPollRecords: 1000, commitIntervalMs: 0, lingerMs: 0, batchBytes: 16384, bufferMemory: 32 * 1024 * 1024, fetchMaxWaitMs: 5 });
});
