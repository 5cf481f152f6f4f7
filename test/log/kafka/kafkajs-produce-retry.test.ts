/**
 * The producer's send when a partition's leader moves during the send (kafkajs-produce-retry.ts),
 * on the shared Apache Kafka broker. The producer's metadata is made to say that partition 1 is
 * led by another broker: a real TCP server that takes the connection and drops it on the request,
 * as a broker does when it dies mid-request. The retry then finds partition 1 on the broker that
 * already answered for partition 0: kafkajs 2.2's own send reports success without writing it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { KafkaLog } from '../../../src/log/kafka/index.js';
import { createKafkaProducer } from '../../../src/log/kafka/kafkajs-produce-retry.js';
import { kafkaSkipReason, sharedKafka, type KafkaCluster } from '../../helpers/kafka-cluster.js';

const skip = kafkaSkipReason();

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** a Kafka client whose clusters (metadata and connections) the test can reach */
function clientWithClusters(bootstrap: string): { kafka: Kafka; clusters: Any[] } {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'produce-retry-test', logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 } });
  const clusters: Any[] = [];
  const slots = kafka as unknown as Record<symbol, (o: object) => Any>;
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')!;
  const original = slots[symbol]!;
  slots[symbol] = (options: object) => {
    const cluster = original(options);
    clusters.push(cluster);
    return cluster;
  };
  return { kafka, clusters };
}

/** the producer's metadata says `partition` of `topic` is led by a broker at `port` (node 999) */
async function moveLeaderTo(cluster: Any, topic: string, partition: number, port: number): Promise<void> {
  const pool = cluster.brokerPool;
  pool.brokers['999'] = pool.createBroker({ logger: pool.rootLogger, versions: pool.versions, connectionPool: await pool.connectionPoolBuilder.build({ host: '127.0.0.1', port }), nodeId: 999 });
  const meta = pool.metadata.topicMetadata.find((t: Any) => t.topic === topic);
  meta.partitionMetadata.find((p: Any) => p.partitionId === partition).leader = 999;
}

describe('producing while a partition leader moves', { skip, timeout: 120_000 }, () => {
  let cluster: KafkaCluster;
  let log: KafkaLog;
  let dying: Server;
  let port = 0;
  const sockets = new Set<Socket>();

  before(async () => {
    cluster = await sharedKafka();
    log = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap } });
    // a "broker" that accepts connections and drops each one at its first request
    dying = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => socket.destroy());
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => dying.listen(0, '127.0.0.1', r));
    port = (dying.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => dying?.close(r));
    await log?.close();
    await cluster?.stop();
  });

  for (const mode of ['idempotent', 'transactional'] as const) {
    it(`writes every partition once when one moves to a broker that already answered (${mode})`, async () => {
      const topic = `moved-${mode}-${Date.now()}`;
      await log.createTopic(topic, { partitions: 2 });
      const { kafka, clusters } = clientWithClusters(cluster.bootstrap);
      const producer: Producer = createKafkaProducer(kafka, {
        idempotent: true,
        maxInFlightRequests: 1,
        ...(mode === 'transactional' ? { transactionalId: `moved-${Date.now()}` } : {}),
      });
      await producer.connect();
      try {
        const send = async (values: [string, string]) => {
          const topicMessages = [{ topic, messages: [{ partition: 0, value: values[0] }, { partition: 1, value: values[1] }] }];
          if (mode === 'idempotent') return producer.sendBatch({ acks: -1, topicMessages });
          const t = await producer.transaction();
          const meta = await t.sendBatch({ acks: -1, topicMessages });
          await t.commit();
          return meta;
        };
        // metadata loaded and the real broker connected
        await send(['a0', 'a1']);
        const producerCluster = clusters.find((c) => c.brokerPool.metadata?.topicMetadata?.some((t: Any) => t.topic === topic));
        assert.ok(producerCluster, "the producer's cluster");
        await moveLeaderTo(producerCluster, topic, 1, port);
        const meta = await send(['b0', 'b1']);
        assert.deepEqual(meta.map((m) => m.partition).sort(), [0, 1], 'an acknowledgement for each partition');
        for (const partition of [0, 1]) {
          // a transaction's commit markers reach its partitions after EndTxn answers, so a
          // read-committed fetch may briefly see only the earlier transaction
          let f = await log.fetch(topic, partition, 0n);
          for (let tries = 0; f.records.length < 2 && tries < 100; tries++) {
            await new Promise((r) => setTimeout(r, 100));
            f = await log.fetch(topic, partition, 0n);
          }
          assert.deepEqual(
            f.records.map((r) => r.value?.toString()),
            [`a${partition}`, `b${partition}`],
            `partition ${partition} holds each record once`,
          );
        }
      } finally {
        await producer.disconnect();
      }
    });
  }
});
