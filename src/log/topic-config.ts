/**
 * Topic config parsing and validation, Kafka key names and defaults. Adapter-neutral: a kafkajs
 * adapter validates the same way before sending configs to the brokers.
 */
import { LogError } from '../common/errors.js';
import type { CleanupPolicy, TopicConfig, TopicConfigInput } from './log.js';

/** Kafka's broker defaults (log.retention.hours=168, log.cleaner.delete.retention.ms=1 day, ...). */
export const KAFKA_DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': 7 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'delete.retention.ms': 24 * 3600 * 1000,
  'min.cleanable.dirty.ratio': 0.5,
  // Kafka's message.max.bytes default: 1 MiB plus the 12 bytes of Kafka's log entry overhead
  'max.message.bytes': 1048588,
});

const CONFIG_KEYS = Object.keys(KAFKA_DEFAULT_TOPIC_CONFIG) as (keyof TopicConfig)[];

/** Largest partition count a topic may have (also bounds the key layout's u32 partition). */
export const MAX_PARTITIONS = 100_000;

function invalid(topic: string | undefined, message: string): LogError {
  return new LogError(topic === undefined ? message : `topic '${topic}': ${message}`, 'INVALID_CONFIG', topic === undefined ? {} : { topic });
}

function parseInteger(topic: string | undefined, key: string, raw: unknown, min: number): number {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw invalid(topic, `invalid value ${JSON.stringify(raw)} for '${key}': expected an integer >= ${min}`);
  }
  return n;
}

function parsePolicy(topic: string | undefined, raw: unknown): CleanupPolicy {
  if (typeof raw === 'string') {
    const parts = raw.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
    const set = new Set(parts);
    if (parts.length > 0 && [...set].every((p) => p === 'delete' || p === 'compact')) {
      if (set.size === 2) return 'compact,delete';
      return parts[0] as CleanupPolicy;
    }
  }
  throw invalid(topic, `invalid value ${JSON.stringify(raw)} for 'cleanup.policy': expected delete, compact or compact,delete`);
}

function parseValue<K extends keyof TopicConfig>(topic: string | undefined, key: K, raw: unknown): TopicConfig[K] {
  switch (key) {
    case 'cleanup.policy':
      return parsePolicy(topic, raw) as TopicConfig[K];
    case 'retention.ms':
    case 'retention.bytes':
      return parseInteger(topic, key, raw, -1) as TopicConfig[K];
    case 'delete.retention.ms':
    case 'max.message.bytes':
      return parseInteger(topic, key, raw, 0) as TopicConfig[K];
    case 'min.cleanable.dirty.ratio': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) {
        throw invalid(topic, `invalid value ${JSON.stringify(raw)} for 'min.cleanable.dirty.ratio': expected a number in [0, 1]`);
      }
      return n as TopicConfig[K];
    }
  }
  throw invalid(topic, `unknown config '${String(key)}'`);
}

/**
 * Validates config input into typed values. Unknown keys are rejected (as Kafka does); null
 * values are kept as null (meaning "remove the override") only when allowNull.
 */
export function parseTopicConfig(
  input: TopicConfigInput | undefined,
  topic?: string,
  allowNull = false,
): { [K in keyof TopicConfig]?: TopicConfig[K] | null } {
  const out: { [K in keyof TopicConfig]?: TopicConfig[K] | null } = {};
  if (input === undefined) return out;
  if (input === null || typeof input !== 'object') throw invalid(topic, 'config must be an object');
  for (const [key, raw] of Object.entries(input)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) {
      throw invalid(topic, `unknown config '${key}' (supported: ${CONFIG_KEYS.join(', ')})`);
    }
    const k = key as keyof TopicConfig;
    if (raw === undefined) continue;
    if (raw === null) {
      if (!allowNull) throw invalid(topic, `config '${key}' must have a value`);
      out[k] = null as never;
      continue;
    }
    out[k] = parseValue(topic, k, raw) as never;
  }
  return out;
}

/** Overrides without nulls: what a topic stores. */
export function parseTopicOverrides(input: TopicConfigInput | undefined, topic?: string): Partial<TopicConfig> {
  return parseTopicConfig(input, topic, false) as Partial<TopicConfig>;
}

/** Defaults (already validated) with a topic's overrides on top. */
export function effectiveTopicConfig(defaults: TopicConfig, overrides: Partial<TopicConfig>): TopicConfig {
  return { ...defaults, ...overrides };
}

export function validatePartitionCount(topic: string, partitions: unknown): number {
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw invalid(topic, `invalid partition count ${JSON.stringify(partitions)}: expected an integer in [1, ${MAX_PARTITIONS}]`);
  }
  return partitions;
}

/** Kafka's topic name rule: 1..249 chars of [a-zA-Z0-9._-], not '.' or '..'. */
export function validateTopicName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 249 || !/^[a-zA-Z0-9._-]+$/.test(name) || name === '.' || name === '..') {
    throw new LogError(
      `invalid topic name ${JSON.stringify(name)}: use 1 to 249 of the characters a-z A-Z 0-9 . _ - (not '.' or '..')`,
      'INVALID_CONFIG',
    );
  }
  return name;
}

export function policyDeletes(policy: CleanupPolicy): boolean {
  return policy !== 'compact';
}

export function policyCompacts(policy: CleanupPolicy): boolean {
  return policy !== 'delete';
}
