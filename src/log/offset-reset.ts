/**
 * Kafka's auto.offset.reset for any Log: where a consumer starts when it has no committed offset
 * or its position fell out of the log (retention moved the start offset past it).
 */
import { LogError } from '../common/errors.js';
import type { FetchOptions, FetchResult, Log } from './log.js';

/** 'none' raises OFFSET_OUT_OF_RANGE instead of resetting. */
export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

/**
 * The offset to fetch from: `position` when it is inside [log start, high watermark], otherwise
 * the log start (earliest) or the high watermark (latest). An undefined position (nothing
 * committed) resets the same way.
 */
export async function resolveStartOffset(
  log: Log,
  topic: string,
  partition: number,
  position: bigint | undefined,
  policy: OffsetResetPolicy,
): Promise<bigint> {
  const [earliest, latest] = await Promise.all([log.earliestOffset(topic, partition), log.latestOffset(topic, partition)]);
  if (position !== undefined && position >= earliest && position <= latest) return position;
  if (policy === 'earliest') return earliest;
  if (policy === 'latest') return latest;
  throw new LogError(
    position === undefined
      ? `no committed offset for ${topic}-${partition} and auto.offset.reset is none`
      : `offset ${position} is out of range for ${topic}-${partition} (log start ${earliest}, high watermark ${latest})`,
    'OFFSET_OUT_OF_RANGE',
    { topic, partition, ...(position === undefined ? {} : { offset: position }) },
  );
}

/**
 * fetch() that applies the reset policy when the position is out of range; the result's records
 * and nextOffset tell where the consumer really is.
 */
export async function fetchWithReset(
  log: Log,
  topic: string,
  partition: number,
  position: bigint,
  policy: OffsetResetPolicy,
  options?: FetchOptions,
): Promise<FetchResult> {
  try {
    return await log.fetch(topic, partition, position, options);
  } catch (err) {
    if (!(err instanceof LogError) || err.code !== 'OFFSET_OUT_OF_RANGE' || policy === 'none') throw err;
    const start = await resolveStartOffset(log, topic, partition, position, policy);
    return log.fetch(topic, partition, start, options);
  }
}
