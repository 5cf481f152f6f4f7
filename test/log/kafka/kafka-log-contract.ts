/**
 * The Log contract of the Kafka backend (src/log/kafka) as a suite any Kafka-protocol broker can be
 * put through: Apache Kafka (kafka-log.test.ts) and Sluice's own embedded broker
 * (test/broker/kafka-backend-on-broker.test.ts).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LogError } from '../../../src/common/errors.js';
import { KafkaLog } from '../../../src/log/kafka/index.js';
import { partitionForKey } from '../../../src/log/murmur2-partitioner.js';

export const buf = (s: string) => Buffer.from(s);
export const str = (b: Buffer | null) => (b === null ? null : b.toString());

/** transaction markers are written just after a commit returns: what it made visible shows within moments */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof LogError && e.code === code);
}

/** the adapter under test and the address it was opened on, set by the caller's before() */
export interface ContractTarget {
  log: KafkaLog;
  bootstrap: string;
  /** whether a transaction's commit marker takes an offset (Kafka) or not (the embedded broker) */
  markersTakeOffsets: boolean;
}

/** registers the contract's tests in the current describe() */
export function kafkaLogContract(ctx: ContractTarget): void {
  let n = 0;
  const topic = () => `t${++n}-${Date.now()}`;

  it('creates, describes, lists and deletes topics with Kafka configs', async () => {
    const name = topic();
    await ctx.log.createTopic(name, { partitions: 3, config: { 'cleanup.policy': 'compact', 'retention.ms': -1 } });
    await rejectsWith(ctx.log.createTopic(name, { partitions: 3 }), 'TOPIC_EXISTS');
    await rejectsWith(ctx.log.createTopic(topic(), { partitions: 0 }), 'INVALID_CONFIG');
    const d = await ctx.log.describeTopic(name);
    assert.equal(d.partitions.length, 3);
    assert.equal(d.config['cleanup.policy'], 'compact');
    assert.equal(d.config['retention.ms'], -1);
    assert.deepEqual(d.overrides, { 'cleanup.policy': 'compact', 'retention.ms': -1 });
    assert.ok((await ctx.log.listTopics()).includes(name));
    await ctx.log.updateTopicConfig(name, { 'retention.ms': 1000, 'cleanup.policy': null });
    const u = await ctx.log.describeTopic(name);
    assert.deepEqual(u.overrides, { 'retention.ms': 1000 });
    assert.equal(u.config['cleanup.policy'], 'delete');
    await ctx.log.deleteTopic(name);
    await rejectsWith(ctx.log.describeTopic(name), 'UNKNOWN_TOPIC');
  });

  it('produces and fetches at any offset, partitioning keys as Kafka does', async () => {
    const name = topic();
    await ctx.log.createTopic(name, { partitions: 4 });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const results = await ctx.log.produce(keys.map((k, i) => ({ topic: name, key: buf(k), value: buf(`v${i}`), timestamp: 1000 + i, headers: [{ key: 'h', value: buf(k) }] })));
    assert.equal(results.reduce((s, r) => s + r.count, 0), keys.length);
    for (const k of keys) {
      const p = partitionForKey(buf(k), 4);
      const got = await ctx.log.fetch(name, p, 0n);
      const rec = got.records.find((r) => str(r.key) === k);
      assert.ok(rec, `key ${k} is in partition ${p}`);
      assert.equal(str(rec.value), `v${keys.indexOf(k)}`);
      assert.equal(rec.timestamp, 1000 + keys.indexOf(k));
      assert.deepEqual(rec.headers.map((h) => [h.key, str(h.value)]), [['h', k]]);
    }
    // random access: from the middle of a partition
    await ctx.log.produce([0, 1, 2, 3, 4].map((i) => ({ topic: name, partition: 0, key: null, value: buf(`x${i}`) })));
    const hwm = await ctx.log.latestOffset(name, 0);
    const mid = await ctx.log.fetch(name, 0, hwm - 2n);
    assert.deepEqual(mid.records.map((r) => str(r.value)), ['x3', 'x4']);
    assert.equal(mid.nextOffset, hwm);
    assert.equal(mid.highWatermark, hwm);
    const limited = await ctx.log.fetch(name, 0, hwm - 5n, { maxRecords: 2 });
    assert.deepEqual(limited.records.map((r) => str(r.value)), ['x0', 'x1']);
    assert.equal(limited.nextOffset, hwm - 3n);
    await rejectsWith(ctx.log.fetch(name, 0, hwm + 5n), 'OFFSET_OUT_OF_RANGE');
    await rejectsWith(ctx.log.produce([{ topic: name, partition: 9, key: null, value: buf('x') }]), 'INVALID_PARTITION');
    await rejectsWith(ctx.log.produce([{ topic: 'no-such-topic-' + Date.now(), key: null, value: buf('x') }]), 'UNKNOWN_TOPIC');
  });

  it('null-key records of one call stick to one partition, the next call moves on', async () => {
    const name = topic();
    await ctx.log.createTopic(name, { partitions: 3 });
    const first = await ctx.log.produce([1, 2, 3].map((i) => ({ topic: name, key: null, value: buf(`${i}`) })));
    const second = await ctx.log.produce([4, 5].map((i) => ({ topic: name, key: null, value: buf(`${i}`) })));
    assert.equal(first.length, 1);
    assert.equal(first[0]!.count, 3);
    assert.equal(second.length, 1);
    assert.notEqual(second[0]!.partition, first[0]!.partition);
  });

  it('moves the log start offset with deleteRecords', async () => {
    const name = topic();
    await ctx.log.createTopic(name, { partitions: 1 });
    await ctx.log.produce([1, 2, 3, 4].map((i) => ({ topic: name, partition: 0, key: null, value: buf(`${i}`) })));
    await ctx.log.deleteRecords(name, 0, 2n);
    assert.equal(await ctx.log.earliestOffset(name, 0), 2n);
    const got = await ctx.log.fetch(name, 0, 2n);
    assert.deepEqual(got.records.map((r) => str(r.value)), ['3', '4']);
    assert.equal(got.logStartOffset, 2n);
    await rejectsWith(ctx.log.fetch(name, 0, 0n), 'OFFSET_OUT_OF_RANGE');
  });

  it('waits for data: at once when there is some, on arrival, false on timeout', async () => {
    const name = topic();
    await ctx.log.createTopic(name, { partitions: 2 });
    assert.equal(await ctx.log.waitForData(name, 0, 0n, 300), false);
    const waiting = ctx.log.waitForAnyData([{ topic: name, partition: 0, offset: 0n }, { topic: name, partition: 1, offset: 0n }], 10_000);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    await ctx.log.produce([{ topic: name, partition: 1, key: null, value: buf('x') }]);
    assert.equal(await waiting, true);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(await ctx.log.waitForData(name, 1, 0n, 10_000), true);
  });

  it('keeps waiting while a partition has no leader yet; answers at once for an offset out of range', async () => {
    // a topic not there yet (as one just created, before its leader is in the metadata): no data, not "some"
    const name = topic();
    let started = Date.now();
    assert.equal(await ctx.log.waitForData(name, 0, 0n, 400), false);
    assert.ok(Date.now() - started >= 350, `answered after ${Date.now() - started} ms`);
    // created and written while a wait is under way: the wait sees it
    const waiting = ctx.log.waitForAnyData([{ topic: name, partition: 0, offset: 0n }], 20_000);
    await ctx.log.createTopic(name, { partitions: 1 });
    await ctx.log.produce([{ topic: name, partition: 0, key: null, value: buf('x') }]);
    assert.equal(await waiting, true);
    // past the end: not retriable, so the caller's fetch gets to report it
    started = Date.now();
    assert.equal(await ctx.log.waitForData(name, 0, 100n, 10_000), true);
    assert.ok(Date.now() - started < 5_000);
    await rejectsWith(ctx.log.fetch(name, 0, 100n), 'OFFSET_OUT_OF_RANGE');
  });

  it('commits, reads, lists and deletes group offsets', async () => {
    const name = topic();
    const group = `g-${name}`;
    await ctx.log.createTopic(name, { partitions: 2 });
    assert.deepEqual(await ctx.log.committedOffsets(group, name), []);
    await ctx.log.commitOffsets(group, [{ topic: name, partition: 1, offset: 5n }]);
    assert.deepEqual(await ctx.log.committedOffsets(group, name), [{ topic: name, partition: 1, offset: 5n }]);
    assert.deepEqual(await ctx.log.committedOffsets(group), [{ topic: name, partition: 1, offset: 5n }]);
    assert.ok((await ctx.log.listGroups()).includes(group));
    await ctx.log.deleteGroup(group);
    assert.ok(!(await ctx.log.listGroups()).includes(group));
  });

  it('commits records and offsets in one transaction; readers see committed records only', async () => {
    const input = topic();
    const output = topic();
    const group = `q-${output}`;
    await ctx.log.createTopic(input, { partitions: 1 });
    await ctx.log.createTopic(output, { partitions: 1 });
    const res = await ctx.log.commitTransaction({
      produce: [{ topic: output, partition: 0, key: buf('k'), value: buf('v1') }, { topic: output, partition: 0, key: buf('k'), value: buf('v2') }],
      offsets: { group, offsets: [{ topic: input, partition: 0, offset: 7n }] },
    });
    assert.deepEqual(res.produced.map((p) => [p.topic, p.count]), [[output, 2]]);
    assert.deepEqual(await eventually(() => ctx.log.committedOffsets(group, input), (o) => o.length > 0), [{ topic: input, partition: 0, offset: 7n }]);
    const got = await eventually(() => ctx.log.fetch(output, 0, 0n), (f) => f.records.length > 0);
    assert.deepEqual(got.records.map((r) => str(r.value)), ['v1', 'v2']);
    // on Kafka the commit marker takes an offset: the high watermark is past it, and a fetch there
    // is empty; the embedded broker stages a transaction and appends only its records at commit
    const expected = ctx.markersTakeOffsets ? 3n : 2n;
    const hwm = await eventually(() => ctx.log.latestOffset(output, 0), (o) => o === expected);
    assert.equal(hwm, expected);
    const tail = await ctx.log.fetch(output, 0, got.nextOffset);
    assert.equal(tail.records.length, 0);
    assert.equal(tail.nextOffset, hwm);
    // a failing transaction (a partition that does not exist) writes nothing and commits no offsets
    await assert.rejects(
      ctx.log.commitTransaction({
        produce: [{ topic: output, partition: 0, key: null, value: buf('lost') }, { topic: output, partition: 5, key: null, value: buf('bad') }],
        offsets: { group, offsets: [{ topic: input, partition: 0, offset: 9n }] },
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await ctx.log.committedOffsets(group, input), [{ topic: input, partition: 0, offset: 7n }]);
    const after = await ctx.log.fetch(output, 0, 0n);
    assert.deepEqual(after.records.map((r) => str(r.value)), ['v1', 'v2']);
  });

  it('is unusable after close, and close is idempotent', async () => {
    const other = await KafkaLog.open({ properties: { 'bootstrap.servers': ctx.bootstrap } });
    const waiting = other.waitForData('nope', 0, 0n, 30_000);
    await other.close();
    await other.close();
    assert.equal(await waiting, false);
    await rejectsWith(other.listTopics(), 'CLOSED');
  });
}
