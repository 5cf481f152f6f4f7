/** kafkajs errors as the Log contract's LogError codes, with the topic/partition they concern. */
import { LogError } from '../../common/errors.js';

const CODES: Record<string, LogError['code']> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'UNKNOWN_TOPIC',
  TOPIC_ALREADY_EXISTS: 'TOPIC_EXISTS',
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  INVALID_PARTITIONS: 'INVALID_CONFIG',
  INVALID_REPLICATION_FACTOR: 'INVALID_CONFIG',
  INVALID_CONFIG: 'INVALID_CONFIG',
  INVALID_TOPIC_EXCEPTION: 'INVALID_CONFIG',
  POLICY_VIOLATION: 'INVALID_CONFIG',
  MESSAGE_TOO_LARGE: 'RECORD_TOO_LARGE',
  RECORD_LIST_TOO_LARGE: 'RECORD_TOO_LARGE',
  PRODUCER_FENCED: 'FENCED',
  INVALID_PRODUCER_EPOCH: 'FENCED',
  ILLEGAL_GENERATION: 'FENCED',
  UNKNOWN_MEMBER_ID: 'FENCED',
  FENCED_INSTANCE_ID: 'FENCED',
  // an offset commit while the group syncs a new generation: the committing member's tasks are revoked
  REBALANCE_IN_PROGRESS: 'FENCED',
};

/** the protocol error type inside a kafkajs error (retries and aggregate errors wrap it) */
export function kafkaErrorType(e: unknown): string | undefined {
  let cur = e as { type?: string; cause?: unknown; originalError?: unknown; errors?: unknown[]; topicErrors?: { error?: unknown; errorCode?: number; errorMessage?: string; type?: string }[] } | undefined;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (cur.type && cur.type !== 'UNKNOWN') return cur.type;
    const nested = cur.topicErrors?.[0] ?? cur.errors?.[0];
    cur = (cur.originalError ?? cur.cause ?? nested) as typeof cur;
  }
  return undefined;
}

export function toLogError(e: unknown, context: { topic?: string; partition?: number; offset?: bigint } = {}, what = 'Kafka request failed'): LogError {
  if (e instanceof LogError) return e;
  const type = kafkaErrorType(e);
  const code: LogError['code'] = (type ? CODES[type] : undefined) ?? 'IO';
  const message = e instanceof Error ? e.message : String(e);
  const where = context.topic ? ` (${context.topic}${context.partition !== undefined ? `-${context.partition}` : ''})` : '';
  const err = new LogError(`${what}${where}: ${message}`, code, context);
  (err as { cause?: unknown }).cause = e;
  return err;
}
