/**
 * Produce: parses each partition's record batches (CRC32C, any codec), applies the idempotent
 * producer's sequence checks, and appends the records to the embedded log, or stages them in
 * the producer's open transaction (they reach the log, atomically, at EndTxn commit).
 */
import { LogError } from '../../common/errors.js';
import type { ProduceRecord } from '../../log/log.js';
import { isInternalTopic, mayWrite, type RequestContext } from '../broker-context.js';

class InternalTopicError extends Error {}
class NotAuthorizedError extends Error {}
import { ErrorCode, errorCodeOf, errorMessageOf } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';
import { CorruptBatchError, parseBatches, type RecordBatch } from '../record-batch.js';
import { ensureTopic } from './cluster.js';

/** a response body of null means: send nothing (acks=0) */
export const NO_RESPONSE: Msg = Object.freeze({ __noResponse: true });

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: Msg[];
  errorMessage: string | null;
}

function fail(index: number, errorCode: number, errorMessage: string | null = null): PartitionResult {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage };
}

function toProduceRecords(topic: string, partition: number, batch: RecordBatch, now: number): ProduceRecord[] {
  return batch.records.map((r) => ({ topic, partition, key: r.key, value: r.value, timestamp: r.timestamp >= 0 ? r.timestamp : now, headers: r.headers }));
}

async function producePartition(ctx: RequestContext, topic: string, maxMessageBytes: number, part: Msg, transactionalId: string | null): Promise<PartitionResult> {
  const index: number = part.index;
  const log = ctx.broker.log;
  let batches: RecordBatch[];
  try {
    batches = await parseBatches(part.records ?? Buffer.alloc(0));
  } catch (e) {
    if (e instanceof CorruptBatchError) return fail(index, ErrorCode.CORRUPT_MESSAGE, e.message);
    throw e;
  }
  if (batches.length === 0) return fail(index, ErrorCode.INVALID_RECORD, 'no record batch');
  let first: bigint | undefined;
  const now = Date.now();
  for (const batch of batches) {
    if (batch.size > maxMessageBytes) return fail(index, ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${batch.size} bytes exceeds max.message.bytes ${maxMessageBytes}`);
    if (batch.isControl) return fail(index, ErrorCode.INVALID_RECORD, 'clients may not produce control batches');
    const producers = ctx.broker.producers;
    const check = producers.checkSequence(batch, topic, index);
    if (check.errorCode !== ErrorCode.NONE) return fail(index, check.errorCode, check.message ?? null);
    if (check.duplicateOf !== undefined) {
      first ??= check.duplicateOf;
      continue;
    }
    const records = toProduceRecords(topic, index, batch, now);
    let base: bigint;
    if (batch.isTransactional) {
      const staged = producers.stage(transactionalId, batch, topic, index, records);
      if (staged.errorCode !== ErrorCode.NONE) return fail(index, staged.errorCode, staged.message ?? null);
      base = -1n;
    } else {
      const [res] = await log.produce(records);
      base = res ? res.baseOffset : await log.latestOffset(topic, index);
    }
    producers.recordAppended(batch, topic, index, base);
    first ??= base;
  }
  return { index, errorCode: 0, baseOffset: first ?? -1n, logAppendTimeMs: -1n, logStartOffset: await log.earliestOffset(topic, index), recordErrors: [], errorMessage: null };
}

export async function produce(req: Msg, ctx: RequestContext): Promise<Msg> {
  const responses = await Promise.all(
    (req.topicData as Msg[]).map(async (t) => {
      const name: string = t.name;
      let maxMessageBytes = Number.MAX_SAFE_INTEGER;
      let partitions = 0;
      let topicError = 0;
      try {
        if (isInternalTopic(name)) throw new InternalTopicError();
        if (!mayWrite(ctx)) throw new NotAuthorizedError();
        const d = await ensureTopic(ctx, name, true);
        if (d === null) topicError = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (d === 'invalid') topicError = ErrorCode.INVALID_TOPIC_EXCEPTION;
        else {
          maxMessageBytes = d.config['max.message.bytes'];
          partitions = d.partitions.length;
        }
      } catch (e) {
        topicError = e instanceof InternalTopicError ? ErrorCode.INVALID_TOPIC_EXCEPTION : e instanceof NotAuthorizedError ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : errorCodeOf(e);
      }
      const partitionResponses = await Promise.all(
        (t.partitionData as Msg[]).map(async (p) => {
          if (topicError) return fail(p.index, topicError);
          if (p.index < 0 || p.index >= partitions) return fail(p.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          try {
            return await producePartition(ctx, name, maxMessageBytes, p, req.transactionalId);
          } catch (e) {
            const code = e instanceof LogError && e.code === 'INVALID_CONFIG' ? ErrorCode.MESSAGE_TOO_LARGE : errorCodeOf(e);
            return fail(p.index, code, errorMessageOf(e));
          }
        }),
      );
      return { name, partitionResponses };
    }),
  );
  if (req.acks === 0) return NO_RESPONSE;
  return { responses, throttleTimeMs: 0 };
}
