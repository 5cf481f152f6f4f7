/** InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn (see producer-states.ts). */
import { mayWrite, type RequestContext } from '../broker-context.js';
import { ErrorCode, errorCodeOf } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';

export async function initProducerId(req: Msg, ctx: RequestContext): Promise<Msg> {
  if (!mayWrite(ctx)) {
    const errorCode = req.transactionalId ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1, ongoingTxnProducerId: -1n };
  }
  const r = ctx.broker.producers.initProducerId(req.transactionalId ?? null, req.transactionTimeoutMs);
  return { throttleTimeMs: 0, errorCode: r.errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch, ongoingTxnProducerId: -1n };
}

export async function addPartitionsToTxn(req: Msg, ctx: RequestContext): Promise<Msg> {
  const topics = req.v3AndBelowTopics as Msg[];
  const parts = topics.flatMap((t) => (t.partitions as number[]).map((partition) => ({ topic: t.name as string, partition })));
  const code = ctx.broker.producers.addPartitions(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, parts);
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: topics.map((t) => ({ name: t.name, resultsByPartition: (t.partitions as number[]).map((p) => ({ partitionIndex: p, partitionErrorCode: code })) })),
  };
}

export async function addOffsetsToTxn(req: Msg, ctx: RequestContext): Promise<Msg> {
  return { throttleTimeMs: 0, errorCode: ctx.broker.producers.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId) };
}

export async function txnOffsetCommit(req: Msg, ctx: RequestContext): Promise<Msg> {
  const offsets = (req.topics as Msg[]).flatMap((t) => (t.partitions as Msg[]).map((p) => ({ topic: t.name as string, partition: p.partitionIndex as number, offset: p.committedOffset as bigint })));
  const code = ctx.broker.producers.txnOffsetCommit(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, offsets);
  return { throttleTimeMs: 0, topics: (req.topics as Msg[]).map((t) => ({ name: t.name, partitions: (t.partitions as Msg[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })) };
}

export async function endTxn(req: Msg, ctx: RequestContext): Promise<Msg> {
  let code: number;
  try {
    code = await ctx.broker.producers.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
  } catch (e) {
    // the log refused the commit (a topic deleted meanwhile, a full disk): nothing was applied
    code = errorCodeOf(e);
  }
  return { throttleTimeMs: 0, errorCode: code, producerId: req.producerId, producerEpoch: req.producerEpoch };
}
