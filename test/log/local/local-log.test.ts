import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogError } from '../../../src/common/errors.js';
import { LocalLog } from '../../../src/log/local/local-log.js';
import { openLocalLog } from '../../../src/log/local/index.js';
import { partitionForKey } from '../../../src/log/murmur2-partitioner.js';
import type { ProduceRecord } from '../../../src/log/log.js';
import { buf, str, withLog, withTempDir } from '../log-test-helpers.js';

function logError(code: LogError['code']) {
  return (e: unknown) => e instanceof LogError && e.code === code;
}

test('produce and fetch round-trip keys, null keys and values, headers and timestamps', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    const res = await log.produce([
      { topic: 't', partition: 0, key: buf('k1'), value: buf('v1'), timestamp: 1000, headers: [{ key: 'h1', value: buf('x') }] },
      { topic: 't', partition: 0, key: null, value: null, timestamp: 2000 },
      { topic: 't', partition: 0, key: buf('k3'), value: buf(''), timestamp: 3000, headers: [{ key: 'h', value: null }, { key: 'h', value: buf('2') }] },
    ]);
    assert.deepEqual(res, [{ topic: 't', partition: 0, baseOffset: 0n, count: 3 }]);
    const f = await log.fetch('t', 0, 0n);
    assert.equal(f.highWatermark, 3n);
    assert.equal(f.nextOffset, 3n);
    assert.equal(f.logStartOffset, 0n);
    assert.deepEqual(
      f.records.map((r) => [r.topic, r.partition, r.offset, str(r.key), str(r.value), r.timestamp]),
      [
        ['t', 0, 0n, 'k1', 'v1', 1000],
        ['t', 0, 1n, null, null, 2000],
        ['t', 0, 2n, 'k3', '', 3000],
      ],
    );
    assert.deepEqual(f.records[0].headers, [{ key: 'h1', value: buf('x') }]);
    assert.deepEqual(f.records[1].headers, []);
    assert.deepEqual(f.records[2].headers, [{ key: 'h', value: null }, { key: 'h', value: buf('2') }]);
    // from the middle, and at the high watermark (empty, not an error)
    assert.deepEqual((await log.fetch('t', 0, 2n)).records.map((r) => r.offset), [2n]);
    const atEnd = await log.fetch('t', 0, 3n);
    assert.equal(atEnd.records.length, 0);
    assert.equal(atEnd.nextOffset, 3n);
  }));

test('missing timestamps are the append time from the clock', () =>
  withLog(
    async (log) => {
      await log.createTopic('t', { partitions: 1 });
      await log.produce([{ topic: 't', key: null, value: buf('a') }]);
      assert.equal((await log.fetch('t', 0, 0n)).records[0].timestamp, 123_456);
    },
    { clock: () => 123_456 },
  ));

test('fetch honours maxRecords and maxBytes across batches and seeks into the middle of a batch', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    for (let b = 0; b < 5; b++) {
      await log.produce(Array.from({ length: 100 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: buf(`v${b * 100 + i}`) })));
    }
    const f = await log.fetch('t', 0, 150n, { maxRecords: 120 });
    assert.equal(f.records.length, 120);
    assert.equal(f.records[0].offset, 150n);
    assert.equal(str(f.records[0].value), 'v150');
    assert.equal(f.records[119].offset, 269n);
    assert.equal(f.nextOffset, 270n);
    // walk the whole log with tiny fetches
    let next = 0n;
    let seen = 0;
    while (next < 500n) {
      const part = await log.fetch('t', 0, next, { maxRecords: 7 });
      for (const r of part.records) assert.equal(r.offset, BigInt(seen++));
      next = part.nextOffset;
    }
    assert.equal(seen, 500);
    // maxBytes: ~4-byte values, at least one record even when it alone exceeds the limit
    assert.equal((await log.fetch('t', 0, 0n, { maxBytes: 1 })).records.length, 1);
    // v0, v1, v2 are 2 bytes each: a fourth would pass 7
    assert.equal((await log.fetch('t', 0, 0n, { maxBytes: 7 })).records.length, 3);
  }));

