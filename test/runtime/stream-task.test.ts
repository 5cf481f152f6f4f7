import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../../src/catalog/query-plan.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import { openLocalLog } from '../../src/log/local/index.js';
import type { LocalLog } from '../../src/log/local/index.js';
import type { Downstream, OperatorContext, OperatorFactories } from '../../src/runtime/processor.js';
import { StreamTask } from '../../src/runtime/stream-task.js';
import { InMemorySchemaRegistry } from '../../src/serde/index.js';
import { LocalStateBackend } from '../../src/state/index.js';
import { tempDir } from '../support/temp-dir.js';

interface Seen {
  topic: string;
  offset: bigint;
  timestamp: number;
}

/** Every operator a no-op except the sources, which record what reaches them, in order. */
function recordingFactories(seen: Seen[], onBuild?: (ctx: OperatorContext) => void): OperatorFactories {
  const noop: Downstream = () => {};
  return new Proxy({} as OperatorFactories, {
    get: (_, kind) => {
      // every step kind, and no chain fuser (the steps are built one by one)
      if (kind === 'fuseChain') return undefined;
      if (kind === 'StreamSource')
        return (_step: Step, ctx: OperatorContext) => {
          onBuild?.(ctx);
          return (rec: { topic: string; offset: bigint; timestamp: number }) => {
            seen.push({ topic: rec.topic, offset: rec.offset, timestamp: rec.timestamp });
          };
        };
      if (kind === 'StreamStreamJoin') return () => [noop, noop];
      return () => noop;
    },
  });
}

const source = (topic: string) => ({ kind: 'StreamSource', id: `Source/${topic}`, topic, columns: [] }) as unknown as Step;
/** a task reading partition 0 of topics `a` and `b` (a join's two inputs) */
const joinOfAB = { kind: 'StreamStreamJoin', id: 'Join', left: source('a'), right: source('b'), columns: [] } as unknown as Step;

function task(log: LocalLog, factories: OperatorFactories, options: { batchSize?: number; maxTaskIdleMs?: number } = {}): StreamTask {
  return new StreamTask({
    queryId: 'Q',
    taskId: '0_0',
    partition: 0,
    partitions: 1,
    root: joinOfAB,
    inputs: [
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
    ],
    log,
    state: new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) }),
    factories,
    registry: createBuiltinRegistry(),
    config: new Map(),
    offsetReset: 'earliest',
    onProcessingLog: () => {},
    schemaRegistry: new InMemorySchemaRegistry(),
    drainSchemaRegistrations: () => [],
    internalTopicPartitions: new Map(),
    ...options,
  });
}

async function withLog(fn: (log: LocalLog) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const log = await openLocalLog(dir.path);
  try {
    await log.createTopic('a', { partitions: 1 });
    await log.createTopic('b', { partitions: 1 });
    await fn(log);
  } finally {
    await log.close();
    await dir.cleanup();
  }
}

const produce = (log: LocalLog, topic: string, timestamps: readonly number[]) =>
  timestamps.length ? log.produce(timestamps.map((timestamp) => ({ topic, partition: 0, key: null, value: Buffer.from('x'), timestamp }))) : Promise.resolve([]);

async function drain(t: StreamTask): Promise<void> {
  for (let i = 0; i < 100 && !(await t.caughtUp()); i++) await t.step();
}

const cases: { name: string; a: number[]; b: number[]; batchSize?: number }[] = [
  { name: 'interleaved timestamps over two topics', a: [1, 4, 5, 9], b: [2, 3, 7, 8] },
  { name: 'interleaved, across fetch batches of two', a: [1, 4, 5, 9, 12], b: [2, 3, 7, 8, 10, 11], batchSize: 2 },
  { name: 'one record per batch', a: [3, 6], b: [1, 2, 7], batchSize: 1 },
  { name: 'a whole topic before the other', a: [10, 11, 12], b: [1, 2, 3] },
  { name: 'equal timestamps: the first input first', a: [5, 5], b: [5, 6] },
  { name: 'an empty input is not waited for (max.task.idle.ms = 0)', a: [1, 2, 3], b: [] },
];

