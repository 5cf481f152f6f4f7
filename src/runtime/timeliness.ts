/**
 * When a task reads and when it commits, in the terms Kafka's clients use. A task's outputs,
 * state changes and input offsets are written by one commit, so a commit is also when its outputs
 * become readable (as with Kafka Streams under exactly-once):
 *
 * - `max.poll.records`: records per fetch of one partition and per step (default 1000).
 * - `commit.interval.ms`: the least time between two commits (default 0: every step commits, as
 *   before; Kafka Streams' own default is 30000, ksqlDB's 2000).
 * - `linger.ms`: how long the outputs of a step that did not fill a poll may wait for more before
 *   they are committed (default 0); `batch.size` ends the wait early once that many bytes wait.
 * - `buffer.memory`: the most output bytes a task holds uncommitted (default 32 MiB); reaching it
 *   commits at once whatever the settings say, and the task reads nothing more until the commit is
 *   written, so a slow sink slows its sources instead of growing memory.
 *
 * - `fetch.max.wait.ms`: how long the engine, idle and woken by new input, lets more input gather
 *   before it reads (default 5; Kafka's consumer waits up to 500 ms for `fetch.min.bytes`). A step
 *   costs about the same fetch and commit work whether it takes one producer batch or fifty, so at
 *   low rates this cuts that work several-fold for at most this much latency. A task with a
 *   backlog reads on without waiting.
 *
 * Each name is also read with the `ksql.streams.` prefix, and the producer's and consumer's with
 * `ksql.streams.producer.` / `ksql.streams.consumer.` (and `producer.` / `consumer.`).
 */
import { ConfigError } from '../common/errors.js';

export interface Timeliness {
  readonly maxPollRecords: number;
  readonly commitIntervalMs: number;
  readonly lingerMs: number;
  readonly batchBytes: number;
  readonly bufferMemory: number;
  readonly fetchMaxWaitMs: number;
}

export const DEFAULT_BUFFER_MEMORY = 32 * 1024 * 1024;
/** Kafka's producer default */
export const DEFAULT_BATCH_BYTES = 16_384;
export const DEFAULT_FETCH_MAX_WAIT_MS = 5;

function setting(config: ReadonlyMap<string, string>, name: string, client: 'producer' | 'consumer' | undefined, fallback: number, min: number): number {
  const names = [name, `ksql.streams.${name}`];
  if (client) names.push(`${client}.${name}`, `ksql.streams.${client}.${name}`);
  for (const n of names) {
    const text = config.get(n);
    if (text === undefined) continue;
    const v = Number(text.trim());
    if (!Number.isInteger(v) || v < min) throw new ConfigError(`Invalid value ${text} for configuration ${n}: must be an integer of at least ${min}`);
    return v;
  }
  return fallback;
}

export function timeliness(config: ReadonlyMap<string, string>, defaultPollRecords = 1000): Timeliness {
  return {
    maxPollRecords: setting(config, 'max.poll.records', 'consumer', defaultPollRecords, 1),
    commitIntervalMs: setting(config, 'commit.interval.ms', undefined, 0, 0),
    lingerMs: setting(config, 'linger.ms', 'producer', 0, 0),
    batchBytes: setting(config, 'batch.size', 'producer', DEFAULT_BATCH_BYTES, 0),
    bufferMemory: setting(config, 'buffer.memory', 'producer', DEFAULT_BUFFER_MEMORY, 1),
    fetchMaxWaitMs: fetchMaxWaitMs(config),
  };
}

/** fetch.max.wait.ms (the engine's wait for more input once woken); an invalid value is refused */
export function fetchMaxWaitMs(config: ReadonlyMap<string, string>): number {
  return setting(config, 'fetch.max.wait.ms', 'consumer', DEFAULT_FETCH_MAX_WAIT_MS, 0);
}