test('keyed records use the murmur2 partitioner; null keys stick to one partition per call', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 6 });
    const keys = ['a', 'b', 'c', 'foobar', 'k-17', 'zzz'];
    const res = await log.produce(keys.map((k) => ({ topic: 't', key: buf(k), value: buf(k) })));
    const counts = new Map(res.map((r) => [r.partition, r.count]));
    for (const k of keys) {
      const p = partitionForKey(buf(k), 6);
      const f = await log.fetch('t', p, 0n);
      assert.ok(f.records.some((r) => str(r.key) === k), `key ${k} in partition ${p}`);
    }
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), keys.length);
    const r1 = await log.produce(Array.from({ length: 10 }, () => ({ topic: 't', key: null, value: buf('x') })));
    const r2 = await log.produce(Array.from({ length: 10 }, () => ({ topic: 't', key: null, value: buf('y') })));
    assert.equal(r1.length, 1, 'one sticky partition per call');
    assert.equal(r1[0].count, 10);
    assert.notEqual(r1[0].partition, r2[0].partition, 'the next call moves on');
  }));

test('offsets, topics, configs and groups survive close and reopen', () =>
  withTempDir(async (dir) => {
    let log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    await log.createTopic('a', { partitions: 3, config: { 'retention.ms': 1000 } });
    await log.createTopic('b', { partitions: 1 });
    for (let i = 0; i < 3; i++) await log.produce([{ topic: 'a', partition: 1, key: buf(`k${i}`), value: buf(`v${i}`) }]);
    await log.produce(Array.from({ length: 5000 }, (_, i) => ({ topic: 'b', key: null, value: buf(`b${i}`) })));
    await log.commitOffsets('g1', [{ topic: 'a', partition: 1, offset: 2n }]);
    await log.close();

    log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    try {
      assert.deepEqual(await log.listTopics(), ['a', 'b']);
      const d = await log.describeTopic('a');
      assert.equal(d.partitions.length, 3);
      assert.equal(d.config['retention.ms'], 1000);
      assert.deepEqual(d.overrides, { 'retention.ms': 1000 });
      assert.equal(await log.latestOffset('a', 1), 3n);
      assert.equal(await log.latestOffset('a', 0), 0n);
      assert.equal(await log.latestOffset('b', 0), 5000n);
      assert.deepEqual(await log.committedOffsets('g1'), [{ topic: 'a', partition: 1, offset: 2n }]);
      // appends continue after the recovered offset
      const [r] = await log.produce([{ topic: 'a', partition: 1, key: null, value: buf('v3') }]);
      assert.equal(r.baseOffset, 3n);
      const f = await log.fetch('a', 1, 0n);
      assert.deepEqual(f.records.map((x) => str(x.value)), ['v0', 'v1', 'v2', 'v3']);
      const all = await log.fetch('b', 0, 4990n);
      assert.equal(str(all.records[9].value), 'b4999');
    } finally {
      await log.close();
    }
  }));

test('a second open of the same directory fails clearly; close is idempotent; closed log rejects calls', () =>
  withTempDir(async (dir) => {
    const log = await openLocalLog(dir, { maintenanceIntervalMs: 0 });
    await assert.rejects(LocalLog.open(dir), (e: unknown) => e instanceof LogError && e.code === 'IO' && /already in use/.test(e.message));
    await log.close();
    await log.close();
    await Promise.all([log.close(), log.close()]);
    await assert.rejects(log.listTopics(), logError('CLOSED'));
    await assert.rejects(log.produce([]), logError('CLOSED'));
    // the lock is released by close
    const again = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    await again.close();
  }));