for (const c of cases) {
  test(`a task processes the smallest buffered timestamp next: ${c.name}`, () =>
    withLog(async (log) => {
      // everything is written before the task starts, so only its choice decides the order
      await produce(log, 'a', c.a);
      await produce(log, 'b', c.b);
      const seen: Seen[] = [];
      const t = task(log, recordingFactories(seen), c.batchSize ? { batchSize: c.batchSize } : {});
      await drain(t);
      const expected = [...c.a.map((ts, i) => ({ topic: 'a', offset: BigInt(i), timestamp: ts })), ...c.b.map((ts, i) => ({ topic: 'b', offset: BigInt(i), timestamp: ts }))].sort(
        (x, y) => x.timestamp - y.timestamp || x.topic.localeCompare(y.topic) || Number(x.offset - y.offset),
      );
      assert.deepEqual(seen, expected);
      // the commit records where each input stands
      const committed = await log.committedOffsets('Q');
      assert.deepEqual(
        committed.map((o) => [o.topic, o.offset]).sort(),
        [
          ['a', BigInt(c.a.length)],
          ['b', BigInt(c.b.length)],
        ],
      );
      assert.equal(t.currentStreamTime(), Math.max(...c.a, ...c.b));
    }));
}

test('max.task.idle.ms: an empty input is waited for, then the task goes on without it', () =>
  withLog(async (log) => {
    await produce(log, 'a', [10]);
    const seen: Seen[] = [];
    const t = task(log, recordingFactories(seen), { maxTaskIdleMs: 300 });
    assert.equal(await t.step(), 0, 'b is empty and has not been idle long enough');
    await produce(log, 'b', [5]);
    assert.equal(await t.step(), 1);
    assert.deepEqual(
      seen.map((s) => s.topic),
      ['b'],
      'the earlier record of b came first although a was buffered before it',
    );
    assert.equal(await t.caughtUp(), false, 'a record is still buffered');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(await t.step(), 1, 'after max.task.idle.ms the task proceeds without b');
    assert.deepEqual(
      seen.map((s) => s.timestamp),
      [5, 10],
    );
  }));

test('stream-time punctuations fire when the task stream time advances, once per advance', () =>
  withLog(async (log) => {
    await produce(log, 'a', [1, 5, 5, 20]);
    await produce(log, 'b', [3, 4, 25]);
    const fired: [string, number][] = [];
    const closed: string[] = [];
    let times = 0;
    const seen: Seen[] = [];
    const t = task(
      log,
      recordingFactories(seen, (ctx) => {
        // built once per source of the task: schedule from the first only
        if (times++) return;
        ctx.schedule(1, 'STREAM_TIME', (ts) => {
          fired.push(['every', ts]);
        });
        ctx.schedule(10, 'STREAM_TIME', (ts) => {
          fired.push(['ten', ts]);
        });
        ctx.onClose(() => closed.push('closed'));
      }),
    );
    await drain(t);
    assert.deepEqual(
      fired.filter(([n]) => n === 'every').map(([, ts]) => ts),
      [1, 3, 4, 5, 20, 25],
      'each advance of stream time (a repeated 5 does not advance it), across both inputs',
    );
    assert.deepEqual(
      fired.filter(([n]) => n === 'ten').map(([, ts]) => ts),
      [1, 20, 25],
      'an interval of 10: at 1, then at the first stream time at or past 11, then past 21',
    );
    t.close();
    t.close();
    assert.deepEqual(closed, ['closed'], 'close() is idempotent: operators are closed once');
  }));

test('wall-clock punctuations fire from the loop without input, and what they emit is committed', () =>
  withLog(async (log) => {
    await log.createTopic('out', { partitions: 1 });
    const fired: number[] = [];
    let times = 0;
    const t = task(
      log,
      recordingFactories([], (ctx) => {
        if (times++) return;
        ctx.schedule(40, 'WALL_CLOCK_TIME', (now) => {
          fired.push(now);
          ctx.emit({ topic: 'out', partition: 0, key: null, value: Buffer.from(`tick ${fired.length}`), timestamp: now });
        });
      }),
    );
    const started = Date.now();
    while (Date.now() - started < 200) {
      assert.equal(await t.step(), 0);
      await new Promise((r) => setTimeout(r, 10));
    }
    // once per 40 ms interval at most (on the schedule's grid), however often the loop steps
    const elapsed = Date.now() - started;
    assert.ok(fired.length >= 2 && fired.length <= Math.floor(elapsed / 40) + 1, `fired ${fired.length} times in ${elapsed} ms`);
    const out = await log.fetch('out', 0, 0n);
    assert.deepEqual(
      out.records.map((r) => r.value!.toString()),
      fired.map((_, i) => `tick ${i + 1}`),
    );
  }));
