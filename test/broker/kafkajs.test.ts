/**
 * kafkajs (a client no one here wrote) against the embedded broker: every compression, a group of
 * two with a rebalance, offsets committed and resumed, idempotent and transactional producers,
 * and a Sluice query in the same process reading client-produced records while a client consumes
 * its output live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs, { type Consumer, type EachMessagePayload } from 'kafkajs';
import { compress, decompress, codecId, type CompressionCodec } from '../../src/broker/compression.js';
import { until, withBroker } from './broker-fixture.js';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
type Kafka = InstanceType<typeof Kafka>;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

function registerCodec(type: number, codec: CompressionCodec): void {
  (CompressionCodecs as Record<number, unknown>)[type] = () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(codecId(codec), buffer),
  });
}
registerCodec(CompressionTypes.Snappy, 'snappy');
registerCodec(CompressionTypes.LZ4, 'lz4');
registerCodec(CompressionTypes.ZSTD, 'zstd');

function client(address: string, clientId = 'test'): Kafka {
  return new Kafka({ brokers: [address], clientId, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

test('kafkajs produces with every compression and reads every record back', async () => {
  await withBroker(async ({ address, engine }) => {
    const kafka = client(address);
    const producer = kafka.producer();
    await producer.connect();
    const codecs = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD];
    for (const compression of codecs) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `codec-${compression}-${i}-${'x'.repeat(i)}`, headers: { n: String(i) } }));
      const [res] = await producer.send({ topic: 'codecs', compression, messages });
      assert.equal(res!.errorCode, 0);
    }
    await producer.disconnect();
    // the records are in the engine's own log, as produced
    const hw = await engine.log.latestOffset('codecs', 0);
    assert.equal(hw, 250n);
    const first = await engine.log.fetch('codecs', 0, 100n, { maxRecords: 1 });
    assert.equal(first.records[0]!.value!.toString(), 'codec-2-0-');
    assert.deepEqual(first.records[0]!.headers.map((h) => [h.key, h.value?.toString()]), [['n', '0']]);

    const consumer = kafka.consumer({ groupId: 'codec-readers', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'codecs', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until('250 records', () => (seen.length >= 250 ? true : undefined));
    await consumer.disconnect();
    assert.equal(seen.length, 250);
    assert.equal(new Set(seen).size, 250);
    assert.ok(seen.includes('codec-4-49-' + 'x'.repeat(49)));
  });
});

test('a group of two splits the partitions, rebalances when one leaves, and resumes from committed offsets', async () => {
  await withBroker(async ({ address, engine }) => {
    const kafka = client(address);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 4 }] });
    const producer = kafka.producer();
    await producer.connect();
    const send = (from: number, n: number) =>
      producer.send({ topic: 'orders', messages: Array.from({ length: n }, (_, i) => ({ key: `key-${from + i}`, value: `order-${from + i}` })) });
    await send(0, 40);

    const received = new Map<string, string[]>();
    const assignments = new Map<string, number[]>();
    const start = async (name: string): Promise<Consumer> => {
      const c = kafka.consumer({ groupId: 'workers', maxWaitTimeInMs: 100, heartbeatInterval: 300, sessionTimeout: 6000, rebalanceTimeout: 6000 });
      c.on(c.events.GROUP_JOIN, (e) => assignments.set(name, (e.payload.memberAssignment['orders'] ?? []).slice().sort()));
      await c.connect();
      await c.subscribe({ topic: 'orders', fromBeginning: true });
      received.set(name, []);
      await c.run({ eachMessage: async ({ message }: EachMessagePayload) => void received.get(name)!.push(message.value!.toString()) });
      return c;
    };
    const a = await start('a');
    await until('a to read the first 40', () => (received.get('a')!.length >= 40 ? true : undefined));
    assert.deepEqual(assignments.get('a'), [0, 1, 2, 3]);

    const b = await start('b');
    await until('a rebalance to two members', () => {
      const pa = assignments.get('a');
      const pb = assignments.get('b');
      return pa && pb && pa.length + pb.length === 4 && pa.length === 2 ? true : undefined;
    });
    assert.deepEqual([...assignments.get('a')!, ...assignments.get('b')!].sort(), [0, 1, 2, 3]);
    const described = await admin.describeGroups(['workers']);
    assert.equal(described.groups[0]!.members.length, 2);
    assert.equal(described.groups[0]!.state, 'Stable');

    await send(40, 40);
    await until('80 records between the two', () => (received.get('a')!.length + received.get('b')!.length >= 80 ? true : undefined));
    assert.ok(received.get('b')!.length > 0, 'b got some of the new records');

    await b.disconnect();
    await until('a to take all partitions back', () => (assignments.get('a')?.length === 4 ? true : undefined));
    await a.disconnect();
    const all = new Set([...received.get('a')!, ...received.get('b')!]);
    assert.equal(all.size, 80);

    // committed offsets are in the log (the same store Sluice's own queries use)
    const committed = await engine.log.committedOffsets('workers', 'orders');
    assert.equal(committed.reduce((s, c) => s + c.offset, 0n), 80n);
    await send(80, 10);
    received.set('c', []);
    const c = kafka.consumer({ groupId: 'workers', maxWaitTimeInMs: 100, heartbeatInterval: 300 });
    await c.connect();
    await c.subscribe({ topic: 'orders', fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void received.get('c')!.push(message.value!.toString()) });
    await until('the 10 new records', () => (received.get('c')!.length >= 10 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    await c.disconnect();
    assert.deepEqual(received.get('c')!.sort(), Array.from({ length: 10 }, (_, i) => `order-${80 + i}`).sort());
    const groups = await admin.listGroups();
    assert.ok(groups.groups.some((g) => g.groupId === 'workers'));
    await producer.disconnect();
    await admin.disconnect();
  });
});

test('kafkajs idempotent and transactional producers: a committed transaction is read, an aborted one never', async () => {
  await withBroker(async ({ address, engine }) => {
    const kafka = client(address);
    const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    for (let i = 0; i < 5; i++) await idem.send({ topic: 'txn', messages: [{ key: 'k', value: `plain-${i}` }] });
    await idem.disconnect();

    const producer = kafka.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const ok = await producer.transaction();
    await ok.send({ topic: 'txn', messages: [{ key: 'k', value: 'committed-1' }, { key: 'k', value: 'committed-2' }] });
    await ok.commit();
    const bad = await producer.transaction();
    await bad.send({ topic: 'txn', messages: [{ key: 'k', value: 'aborted-1' }] });
    await bad.abort();
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'txn-readers', maxWaitTimeInMs: 100, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: 'txn', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until('7 records', () => (seen.length >= 7 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    await consumer.disconnect();
    assert.deepEqual(seen, ['plain-0', 'plain-1', 'plain-2', 'plain-3', 'plain-4', 'committed-1', 'committed-2']);
    assert.equal(await engine.log.latestOffset('txn', 0), 7n);
  });
});

test('a Sluice query reads client-produced records and a client consumes its output live', async () => {
  await withBroker(async ({ address, engine }) => {
    const kafka = client(address);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'clicks', numPartitions: 2 }] });
    await engine.execute(`CREATE STREAM clicks (user_id STRING KEY, page STRING, ms INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON');`);
    await engine.execute(`CREATE STREAM slow_clicks WITH (KAFKA_TOPIC='slow_clicks', VALUE_FORMAT='JSON') AS SELECT user_id, UCASE(page) AS page, ms FROM clicks WHERE ms >= 100;`);
    engine.start();
    const consumer = kafka.consumer({ groupId: 'dashboard', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'slow_clicks', fromBeginning: true });
    const out: { key: string; value: unknown }[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void out.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) }) });

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'clicks',
      messages: [
        { key: 'u1', value: JSON.stringify({ PAGE: 'home', MS: 20 }) },
        { key: 'u2', value: JSON.stringify({ PAGE: 'cart', MS: 250 }) },
        { key: 'u3', value: JSON.stringify({ PAGE: 'pay', MS: 120 }) },
      ],
    });
    await until('two slow clicks', () => (out.length >= 2 ? true : undefined));
    // live: a record produced now flows through the running query to the consumer
    await producer.send({ topic: 'clicks', messages: [{ key: 'u4', value: JSON.stringify({ PAGE: 'help', MS: 999 }) }] });
    await until('the third slow click', () => (out.length >= 3 ? true : undefined));
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    await engine.stop();
    assert.deepEqual(
      out.sort((x, y) => x.key.localeCompare(y.key)),
      [
        { key: 'u2', value: { PAGE: 'CART', MS: 250 } },
        { key: 'u3', value: { PAGE: 'PAY', MS: 120 } },
        { key: 'u4', value: { PAGE: 'HELP', MS: 999 } },
      ],
    );
  });
});