test('admin: create, describe, list, update config, delete, and their errors', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 2, replicationFactor: 3, config: { 'cleanup.policy': 'compact' } });
    await assert.rejects(log.createTopic('t', { partitions: 1 }), logError('TOPIC_EXISTS'));
    await assert.rejects(log.createTopic('bad name', { partitions: 1 }), logError('INVALID_CONFIG'));
    await assert.rejects(log.createTopic('u', { partitions: 0 }), logError('INVALID_CONFIG'));
    await assert.rejects(log.createTopic('u', { partitions: 1, config: { 'retention.ms': 'soon' } }), logError('INVALID_CONFIG'));
    assert.deepEqual(await log.listTopics(), ['t']);
    let d = await log.describeTopic('t');
    assert.equal(d.replicationFactor, 3);
    assert.equal(d.config['cleanup.policy'], 'compact');
    assert.deepEqual(d.partitions, [
      { partition: 0, logStartOffset: 0n, highWatermark: 0n },
      { partition: 1, logStartOffset: 0n, highWatermark: 0n },
    ]);
    await log.updateTopicConfig('t', { 'retention.bytes': '4096' });
    d = await log.describeTopic('t');
    assert.deepEqual(d.overrides, { 'cleanup.policy': 'compact', 'retention.bytes': 4096 });
    await log.updateTopicConfig('t', { 'cleanup.policy': null });
    assert.equal((await log.describeTopic('t')).config['cleanup.policy'], 'delete');
    await assert.rejects(log.updateTopicConfig('t', { 'retention.bytes': -7 }), logError('INVALID_CONFIG'));
    await assert.rejects(log.updateTopicConfig('nope', {}), logError('UNKNOWN_TOPIC'));
    await assert.rejects(log.describeTopic('nope'), logError('UNKNOWN_TOPIC'));
    await assert.rejects(log.fetch('t', 2, 0n), logError('INVALID_PARTITION'));
    await assert.rejects(log.produce([{ topic: 't', partition: 5, key: null, value: null }]), logError('INVALID_PARTITION'));
    await assert.rejects(log.produce([{ topic: 'nope', key: null, value: null }]), logError('UNKNOWN_TOPIC'));

    await log.produce([{ topic: 't', partition: 0, key: buf('k'), value: buf('old') }]);
    await log.deleteTopic('t');
    assert.deepEqual(await log.listTopics(), []);
    await assert.rejects(log.fetch('t', 0, 0n), logError('UNKNOWN_TOPIC'));
    await assert.rejects(log.deleteTopic('t'), logError('UNKNOWN_TOPIC'));
    // a new topic with the same name starts empty
    await log.createTopic('t', { partitions: 1 });
    assert.equal(await log.latestOffset('t', 0), 0n);
    assert.equal((await log.fetch('t', 0, 0n)).records.length, 0);
  }));

test('fetch outside [log start, high watermark] is OFFSET_OUT_OF_RANGE', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await log.produce([{ topic: 't', key: null, value: buf('a') }]);
    await assert.rejects(log.fetch('t', 0, 2n), logError('OFFSET_OUT_OF_RANGE'));
    await assert.rejects(log.fetch('t', 0, -1n), logError('OFFSET_OUT_OF_RANGE'));
  }));

test('consumer groups: commit, read back, overwrite, list, delete', () =>
  withLog(async (log) => {
    await log.createTopic('a', { partitions: 2 });
    await log.createTopic('b', { partitions: 1 });
    await log.commitOffsets('g', [
      { topic: 'b', partition: 0, offset: 7n },
      { topic: 'a', partition: 1, offset: 3n },
      { topic: 'a', partition: 0, offset: 1n },
    ]);
    await log.commitOffsets('g', [{ topic: 'a', partition: 0, offset: 5n }]);
    await log.commitOffsets('h', [{ topic: 'a', partition: 0, offset: 9n }]);
    assert.deepEqual(await log.committedOffsets('g'), [
      { topic: 'a', partition: 0, offset: 5n },
      { topic: 'a', partition: 1, offset: 3n },
      { topic: 'b', partition: 0, offset: 7n },
    ]);
    assert.deepEqual(await log.committedOffsets('g', 'b'), [{ topic: 'b', partition: 0, offset: 7n }]);
    assert.deepEqual(await log.committedOffsets('nobody'), []);
    assert.deepEqual(await log.listGroups(), ['g', 'h']);
    await log.deleteGroup('g');
    assert.deepEqual(await log.listGroups(), ['h']);
    assert.deepEqual(await log.committedOffsets('g'), []);
    await assert.rejects(log.commitOffsets('g', [{ topic: 'zz', partition: 0, offset: 1n }]), logError('UNKNOWN_TOPIC'));
    await assert.rejects(log.commitOffsets('', [{ topic: 'a', partition: 0, offset: 1n }]), logError('INVALID_CONFIG'));
  }));

