/**
 * Retention and compaction of one partition of the embedded log, Kafka semantics at batch
 * granularity (a batch plays the part of a Kafka segment):
 *
 * - retention (cleanup.policy delete): drop the oldest batches while their newest timestamp is
 *   older than retention.ms, or while the batches left would still hold retention.bytes; the log
 *   start offset moves past them;
 * - compaction (cleanup.policy compact): keep the latest record per key, survivors keep their
 *   offsets; a tombstone is kept until delete.retention.ms after the run that first kept it
 *   (Kafka's delete horizon, KIP-534); small batches are merged on the way.
 *
 * Callers run these one at a time (LocalLog serialises maintenance); appends may run alongside:
 * they only add batches at or past the high watermark read at the start.
 */
import type { Level } from 'level';
import type { TopicConfig } from '../log.js';
import { policyDeletes } from '../topic-config.js';
import { BATCH_FLAG_LOST, encodeBatch, forEachRecord, readVerifiedHeader, sealBatch, type DecodedRecord } from './batch-codec.js';
import { dataKey, dataKeyOffset, dataPartitionEnd, dataPartitionStart, partitionKey } from './key-layout.js';
import type { PartitionState, StoredPartition } from './partition-state.js';
import { storedPartition } from './partition-state.js';
import type { WriteOp, WritePipeline } from './write-pipeline.js';

export interface MaintenanceContext {
  readonly db: Level<Buffer, Buffer>;
  readonly pipeline: WritePipeline;
  /** false once the log closes or the partition's topic is deleted: stop early */
  isLive(ps: PartitionState): boolean;
  /** the partition's stored batches were rewritten (copies of them kept elsewhere are stale) */
  rewritten(ps: PartitionState): void;
}

/** Compaction output batches stay within these bounds. */
const MERGED_BATCH_RECORDS = 4096;
const MERGED_BATCH_BYTES = 1 << 20;
/** Unchanged batches at least this big are left alone rather than merged. */
const SMALL_BATCH_BYTES = 256 << 10;
/** Rewrites are written in chunks of about this many bytes (each chunk atomic). */
const WRITE_CHUNK_BYTES = 4 << 20;

/** Computes a partition's total and dirty bytes once (one scan); appends keep them current. */
export async function ensureSizes(ctx: MaintenanceContext, ps: PartitionState): Promise<void> {
  if (ps.sizeBytes !== undefined) return;
  const mark = ps.appendedBytes;
  const checkpoint = ps.cleanerCheckpoint;
  // the iterator's snapshot is taken now, in the same tick as `mark`
  const it = ctx.db.iterator({ gte: dataPartitionStart(ps.topicId, ps.partition), lt: dataPartitionEnd(ps.topicId, ps.partition) });
  let total = 0;
  let dirty = 0;
  try {
    for (;;) {
      const entries = await it.nextv(64);
      if (entries.length === 0) break;
      for (const [k, v] of entries) {
        total += v.length;
        if (dataKeyOffset(k) >= checkpoint) dirty += v.length;
      }
    }
  } finally {
    await it.close();
  }
  const since = ps.appendedBytes - mark;
  ps.sizeBytes = total + since;
  ps.dirtyBytes = dirty + since;
}

export interface RetentionOutcome {
  batchesDeleted: number;
  truncated: boolean;
}

export async function applyRetention(ctx: MaintenanceContext, ps: PartitionState, config: TopicConfig, now: number): Promise<RetentionOutcome> {
  if (!policyDeletes(config['cleanup.policy'])) return { batchesDeleted: 0, truncated: false };
  const retentionMs = config['retention.ms'];
  const retentionBytes = config['retention.bytes'];
  if (retentionMs < 0 && retentionBytes < 0) return { batchesDeleted: 0, truncated: false };
  if (retentionBytes >= 0) await ensureSizes(ctx, ps);
  if (!ctx.isLive(ps)) return { batchesDeleted: 0, truncated: false };
  const cutoff = now - retentionMs;
  let remaining = ps.sizeBytes ?? 0;
  return deleteLeadingBatches(ctx, ps, ps.logStartOffset, (maxTimestamp, _lastOffset, bytes) => {
    const expired = retentionMs >= 0 && maxTimestamp < cutoff;
    const oversized = retentionBytes >= 0 && remaining - bytes >= retentionBytes;
    if (!expired && !oversized) return false;
    remaining -= bytes;
    return true;
  });
}

/**
 * Kafka's deleteRecords: the log start offset moves to `before` (at most the high watermark) and
 * the batches wholly before it go; a batch it cuts through stays, its earlier records unreadable.
 */
export async function deleteRecordsBefore(ctx: MaintenanceContext, ps: PartitionState, before: number): Promise<RetentionOutcome> {
  const start = Math.min(before, ps.highWatermark);
  if (start <= ps.logStartOffset) return { batchesDeleted: 0, truncated: false };
  return deleteLeadingBatches(ctx, ps, start, (_maxTimestamp, lastOffset) => lastOffset < start);
}

/**
 * Deletes the partition's oldest batches while `expired` says so (given each batch's newest
 * timestamp, last offset and size), and moves the log start offset past them (at least to `floor`).
 */
