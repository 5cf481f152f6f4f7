import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openLocalLog } from '../../src/index.js';
import type { LocalLog } from '../../src/log/local/index.js';
import { LocalStateBackend, cacheMaxBytes, DEFAULT_CACHE_MAX_BYTES } from '../../src/state/index.js';
import type { StateKeyspace, StoreWriteBatch } from '../../src/state/index.js';
import { KeyFilter } from '../../src/state/key-filter.js';
import { tempDir } from '../support/temp-dir.js';

/** the engine's wiring, with the keyspace's point reads counted */
function countingBackend(log: LocalLog) {
  const reads = { n: 0 };
  const keyspace: StateKeyspace = {
    get: (key) => {
      reads.n++;
      return log.extras.get(key);
    },
    range: (o) => log.extras.range(o),
    write: (w) => log.extras.write(w),
    clearRange: (a, b) => log.extras.clearRange(a, b),
  };
  const backend = new LocalStateBackend(log, { keyspace, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) });
  return { backend, reads };
}

const commit = async (log: LocalLog, backend: LocalStateBackend, flush: (b: StoreWriteBatch) => void) => {
  const batch: StoreWriteBatch = { stateWrites: [], produce: [] };
  flush(batch);
  await backend.commit({ produce: batch.produce }, batch.stateWrites);
  return batch;
};

test('the key filter never forgets a key and rarely claims one it never saw', () => {
  const filter = new KeyFilter();
  const n = 50_000;
  for (let i = 0; i < n; i++) filter.add(Buffer.from(`key-${i}`));
  for (let i = 0; i < n; i++) assert.ok(filter.mightContain(Buffer.from(`key-${i}`)), `key-${i}`);
  let falsePositives = 0;
  for (let i = 0; i < n; i++) if (filter.mightContain(Buffer.from(`other-${i}`))) falsePositives++;
  assert.ok(falsePositives / n < 0.03, `false positive rate ${falsePositives / n}`);
  assert.ok(filter.size < n * 4, `${filter.size} bytes for ${n} keys`);
});

test('the key filter grows with the keys, not with how often they are put', () => {
  const once = new KeyFilter();
  const often = new KeyFilter();
  for (let i = 0; i < 5_000; i++) once.add(Buffer.from(`key-${i}`));
  for (let round = 0; round < 20; round++) for (let i = 0; i < 5_000; i++) often.add(Buffer.from(`key-${i}`));
  assert.equal(often.size, once.size);
  for (let i = 0; i < 5_000; i++) assert.ok(often.mightContain(Buffer.from(`key-${i}`)), `key-${i}`);
});

test('a key the store never held is answered without a LevelDB read, a stored one after a reopen still is read', async () => {
  const dir = await tempDir();
  try {
    let log = await openLocalLog(dir.path);
    let { backend, reads } = countingBackend(log);
    let managed = backend.createStore<string>({ queryId: 'Q', taskId: '0_0', storeName: 'S', partition: 0, partitions: 1 });
    await managed.restore();
    for (let i = 0; i < 100; i++) assert.equal(managed.store.get(Buffer.from(`missing-${i}`)), undefined, 'synchronous undefined');
    managed.store.put(Buffer.from('kept'), 'value');
    await commit(log, backend, (b) => managed.store.flush(b));
    await log.close();

    log = await openLocalLog(dir.path);
    ({ backend, reads } = countingBackend(log));
    managed = backend.createStore<string>({ queryId: 'Q', taskId: '0_0', storeName: 'S', partition: 0, partitions: 1 });
    await managed.restore();
    for (let i = 0; i < 100; i++) assert.equal(await managed.store.get(Buffer.from(`missing-${i}`)), undefined);
    assert.ok(reads.n <= 5, `${reads.n} reads for 100 absent keys`);
    assert.equal(await managed.store.get(Buffer.from('kept')), 'value', 'a stored key is found');
    await log.close();
  } finally {
    await dir.cleanup();
  }
});

