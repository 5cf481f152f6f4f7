/**
 * Compaction and retention through the listener keep Kafka's semantics for clients: a compacted
 * topic serves the latest value per key with offsets that have gaps, consumers move past the gaps
 * (an empty batch where a fetch finds none), and a consumer below the log start offset is told
 * OFFSET_OUT_OF_RANGE and resets by its policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { until, missingTool, withBroker } from './broker-fixture.js';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const execFileAsync = promisify(execFile);

test('a compacted topic serves the latest value per key; kafkajs and kcat read past the gaps', async () => {
  await withBroker(async ({ address, engine }) => {
    const kafka = new Kafka({ brokers: [address], clientId: 'compact', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'latest', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }] }] });
    const p = kafka.producer();
    await p.connect();
    for (let round = 0; round < 5; round++) await p.send({ topic: 'latest', messages: ['a', 'b', 'c'].map((k) => ({ key: k, value: `${k}${round}` })) });
    await p.send({ topic: 'latest', messages: [{ key: 'tail', value: 'end' }] });
    await p.disconnect();
    const report = await engine.log.maintain(Date.now() + 1000);
    assert.ok(report.recordsCompacted > 0, 'compaction ran');
    const c = kafka.consumer({ groupId: 'compact', maxWaitTimeInMs: 100 });
    await c.connect();
    await c.subscribe({ topic: 'latest', fromBeginning: true });
    const seen: string[] = [];
    await c.run({ eachMessage: async ({ message }) => void seen.push(`${message.key}=${message.value}`) });
    await until('the tail record', () => (seen.includes('tail=end') ? true : undefined));
    await c.disconnect();
    await admin.disconnect();
    assert.deepEqual(seen.slice(-4).sort(), ['a=a4', 'b=b4', 'c=c4', 'tail=end']);
    assert.ok(seen.length < 16, `compacted away some of ${seen.length}`);
    if (!missingTool('kcat')) {
      const { stdout } = await execFileAsync('kcat', ['-C', '-b', address, '-t', 'latest', '-e', '-f', '%o %k=%s\\n']);
      const lines = stdout.trim().split('\n');
      assert.equal(lines[lines.length - 1], '15 tail=end');
      assert.ok(lines.length < 16);
    }
  });
});

test('a consumer whose committed offset fell below the log start resets by auto.offset.reset', async () => {
  await withBroker(async ({ address, engine }) => {
    await engine.log.createTopic('aging', { partitions: 1 });
    await engine.log.produce(Array.from({ length: 10 }, (_, i) => ({ topic: 'aging', partition: 0, key: null, value: Buffer.from(`v${i}`) })));
    await engine.log.commitOffsets('old-readers', [{ topic: 'aging', partition: 0, offset: 2n }]);
    await engine.log.deleteRecords('aging', 0, 6n);
    const kafka = new Kafka({ brokers: [address], clientId: 'aging', logLevel: logLevel.NOTHING });
    const c = kafka.consumer({ groupId: 'old-readers', maxWaitTimeInMs: 100 });
    await c.connect();
    await c.subscribe({ topic: 'aging', fromBeginning: true });
    const seen: string[] = [];
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until('4 records', () => (seen.length >= 4 ? true : undefined));
    await c.disconnect();
    assert.deepEqual(seen, ['v6', 'v7', 'v8', 'v9']);
  });
});