async function deleteLeadingBatches(
  ctx: MaintenanceContext,
  ps: PartitionState,
  floor: number,
  expired: (maxTimestamp: number, lastOffset: number, bytes: number) => boolean,
): Promise<RetentionOutcome> {
  const outcome: RetentionOutcome = { batchesDeleted: 0, truncated: false };
  let ops: WriteOp[] = [];
  let newStart = Math.max(ps.logStartOffset, floor);
  let deletedBytes = 0;
  let dirtyDeleted = 0;

  const flush = async (): Promise<void> => {
    if (ops.length === 0 && newStart <= ps.logStartOffset) return;
    // raised before the delete is submitted: a fetch that could see the deletion also sees this
    if (newStart > ps.logStartOffset) {
      ps.logStartOffset = newStart;
      outcome.truncated = true;
    }
    ops.push({ type: 'put', key: partitionKey(ps.topicId, ps.partition), value: Buffer.from(JSON.stringify(storedPartition(ps))) });
    const bytes = deletedBytes;
    const dirty = dirtyDeleted;
    const batch = ops;
    ops = [];
    deletedBytes = 0;
    dirtyDeleted = 0;
    await ctx.pipeline.submit(batch, () => {
      if (ps.sizeBytes !== undefined) ps.sizeBytes -= bytes;
      ps.dirtyBytes -= dirty;
    });
  };

  const it = ctx.db.iterator({ gte: dataPartitionStart(ps.topicId, ps.partition), lt: dataKey(ps.topicId, ps.partition, ps.highWatermark) });
  try {
    for (;;) {
      const entry = await it.next();
      if (entry === undefined) break;
      const [k, v] = entry;
      const base = dataKeyOffset(k);
      // a damaged batch stops retention here: its timestamps and extent cannot be trusted
      const header = readVerifiedHeader(k, v, { topic: ps.topic, partition: ps.partition, baseOffset: base });
      const last = base + header.lastOffsetDelta;
      if (!expired(header.maxTimestamp, last, v.length)) break;
      ops.push({ type: 'del', key: k });
      outcome.batchesDeleted++;
      deletedBytes += v.length;
      if (base >= ps.cleanerCheckpoint) dirtyDeleted += v.length;
      newStart = Math.max(newStart, last + 1);
      if (ops.length >= 1000) {
        if (!ctx.isLive(ps)) return outcome;
        await flush();
      }
    }
  } finally {
    await it.close();
  }
  if (ctx.isLive(ps)) await flush();
  return outcome;
}

/** Should maintain() compact this partition now? (sizes must be known) */
export function compactionDue(ps: PartitionState, config: TopicConfig, now: number): boolean {
  if (ps.tombstoneHorizon > 0 && ps.tombstoneHorizon <= now) return true;
  const size = ps.sizeBytes ?? 0;
  return ps.dirtyBytes > 0 && size > 0 && ps.dirtyBytes / size >= config['min.cleanable.dirty.ratio'];
}

/** One output batch being assembled from consecutive input batches. */
interface MergeGroup {
  firstBase: number;
  lastOffset: number;
  inputKeys: Buffer[];
  inputBytes: number;
  records: DecodedRecord[];
  offsets: number[];
  payloadBytes: number;
  horizon: number;
  changed: boolean;
}

