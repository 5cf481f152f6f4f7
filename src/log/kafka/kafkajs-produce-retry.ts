/**
 * kafkajs 2.2's producer loses or duplicates records when a partition's leader moves during a
 * send (a broker failing over). Its send keeps one response per *broker* across retries:
 *
 * - lost: partitions whose leader moved from the broker that failed to a broker that had already
 *   answered for other partitions are never sent again, yet the send succeeds (in a transaction,
 *   the offsets then commit without those records);
 * - duplicated: a retry starts while another broker's request is still in flight (the first
 *   failure ends the attempt), so that broker gets its partitions a second time with new sequence
 *   numbers, which the broker cannot recognise as a retry (in a transaction, both copies commit).
 *
 * This builds kafkajs's producers with a send that keeps a response per *partition*, resends every
 * partition without one to its current leader, and lets every request of an attempt finish before
 * the next attempt. Everything else is kafkajs's own code: a private copy of its producer module is
 * loaded with this send in place of its own (kafkajs loads its producer once, at import).
 */
import { createRequire } from 'node:module';
import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { debugEnabled, debugLog } from '../../common/debug-log.js';

const require = createRequire(import.meta.url);

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const { KafkaJSMetadataNotLoaded } = require('kafkajs/src/errors.js') as Any;
const { staleMetadata } = require('kafkajs/src/protocol/error.js') as Any;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as Any;
const createTopicData = require('kafkajs/src/producer/createTopicData.js') as Any;
const responseSerializer = require('kafkajs/src/producer/responseSerializer.js') as Any;
const InstrumentationEventEmitter = require('kafkajs/src/instrumentation/emitter.js') as Any;

/** kafkajs's sendMessages (src/producer/sendMessages.js) with per-partition retries */
function createSendMessages({ cluster, partitioner, eosManager, retrier, logger }: Any) {
  return async ({ acks, timeout, compression, topicMessages }: Any) => {
    /** `topic\0partition` -> that partition's produce response entries */
    const done = new Map<string, unknown[]>();
    /** brokers that answered in an earlier attempt (SLUICE_DEBUG: where kafkajs's own send would have gone wrong) */
    const answered = new Set<string>();
    const key = (topic: string, partition: number | string) => `${topic}\u0000${partition}`;

    const createProducerRequests = async (): Promise<Promise<void>[]> => {
      await cluster.refreshMetadataIfNecessary();
      const perLeader = new Map<string, { topic: string; partitions: number[]; messagesPerPartition: Any }[]>();
      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
        if (partitionMetadata.length === 0) throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata');
        const messagesPerPartition = groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner });
        // only partitions no broker has acknowledged yet, each to its leader now
        const pending = Object.keys(messagesPerPartition).filter((p) => !done.has(key(topic, p)));
        if (pending.length === 0) continue;
        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, pending) as Record<string, number[]>;
        for (const [nodeId, partitions] of Object.entries(partitionsPerLeader)) {
          if (debugEnabled && answered.has(nodeId)) debugLog(`produce retry: ${topic} partitions ${partitions.join(',')} moved to broker ${nodeId}, which already answered (kafkajs's own send would skip them)`);
          let list = perLeader.get(nodeId);
          if (!list) perLeader.set(nodeId, (list = []));
          list.push({ topic, partitions, messagesPerPartition });
        }
      }
      return [...perLeader].map(async ([nodeId, topicDataForBroker]) => {
        const broker = await cluster.findBroker({ nodeId });
        const topicData = createTopicData(topicDataForBroker) as { topic: string; partitions: { partition: number; messages: unknown[]; firstSequence?: number }[] }[];
        await eosManager.acquireBrokerLock(broker);
        try {
          if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
          for (const { topic, partitions } of topicData)
            for (const entry of partitions) {
              entry.firstSequence = eosManager.getSequence(topic, entry.partition);
              eosManager.updateSequence(topic, entry.partition, entry.messages.length);
            }
          let response;
          try {
            response = await broker.produce({
              transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
              producerId: eosManager.getProducerId(),
              producerEpoch: eosManager.getProducerEpoch(),
              acks,
              timeout,
              compression,
              topicData,
            });
          } catch (e) {
            // not acknowledged: the same sequence numbers go out again (a broker that did write it answers as for a retry)
            for (const { topic, partitions } of topicData) for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
            throw e;
          }
          const entries = (acks !== 0 ? responseSerializer(response) : []) as { topicName: string; partition: number }[];
          for (const { topic, partitions } of topicData)
            for (const { partition } of partitions) done.set(key(topic, partition), entries.filter((r) => r.topicName === topic && r.partition === partition));
          answered.add(String(nodeId));
        } finally {
          await eosManager.releaseBrokerLock(broker);
        }
      });
    };

    return retrier(async (bail: (e: unknown) => void, retryCount: number, retryTime: number) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }: Any) => topic));
      try {
        // every request settles before a retry: one still in flight would otherwise be sent twice
        const requests = await createProducerRequests();
        if (debugEnabled && requests.length > 1) {
          // the first failure ends kafkajs's own attempt: a request still in flight then was sent again
          let settled = 0;
          let failedFirst = false;
          for (const r of requests)
            r.then(
              () => void settled++,
              () => {
                if (!failedFirst && requests.length - settled - 1 > 0) debugLog(`produce retry: a request failed while ${requests.length - settled - 1} other(s) were in flight (kafkajs's own send sends those again if they are still in flight when it retries)`);
                failedFirst = true;
                settled++;
              },
            );
        }
        const results = await Promise.allSettled(requests);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        return [...done.values()].flat();
      } catch (e) {
        const err = e as Any;
        if (err.name === 'KafkaJSConnectionClosedError') cluster.removeBroker({ host: err.host, port: err.port });
        if (!cluster.isConnected()) {
          await cluster.connect();
          await cluster.refreshMetadata();
          throw e;
        }
        if (
          staleMetadata(err) ||
          err.name === 'KafkaJSMetadataNotLoaded' ||
          err.name === 'KafkaJSConnectionError' ||
          err.name === 'KafkaJSConnectionClosedError' ||
          (err.name === 'KafkaJSProtocolError' && err.retriable)
        ) {
          logger.error(`Failed to send messages: ${err.message}`, { retryCount, retryTime });
          await cluster.refreshMetadata();
          throw e;
        }
        logger.error(`${err.message}`, { retryCount, retryTime });
        if (err.retriable) throw e;
        bail(e);
      }
    });
  };
}

