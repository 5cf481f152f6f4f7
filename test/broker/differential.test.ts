/**
 * Differential: the same client scripts run against a real Apache Kafka 4.1 broker (KRaft) and
 * against Sluice's listener, and what the clients observe (values, error codes, offsets where
 * Kafka and Sluice must agree) is compared. Skipped with the reason when no real Kafka can be
 * started (see real-kafka.ts).
 *
 * Known, documented differences are left out of the comparison: offsets after a transaction
 * (Kafka spends an offset on each commit/abort marker and keeps aborted records in the log,
 * Sluice stages transactions and appends only committed records) and offsets returned for
 * transactional produce (-1 here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { API } from '../../src/broker/api-versions.js';
import { Writer } from '../../src/broker/protocol/writer.js';
import { buildBatch } from '../../src/broker/record-batch.js';
import { compress, decompress, codecId, type CompressionCodec } from '../../src/broker/compression.js';
import type { FetchedRecord } from '../../src/log/log.js';
import { until, withBroker } from './broker-fixture.js';
import { RawClient } from './raw-client.js';
import { startRealKafka } from './real-kafka.js';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
for (const [type, codec] of [[CompressionTypes.Snappy, 'snappy'], [CompressionTypes.LZ4, 'lz4'], [CompressionTypes.ZSTD, 'zstd']] as [number, CompressionCodec][])
  (CompressionCodecs as Record<number, unknown>)[type] = () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(codecId(codec), buffer),
  });

type Observations = Record<string, unknown>;

function batch(values: string[], producer?: { producerId: bigint; producerEpoch: number; baseSequence: number }): Buffer {
  const now = Date.now();
  const records: FetchedRecord[] = values.map((v, i) => ({ topic: '', partition: 0, offset: BigInt(i), key: null, value: Buffer.from(v), timestamp: now, headers: [] }));
  const w = new Writer();
  buildBatch(records, w, producer);
  return w.toBuffer();
}

/** creates a topic and waits until metadata shows it led (a fresh Kafka takes a moment) */
async function createTopic(bootstrap: string, name: string, numPartitions: number): Promise<void> {
  const c = await RawClient.open(bootstrap);
  try {
    await c.request(API.CreateTopics, 7, { topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10000, validateOnly: false });
    await until(`${name} to be ready`, async () => {
      const m = await c.request(API.Metadata, 12, { topics: [{ name, topicId: '00000000000000000000000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      const t = m.topics[0];
      return t.errorCode === 0 && t.partitions.length === numPartitions && t.partitions.every((p: { errorCode: number; leaderId: number }) => p.errorCode === 0 && p.leaderId >= 0) ? true : undefined;
    }, 60_000);
  } finally {
    c.close();
  }
}

async function admin(bootstrap: string, o: Observations): Promise<void> {
  const c = await RawClient.open(bootstrap);
  const create = (name: string, numPartitions: number) => c.request(API.CreateTopics, 7, { topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10000, validateOnly: false }).then((r) => r.topics[0].errorCode);
  o.createNew = await create('diff-admin', 3);
  o.createAgain = await create('diff-admin', 3);
  o.createIllegal = await create('bad name!', 1);
  o.createZeroPartitions = await create('diff-zero', 0);
  const grow = (count: number) => c.request(API.CreatePartitions, 3, { topics: [{ name: 'diff-admin', count, assignments: null }], timeoutMs: 10000, validateOnly: false }).then((r) => r.results[0].errorCode);
  o.shrinkPartitions = await grow(2);
  o.growPartitions = await grow(5);
  await new Promise((r) => setTimeout(r, 500));
  const meta = await c.request(API.Metadata, 12, { topics: [{ name: 'diff-admin', topicId: '00000000000000000000000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  o.partitionsAfterGrow = meta.topics[0].partitions.length;
  const unknown = await c.request(API.Metadata, 12, { topics: [{ name: 'diff-missing', topicId: '00000000000000000000000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  o.metadataUnknown = unknown.topics[0].errorCode;
  const alter = await c.request(API.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'diff-admin', configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }], validateOnly: false });
  o.alterConfig = alter.responses[0].errorCode;
  const described = await c.request(API.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'diff-admin', configurationKeys: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false, includeDocumentation: false });
  o.describedConfigs = (described.results[0].configs as { name: string; value: string }[]).map((x) => `${x.name}=${x.value}`).sort();
  const describeMissing = await c.request(API.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'diff-missing', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  o.describeMissing = describeMissing.results[0].errorCode;
  const del = (names: string[]) => c.request(API.DeleteTopics, 5, { topicNames: names, timeoutMs: 10000 }).then((r) => (r.responses as { name: string; errorCode: number }[]).map((x) => `${x.name}:${x.errorCode}`).sort());
  o.deleteTopics = await del(['diff-admin', 'diff-missing']);
  c.close();
}

async function compressionRoundTrip(bootstrap: string, o: Observations): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'diff', logLevel: logLevel.NOTHING });
  await createTopic(bootstrap, 'diff-codecs', 1);
  const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const bases: string[] = [];
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    const [r] = await p.send({ topic: 'diff-codecs', compression, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `c${compression}-${i}` })) });
    bases.push(`${r!.errorCode}@${r!.baseOffset}`);
  }
  await p.disconnect();
  o.codecBaseOffsets = bases;
  const c = kafka.consumer({ groupId: 'diff-codecs', maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topic: 'diff-codecs', fromBeginning: true });
  const seen: string[] = [];
  await c.run({ eachMessage: async ({ message }) => void seen.push(`${message.offset}:${message.value}`) });
  await until('50 records', () => (seen.length >= 50 ? true : undefined), 60_000);
  await c.disconnect();
  o.codecConsumed = seen;
}

async function groups(bootstrap: string, o: Observations): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'diff', logLevel: logLevel.NOTHING });
  await createTopic(bootstrap, 'diff-groups', 4);
  const a = kafka.admin();
  await a.connect();
  // idempotent, so a retry under load cannot duplicate records and skew the committed offsets
  const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const send = (from: number, n: number) => p.send({ topic: 'diff-groups', messages: Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `g${from + i}` })) });
  await send(0, 40);
  const assigned = new Map<string, number>();
  const seen: string[] = [];
  const start = async (name: string) => {
    const c = kafka.consumer({ groupId: 'diff-group', maxWaitTimeInMs: 100, heartbeatInterval: 300, sessionTimeout: 10000, rebalanceTimeout: 10000 });
    c.on(c.events.GROUP_JOIN, (e) => assigned.set(name, (e.payload.memberAssignment['diff-groups'] ?? []).length));
    await c.connect();
    await c.subscribe({ topic: 'diff-groups', fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    return c;
  };
  const first = await start('first');
  await until('40', () => (seen.length >= 40 ? true : undefined), 60_000);
  o.aloneAssigned = assigned.get('first');
  const second = await start('second');
  await until('two members', () => (assigned.get('second') !== undefined && assigned.get('first') === 2 ? true : undefined), 60_000);
  o.twoAssigned = [assigned.get('first'), assigned.get('second')];
  const raw = await RawClient.open(bootstrap);
  const rawCommit = (groupId: string, generation: number, memberId: string) =>
    raw.request(API.OffsetCommit, 8, { groupId, generationIdOrMemberEpoch: generation, memberId, groupInstanceId: null, topics: [{ name: 'diff-groups', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }] }] }).then((r) => r.topics[0].partitions[0].errorCode);
  o.standaloneCommitToActiveGroup = await rawCommit('diff-group', -1, '');
  o.commitUnknownMember = await rawCommit('diff-group', 1, 'nobody');
  o.commitToMissingGroupWithGeneration = await rawCommit('diff-nogroup', 3, 'someone');
  raw.close();
  const d = await a.describeGroups(['diff-group']);
  o.describedMembers = d.groups[0]!.members.length;
  o.describedState = d.groups[0]!.state;
  await send(40, 20);
  await until('60', () => (seen.length >= 60 ? true : undefined), 60_000);
  await second.disconnect();
  await until('first takes all', () => (assigned.get('first') === 4 ? true : undefined), 60_000);
  // let the consumer's commits settle, so what is compared does not race with them
  await until('all 60 committed', async () => {
    const f = await a.fetchOffsets({ groupId: 'diff-group', topics: ['diff-groups'] });
    return f[0]!.partitions.reduce((s, x) => s + Number(x.offset), 0) === 60 ? true : undefined;
  }, 60_000).catch(() => undefined);
  await first.disconnect();
  o.groupDistinct = new Set(seen).size;
  const offsets = await a.fetchOffsets({ groupId: 'diff-group', topics: ['diff-groups'] });
  o.committedTotal = offsets[0]!.partitions.reduce((s, x) => s + Number(x.offset), 0);
  await send(60, 5);
  const later: string[] = [];
  const third = kafka.consumer({ groupId: 'diff-group', maxWaitTimeInMs: 100 });
  await third.connect();
  await third.subscribe({ topic: 'diff-groups', fromBeginning: true });
  await third.run({ eachMessage: async ({ message }) => void later.push(message.value!.toString()) });
  await until('5 resumed', () => (later.length >= 5 ? true : undefined), 60_000);
  await new Promise((r) => setTimeout(r, 300));
  await third.disconnect();
  o.resumed = later.sort();
  const listed = await a.listGroups();
  o.groupListed = listed.groups.some((g) => g.groupId === 'diff-group');
  const raw2 = await RawClient.open(bootstrap);
  const delGroups = async (names: string[]) => ((await raw2.request(API.DeleteGroups, 2, { groupsNames: names })).results as { groupId: string; errorCode: number }[]).map((r) => `${r.groupId}:${r.errorCode}`).sort();
  o.deleteGroups = await delGroups(['diff-group', 'diff-never-was']);
  o.deleteGroupsAgain = await delGroups(['diff-group']);
  const fetched = await a.fetchOffsets({ groupId: 'diff-group', topics: ['diff-groups'] });
  o.offsetsAfterDelete = fetched[0]!.partitions.map((x) => x.offset).sort();
  raw2.close();
  await p.disconnect();
  await a.disconnect();
}