/** Compacts a partition below its current high watermark; returns the number of records removed. */
export async function compactPartition(ctx: MaintenanceContext, ps: PartitionState, config: TopicConfig, now: number): Promise<number> {
  await ensureSizes(ctx, ps);
  if (!ctx.isLive(ps)) return 0;
  const hwm = ps.highWatermark;
  const dirtyMark = ps.dirtyBytes;
  const deleteRetention = config['delete.retention.ms'];
  const range = { gte: dataPartitionStart(ps.topicId, ps.partition), lt: dataKey(ps.topicId, ps.partition, hwm) };
  const snapshot = ctx.db.snapshot();
  try {
    // pass 1: the latest offset of every key (latin1 maps bytes to a string one to one)
    const latest = new Map<string, number>();
    const scan = ctx.db.iterator({ ...range, snapshot });
    try {
      for (;;) {
        const entries = await scan.nextv(64);
        if (entries.length === 0) break;
        for (const [k, v] of entries) {
          // never rewrite a damaged batch under a fresh checksum
          readVerifiedHeader(k, v, { topic: ps.topic, partition: ps.partition, baseOffset: dataKeyOffset(k) });
          forEachRecord(v, dataKeyOffset(k), -Infinity, (offset, _ts, key) => {
            if (key !== null) latest.set(key.toString('latin1'), offset);
            return true;
          });
        }
      }
    } finally {
      await scan.close();
    }
    if (!ctx.isLive(ps)) return 0;

    // pass 2: rewrite batches that lose records, merging small neighbours
    let removed = 0;
    let minHorizon = 0;
    let ops: WriteOp[] = [];
    let opsBytes = 0;
    let sizeDelta = 0;
    let group: MergeGroup | undefined;

    const emit = (g: MergeGroup): void => {
      if (!g.changed && g.inputKeys.length === 1) return;
      // kept even when empty: batches tile the partition (fetch treats a hole as lost data), and
      // an empty last batch keeps the next offset across restarts; later runs merge it away
      const key = dataKey(ps.topicId, ps.partition, g.firstBase);
      const value = sealBatch(key, encodeBatch(g.firstBase, g.lastOffset, g.records, g.offsets, g.horizon, 0));
      ops.push({ type: 'put', key, value });
      sizeDelta += value.length;
      opsBytes += value.length;
      for (let i = 1; i < g.inputKeys.length; i++) ops.push({ type: 'del', key: g.inputKeys[i] });
      sizeDelta -= g.inputBytes;
    };
    const flush = async (final: boolean): Promise<void> => {
      if (!final && ops.length === 0) return;
      const delta = sizeDelta;
      const batch = ops;
      ops = [];
      opsBytes = 0;
      sizeDelta = 0;
      const rewrote = batch.length > 0;
      let onApplied = (): void => {
        if (ps.sizeBytes !== undefined) ps.sizeBytes += delta;
        if (rewrote) ctx.rewritten(ps);
      };
      if (final) {
        const stored: StoredPartition = { logStartOffset: ps.logStartOffset, cleanerCheckpoint: hwm, tombstoneHorizon: minHorizon };
        batch.push({ type: 'put', key: partitionKey(ps.topicId, ps.partition), value: Buffer.from(JSON.stringify(stored)) });
        onApplied = (): void => {
          if (ps.sizeBytes !== undefined) ps.sizeBytes += delta;
          if (rewrote) ctx.rewritten(ps);
          ps.dirtyBytes = Math.max(0, ps.dirtyBytes - dirtyMark);
          ps.cleanerCheckpoint = hwm;
          ps.tombstoneHorizon = minHorizon;
        };
      }
      await ctx.pipeline.submit(batch, onApplied);
    };

    const it = ctx.db.iterator({ ...range, snapshot });
    try {
      for (;;) {
        const entries = await it.nextv(16);
        if (entries.length === 0) break;
        for (const [k, v] of entries) {
          const base = dataKeyOffset(k);
          const header = readVerifiedHeader(k, v, { topic: ps.topic, partition: ps.partition, baseOffset: base });
          if ((header.flags & BATCH_FLAG_LOST) !== 0) {
            // a lost-offsets marker is never merged away: it is what reports the loss
            if (group !== undefined) emit(group);
            group = undefined;
            continue;
          }
          const survivors: DecodedRecord[] = [];
          let dropped = 0;
          let payload = 0;
          let hasTombstone = false;
          const horizonPassed = header.deleteHorizonMs > 0 && header.deleteHorizonMs <= now;
          forEachRecord(v, base, -Infinity, (offset, timestamp, key, value, headers) => {
            if (key !== null) {
              if (latest.get(key.toString('latin1')) !== offset) {
                dropped++;
                return true;
              }
              if (value === null) {
                if (horizonPassed) {
                  dropped++;
                  return true;
                }
                hasTombstone = true;
              }
            }
            survivors.push({ offset, timestamp, key, value, headers });
            payload += (key?.length ?? 0) + (value?.length ?? 0) + 16;
            return true;
          });
          removed += dropped;
          const horizon = hasTombstone ? (header.deleteHorizonMs > 0 ? header.deleteHorizonMs : now + deleteRetention) : 0;
          const changed = dropped > 0 || horizon !== header.deleteHorizonMs;
          if (horizon > 0 && (minHorizon === 0 || horizon < minHorizon)) minHorizon = horizon;
          const lastOffset = base + header.lastOffsetDelta;
          const mergeable = changed || v.length < SMALL_BATCH_BYTES;
          const fits =
            group !== undefined &&
            mergeable &&
            (group.horizon === 0 || horizon === 0 || group.horizon === horizon) &&
            group.records.length + survivors.length <= MERGED_BATCH_RECORDS &&
            group.payloadBytes + payload <= MERGED_BATCH_BYTES;
          if (group !== undefined && fits) {
            group.lastOffset = lastOffset;
            group.inputKeys.push(k);
            group.inputBytes += v.length;
            for (const r of survivors) {
              group.records.push(r);
              group.offsets.push(r.offset);
            }
            group.payloadBytes += payload;
            if (horizon !== 0) group.horizon = horizon;
            group.changed = true;
          } else {
            if (group !== undefined) emit(group);
            group = {
              firstBase: base,
              lastOffset,
              inputKeys: [k],
              inputBytes: v.length,
              records: survivors,
              offsets: survivors.map((r) => r.offset),
              payloadBytes: payload,
              horizon,
              changed,
            };
            // a big unchanged batch is left as it is and closes the group
            if (!mergeable) {
              emit(group);
              group = undefined;
            }
          }
          if (opsBytes >= WRITE_CHUNK_BYTES) {
            if (!ctx.isLive(ps)) return removed;
            await flush(false);
          }
        }
      }
    } finally {
      await it.close();
    }
    if (group !== undefined) emit(group);
    if (!ctx.isLive(ps)) return removed;
    await flush(true);
    return removed;
  } finally {
    await snapshot.close();
  }
}