test('commitTransaction makes records, offsets and extra writes visible together', () =>
  withLog(async (log) => {
    await log.createTopic('in', { partitions: 1 });
    await log.createTopic('out', { partitions: 2 });
    await log.createTopic('changelog', { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const res = await log.commitTransaction({
      produce: [
        { topic: 'out', partition: 0, key: buf('a'), value: buf('1') },
        { topic: 'out', partition: 1, key: buf('b'), value: buf('2') },
        { topic: 'changelog', key: buf('a'), value: buf('s1') },
      ],
      offsets: { group: 'q1', offsets: [{ topic: 'in', partition: 0, offset: 10n }] },
      extraWrites: [
        { key: buf('state/a'), value: buf('s1') },
        { key: buf('state/z'), value: buf('gone') },
      ],
    });
    assert.deepEqual(
      res.produced.map((p) => [p.topic, p.partition, p.baseOffset, p.count]),
      [
        ['out', 0, 0n, 1],
        ['out', 1, 0n, 1],
        ['changelog', 0, 0n, 1],
      ],
    );
    assert.equal(await log.latestOffset('out', 0), 1n);
    assert.equal(await log.latestOffset('out', 1), 1n);
    assert.deepEqual(await log.committedOffsets('q1'), [{ topic: 'in', partition: 0, offset: 10n }]);
    assert.deepEqual(await log.extras.get(buf('state/a')), buf('s1'));
    // a delete through extraWrites, then a range read
    await log.commitTransaction({ produce: [], extraWrites: [{ key: buf('state/z'), value: null }, { key: buf('state/b'), value: buf('s2') }] });
    const entries: [string, string][] = [];
    for await (const [k, v] of log.extras.range({ gte: buf('state/'), lt: buf('state0') })) entries.push([k.toString(), v.toString()]);
    assert.deepEqual(entries, [
      ['state/a', 's1'],
      ['state/b', 's2'],
    ]);
    assert.deepEqual(await log.extras.getMany([buf('state/a'), buf('state/z')]), [buf('s1'), undefined]);
    await log.extras.write([{ key: buf('other'), value: buf('o') }]);
    await log.extras.clearRange(buf('state/'), buf('state0'));
    assert.equal(await log.extras.get(buf('state/a')), undefined);
    assert.deepEqual(await log.extras.get(buf('other')), buf('o'));
  }));

test('a transaction that fails validation midway leaves nothing and consumes no offsets', () =>
  withLog(async (log) => {
    await log.createTopic('out', { partitions: 1 });
    await log.createTopic('in', { partitions: 1 });
    await assert.rejects(
      log.commitTransaction({
        produce: [
          { topic: 'out', key: null, value: buf('1') },
          { topic: 'out', key: null, value: buf('2') },
          { topic: 'missing', key: null, value: buf('3') },
        ],
        offsets: { group: 'q', offsets: [{ topic: 'in', partition: 0, offset: 5n }] },
        extraWrites: [{ key: buf('s'), value: buf('x') }],
      }),
      logError('UNKNOWN_TOPIC'),
    );
    assert.equal(await log.latestOffset('out', 0), 0n);
    assert.deepEqual(await log.committedOffsets('q'), []);
    assert.equal(await log.extras.get(buf('s')), undefined);
    const [r] = await log.produce([{ topic: 'out', key: null, value: buf('ok') }]);
    assert.equal(r.baseOffset, 0n, 'no offsets were consumed');
  }));

test('a transaction with an unreadable extra write is rejected whole', () =>
  withLog(async (log) => {
    await log.createTopic('out', { partitions: 1 });
    await log.createTopic('in', { partitions: 1 });
    // a byte array whose contents cannot be read: passes the type check, fails when copied
    const poisoned = new Uint8Array(4);
    Object.defineProperty(poisoned, 'buffer', { get: () => { throw new Error('boom'); } });
    await assert.rejects(
      log.commitTransaction({
        produce: [{ topic: 'out', key: null, value: buf('txn') }],
        offsets: { group: 'q', offsets: [{ topic: 'in', partition: 0, offset: 1n }] },
        extraWrites: [{ key: buf('k'), value: poisoned as Buffer }],
      }),
      logError('INVALID_CONFIG'),
    );
    assert.deepEqual(await log.committedOffsets('q'), []);
    assert.equal(await log.latestOffset('out', 0), 0n);
  }));

test('waitForData resolves on new data, on timeout and on close', () =>
  withTempDir(async (dir) => {
    const log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    await log.createTopic('t', { partitions: 2 });
    assert.equal(await log.waitForData('t', 0, 0n, 10), false, 'times out on an empty partition');
    const waiting = log.waitForData('t', 0, 0n, 5000);
    const started = Date.now();
    setTimeout(() => void log.produce([{ topic: 't', partition: 0, key: null, value: buf('x') }]), 20);
    assert.equal(await waiting, true);
    assert.ok(Date.now() - started < 2000);
    assert.equal(await log.waitForData('t', 0, 0n, 1000), true, 'already available');
    const any = log.waitForAnyData(
      [
        { topic: 't', partition: 0, offset: 1n },
        { topic: 't', partition: 1, offset: 0n },
      ],
      5000,
    );
    await log.produce([{ topic: 't', partition: 1, key: null, value: buf('y') }]);
    assert.equal(await any, true);
    const pending = log.waitForData('t', 0, 100n, 60_000);
    await log.close();
    assert.equal(await pending, false, 'close releases waiters');
  }));

test('many partitions and concurrent producers keep per-partition order and dense offsets', () =>
  withTempDir(async (dir) => {
    let log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    await log.createTopic('wide', { partitions: 64 });
    const calls: Promise<unknown>[] = [];
    for (let c = 0; c < 20; c++) {
      const batch: ProduceRecord[] = [];
      for (let i = 0; i < 64 * 3; i++) batch.push({ topic: 'wide', partition: i % 64, key: buf(`${c}`), value: buf(`${c}:${i}`) });
      calls.push(log.produce(batch)); // not awaited: they share group commits
    }
    await Promise.all(calls);
    await log.close();
    log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    try {
      for (let p = 0; p < 64; p++) {
        assert.equal(await log.latestOffset('wide', p), 60n);
        const f = await log.fetch('wide', p, 0n);
        assert.deepEqual(f.records.map((r) => r.offset), Array.from({ length: 60 }, (_, i) => BigInt(i)));
        // calls were submitted in order c = 0..19, so each partition holds them in that order
        assert.deepEqual(f.records.map((r) => Number(str(r.key))), Array.from({ length: 60 }, (_, i) => Math.floor(i / 3)));
      }
    } finally {
      await log.close();
    }
  }));

test('large produce calls are split into several batches and read back whole', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    const n = 10_000;
    await log.produce(Array.from({ length: n }, (_, i) => ({ topic: 't', key: null, value: buf(String(i)) })));
    const f = await log.fetch('t', 0, 4095n, { maxRecords: 3 });
    assert.deepEqual(f.records.map((r) => str(r.value)), ['4095', '4096', '4097']);
    const all = await log.fetch('t', 0, 0n, { maxRecords: n });
    assert.equal(all.records.length, n);
    assert.equal(str(all.records[n - 1].value), String(n - 1));
  }));