/** kafkajs's createProducer, from a private copy of its producer module that sends with createSendMessages */
const createProducer = (() => {
  const paths = ['kafkajs/src/producer/index.js', 'kafkajs/src/producer/messageProducer.js', 'kafkajs/src/producer/sendMessages.js'].map((p) => require.resolve(p));
  const [producerPath, messageProducerPath, sendMessagesPath] = paths as [string, string, string];
  require(producerPath);
  const saved = paths.map((p) => require.cache[p]);
  const sendModule = require.cache[sendMessagesPath]!;
  const original = sendModule.exports;
  try {
    delete require.cache[producerPath];
    delete require.cache[messageProducerPath];
    sendModule.exports = createSendMessages;
    return require(producerPath) as (options: object) => Producer;
  } finally {
    // kafkajs's own modules stay as they were for everyone else
    sendModule.exports = original;
    paths.forEach((p, i) => {
      if (saved[i]) require.cache[p] = saved[i];
    });
  }
})();

/** `kafka.producer(config)` (kafkajs 2.2's Kafka#producer), with the send above */
export function createKafkaProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  const slots = kafka as unknown as Record<symbol, Any>;
  const symbol = (name: string) => {
    const s = Object.getOwnPropertySymbols(kafka).find((x) => x.description === `private:Kafka:${name}`);
    if (!s) throw new Error(`this kafkajs version does not expose its ${name} (expected kafkajs 2.x)`);
    return s;
  };
  const { createPartitioner, retry, metadataMaxAge = 300_000, allowAutoTopicCreation, idempotent, transactionalId, transactionTimeout, maxInFlightRequests } = config;
  const instrumentationEmitter = new InstrumentationEventEmitter();
  const cluster = slots[symbol('createCluster')]({ metadataMaxAge, allowAutoTopicCreation, maxInFlightRequests, instrumentationEmitter });
  return createProducer({
    retry: { ...slots[symbol('clusterRetry')], ...retry },
    logger: slots[symbol('logger')],
    cluster,
    createPartitioner,
    idempotent,
    transactionalId,
    transactionTimeout,
    instrumentationEmitter,
  });
}