test('the record cache stays within its byte budget, and evicted changes still reach the commit', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const { backend } = countingBackend(log);
    const budget = 4096;
    const a = backend.createStore<number[]>({ queryId: 'Q', taskId: '0_0', storeName: 'A', partition: 0, partitions: 1, cacheMaxBytes: budget });
    const b = backend.createStore<number[]>({ queryId: 'Q', taskId: '0_0', storeName: 'B', partition: 0, partitions: 1, cacheMaxBytes: budget });
    await a.restore();
    await b.restore();
    const sa = a.store as unknown as { bytes: number };
    const sb = b.store as unknown as { bytes: number };
    for (let i = 0; i < 1000; i++) {
      a.store.put(Buffer.from(`a${i}`), [i, i]);
      b.store.put(Buffer.from(`b${i}`), [i]);
      assert.ok(sa.bytes + sb.bytes <= budget + 256, `${sa.bytes + sb.bytes} bytes cached at ${i}`);
    }
    // evicted entries read back from the layers below, before and after the commit
    assert.deepEqual(await a.store.get(Buffer.from('a3')), [3, 3]);
    const batch = await commit(log, backend, (w) => {
      a.store.flush(w);
      b.store.flush(w);
    });
    assert.equal(batch.stateWrites.length, 2000, 'every changed key is written once');
    assert.equal(batch.produce.length, 2000, 'and logged once');
    assert.deepEqual(await b.store.get(Buffer.from('b7')), [7]);
    await log.close();
  } finally {
    await dir.cleanup();
  }
});

test('repeated updates of a key within a commit collapse into one write', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const { backend } = countingBackend(log);
    const s = backend.createStore<number>({ queryId: 'Q', taskId: '0_0', storeName: 'C', partition: 0, partitions: 1 });
    await s.restore();
    for (let i = 0; i < 100; i++) s.store.put(Buffer.from('k'), i);
    const batch = await commit(log, backend, (w) => s.store.flush(w));
    assert.equal(batch.stateWrites.length, 1);
    assert.equal(batch.produce.length, 1);
    // a budget of 0 disables the cache: every update goes down as it happens, still once per key
    const none = backend.createStore<number>({ queryId: 'Q0', taskId: '0_0', storeName: 'C', partition: 0, partitions: 1, cacheMaxBytes: 0 });
    await none.restore();
    for (let i = 0; i < 10; i++) none.store.put(Buffer.from('k'), i);
    assert.equal(await none.store.get(Buffer.from('k')), 9);
    const b0 = await commit(log, backend, (w) => none.store.flush(w));
    assert.equal(b0.stateWrites.length, 1);
    await log.close();
  } finally {
    await dir.cleanup();
  }
});

test('the cache budget comes from ksql.streams.cache.max.bytes.buffering', () => {
  assert.equal(cacheMaxBytes(new Map()), DEFAULT_CACHE_MAX_BYTES);
  assert.equal(cacheMaxBytes(new Map([['ksql.streams.cache.max.bytes.buffering', '1024']])), 1024);
  assert.equal(cacheMaxBytes(new Map([['cache.max.bytes.buffering', '0']])), 0);
});

test('keys read and put as new Buffers are told apart by every byte, equal ones are one entry', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const { backend } = countingBackend(log);
    const s = backend.createStore<number>({ queryId: 'Q', taskId: '0_0', storeName: 'K', partition: 0, partitions: 1 });
    await s.restore();
    const key = (last: number, length = 8) => {
      const b = Buffer.alloc(length, 7);
      b[length - 1] = last;
      return b;
    };
    // alternating keys of one length differing only in their last byte, each a new Buffer
    for (let i = 0; i < 10; i++) {
      assert.equal(await s.store.get(key(i % 2)), i < 2 ? undefined : i - 2);
      s.store.put(key(i % 2), i);
    }
    assert.equal(await s.store.get(key(0)), 8);
    assert.equal(await s.store.get(key(1)), 9);
    // longer keys are compared as text
    s.store.put(key(1, 40), 40);
    s.store.put(key(2, 40), 41);
    assert.equal(await s.store.get(key(1, 40)), 40);
    const batch = await commit(log, backend, (w) => s.store.flush(w));
    assert.deepEqual(batch.stateWrites.length, 4);
    await log.close();
  } finally {
    await dir.cleanup();
  }
});
