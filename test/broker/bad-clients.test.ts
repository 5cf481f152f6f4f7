/**
 * What real clients never send: malformed frames, unknown API keys, unsupported versions,
 * oversized requests, corrupt batches, abrupt disconnects. Each gets Kafka's error code or a
 * closed connection, and the broker goes on serving a real client afterwards, with nothing
 * committed lost. Also: a batch resent by an idempotent producer is acknowledged with its
 * original offset and stored once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { API } from '../../src/broker/api-versions.js';
import { Writer } from '../../src/broker/protocol/writer.js';
import { buildBatch } from '../../src/broker/record-batch.js';
import type { FetchedRecord } from '../../src/log/log.js';
import { withBroker } from './broker-fixture.js';
import { RawClient } from './raw-client.js';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

function batch(values: string[], producer?: { producerId: bigint; producerEpoch: number; baseSequence: number }): Buffer {
  const records: FetchedRecord[] = values.map((v, i) => ({ topic: '', partition: 0, offset: BigInt(i), key: null, value: Buffer.from(v), timestamp: Date.now(), headers: [] }));
  const w = new Writer();
  buildBatch(records, w, producer);
  return w.toBuffer();
}

async function stillServes(address: string, topic: string): Promise<string[]> {
  const kafka = new Kafka({ brokers: [address], clientId: 'after', logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic, messages: [{ value: 'still-here' }] });
  await p.disconnect();
  const c = kafka.consumer({ groupId: `after-${topic}`, maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => void c.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); if (message.value!.toString() === 'still-here') resolve(); } }));
  await c.disconnect();
  return seen;
}

test('bad frames, unknown APIs and oversized requests close the connection; the broker keeps serving', async () => {
  await withBroker(async ({ address, engine, logLines }) => {
    const produce = (c: RawClient, values: string[]) => c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'kept', partitionData: [{ index: 0, records: batch(values) }] }] });
    const first = await RawClient.open(address);
    const res = await produce(first, ['committed-1', 'committed-2']);
    assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
    first.close();

    // an unknown API key
    const a = await RawClient.open(address);
    const w = new Writer();
    w.int32(10).int16(999).int16(0).int32(1).int16(-1);
    a.writeRaw(w.toBuffer());
    assert.equal(await a.whenClosed(), true);

    // a size prefix past socket.request.max.bytes
    const b = await RawClient.open(address);
    b.writeRaw(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0]));
    assert.equal(await b.whenClosed(), true);

    // a negative size
    const c = await RawClient.open(address);
    c.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
    assert.equal(await c.whenClosed(), true);

    // a body cut short (header says Metadata v12, body is garbage)
    const d = await RawClient.open(address);
    const g = new Writer();
    g.int32(12).int16(API.Metadata).int16(12).int32(7).int16(-1).uvarint(0).raw(Buffer.from([0xff, 0xff]));
    d.writeRaw(g.toBuffer());
    assert.equal(await d.whenClosed(), true);

    // a version the broker does not serve
    const e = await RawClient.open(address);
    const v = new Writer();
    v.int32(10).int16(API.Produce).int16(99).int32(1).int16(-1);
    e.writeRaw(v.toBuffer());
    assert.equal(await e.whenClosed(), true);

    // a half-sent frame, then an abrupt disconnect
    const f = await RawClient.open(address);
    f.writeRaw(f.encode(API.Metadata, 12, { topics: null, allowAutoTopicCreation: true }).subarray(0, 9));
    f.close();

    assert.ok(logLines.some((l) => /unknown API key 999/.test(l)));
    assert.ok(logLines.some((l) => /request of 2147483647 bytes/.test(l)));
    const seen = await stillServes(address, 'kept');
    assert.deepEqual(seen, ['committed-1', 'committed-2', 'still-here']);
    assert.equal(await engine.log.latestOffset('kept', 0), 3n);
  }, { maxRequestBytes: 1024 * 1024 });
});

test('ApiVersions with a version too new is answered in v0 with UNSUPPORTED_VERSION and the ranges', async () => {
  await withBroker(async ({ address }) => {
    const c = await RawClient.open(address);
    const w = new Writer();
    w.int32(10).int16(API.ApiVersions).int16(99).int32(5).int16(-1);
    const reply = c.nextFrame();
    c.writeRaw(w.toBuffer());
    const body = c.decode(API.ApiVersions, 0, await reply);
    assert.equal(body.errorCode, 35);
    const produce = body.apiKeys.find((k: { apiKey: number }) => k.apiKey === 0);
    assert.deepEqual([produce.minVersion, produce.maxVersion], [3, 12]);
    c.close();
  });
});

test('corrupt batches get CORRUPT_MESSAGE, a too-large batch MESSAGE_TOO_LARGE, unknown partitions their error', async () => {
  await withBroker(async ({ address, engine }) => {
    const c = await RawClient.open(address);
    const good = batch(['a', 'b']);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] ^= 0xff;
    const send = (topic: string, index: number, records: Buffer) => c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index, records }] }] });
    assert.equal((await send('corrupt', 0, flipped)).responses[0].partitionResponses[0].errorCode, 2);
    assert.equal((await send('corrupt', 0, good.subarray(0, 30))).responses[0].partitionResponses[0].errorCode, 2);
    assert.equal((await send('corrupt', 5, good)).responses[0].partitionResponses[0].errorCode, 3);
    await engine.log.updateTopicConfig('corrupt', { 'max.message.bytes': 100 });
    const big = batch(['x'.repeat(500)]);
    const tooBig = (await send('corrupt', 0, big)).responses[0].partitionResponses[0];
    assert.equal(tooBig.errorCode, 10);
    assert.equal(await engine.log.latestOffset('corrupt', 0), 0n);
    assert.equal((await send('bad/name', 0, good)).responses[0].partitionResponses[0].errorCode, 17);
    c.close();
  });
});

test('an idempotent producer resending a batch gets its original offset and the record is stored once', async () => {
  await withBroker(async ({ address, engine }) => {
    const c = await RawClient.open(address);
    const init = await c.request(API.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    assert.equal(init.errorCode, 0);
    const producer = { producerId: init.producerId as bigint, producerEpoch: init.producerEpoch as number };
    const send = (values: string[], baseSequence: number) =>
      c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'idem', partitionData: [{ index: 0, records: batch(values, { ...producer, baseSequence }) }] }] }).then((r) => r.responses[0].partitionResponses[0]);
    const r0 = await send(['a', 'b'], 0);
    const r1 = await send(['c'], 2);
    assert.deepEqual([r0.errorCode, r0.baseOffset, r1.errorCode, r1.baseOffset], [0, 0n, 0, 2n]);
    const resent = await send(['a', 'b'], 0);
    assert.deepEqual([resent.errorCode, resent.baseOffset], [0, 0n]);
    const gap = await send(['e'], 7);
    assert.equal(gap.errorCode, 45);
    assert.equal(await engine.log.latestOffset('idem', 0), 3n);
    const stale = await c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'idem', partitionData: [{ index: 0, records: batch(['z'], { ...producer, producerEpoch: -1 + producer.producerEpoch, baseSequence: 3 }) }] }] });
    assert.equal(stale.responses[0].partitionResponses[0].errorCode, 47);
    c.close();
  });
});

test('fetch long-polls until data arrives or maxWaitMs passes, and reports OFFSET_OUT_OF_RANGE below the log start', async () => {
  await withBroker(async ({ address, engine }) => {
    await engine.log.createTopic('poll', { partitions: 1 });
    const c = await RawClient.open(address);
    const fetch = (offset: bigint, maxWaitMs: number, minBytes = 1) =>
      c.request(API.Fetch, 11, { replicaId: -1, maxWaitMs, minBytes, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'poll', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' });
    let t = Date.now();
    const empty = await fetch(0n, 300);
    assert.ok(Date.now() - t >= 280, 'waited for maxWaitMs');
    assert.equal(empty.responses[0].partitions[0].records.length, 0);
    t = Date.now();
    const later = fetch(0n, 10_000);
    setTimeout(() => void engine.log.produce([{ topic: 'poll', partition: 0, key: null, value: Buffer.from('wake') }]), 200);
    const got = await later;
    assert.ok(Date.now() - t < 5000, 'answered when data arrived, not at maxWaitMs');
    assert.ok(got.responses[0].partitions[0].records.length > 0);
    await engine.log.produce([{ topic: 'poll', partition: 0, key: null, value: Buffer.from('two') }]);
    await engine.log.deleteRecords('poll', 0, 1n);
    const out = await fetch(0n, 0);
    assert.equal(out.responses[0].partitions[0].errorCode, 1);
    assert.equal(out.responses[0].partitions[0].logStartOffset, -1n); // as Kafka: no watermarks with an error
    c.close();
  });
});

test("Sluice's internal topics are readable by clients but not writable, deletable or reconfigurable", async () => {
  await withBroker(async ({ address, engine }) => {
    const kafka = new Kafka({ brokers: [address], clientId: 'internal', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['_sluice_commands'] });
    assert.equal(meta.topics[0]!.partitions.length, 1);
    const before = await engine.log.latestOffset('_sluice_commands', 0);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await assert.rejects(producer.send({ topic: '_sluice_commands', messages: [{ value: 'not a command' }] }), /topic/i);
    await producer.disconnect();
    await assert.rejects(admin.deleteTopics({ topics: ['_sluice_commands'] }));
    await assert.rejects(admin.createTopics({ topics: [{ topic: '_sluice_mine' }] }));
    assert.equal(await engine.log.latestOffset('_sluice_commands', 0), before);
    assert.ok((await engine.log.listTopics()).includes('_sluice_commands'));
    await admin.disconnect();
  });
});

test('Metadata v12 by topic id finds the topic; an unknown id gets UNKNOWN_TOPIC_ID', async () => {
  await withBroker(async ({ address, engine }) => {
    await engine.log.createTopic('by-id', { partitions: 3 });
    const c = await RawClient.open(address);
    const all = await c.request(API.Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const id = all.topics.find((t: { name: string }) => t.name === 'by-id').topicId;
    const res = await c.request(API.Metadata, 12, { topics: [{ topicId: id, name: null }, { topicId: 'ffffffffffffffffffffffffffffffff', name: null }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    assert.equal(res.topics.length, 2);
    const found = res.topics.find((t: { name: string | null }) => t.name === 'by-id');
    assert.equal(found.partitions.length, 3);
    assert.equal(res.topics.find((t: { name: string | null }) => t.name === null).errorCode, 100);
    c.close();
  });
});

test('the advertised address is what Metadata and FindCoordinator hand out', async () => {
  await withBroker(async ({ address }) => {
    const c = await RawClient.open(address);
    const meta = await c.request(API.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    assert.deepEqual([meta.brokers[0].host, meta.brokers[0].port], ['kafka.example', 19092]);
    const coord = await c.request(API.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] });
    assert.deepEqual([coord.coordinators[0].host, coord.coordinators[0].port], ['kafka.example', 19092]);
    c.close();
  }, { advertise: 'kafka.example:19092' });
});
