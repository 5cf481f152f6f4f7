import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLocalLog } from '../../src/index.js';
import type { LocalLog } from '../../src/log/local/index.js';
import { LocalStateBackend } from '../../src/state/index.js';
import type { ManagedStore, StoreWriteBatch } from '../../src/state/index.js';
import { tempDir } from '../support/temp-dir.js';

/** the engine's default wiring: state in the embedded log's LevelDB */
const backend = (log: LocalLog) => new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) });
const createKeyValueStore = <V>(log: LocalLog, queryId: string, storeName: string): ManagedStore<V> =>
  backend(log).createStore<V>({ queryId, taskId: '0_0', storeName, partition: 0, partitions: 1 });

test('writes stay pending until flushed into a commit, then survive a reopen', async () => {
  const dir = await tempDir();
  try {
    let log = await openLocalLog(dir.path);
    let managed = createKeyValueStore<{ n: bigint }>(log, 'Q1', 'Agg');
    await managed.restore();
    const key = Buffer.from('k');
    managed.store.put(key, { n: 41n });
    assert.deepEqual(await managed.store.get(key), { n: 41n }, 'reads see pending writes');
    assert.equal(await log.extras.get(Buffer.concat([Buffer.from('state\u0000Q1\u0000Agg\u00000_0\u0000'), key])), undefined, 'nothing written before commit');
    const batch: StoreWriteBatch = { stateWrites: [], produce: [] };
    managed.store.flush(batch);
    assert.equal(batch.stateWrites.length, 1);
    assert.equal(batch.produce.length, 1);
    assert.equal(batch.produce[0]!.topic, managed.changelogTopic);
    await backend(log).commit({ produce: batch.produce }, batch.stateWrites);
    await log.close();

    log = await openLocalLog(dir.path);
    managed = createKeyValueStore<{ n: bigint }>(log, 'Q1', 'Agg');
    await managed.restore();
    assert.deepEqual(await managed.store.get(key), { n: 41n }, 'exact bigint survives');
    // deletes are flushed as null writes and null changelog records
    managed.store.put(key, undefined);
    const del: StoreWriteBatch = { stateWrites: [], produce: [] };
    managed.store.flush(del);
    assert.equal(del.stateWrites[0]!.value, null);
    assert.equal(del.produce[0]!.value, null);
    await log.close();
  } finally {
    await dir.cleanup();
  }
});

test('restore rebuilds an empty store from the changelog, keeping the latest value per key', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const a = createKeyValueStore<string>(log, 'Q2', 'S');
    await a.restore();
    for (const [k, v] of [['x', 'one'], ['y', 'two'], ['x', 'three']] as const) {
      a.store.put(Buffer.from(k), v);
      const batch: StoreWriteBatch = { stateWrites: [], produce: [] };
      a.store.flush(batch);
      await backend(log).commit({ produce: batch.produce }, batch.stateWrites);
    }
    await log.extras.clearRange(Buffer.from('state\u0000Q2'), Buffer.from('state\u0000Q3'));
    const b = createKeyValueStore<string>(log, 'Q2', 'S');
    assert.equal(await b.restore(), 2);
    assert.equal(await b.store.get(Buffer.from('x')), 'three');
    assert.equal(await b.store.get(Buffer.from('y')), 'two');
    await log.close();
  } finally {
    await dir.cleanup();
  }
});
