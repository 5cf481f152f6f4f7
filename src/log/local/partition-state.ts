/**
 * In-memory state of the embedded log's topics and partitions. Offsets are plain numbers inside
 * the adapter (exact up to 2^53, far beyond any real log) and bigint at the interface.
 */
import type { TopicConfig } from '../log.js';

export interface PartitionState {
  readonly topicId: number;
  readonly topic: string;
  readonly partition: number;
  /** offset the next appended record gets; assigned synchronously at submission */
  nextOffset: number;
  /** everything below is durable and readable */
  highWatermark: number;
  /** first readable offset; raised before retention deletes so readers never miss a gap */
  logStartOffset: number;
  /** compaction has covered everything below this offset */
  cleanerCheckpoint: number;
  /** earliest time a kept tombstone may be dropped (0 = none kept): triggers a compaction */
  tombstoneHorizon: number;
  /** total encoded bytes of the partition's batches; undefined until first needed */
  sizeBytes: number | undefined;
  /** bytes in batches at or past cleanerCheckpoint; known when sizeBytes is */
  dirtyBytes: number;
  /** bytes appended since open (lets a size scan account for appends that race with it) */
  appendedBytes: number;
  /** consumers waiting for the high watermark to pass an offset */
  readonly waiters: Map<Waiter, number>;
}

export interface Waiter {
  finish(result: boolean): void;
}

export interface TopicState {
  readonly name: string;
  readonly id: number;
  readonly partitions: PartitionState[];
  readonly replicationFactor: number;
  overrides: Partial<TopicConfig>;
  /** the partition null-key records go to next (sticky per produce call) */
  sticky: number;
}

/** What the 'T' key stores. */
export interface StoredTopic {
  id: number;
  partitions: number;
  replicationFactor: number;
  overrides: Partial<TopicConfig>;
}

/** What the 'P' key stores. */
export interface StoredPartition {
  logStartOffset: number;
  cleanerCheckpoint: number;
  tombstoneHorizon?: number;
}

export function newPartitionState(topicId: number, topic: string, partition: number, stored?: StoredPartition): PartitionState {
  const start = stored?.logStartOffset ?? 0;
  return {
    topicId,
    topic,
    partition,
    nextOffset: start,
    highWatermark: start,
    logStartOffset: start,
    cleanerCheckpoint: stored?.cleanerCheckpoint ?? 0,
    tombstoneHorizon: stored?.tombstoneHorizon ?? 0,
    sizeBytes: undefined,
    dirtyBytes: 0,
    appendedBytes: 0,
    waiters: new Map(),
  };
}

export function storedPartition(ps: PartitionState): StoredPartition {
  return { logStartOffset: ps.logStartOffset, cleanerCheckpoint: ps.cleanerCheckpoint, tombstoneHorizon: ps.tombstoneHorizon };
}