async function idempotence(bootstrap: string, o: Observations): Promise<void> {
  const c = await RawClient.open(bootstrap);
  await createTopic(bootstrap, 'diff-idem', 1);
  // a fresh Kafka may answer COORDINATOR_LOAD_IN_PROGRESS and the like at first: retry as clients do
  const init = await until('a producer id', async () => {
    const r = await c.request(API.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    return r.errorCode === 0 ? r : undefined;
  }, 60_000);
  const producer = { producerId: init.producerId as bigint, producerEpoch: init.producerEpoch as number };
  const send = (values: string[], baseSequence: number) =>
    c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'diff-idem', partitionData: [{ index: 0, records: batch(values, { ...producer, baseSequence }) }] }] }).then((r) => {
      const p = r.responses[0].partitionResponses[0];
      return `${p.errorCode}@${p.errorCode ? '-' : p.baseOffset}`;
    });
  o.idemFirst = await send(['a', 'b'], 0);
  o.idemSecond = await send(['c'], 2);
  o.idemResend = await send(['a', 'b'], 0);
  o.idemGap = await send(['x'], 9);
  const end = await c.request(API.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'diff-idem', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] });
  o.idemEnd = end.topics[0].partitions[0].offset;
  c.close();
}

async function transactions(bootstrap: string, o: Observations): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'diff', logLevel: logLevel.NOTHING });
  await createTopic(bootstrap, 'diff-txn', 1);
  const p = kafka.producer({ transactionalId: 'diff-tx', idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const ok = await p.transaction();
  await ok.send({ topic: 'diff-txn', messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
  await ok.commit();
  const bad = await p.transaction();
  await bad.send({ topic: 'diff-txn', messages: [{ value: 'aborted' }] });
  await bad.abort();
  const after = await p.transaction();
  await after.send({ topic: 'diff-txn', messages: [{ value: 'committed-3' }] });
  await after.commit();
  await p.disconnect();
  const c = kafka.consumer({ groupId: 'diff-txn', maxWaitTimeInMs: 100, readUncommitted: false });
  await c.connect();
  await c.subscribe({ topic: 'diff-txn', fromBeginning: true });
  const seen: string[] = [];
  await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await until('3 committed', () => (seen.length >= 3 ? true : undefined), 60_000);
  await new Promise((r) => setTimeout(r, 500));
  await c.disconnect();
  o.txnReadCommitted = seen;
}

async function retention(bootstrap: string, o: Observations): Promise<void> {
  const c = await RawClient.open(bootstrap);
  await createTopic(bootstrap, 'diff-ret', 1);
  const produced = await c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'diff-ret', partitionData: [{ index: 0, records: batch(Array.from({ length: 10 }, (_, i) => `r${i}`)) }] }] });
  o.retProduced = produced.responses[0].partitionResponses[0].errorCode;
  const del = await c.request(API.DeleteRecords, 2, { topics: [{ name: 'diff-ret', partitions: [{ partitionIndex: 0, offset: 5n }] }], timeoutMs: 10000 });
  o.deleteRecords = `${del.topics[0].partitions[0].errorCode}@${del.topics[0].partitions[0].lowWatermark}`;
  const beyond = await c.request(API.DeleteRecords, 2, { topics: [{ name: 'diff-ret', partitions: [{ partitionIndex: 0, offset: 99n }] }], timeoutMs: 10000 });
  o.deleteRecordsBeyond = beyond.topics[0].partitions[0].errorCode;
  const fetch = (offset: bigint) =>
    c.request(API.Fetch, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'diff-ret', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' }).then((r) => r.responses[0].partitions[0]);
  const below = await fetch(2n);
  o.fetchBelowStart = `${below.errorCode} start=${below.logStartOffset} hw=${below.highWatermark}`;
  const above = await fetch(50n);
  o.fetchAboveEnd = above.errorCode;
  const at = await fetch(5n);
  o.fetchAtStart = `${at.errorCode} bytes>0=${at.records.length > 0}`;
  const earliest = await c.request(API.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'diff-ret', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }] });
  o.listEarliest = earliest.topics[0].partitions[0].offset;
  const produceTo = (name: string, index: number, records: Buffer) =>
    c.request(API.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index, records }] }] }).then((r) => r.responses[0].partitionResponses[0].errorCode);
  o.produceUnknownPartition = await produceTo('diff-ret', 9, batch(['x']));
  const corrupt = batch(['y', 'z']);
  corrupt[corrupt.length - 1] ^= 0xff;
  o.produceCorrupt = await produceTo('diff-ret', 0, corrupt);
  await c.request(API.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'diff-ret', configs: [{ name: 'max.message.bytes', configOperation: 0, value: '200' }] }], validateOnly: false });
  await new Promise((r) => setTimeout(r, 500));
  o.produceTooLarge = await produceTo('diff-ret', 0, batch(['w'.repeat(1000)]));
  const fetchMissing = await c.request(API.Fetch, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'diff-nothing-here', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' });
  o.fetchUnknownTopic = fetchMissing.responses[0].partitions[0].errorCode;
  const commit = await c.request(API.OffsetCommit, 8, { groupId: 'diff-aged', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'diff-ret', partitions: [{ partitionIndex: 0, committedOffset: 2n, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
  o.commitBelowStart = commit.topics[0].partitions[0].errorCode;
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'diff', logLevel: logLevel.NOTHING });
  const aged = kafka.consumer({ groupId: 'diff-aged', maxWaitTimeInMs: 100 });
  await aged.connect();
  await aged.subscribe({ topic: 'diff-ret', fromBeginning: true });
  const agedSeen: string[] = [];
  await aged.run({ eachMessage: async ({ message }) => void agedSeen.push(`${message.offset}:${message.value}`) });
  await until('the records after the log start', () => (agedSeen.length >= 5 ? true : undefined), 60_000);
  await new Promise((r) => setTimeout(r, 300));
  await aged.disconnect();
  o.resetBelowStart = agedSeen;
  const unknownPart = await c.request(API.ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'diff-ret', partitions: [{ partitionIndex: 7, currentLeaderEpoch: -1, timestamp: -1n }] }] });
  o.listUnknownPartition = unknownPart.topics[0].partitions[0].errorCode;
  c.close();
}

