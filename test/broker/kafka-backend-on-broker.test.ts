/**
 * The Kafka backend (src/log/kafka, kafkajs) against Sluice's own embedded broker instead of Apache
 * Kafka: the same Log contract as on the real broker, then the engine on top of it.
 */
import { after, before, describe } from 'node:test';
import { Engine } from '../../src/index.js';
import { KafkaBroker } from '../../src/broker/kafka-broker.js';
import { KafkaLog } from '../../src/log/kafka/index.js';
import { tempDir } from '../support/temp-dir.js';
import { kafkaLogContract, type ContractTarget } from './kafka-log-contract.js';

/** a broker over its own embedded log, on a free port */
async function startBroker() {
  const dir = await tempDir('sluice-broker-backend-');
  const engine = await Engine.open({ dataDir: dir.path });
  const broker = new KafkaBroker({ log: engine.log, listen: '127.0.0.1:0' });
  const address = await broker.listen();
  return {
    address,
    async stop() {
      await broker.close();
      await engine.close();
      await dir.cleanup();
    },
  };
}

describe('KafkaLog on the embedded broker', { timeout: 120_000 }, () => {
  let served: Awaited<ReturnType<typeof startBroker>>;
  const target = { markersTakeOffsets: false } as ContractTarget;
  before(async () => {
    served = await startBroker();
    target.bootstrap = served.address;
    target.log = await KafkaLog.open({ properties: { 'bootstrap.servers': served.address, 'client.id': 'sluice-test' } });
  });
  after(async () => {
    await target.log?.close();
    await served?.stop();
  });
  kafkaLogContract(target);
});
