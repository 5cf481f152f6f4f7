/**
 * Fetch (long poll with min/max bytes) and ListOffsets over the embedded log. The log holds only
 * committed data (transactions are staged in the broker until they commit), so the last stable
 * offset is the high watermark and read_committed and read_uncommitted see the same records.
 */
import type { FetchResult, TopicPartitionOffset } from '../../log/log.js';
import { topicId, topicNameOf, type RequestContext } from '../broker-context.js';
import { ErrorCode, errorCodeOf } from '../error-codes.js';
import type { Msg } from '../protocol/codec.js';
import { Writer } from '../protocol/writer.js';
import { buildBatch, buildEmptyBatch } from '../record-batch.js';

interface PartitionFetch {
  topic: string;
  partition: number;
  offset: bigint;
  maxBytes: number;
  errorCode: number;
  result?: FetchResult;
  records: Buffer | null;
  highWatermark: bigint;
  logStartOffset: bigint;
}

async function fetchOnce(ctx: RequestContext, parts: PartitionFetch[], maxBytes: number): Promise<number> {
  const log = ctx.broker.log;
  let total = 0;
  for (const p of parts) {
    p.errorCode = 0;
    p.records = null;
    try {
      const budget = Math.max(1, Math.min(p.maxBytes, maxBytes - total));
      if (total > 0 && maxBytes - total <= 0) {
        p.highWatermark = await log.latestOffset(p.topic, p.partition);
        p.logStartOffset = await log.earliestOffset(p.topic, p.partition);
        continue;
      }
      const r = await log.fetch(p.topic, p.partition, p.offset, { maxBytes: budget });
      p.highWatermark = r.highWatermark;
      p.logStartOffset = r.logStartOffset;
      if (r.records.length) {
        const w = new Writer(1024);
        buildBatch(r.records, w);
        p.records = w.toBuffer();
        total += p.records.length;
      } else if (r.nextOffset > p.offset) {
        // offsets without records up to nextOffset: an empty batch moves the consumer past them
        const w = new Writer(64);
        buildEmptyBatch(p.offset, r.nextOffset - 1n, w);
        p.records = w.toBuffer();
      }
    } catch (e) {
      p.errorCode = errorCodeOf(e);
      // as Kafka: an errored partition carries no watermarks (-1); clients ask ListOffsets
      p.highWatermark = -1n;
      p.logStartOffset = -1n;
    }
  }
  return total;
}

export async function fetch(req: Msg, ctx: RequestContext): Promise<Msg> {
  const parts: PartitionFetch[] = [];
  const unknownIds: Msg[] = [];
  const idOf = new Map<string, string>();
  for (const t of req.topics as Msg[]) {
    let topic: string = t.topic;
    if (ctx.version >= 13) {
      const name = await topicNameOf(ctx.broker.log, t.topicId);
      if (name === undefined) {
        unknownIds.push({ topicId: t.topicId, partitions: (t.partitions as Msg[]).map((p) => ({ partitionIndex: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0) })) });
        continue;
      }
      topic = name;
      idOf.set(name, t.topicId);
    }
    for (const p of t.partitions as Msg[])
      parts.push({ topic, partition: p.partition, offset: p.fetchOffset, maxBytes: p.partitionMaxBytes, errorCode: 0, records: null, highWatermark: -1n, logStartOffset: -1n });
  }
  const maxBytes: number = ctx.version >= 3 ? req.maxBytes : 0x7fffffff;
  const minBytes: number = Math.max(0, req.minBytes);
  const deadline = Date.now() + Math.max(0, req.maxWaitMs);
  for (;;) {
    const total = await fetchOnce(ctx, parts, maxBytes);
    const remaining = deadline - Date.now();
    if (total >= Math.max(1, minBytes) || remaining <= 0 || parts.some((p) => p.errorCode) || parts.length === 0) break;
    const positions: TopicPartitionOffset[] = parts.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
    const got = await ctx.broker.log.waitForAnyData(positions, remaining).catch(() => false);
    if (!got && Date.now() >= deadline) {
      await fetchOnce(ctx, parts, maxBytes);
      break;
    }
    if (!got) break;
  }
  const byTopic = new Map<string, Msg[]>();
  for (const p of parts) {
    let list = byTopic.get(p.topic);
    if (!list) byTopic.set(p.topic, (list = []));
    list.push({
      partitionIndex: p.partition,
      errorCode: p.errorCode,
      highWatermark: p.highWatermark,
      lastStableOffset: p.highWatermark,
      logStartOffset: p.logStartOffset,
      abortedTransactions: req.isolationLevel === 1 ? [] : null,
      preferredReadReplica: -1,
      records: p.records ?? Buffer.alloc(0),
    });
  }
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [...[...byTopic.entries()].map(([topic, partitions]) => ({ topic, topicId: idOf.get(topic) ?? topicId(topic), partitions })), ...unknownIds],
    nodeEndpoints: [],
  };
}

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

async function offsetForTimestamp(ctx: RequestContext, topic: string, partition: number, ts: bigint): Promise<{ offset: bigint; timestamp: bigint }> {
  const log = ctx.broker.log;
  let at = await log.earliestOffset(topic, partition);
  let best: { offset: bigint; timestamp: bigint } | undefined;
  for (;;) {
    const r = await log.fetch(topic, partition, at, { maxRecords: 5000 });
    if (r.records.length === 0) break;
    for (const rec of r.records) {
      if (ts === MAX_TIMESTAMP) {
        if (!best || BigInt(rec.timestamp) >= best.timestamp) best = { offset: rec.offset, timestamp: BigInt(rec.timestamp) };
      } else if (BigInt(rec.timestamp) >= ts) return { offset: rec.offset, timestamp: BigInt(rec.timestamp) };
    }
    at = r.nextOffset;
  }
  return best ?? { offset: -1n, timestamp: -1n };
}

export async function listOffsets(req: Msg, ctx: RequestContext): Promise<Msg> {
  const log = ctx.broker.log;
  const topics = await Promise.all(
    (req.topics as Msg[]).map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        (t.partitions as Msg[]).map(async (p) => {
          const base = { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: 0 };
          try {
            const ts: bigint = p.timestamp;
            if (ts === LATEST) return { ...base, offset: await log.latestOffset(t.name, p.partitionIndex) };
            if (ts === EARLIEST || ts === -4n) return { ...base, offset: await log.earliestOffset(t.name, p.partitionIndex) };
            const found = await offsetForTimestamp(ctx, t.name, p.partitionIndex, ts);
            return { ...base, ...found };
          } catch (e) {
            return { ...base, errorCode: errorCodeOf(e) || ErrorCode.UNKNOWN_SERVER_ERROR };
          }
        }),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics };
}
