/**
 * The topic log contract the engine talks to. It is modelled on Kafka so that the embedded
 * LevelDB adapter (src/log/local/) and a future kafkajs adapter can both implement it without the
 * engine changing:
 *
 * - a topic has N partitions (0..N-1) and Kafka-named configs;
 * - every partition is an append-only sequence of records, each given an int64 offset (bigint)
 *   on append; offsets only grow but may have gaps (compaction, aborted writes);
 * - the high watermark is the offset the next appended record will get once everything before it
 *   is durable: a fetch never returns records at or past it;
 * - the log start offset is the first offset still readable (retention moves it forward);
 * - consumer groups commit, per (group, topic, partition), the NEXT offset to consume (Kafka's
 *   convention: commit lastProcessed + 1);
 * - commitTransaction appends records and commits group offsets atomically (the embedded adapter
 *   uses one LevelDB batch; a Kafka adapter uses a producer transaction with sendOffsets);
 * - state stores are not the log's business: the engine pairs a log with a StateBackend.
 *
 * Errors are LogError (src/common/errors.ts) with codes UNKNOWN_TOPIC, TOPIC_EXISTS,
 * OFFSET_OUT_OF_RANGE, INVALID_PARTITION, CLOSED, INVALID_CONFIG, IO.
 */

/** One record header; keys may repeat, order is kept (as in Kafka). */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** The payload of a record: what a producer supplies and what a consumer gets back. */
export interface LogRecord {
  key: Buffer | null;
  /** null is a tombstone in compacted topics */
  value: Buffer | null;
  /** CreateTime, milliseconds since the epoch */
  timestamp: number;
  headers: RecordHeader[];
}

/** A record as read back from the log: payload plus its position. */
export interface FetchedRecord extends LogRecord {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * A record to append. Without `partition`, a non-null key picks the partition with Kafka's
 * default murmur2 partitioner and a null key goes to a "sticky" partition (all null-key records
 * of one produce call for a topic land together; the next call moves on, round robin).
 * A missing timestamp is the append time; missing headers are [].
 */
export interface ProduceRecord {
  topic: string;
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: RecordHeader[];
}

/** Where the records of one produce call for one partition went: offsets are contiguous. */
export interface ProduceResult {
  topic: string;
  partition: number;
  /** offset of the first record appended to this partition by the call */
  baseOffset: bigint;
  /** number of records appended to this partition by the call, in input order */
  count: number;
}

export interface FetchOptions {
  /** at most this many records (default 10 000) */
  maxRecords?: number;
  /**
   * stop once this many payload bytes are gathered (default 50 MiB); like Kafka, at least one
   * record is returned when any is available, however large
   */
  maxBytes?: number;
}

export interface FetchResult {
  records: FetchedRecord[];
  /** the offset to fetch from next (past the last returned record, or past a gap) */
  nextOffset: bigint;
  highWatermark: bigint;
  logStartOffset: bigint;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: bigint;
}

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** Effective topic configuration, Kafka names and semantics. */
export interface TopicConfig {
  /** 'delete': retention drops old batches; 'compact': keep the latest record per key */
  'cleanup.policy': CleanupPolicy;
  /** drop batches whose newest timestamp is older than this (ms); -1 = keep forever */
  'retention.ms': number;
  /** per partition: drop oldest batches while the rest stay at least this big; -1 = no limit */
  'retention.bytes': number;
  /** how long a tombstone survives after the compaction run that first saw it (ms) */
  'delete.retention.ms': number;
  /** compact a partition once (bytes appended since last compaction) / size reaches this */
  'min.cleanable.dirty.ratio': number;
  /**
   * the largest record batch a producer may append (bytes, as stored); the embedded log applies
   * it per record, as the size of a batch holding that record alone
   */
  'max.message.bytes': number;
}

/**
 * Config values as given by users or WITH clauses: numbers or their string forms. In updates,
 * null removes an override (back to the default).
 */
export type TopicConfigInput = { [K in keyof TopicConfig]?: TopicConfig[K] | string | null };

export interface CreateTopicOptions {
  partitions: number;
  /** accepted for Kafka compatibility; the embedded log keeps one copy */
  replicationFactor?: number;
  config?: TopicConfigInput;
}

export interface PartitionDescription {
  partition: number;
  logStartOffset: bigint;
  highWatermark: bigint;
}

export interface TopicDescription {
  name: string;
  partitions: PartitionDescription[];
  replicationFactor: number;
  /** effective config (defaults applied) */
  config: TopicConfig;
  /** only the values set on this topic */
  overrides: Partial<TopicConfig>;
}

/** A group's committed offsets, written atomically with a transaction's records. */
export interface GroupOffsets {
  group: string;
  offsets: TopicPartitionOffset[];
}

/**
 * Everything one processing step produces, made visible all together or not at all.
 * The embedded adapter applies it in one LevelDB batch (exactly-once by construction). State
 * store changes are not part of this contract: the engine's StateBackend (src/state/) pairs
 * them with the log (the embedded adapter takes them in the same batch, see local/extra-store.ts).
 */
export interface Transaction {
  produce: ProduceRecord[];
  offsets?: GroupOffsets;
  /**
   * the writing task of the group (`<subtopology>_<partition>`): a Kafka adapter gives each task its
   * own transactional producer, so the task's next owner fences this one (see fenceWriter)
   */
  task?: string;
}

export interface TransactionResult {
  produced: ProduceResult[];
}

export interface MaintenanceReport {
  /** batches dropped by retention (time or size) */
  batchesDeleted: number;
  /** partitions whose log start offset moved */
  partitionsTruncated: number;
  /** partitions compacted by this run */
  partitionsCompacted: number;
  /** records removed by compaction (superseded values and expired tombstones) */
  recordsCompacted: number;
}

export interface Log {
  // ---- admin ----
  /** LogError TOPIC_EXISTS if the topic exists, INVALID_CONFIG on bad partitions or configs */
  createTopic(name: string, options: CreateTopicOptions): Promise<void>;
  describeTopic(name: string): Promise<TopicDescription>;
  listTopics(): Promise<string[]>;
  /** removes the topic and its records; group offsets for it are kept (as in Kafka) */
  deleteTopic(name: string): Promise<void>;
  /**
   * grows a topic to `count` partitions (Kafka's CreatePartitions); INVALID_CONFIG unless the
   * count grows. Optional: an adapter without it cannot add partitions
   */
  addPartitions?(name: string, count: number): Promise<void>;
  /** sets (or with null resets) the given keys, leaving the others as they are */
  updateTopicConfig(name: string, config: TopicConfigInput): Promise<void>;

