/**
 * A task whose commit fails for the log's sake (LogError TRANSIENT: on Kafka a broker down, a
 * commit whose outcome is unknown) reopens from its last commit and processes again, instead of
 * stopping the query; past task.timeout.ms it stops. On the embedded log, through a state backend
 * that fails chosen commits before they reach the log (nothing of them is written, as with an
 * aborted Kafka transaction).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, LocalStateBackend, LogError, openLocalLog } from '../../src/index.js';
import type { Log } from '../../src/index.js';
import type { StateBackend } from '../../src/state/index.js';
import { readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

/** the embedded log's own state backend, with commits number `failing` refused (counting from 1) */
function failingCommits(log: Log, failing: (n: number) => boolean): StateBackend {
  const local = log as unknown as { extras: ConstructorParameters<typeof LocalStateBackend>[1]['keyspace']; commitTransaction(t: object): Promise<unknown> };
  const inner = new LocalStateBackend(log, { keyspace: local.extras, commit: (txn, writes) => local.commitTransaction({ ...txn, extraWrites: writes }) });
  let n = 0;
  return {
    createStore: (spec) => inner.createStore(spec),
    dropQueryState: (q) => inner.dropQueryState(q),
    commit: async (txn, writes) => {
      if (txn.task && failing(++n)) throw new LogError('The Kafka transaction failed and was aborted: Connection error: connect ECONNREFUSED', 'TRANSIENT');
      return inner.commit(txn, writes);
    },
  };
}

async function run(failing: (n: number) => boolean, properties: Record<string, string> = {}) {
  const dir = await tempDir();
  const log = await openLocalLog(dir.path);
  const engine = await Engine.open({ log, stateBackend: (l) => failingCommits(l, failing), properties: { 'auto.offset.reset': 'earliest', ...properties } });
  try {
    await engine.execute(`
      CREATE STREAM s (id STRING KEY, k STRING, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=2);
      CREATE TABLE t AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s GROUP BY k;`);
    const rows = Array.from({ length: 60 }, (_, i) => ({ id: `e${i}`, k: `k${i % 3}`, v: i }));
    for (let i = 0; i < rows.length; i += 10) {
      await engine.insert('s', rows.slice(i, i + 10));
      await engine.runUntilIdle();
    }
    const latest = new Map<string, { N: number; TOTAL: number }>();
    for (const r of await readTopic(engine.log, 'T')) latest.set(r.key!.toString('utf8'), JSON.parse(r.value!.toString('utf8')));
    return { failed: engine.failedQueries(), latest };
  } finally {
    await engine.close();
    await log.close();
    await dir.cleanup();
  }
}

test('a task whose commit fails transiently reopens from its last commit: every input counted once', async () => {
  // every third commit of a task fails once
  const refused = new Set<number>();
  const { failed, latest } = await run((n) => n % 3 === 0 && !refused.has(n) && refused.add(n) !== undefined);
  assert.ok(refused.size > 3, `only ${refused.size} commits refused`);
  assert.deepEqual(failed, []);
  const expected = new Map<string, { N: number; TOTAL: number }>();
  for (let i = 0; i < 60; i++) {
    const e = expected.get(`k${i % 3}`) ?? { N: 0, TOTAL: 0 };
    e.N++;
    e.TOTAL += i;
    expected.set(`k${i % 3}`, e);
  }
  assert.deepEqual(Object.fromEntries([...latest].sort()), Object.fromEntries([...expected].sort()));
});

test('a task failing transiently for longer than task.timeout.ms stops the query with the cause', async () => {
  const { failed } = await run((n) => n > 2, { 'task.timeout.ms': '300' });
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.error.message, /ECONNREFUSED/);
});
