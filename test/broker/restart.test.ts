/**
 * Nothing committed is lost across a restart: records a client produced and the offsets a group
 * committed through the listener are in the data directory, so after the engine and broker stop
 * and start again a consumer in the same group resumes where it left off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { Engine } from '../../src/index.js';
import { KafkaBroker } from '../../src/broker/kafka-broker.js';
import { tempDir } from '../support/temp-dir.js';
import { until } from './broker-fixture.js';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

async function session<T>(dataDir: string, work: (address: string) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ dataDir });
  const broker = new KafkaBroker({ log: engine.log, listen: '127.0.0.1:0' });
  try {
    return await work(await broker.listen());
  } finally {
    await broker.close();
    await engine.close();
  }
}

async function consumeAll(address: string, expect: number): Promise<string[]> {
  const kafka = new Kafka({ brokers: [address], clientId: 'restart', logLevel: logLevel.NOTHING });
  const c = kafka.consumer({ groupId: 'durable', maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topic: 'durable', fromBeginning: true });
  const seen: string[] = [];
  await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await until(`${expect} records`, () => (seen.length >= expect ? true : undefined));
  await new Promise((r) => setTimeout(r, 300));
  await c.disconnect();
  return seen;
}

test('records and committed group offsets survive a restart of engine and listener', async () => {
  const dir = await tempDir('sluice-broker-restart-');
  try {
    await session(dir.path, async (address) => {
      const kafka = new Kafka({ brokers: [address], clientId: 'restart', logLevel: logLevel.NOTHING });
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      await p.send({ topic: 'durable', messages: Array.from({ length: 10 }, (_, i) => ({ value: `first-${i}` })) });
      await p.disconnect();
      assert.equal((await consumeAll(address, 10)).length, 10);
    });
    await session(dir.path, async (address) => {
      const kafka = new Kafka({ brokers: [address], clientId: 'restart', logLevel: logLevel.NOTHING });
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      await p.send({ topic: 'durable', messages: [{ value: 'after-restart' }] });
      await p.disconnect();
      assert.deepEqual(await consumeAll(address, 1), ['after-restart']);
    });
  } finally {
    await dir.cleanup();
  }
});