async function scenario(bootstrap: string): Promise<Observations> {
  const o: Observations = {};
  await admin(bootstrap, o);
  await compressionRoundTrip(bootstrap, o);
  await idempotence(bootstrap, o);
  await retention(bootstrap, o);
  await transactions(bootstrap, o);
  await groups(bootstrap, o);
  return o;
}

test('the same client scripts observe the same things from Apache Kafka and from Sluice', { timeout: 600_000 }, async (t) => {
  const kafka = await startRealKafka();
  if ('skip' in kafka) {
    t.skip(kafka.skip);
    return;
  }
  let fromKafka: Observations;
  try {
    fromKafka = await scenario(kafka.bootstrap);
  } finally {
    await kafka.stop();
  }
  const fromSluice = await withBroker((b) => scenario(b.address));
  const keys = Object.keys(fromKafka);
  if (process.env.SLUICE_DIFF_PRINT) process.stderr.write(`${JSON.stringify(fromSluice, (_, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);
  const differ = keys.filter((k) => JSON.stringify(fromKafka[k], (_, v) => (typeof v === 'bigint' ? String(v) : v)) !== JSON.stringify(fromSluice[k], (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  const show = (o: Observations) => Object.fromEntries(differ.map((k) => [k, o[k]]));
  assert.deepEqual(show(fromSluice), show(fromKafka), `differences in ${differ.join(', ')}`);
  assert.ok(keys.length >= 40, `${keys.length} observations`);
});
