import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogError } from '../../src/common/errors.js';
import {
  KAFKA_DEFAULT_TOPIC_CONFIG,
  effectiveTopicConfig,
  parseTopicConfig,
  parseTopicOverrides,
  validatePartitionCount,
  validateTopicName,
} from '../../src/log/topic-config.js';

function isInvalidConfig(e: unknown): boolean {
  return e instanceof LogError && e.code === 'INVALID_CONFIG';
}

test('parses numbers and their string forms', () => {
  const c = parseTopicOverrides({ 'retention.ms': '1000', 'retention.bytes': -1, 'cleanup.policy': 'COMPACT', 'min.cleanable.dirty.ratio': '0.25' });
  assert.deepEqual(c, { 'retention.ms': 1000, 'retention.bytes': -1, 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': 0.25 });
  assert.equal(parseTopicOverrides({ 'cleanup.policy': 'delete,compact' })['cleanup.policy'], 'compact,delete');
});

test('rejects bad values and unknown keys with INVALID_CONFIG', () => {
  const bad: Record<string, unknown>[] = [
    { 'retention.ms': -2 },
    { 'retention.ms': 1.5 },
    { 'retention.bytes': 'lots' },
    { 'delete.retention.ms': -1 },
    { 'cleanup.policy': 'forever' },
    { 'cleanup.policy': '' },
    { 'min.cleanable.dirty.ratio': 2 },
    { 'segment.jiggle': 1 },
    { 'retention.ms': null },
  ];
  for (const input of bad) assert.throws(() => parseTopicOverrides(input as never, 't'), isInvalidConfig, JSON.stringify(input));
});

test('null resets an override only where allowed', () => {
  assert.deepEqual(parseTopicConfig({ 'retention.ms': null }, 't', true), { 'retention.ms': null });
});

test('effective config layers overrides over defaults', () => {
  const c = effectiveTopicConfig(KAFKA_DEFAULT_TOPIC_CONFIG, { 'retention.ms': 5 });
  assert.equal(c['retention.ms'], 5);
  assert.equal(c['cleanup.policy'], 'delete');
  assert.equal(c['retention.bytes'], -1);
});

test('topic names and partition counts follow Kafka rules', () => {
  assert.equal(validateTopicName('_sluice-commands.v1'), '_sluice-commands.v1');
  for (const name of ['', '.', '..', 'a b', 'x'.repeat(250), 'ü']) assert.throws(() => validateTopicName(name), isInvalidConfig, name);
  assert.equal(validatePartitionCount('t', 12), 12);
  for (const n of [0, -1, 1.5, '3', 1e6]) assert.throws(() => validatePartitionCount('t', n), isInvalidConfig, String(n));
});
