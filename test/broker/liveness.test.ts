/**
 * Timeliness and failure: a client that stops reading its responses does not hold up producers
 * or other consumers, and a group member that vanishes without leaving is dropped after its
 * session timeout so the others take over its partitions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { API } from '../../src/broker/api-versions.js';
import { until, withBroker } from './broker-fixture.js';
import { RawClient } from './raw-client.js';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

test('a client that never reads its fetch responses does not block producers or other consumers', async () => {
  await withBroker(async ({ address, engine }) => {
    await engine.log.createTopic('firehose', { partitions: 1 });
    const big = Buffer.alloc(50_000, 'x');
    for (let i = 0; i < 20; i++) await engine.log.produce(Array.from({ length: 20 }, () => ({ topic: 'firehose', partition: 0, key: null, value: big })));
    const slow = await RawClient.open(address);
    slow.socket.pause();
    const fetch = slow.encode(API.Fetch, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'firehose', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 50 << 20 }] }], forgottenTopicsData: [], rackId: '' });
    for (let i = 0; i < 200; i++) slow.writeRaw(fetch);

    const kafka = new Kafka({ brokers: [address], clientId: 'fast', logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const started = Date.now();
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'lively', messages: [{ value: `m${i}` }] });
    const consumer = kafka.consumer({ groupId: 'fast', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'lively', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until('20 records', () => (seen.length >= 20 ? true : undefined));
    const elapsed = Date.now() - started;
    await consumer.disconnect();
    await producer.disconnect();
    assert.ok(elapsed < 15_000, `others served in ${elapsed} ms`);
    // the slow connection was throttled, not buffered without bound: far fewer than 200 x 20 MB went out
    assert.ok(slow.socket.bytesRead < 200 * 20_000_000);
    slow.close();
  });
});

test('a member that disappears without leaving is dropped after its session timeout; the other takes its partitions', async () => {
  await withBroker(async ({ address, engine }) => {
    await engine.log.createTopic('work', { partitions: 2 });
    const raw = await RawClient.open(address);
    const join = (memberId: string) => raw.request(API.JoinGroup, 9, { groupId: 'vanish', sessionTimeoutMs: 1500, rebalanceTimeoutMs: 2000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.alloc(0) }], reason: null });
    const first = await join('');
    assert.equal(first.errorCode, 79); // MEMBER_ID_REQUIRED, as Kafka answers a new member
    const joined = await join(first.memberId);
    assert.equal(joined.errorCode, 0);
    assert.equal(joined.leader, first.memberId);
    const synced = await raw.request(API.SyncGroup, 5, { groupId: 'vanish', generationId: joined.generationId, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'RoundRobinAssigner', assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }] });
    assert.equal(synced.assignment.toString(), 'mine');
    raw.close(); // gone without LeaveGroup

    await engine.log.produce([0, 1].map((partition) => ({ topic: 'work', partition, key: null, value: Buffer.from(`p${partition}`) })));
    const kafka = new Kafka({ brokers: [address], clientId: 'survivor', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'vanish', maxWaitTimeInMs: 100, heartbeatInterval: 300, sessionTimeout: 6000, rebalanceTimeout: 6000 });
    let assigned: number[] = [];
    consumer.on(consumer.events.GROUP_JOIN, (e) => (assigned = (e.payload.memberAssignment['work'] ?? []).slice().sort()));
    await consumer.connect();
    await consumer.subscribe({ topic: 'work', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until('both records', () => (seen.length >= 2 ? true : undefined), 30_000);
    await consumer.disconnect();
    assert.deepEqual(assigned, [0, 1]);
    assert.deepEqual(seen.sort(), ['p0', 'p1']);
  });
});
