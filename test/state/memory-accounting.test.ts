import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, openLocalLog } from '../../src/index.js';
import { encodeValue } from '../../src/common/value-codec.js';
import { ConfigError } from '../../src/common/errors.js';
import { LocalStateBackend, LEVELDB_DEFAULTS, changelogTopicName, levelDbMemoryBytes, levelDbSettings } from '../../src/state/index.js';
import type { StoreWriteBatch } from '../../src/state/index.js';
import { heapBytes } from '../../src/state/heap-size.js';
import { tempDir } from '../support/temp-dir.js';

test('a decoded value is charged more than its encoding, and more for more content', () => {
  const small = [1n, 'abc', 2.5];
  const big = [1n, 'abc'.repeat(100), 2.5, [1n, 2n, 3n, 4n]];
  assert.ok(heapBytes(small) > encodeValue(small).length, `${heapBytes(small)} vs ${encodeValue(small).length} encoded`);
  assert.ok(heapBytes(big) > heapBytes(small) + 300);
  assert.ok(heapBytes({ accs: [5n], ts: 1.5 }) > 0);
  // a cycle is not walked forever
  const loop: unknown[] = [];
  loop.push(loop);
  assert.ok(Number.isFinite(heapBytes(loop)));
});

test("LevelDB's memory comes from sluice.leveldb.* properties; a bad value names the property", () => {
  assert.deepEqual(levelDbSettings(undefined), LEVELDB_DEFAULTS);
  const s = levelDbSettings({ 'sluice.leveldb.cache.bytes': '1048576', 'sluice.leveldb.write.buffer.bytes': '2097152', 'sluice.leveldb.max.open.files': '80' });
  assert.equal(s.cacheSize, 1 << 20);
  assert.equal(s.writeBufferSize, 2 << 20);
  assert.equal(s.maxOpenFiles, 80);
  assert.equal(levelDbMemoryBytes(s), (1 << 20) + 2 * (2 << 20) + 70 * (2 << 20));
  assert.equal(levelDbSettings(new Map([['sluice.leveldb.max.file.bytes', '1048576']])).maxFileSize, 1 << 20);
  assert.throws(() => levelDbSettings({ 'sluice.leveldb.max.open.files': '10' }), (e: unknown) => e instanceof ConfigError && /sluice\.leveldb\.max\.open\.files/.test(e.message));
  assert.throws(() => levelDbSettings({ 'sluice.leveldb.cache.bytes': 'lots' }), ConfigError);
});

test('values grown in place are re-charged when a commit flushes them, so the cache still keeps to its budget', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const backend = new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) });
    const budget = 64 * 1024;
    const s = backend.createStore<string[]>({ queryId: 'Q', taskId: '0_0', storeName: 'G', partition: 0, partitions: 1, cacheMaxBytes: budget });
    await s.restore();
    const cached = s.store as unknown as { bytes: number };
    const lists: string[][] = [];
    for (let i = 0; i < 50; i++) {
      const list = [`item-${i}`];
      lists.push(list);
      s.store.put(Buffer.from(`k${i}`), list);
    }
    const before = cached.bytes;
    for (let round = 0; round < 40; round++) {
      // the operator's way: the cached object is updated in place and put back
      for (let i = 0; i < 50; i++) {
        const list = (await s.store.get(Buffer.from(`k${i}`))) ?? [];
        list.push(`round-${round}-item-${i}`);
        s.store.put(Buffer.from(`k${i}`), list);
      }
      const batch: StoreWriteBatch = { stateWrites: [], produce: [] };
      s.store.flush(batch);
      await backend.commit({ produce: batch.produce }, batch.stateWrites);
      assert.ok(cached.bytes <= budget + 4096, `${cached.bytes} bytes cached after round ${round}`);
    }
    assert.ok(cached.bytes > before, 'growth was charged');
    const k7 = await s.store.get(Buffer.from('k7'));
    assert.equal(k7?.length, 41, 'evicted values read back whole');
    await log.close();
  } finally {
    await dir.cleanup();
  }
});

test('a value put for a key first read absent is charged at once, not at the next commit', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const backend = new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) });
    const budget = 32 * 1024;
    const s = backend.createStore<string[]>({ queryId: 'Q', taskId: '0_0', storeName: 'J', partition: 0, partitions: 1, cacheMaxBytes: budget });
    await s.restore();
    const cached = s.store as unknown as { bytes: number };
    for (let i = 0; i < 100; i++) {
      // the stream-stream join's way: look the key up, then put a new buffer for it
      assert.equal(s.store.get(Buffer.from(`k${i}`)), undefined);
      s.store.put(Buffer.from(`k${i}`), ['x'.repeat(2000)]);
      assert.ok(cached.bytes <= budget + 1024, `${cached.bytes} bytes cached at ${i}`);
    }
    assert.ok(cached.bytes > budget / 2, `${cached.bytes} bytes: the values were charged`);
    assert.deepEqual(await s.store.get(Buffer.from('k3')), ['x'.repeat(2000)]);
    await log.close();
  } finally {
    await dir.cleanup();
  }
});

test('the engine opens its log with the sluice.leveldb.* settings and refuses bad ones', async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(Engine.open({ dataDir: dir.path, properties: { 'sluice.leveldb.write.buffer.bytes': '-1' } }), ConfigError);
    const engine = await Engine.open({
      dataDir: dir.path,
      properties: { 'auto.offset.reset': 'earliest', 'sluice.leveldb.cache.bytes': '1048576', 'sluice.leveldb.write.buffer.bytes': '65536', 'sluice.leveldb.max.open.files': '74' },
    });
    try {
      await engine.execute(`
        CREATE STREAM s (k STRING, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
        CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s GROUP BY k;
        INSERT INTO s (k, v) VALUES ('a', 1);
        INSERT INTO s (k, v) VALUES ('a', 2);`);
      await engine.runUntilIdle();
      assert.equal(await engine.log.latestOffset('T', 0), 2n);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});

test('a restore applies the changelog a batch at a time: later records and tombstones win across batches', async () => {
  const dir = await tempDir();
  try {
    const log = await openLocalLog(dir.path);
    const backend = new LocalStateBackend(log, { keyspace: log.extras, commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }) });
    const spec = { queryId: 'R', taskId: '0_0', storeName: 'S', partition: 0, partitions: 1 };
    const topic = changelogTopicName('R', 'S');
    await log.createTopic(topic, { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const record = (k: string, v: unknown) => ({ topic, partition: 0, key: encodeValue(k), value: v === null ? null : encodeValue(v), timestamp: 0 });
    // 12 000 keys, then (past the first fetch of 10 000) 100 of them updated and 100 deleted
    for (let i = 0; i < 12_000; i += 2000) await log.produce(Array.from({ length: 2000 }, (_, j) => record(`k${i + j}`, i + j)));
    await log.produce([...Array.from({ length: 100 }, (_, j) => record(`k${j}`, -j)), ...Array.from({ length: 100 }, (_, j) => record(`k${100 + j}`, null))]);
    const managed = backend.createStore<number>(spec);
    assert.equal(await managed.restore(), 11_900, 'entries in the store once restored');
    assert.equal(await managed.store.get(encodeValue('k5')), -5);
    assert.equal(await managed.store.get(encodeValue('k150')), undefined);
    assert.equal(await managed.store.get(encodeValue('k11999')), 11_999);
    await log.close();
  } finally {
    await dir.cleanup();
  }
});
