/** The Log contract on real Apache Kafka (the broker shared by the run's Kafka test files, see test/helpers/kafka-cluster.ts), and what kafkajs needed mending for. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.js';
import { kafkaSkipReason, sharedKafka, type KafkaCluster } from '../../helpers/kafka-cluster.js';
import { buf, eventually, kafkaLogContract, rejectsWith, str, type ContractTarget } from './kafka-log-contract.js';

const skip = kafkaSkipReason();

describe('KafkaLog on Apache Kafka', { skip, timeout: 240_000 }, () => {
  let cluster: KafkaCluster;
  const target = { markersTakeOffsets: true } as ContractTarget;
  let n = 0;
  const topic = () => `h${++n}-${Date.now()}`;

  before(async () => {
    cluster = await sharedKafka();
    target.bootstrap = cluster.bootstrap;
    target.log = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap, 'client.id': 'sluice-test' } });
  });
  after(async () => {
    await target.log?.close();
    await cluster?.stop();
  });

  kafkaLogContract(target);

  it('writes and reads headers with null values, plain and in a transaction', async () => {
    const name = topic();
    await target.log.createTopic(name, { partitions: 1 });
    const headers = [
      { key: 'a', value: null },
      { key: 'a', value: buf('x') },
      { key: 'b', value: null },
    ];
    await target.log.produce([{ topic: name, key: buf('k'), value: buf('v'), headers }]);
    await target.log.commitTransaction({ produce: [{ topic: name, key: buf('k2'), value: null, headers: [{ key: 'c', value: null }] }] });
    const got = await eventually(
      () => target.log.fetch(name, 0, 0n),
      (f) => f.records.length === 2,
    );
    assert.deepEqual(got.records[0]!.headers.map((h) => [h.key, str(h.value)]), [['a', null], ['a', 'x'], ['b', null]]);
    assert.deepEqual(got.records[1]!.headers.map((h) => [h.key, str(h.value)]), [['c', null]]);
    assert.equal(got.records[1]!.value, null);
  });

  it('fails clearly when no broker answers', async () => {
    await rejectsWith(KafkaLog.open({ properties: { 'bootstrap.servers': '127.0.0.1:1', 'request.timeout.ms': '2000' } }), 'IO');
  });
});