  // ---- produce / fetch ----
  /** appends records; resolves once they are durable and visible to fetch */
  produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]>;
  /**
   * records from `fromOffset` on, below the high watermark. fromOffset below the log start
   * offset or above the high watermark raises LogError OFFSET_OUT_OF_RANGE (see offset-reset.ts).
   */
  fetch(topic: string, partition: number, fromOffset: bigint, options?: FetchOptions): Promise<FetchResult>;
  /**
   * Kafka's AdminClient.deleteRecords: moves the partition's log start offset to `beforeOffset` (at
   * most the high watermark), so the records before it are gone; the runtime purges repartition
   * records its downstream tasks have committed
   */
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void>;
  /** the log start offset */
  earliestOffset(topic: string, partition: number): Promise<bigint>;
  /** the high watermark */
  latestOffset(topic: string, partition: number): Promise<bigint>;
  /**
   * resolves true as soon as the partition's high watermark is past `offset` (at once if it
   * already is), false after timeoutMs or when the log closes
   */
  waitForData(topic: string, partition: number, offset: bigint, timeoutMs: number): Promise<boolean>;
  /** like waitForData, for whichever of several positions gets data first */
  waitForAnyData(positions: readonly TopicPartitionOffset[], timeoutMs: number): Promise<boolean>;

  // ---- consumer groups ----
  /** offsets are the next offsets to consume */
  commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** committed offsets of a group (optionally of one topic); partitions never committed are absent */
  committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]>;
  listGroups(): Promise<string[]>;
  deleteGroup(group: string): Promise<void>;

  // ---- exactly-once ----
  commitTransaction(txn: Transaction): Promise<TransactionResult>;

  /**
   * what opening the log found and could not repair (records or commits lost or damaged while it
   * was closed), for the engine to report; an adapter whose brokers keep their own logs has none
   */
  readonly recoveryFindings?: readonly string[];

  /**
   * Optional (logs whose writers can be fenced): makes this process the only writer of a group's
   * task, aborting what an earlier writer (a process that died or was dropped from the group) left
   * open; call before reading the task's committed offsets
   */
  fenceWriter?(group: string, task: string): Promise<void>;
  /** Optional: closes the task's writer (the task moved away) */
  releaseWriter?(group: string, task: string): Promise<void>;

  // ---- lifecycle ----
  /** applies retention and compaction now (a Kafka adapter leaves this to the brokers) */
  maintain(now?: number): Promise<MaintenanceReport>;
  /** idempotent; pending writes finish first, waiters resolve false */
  close(): Promise<void>;
}