test('a write cut off by a storage failure leaves nothing of its transaction after reopening', () =>
  withTempDir(async (dir) => {
    let log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    await log.createTopic('out', { partitions: 1 });
    await log.createTopic('in', { partitions: 1 });
    await log.produce([{ topic: 'out', key: null, value: buf('kept') }]);
    // simulate the store going away under the log (as in a crash) before the transaction lands
    await (log as unknown as { db: { close(): Promise<void> } }).db.close();
    await assert.rejects(
      log.commitTransaction({
        produce: [{ topic: 'out', key: null, value: buf('lost') }],
        offsets: { group: 'q', offsets: [{ topic: 'in', partition: 0, offset: 3n }] },
        extraWrites: [{ key: buf('s'), value: buf('lost') }],
      }),
      logError('IO'),
    );
    assert.equal(await log.latestOffset('out', 0), 1n, 'the high watermark did not move');
    await log.close();
    log = await LocalLog.open(dir, { maintenanceIntervalMs: 0 });
    try {
      assert.deepEqual((await log.fetch('out', 0, 0n)).records.map((r) => str(r.value)), ['kept']);
      assert.deepEqual(await log.committedOffsets('q'), []);
      assert.equal(await log.extras.get(buf('s')), undefined);
    } finally {
      await log.close();
    }
  }));
