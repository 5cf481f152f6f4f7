import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogError } from '../../../src/common/errors.js';
import { KAFKA_DEFAULT_TOPIC_CONFIG } from '../../../src/log/topic-config.js';
import { buf, withLog } from '../log-test-helpers.js';

function tooLarge(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LogError, `expected a LogError, got ${String(e)}`);
    assert.equal(e.code, 'RECORD_TOO_LARGE');
    assert.match(e.message, pattern);
    return true;
  };
}

test("max.message.bytes defaults to Kafka's 1048588 and rejects bigger records at produce time, writing nothing", () =>
  withLog(async (log) => {
    assert.equal(KAFKA_DEFAULT_TOPIC_CONFIG['max.message.bytes'], 1048588);
    await log.createTopic('t', { partitions: 1 });
    assert.equal((await log.describeTopic('t')).config['max.message.bytes'], 1048588);
    // a 1 MiB value plus the batch header is over the limit, as it is in Kafka
    await assert.rejects(
      log.produce([
        { topic: 't', key: null, value: buf('small') },
        { topic: 't', key: buf('k'), value: Buffer.alloc(1 << 20) },
      ]),
      tooLarge(/topic 't': a record of 1048624 bytes \(as stored\) is over the topic's max\.message\.bytes \(1048588\)/),
    );
    assert.equal(await log.latestOffset('t', 0), 0n, 'nothing of the call was written');
    await log.produce([{ topic: 't', key: null, value: Buffer.alloc(1048500) }]);
    assert.equal(await log.latestOffset('t', 0), 1n);
    await assert.rejects(log.commitTransaction({ produce: [{ topic: 't', key: null, value: Buffer.alloc(2 << 20) }] }), tooLarge(/max\.message\.bytes/));
  }));

test('max.message.bytes is a topic config: set at creation, changed, reset, validated; headers count', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1, config: { 'max.message.bytes': '100' } });
    await log.produce([{ topic: 't', key: buf('k'), value: Buffer.alloc(50) }]);
    await assert.rejects(log.produce([{ topic: 't', key: buf('k'), value: Buffer.alloc(60) }]), tooLarge(/of 106 bytes.*\(100\)/));
    await assert.rejects(
      log.produce([{ topic: 't', key: null, value: Buffer.alloc(40), headers: [{ key: 'h', value: Buffer.alloc(20) }] }]),
      tooLarge(/\(100\)/),
    );
    await log.updateTopicConfig('t', { 'max.message.bytes': 1000 });
    await log.produce([{ topic: 't', key: buf('k'), value: Buffer.alloc(60) }]);
    await log.updateTopicConfig('t', { 'max.message.bytes': null });
    await log.produce([{ topic: 't', key: buf('k'), value: Buffer.alloc(5000) }]);
    assert.equal(await log.latestOffset('t', 0), 3n);
    await assert.rejects(log.createTopic('u', { partitions: 1, config: { 'max.message.bytes': -1 } }), (e: unknown) => e instanceof LogError && e.code === 'INVALID_CONFIG');
  }));
