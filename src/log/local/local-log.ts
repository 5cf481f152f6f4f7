/**
 * The embedded topic log: every topic, partition, consumer group offset and state-layer entry in
 * one LevelDB directory. Records are stored in batches (one LevelDB entry per appended batch);
 * offsets, high watermarks and log start offsets live in memory and are recovered on open.
 *
 * Every write goes through one ordered pipeline (write-pipeline.ts), so commitTransaction's
 * records, group offsets and extra writes land in ONE LevelDB batch: exactly-once by construction.
 */
import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { LogError } from '../../common/errors.js';
import type {
  CreateTopicOptions,
  FetchOptions,
  FetchResult,
  FetchedRecord,
  Log,
  MaintenanceReport,
  ProduceRecord,
  ProduceResult,
  TopicConfig,
  TopicConfigInput,
  TopicDescription,
  TopicPartitionOffset,
  TransactionResult,
} from '../log.js';
import type { ExtraRangeOptions, ExtraStore, ExtraWrite, LocalTransaction } from './extra-store.js';
import { partitionForKey } from '../murmur2-partitioner.js';
import {
  KAFKA_DEFAULT_TOPIC_CONFIG,
  effectiveTopicConfig,
  parseTopicConfig,
  parseTopicOverrides,
  policyCompacts,
  validatePartitionCount,
  validateTopicName,
} from '../topic-config.js';
import {
  BATCH_FLAG_LOST,
  MAX_ABS_TIMESTAMP,
  batchProblem,
  decodeForFetch,
  encodeBatch,
  encodeLostBatch,
  readBatchHeader,
  readVerifiedHeader,
  sealBatch,
  singleRecordBatchSize,
  type FetchAccumulator,
  type StoredBatch,
  type StoredFetch,
} from './batch-codec.js';
import { readCheckpoint, writeCheckpoint, type GroupOffsets, type HighWatermarks } from './hwm-checkpoint.js';
import { checkTables, describeDamage, type TableDamage } from './table-check.js';
import {
  PREFIX_DELETING,
  PREFIX_EXTRA,
  PREFIX_GROUP,
  PREFIX_TOPIC,
  dataKey,
  dataKeyOffset,
  dataPartitionEnd,
  dataPartitionStart,
  dataTopicRange,
  deletingKey,
  extraKey,
  groupKey,
  parseGroupKey,
  partitionKey,
  prefixRange,
  readU64,
  systemKey,
  topicKey,
  u64Value,
} from './key-layout.js';
import { applyRetention, compactPartition, compactionDue, deleteRecordsBefore, ensureSizes, type MaintenanceContext } from './log-maintenance.js';
import {
  newPartitionState,
  type PartitionState,
  type StoredPartition,
  type StoredTopic,
  type TopicState,
  type Waiter,
} from './partition-state.js';
import { TailCache, type TailBatch, type TakeBatch } from './tail-cache.js';
import { MAX_BATCH_PAYLOAD, MAX_BATCH_RECORDS, runRecords, type EncodedRun } from './produce-runs.js';
import { WritePipeline, type WriteOp } from './write-pipeline.js';

export interface LocalLogOptions {
  /** broker-level defaults for topics (Kafka's log.retention.ms etc.); Kafka's own defaults otherwise */
  defaultTopicConfig?: TopicConfigInput;
  /** fsync every write (default false: durable across process crashes, not power loss) */
  sync?: boolean;
  /** run maintain() this often (default 5 minutes, Kafka's log.retention.check.interval.ms); 0 = never */
  maintenanceIntervalMs?: number;
  /** time source for default timestamps and retention (tests) */
  clock?: () => number;
  /**
   * read cache bytes (default 32 MiB): a quarter holds the newest appended batches (the tail
   * cache, unless tailCacheBytes says otherwise), the rest is LevelDB's block cache
   */
  cacheSize?: number;
  /** LevelDB memtable bytes (default 16 MiB) */
  writeBufferSize?: number;
  /**
   * LevelDB table files kept open (default 100). Open tables are memory-mapped, and the pages read
   * count in the process's RSS: LevelDB's own default (1000 files of 2 MiB) let RSS grow by
   * gigabytes while a large backlog was read.
   */
  maxOpenFiles?: number;
  /** LevelDB table file bytes (default 2 MiB): with maxOpenFiles, what the mapped tables can hold */
  maxFileSize?: number;
  /**
   * Snappy-compress LevelDB blocks (default false). Like Kafka, which stores batches as the
   * producer sent them (compression.type=producer, producers default to none), the log keeps
   * them uncompressed: compression roughly halves JSON on disk but costs a quarter of a
   * streaming query's CPU (bench/run.ts).
   */
  compression?: boolean;
  /**
   * write every partition's high watermark to a checkpoint file beside LevelDB's this often
   * (default 1 s; 0 = only at close). At open a partition whose stored batches end below its
   * checkpoint lost committed batches (say, a damaged LevelDB write-ahead log): the missing
   * offsets are marked lost and fetching them fails, instead of being silently reused.
   */
  checkpointIntervalMs?: number;
  /**
   * check every LevelDB table file against its block checksums before opening (default true;
   * reads the whole directory once). LevelDB itself does not, and a damaged block can make it
   * serve damaged keys or abort the process; a damaged directory is not opened.
   */
  checkTablesOnOpen?: boolean;
  /**
   * bytes of the newest appended batches kept in memory across the log (default a quarter of
   * cacheSize, taken from it; 0 = none): a fetch of what was just written is served from them
   * without reading LevelDB
   */
  tailCacheBytes?: number;
}

const DEFAULT_MAX_RECORDS = 10_000;
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;
const NEXT_TOPIC_ID = 'nextTopicId';

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function invalidRecord(message: string, topic?: string): LogError {
  // there is no record-level code in LogError; INVALID_CONFIG is the closest ("bad input")
  return new LogError(message, 'INVALID_CONFIG', topic === undefined ? {} : { topic });
}

function offsetNumber(value: bigint | number, what: string, ctx: { topic?: string; partition?: number }): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new LogError(`invalid ${what} ${String(value)}: expected a non-negative int64 offset`, 'OFFSET_OUT_OF_RANGE', {
      ...ctx,
      ...(typeof value === 'bigint' ? { offset: value } : {}),
    });
  }
  return n;
}

const DEFAULT_READ_CACHE_BYTES = 32 << 20;

/** the tail cache's share of the read cache: what the memory bound (sluice.leveldb.cache.bytes) already counts */
function tailCacheBytes(options: LocalLogOptions): number {
  return options.tailCacheBytes ?? Math.floor((options.cacheSize ?? DEFAULT_READ_CACHE_BYTES) / 4);
}

export class LocalLog implements Log {
  readonly extras: ExtraStore;
  private readonly topics = new Map<string, TopicState>();
  private readonly creating = new Set<string>();
  /** group -> topic -> partition -> committed offset */
  private readonly groups = new Map<string, Map<string, Map<number, number>>>();
  private readonly waiters = new Set<Waiter>();
  private readonly pipeline: WritePipeline;
  private readonly clock: () => number;
  private readonly maintenanceCtx: MaintenanceContext;
  private readonly tail: TailCache;
  /** per partition, where the last LevelDB read stopped: the next offset and the batch holding it */
  private readonly readHints = new WeakMap<PartitionState, { next: number; base: number }>();
  /** per partition, the record count of the last stored batch read (sizes the next read) */
  private readonly batchRecords = new WeakMap<PartitionState, number>();
  /** per partition, LevelDB iterators kept for reads that continue where one stopped (see readBatches) */
  private readonly keptScans = new Map<PartitionState, KeptScan[]>();
  private keptScanTimer: NodeJS.Timeout | undefined;
  private nextTopicId = 1;
  private closed = false;
  private closing: Promise<void> | undefined;
  private maintenance: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** a high watermark moved since the checkpoint file was last written */
  private checkpointDirty = false;
  private checkpointing: Promise<void> = Promise.resolve();
  /** bumped when LevelDB is reopened after a failed write; readers that saw it change retry */
  private generation = 0;
  private reopening: Promise<void> | undefined;
  /** what open found missing or damaged (also written as lost-offset markers) */
  readonly recoveryFindings: string[] = [];

  /** Opens (creating if needed) the log in `dir`. Only one LocalLog may hold a directory. */
  static async open(dir: string, options: LocalLogOptions = {}): Promise<LocalLog> {
    const defaults = effectiveTopicConfig(KAFKA_DEFAULT_TOPIC_CONFIG, parseTopicOverrides(options.defaultTopicConfig));
    if (options.checkTablesOnOpen ?? true) {
      const damage = await checkTables(dir);
      if (damage.length > 0) throw damagedTablesError(dir, damage);
    }
    const db = new Level<Buffer, Buffer>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      cacheSize: Math.max(0, (options.cacheSize ?? DEFAULT_READ_CACHE_BYTES) - (options.tailCacheBytes === undefined ? tailCacheBytes(options) : 0)),
      writeBufferSize: options.writeBufferSize ?? 16 << 20,
      maxOpenFiles: options.maxOpenFiles ?? 100,
      ...(options.maxFileSize ? { maxFileSize: options.maxFileSize } : {}),
      compression: options.compression ?? false,
    } as ConstructorParameters<typeof Level<Buffer, Buffer>>[1]);
    try {
      await db.open();
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
      if (e.cause?.code === 'LEVEL_LOCKED' || e.code === 'LEVEL_LOCKED') {
        throw new LogError(`log directory '${dir}' is already in use (another process or another open log holds its lock)`, 'IO');
      }
      const message = e.cause?.message ?? e.message ?? String(err);
      if (/no space left/i.test(message)) {
        // replaying the write-ahead log writes a table file: it needs about the log's size free
        throw new LogError(`cannot open log directory '${dir}': it is out of disk space (${message})`, 'DISK_FULL');
      }
      throw new LogError(`cannot open log directory '${dir}': ${message}`, 'IO');
    }
    const log = new LocalLog(db, dir, defaults, options);
    try {
      await log.recover();
    } catch (err) {
      await db.close();
      throw err instanceof LogError ? err : new LogError(`cannot recover log in '${dir}': ${(err as Error).message}`, 'IO');
    }
    const every = options.checkpointIntervalMs ?? 1000;
    if (every > 0) {
      log.checkpointTimer = setInterval(() => void log.checkpoint(), every);
      log.checkpointTimer.unref();
    }
    const interval = options.maintenanceIntervalMs ?? 300_000;
    if (interval > 0) {
      log.timer = setInterval(() => {
        log.maintain().catch(() => {
          // a failed periodic run is retried on the next tick; explicit maintain() reports errors
        });
      }, interval);
      log.timer.unref();
    }
    return log;
  }

  private constructor(
    private readonly db: Level<Buffer, Buffer>,
    readonly directory: string,
    private defaults: TopicConfig,
    options: LocalLogOptions,
  ) {
    this.pipeline = new WritePipeline(db, options.sync ?? false, directory, () => this.reopenDb());
    this.clock = options.clock ?? Date.now;
    this.tail = new TailCache(tailCacheBytes(options));
    this.maintenanceCtx = {
      db,
      pipeline: this.pipeline,
      isLive: (ps) => !this.closed && this.topics.get(ps.topic)?.id === ps.topicId,
      rewritten: (ps) => this.tail.clear(ps),
    };
    this.extras = new LocalExtraStore(this);
  }

  // ---------------------------------------------------------------- recovery

  private async recover(): Promise<void> {
    const checkpoint = await readCheckpoint(this.directory);
    if (checkpoint.problem !== undefined) this.recoveryFindings.push(checkpoint.problem);
    const tornTails: Buffer[] = [];
    const seq = await this.db.get(systemKey(NEXT_TOPIC_ID));
    if (seq !== undefined) this.nextTopicId = readU64(seq, 0);

    // interrupted topic deletions finish first (their ids are never reused)
    for await (const [k] of this.db.iterator(prefixRange(PREFIX_DELETING))) {
      const id = k.readUInt32BE(1);
      await this.db.clear(dataTopicRange(id));
      await this.db.del(k);
    }

    const stored: [string, StoredTopic][] = [];
    for await (const [k, v] of this.db.iterator(prefixRange(PREFIX_TOPIC))) {
      stored.push([k.toString('utf8', 1), parseJson<StoredTopic>(v, 'topic metadata')]);
    }
    await Promise.all(
      stored.map(async ([name, t]) => {
        const partitions: PartitionState[] = [];
        for (let p = 0; p < t.partitions; p++) {
          const meta = await this.db.get(partitionKey(t.id, p));
          const ps = newPartitionState(t.id, name, p, meta === undefined ? undefined : parseJson<StoredPartition>(meta, 'partition metadata'));
          const last = await this.db
            .iterator({ gte: dataPartitionStart(t.id, p), lt: dataPartitionEnd(t.id, p), reverse: true, limit: 1 })
            .all();
          if (last.length > 0) {
            const [k, v] = last[0];
            const base = dataKeyOffset(k);
            const problem = batchProblem(k, v);
            let end = problem === undefined ? base + readBatchHeader(v).lastOffsetDelta + 1 : base;
            if (problem !== undefined) {
              const confirmed = checkpoint.watermarks.get(`${t.id}/${p}`) ?? 0;
              if (base >= confirmed) {
                // past what the checkpoint confirmed durable: a torn tail, as Kafka truncates its
                // log after the recovery point; the partition goes back to its last whole batch
                this.recoveryFindings.push(`${name}-${p}: dropped a torn batch at the end (offset ${base}: ${problem})`);
                tornTails.push(k);
              } else {
                // committed, then damaged: kept, so that fetch reports it and never serves it;
                // its header is not to be trusted, the checkpoint says how far it reached
                this.recoveryFindings.push(`${name}-${p}: the batch at offset ${base} is damaged: ${problem}`);
                end = confirmed;
              }
            }
            if (end > ps.nextOffset) ps.nextOffset = end;
          }
          ps.highWatermark = ps.nextOffset;
          partitions.push(ps);
        }
        this.topics.set(name, { name, id: t.id, partitions, replicationFactor: t.replicationFactor, overrides: t.overrides, sticky: 0 });
      }),
    );

    for await (const [k, v] of this.db.iterator(prefixRange(PREFIX_GROUP))) {
      const { group, topic, partition } = parseGroupKey(k);
      this.setGroupOffset(group, topic, partition, readU64(v, 0));
    }
    if (tornTails.length > 0) await this.pipeline.submit(tornTails.map((key) => ({ type: 'del', key })));
    await this.checkAgainstCheckpoint(checkpoint.watermarks);
    this.checkGroupsAgainstCheckpoint(checkpoint.watermarks, checkpoint.groups);
  }

  /**
   * LevelDB drops a write-ahead-log record that fails its checksum (and the rest of its 32 KiB
   * block) without an error unless paranoid checks are on, which classic-level does not expose.
   * Offsets the checkpoint file says were durable but no batch covers any more are marked lost,
   * so they are reported on fetch and never given to new records.
   */
  private async checkAgainstCheckpoint(watermarks: HighWatermarks): Promise<void> {
    const ops: WriteOp[] = [];
    for (const t of this.topics.values()) {
      for (const ps of t.partitions) {
        const hwm = watermarks.get(`${t.id}/${ps.partition}`);
        if (hwm === undefined || hwm <= ps.nextOffset) continue;
        this.recoveryFindings.push(`${t.name}-${ps.partition}: offsets ${ps.nextOffset}..${hwm - 1} are missing (the log directory lost committed batches)`);
        const key = dataKey(t.id, ps.partition, ps.nextOffset);
        ops.push({ type: 'put', key, value: sealBatch(key, encodeLostBatch(ps.nextOffset, hwm - 1)) });
        ps.nextOffset = hwm;
        ps.highWatermark = hwm;
      }
    }
    if (ops.length > 0) await this.pipeline.submit(ops);
  }

  /** Commits and topics the checkpoint knows of but LevelDB lost: reported (not repaired). */
  private checkGroupsAgainstCheckpoint(watermarks: HighWatermarks, groups: GroupOffsets): void {
    const ids = new Set<number>();
    for (const t of this.topics.values()) ids.add(t.id);
    const lostIds = new Set<string>();
    for (const tp of watermarks.keys()) {
      const id = tp.slice(0, tp.indexOf('/'));
      if (!ids.has(Number(id))) lostIds.add(id);
      // never hand out an id the checkpoint knows (its counter may be what was lost)
      if (Number(id) >= this.nextTopicId) this.nextTopicId = Number(id) + 1;
    }
    for (const id of lostIds) {
      this.recoveryFindings.push(`topic id ${id} is gone from the log directory although the checkpoint has its offsets (its metadata was lost, or it was deleted just before a crash)`);
    }
    for (const [g, offset] of groups) {
      const [group, topic, partition] = JSON.parse(g) as [string, string, number];
      const now = this.groups.get(group)?.get(topic)?.get(partition);
      if (this.topics.has(topic) && (now === undefined || now < offset)) {
        this.recoveryFindings.push(`group ${group}: the committed offset of ${topic}-${partition} went back from ${offset} to ${now ?? 'none'} (the log directory lost a commit)`);
      }
    }
  }

  // ---------------------------------------------------------------- high watermark checkpoint

  private watermarks(): HighWatermarks {
    const out: HighWatermarks = new Map();
    for (const t of this.topics.values()) for (const ps of t.partitions) out.set(`${t.id}/${ps.partition}`, ps.highWatermark);
    return out;
  }

  private groupOffsets(): GroupOffsets {
    const out: GroupOffsets = new Map();
    for (const [group, byTopic] of this.groups) {
      for (const [topic, byPartition] of byTopic) for (const [p, offset] of byPartition) out.set(JSON.stringify([group, topic, p]), offset);
    }
    return out;
  }

  /** Writes the checkpoint file if a high watermark moved (runs one at a time). */
  checkpoint(): Promise<void> {
    this.checkpointing = this.checkpointing.then(async () => {
      if (!this.checkpointDirty) return;
      this.checkpointDirty = false;
      try {
        // every watermark read here is durable in LevelDB: they move only once a write landed
        await writeCheckpoint(this.directory, this.watermarks(), this.groupOffsets());
      } catch {
        this.checkpointDirty = true; // say, the disk is full: the old checkpoint stays valid
      }
    });
    return this.checkpointing;
  }

  // ---------------------------------------------------------------- failed writes

  /**
   * After a failed write LevelDB must not be written again as it is: its log writer has already
   * counted the record that did not land, so later records would sit misaligned behind the torn
   * one and recovery would drop them. Closing and opening it again replays the write-ahead log
   * (dropping the torn tail) and starts a fresh one. Readers that overlap retry.
   */
  private reopenDb(): Promise<void> {
    this.reopening ??= (async () => {
      try {
        // replaying the write-ahead log writes a table about as big: while there is no room for
        // it, keep the open (and readable) database and fail the write
        const needed = (await walBytes(this.directory)) + REOPEN_HEADROOM;
        const free = await freeBytes(this.directory);
        if (this.db.status === 'open' && free < needed) {
          throw new LogError(
            `the log directory '${this.directory}' is still out of disk space (${free} bytes free, about ${needed} needed to resume writing); nothing of this write was stored`,
            'DISK_FULL',
          );
        }
        this.generation++;
        this.closeIdleScans(true);
        await this.db.close();
        await this.db.open();
      } finally {
        this.reopening = undefined;
      }
    })();
    return this.reopening;
  }

  /** Runs a read, again if LevelDB was reopened under it (after a failed write). */
  private async withDb<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      while (this.reopening !== undefined) await this.reopening.catch(() => undefined);
      // a reopen that failed (disk full while replaying) left it closed: try again
      if (this.db.status === 'closed' && !this.closed) await this.reopenDb().catch(() => undefined);
      const generation = this.generation;
      try {
        return await read();
      } catch (err) {
        if ((generation === this.generation && this.reopening === undefined) || attempt >= 3) throw err;
      }
    }
  }

  // ---------------------------------------------------------------- admin

  async createTopic(name: string, options: CreateTopicOptions): Promise<void> {
    this.checkOpen();
    validateTopicName(name);
    if (this.topics.has(name) || this.creating.has(name)) {
      throw new LogError(`topic '${name}' already exists`, 'TOPIC_EXISTS', { topic: name });
    }
    const partitions = validatePartitionCount(name, options?.partitions);
    const rf = options?.replicationFactor ?? 1;
    if (!Number.isInteger(rf) || (rf < 1 && rf !== -1)) {
      throw new LogError(`topic '${name}': invalid replication factor ${rf}`, 'INVALID_CONFIG', { topic: name });
    }
    const overrides = parseTopicOverrides(options?.config, name);
    const id = this.nextTopicId++;
    const stored: StoredTopic = { id, partitions, replicationFactor: rf === -1 ? 1 : rf, overrides };
    const ops: WriteOp[] = [
      { type: 'put', key: topicKey(name), value: Buffer.from(JSON.stringify(stored)) },
      { type: 'put', key: systemKey(NEXT_TOPIC_ID), value: u64Value(this.nextTopicId) },
    ];
    const states: PartitionState[] = [];
    for (let p = 0; p < partitions; p++) {
      const ps = newPartitionState(id, name, p);
      ps.sizeBytes = 0; // a new partition is known to be empty
      states.push(ps);
      ops.push({ type: 'put', key: partitionKey(id, p), value: Buffer.from(JSON.stringify({ logStartOffset: 0, cleanerCheckpoint: 0 })) });
    }
    this.creating.add(name);
    try {
      await this.pipeline.submit(ops, () => {
        this.topics.set(name, { name, id, partitions: states, replicationFactor: stored.replicationFactor, overrides, sticky: 0 });
      });
    } finally {
      this.creating.delete(name);
    }
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const t = this.topicOrThrow(name);
    return {
      name,
      partitions: t.partitions.map((ps) => ({
        partition: ps.partition,
        logStartOffset: BigInt(ps.logStartOffset),
        highWatermark: BigInt(ps.highWatermark),
      })),
      replicationFactor: t.replicationFactor,
      config: effectiveTopicConfig(this.defaults, t.overrides),
      overrides: { ...t.overrides },
    };
  }

  async listTopics(): Promise<string[]> {
    this.checkOpen();
    return [...this.topics.keys()].sort();
  }

  async deleteTopic(name: string): Promise<void> {
    const t = this.topicOrThrow(name);
    // gone at once for new produces and fetches; records follow once the marker is durable
    this.topics.delete(name);
    for (const ps of t.partitions) for (const w of [...ps.waiters.keys()]) w.finish(false);
    for (const ps of t.partitions) this.tail.clear(ps);
    this.closeIdleScans(true, t.partitions);
    const ops: WriteOp[] = [
      { type: 'del', key: topicKey(name) },
      { type: 'put', key: deletingKey(t.id), value: Buffer.from(JSON.stringify({ name })) },
    ];
    for (const ps of t.partitions) ops.push({ type: 'del', key: partitionKey(t.id, ps.partition) });
    await this.pipeline.submit(ops, undefined, () => {
      if (!this.topics.has(name)) this.topics.set(name, t);
    });
    await this.pipeline.drain(); // appends submitted before the delete have landed: clear them too
    await this.db.clear(dataTopicRange(t.id));
    await this.pipeline.submit([{ type: 'del', key: deletingKey(t.id) }]);
    this.checkpointDirty = true;
    await this.checkpoint();
  }

  /** grows a topic to `count` partitions (Kafka's CreatePartitions); the new ones start empty */
  async addPartitions(name: string, count: number): Promise<void> {
    const t = this.topicOrThrow(name);
    const have = t.partitions.length;
    validatePartitionCount(name, count);
    if (count <= have) throw new LogError(`topic '${name}' has ${have} partitions: the count can only grow`, 'INVALID_CONFIG', { topic: name });
    const stored: StoredTopic = { id: t.id, partitions: count, replicationFactor: t.replicationFactor, overrides: t.overrides };
    const ops: WriteOp[] = [{ type: 'put', key: topicKey(name), value: Buffer.from(JSON.stringify(stored)) }];
    const states: PartitionState[] = [];
    for (let p = have; p < count; p++) {
      const ps = newPartitionState(t.id, name, p);
      ps.sizeBytes = 0;
      states.push(ps);
      ops.push({ type: 'put', key: partitionKey(t.id, p), value: Buffer.from(JSON.stringify({ logStartOffset: 0, cleanerCheckpoint: 0 })) });
    }
    await this.pipeline.submit(ops, () => {
      t.partitions.push(...states);
    });
  }

  async updateTopicConfig(name: string, config: TopicConfigInput): Promise<void> {
    const t = this.topicOrThrow(name);
    const parsed = parseTopicConfig(config, name, true);
    const overrides: Partial<TopicConfig> = { ...t.overrides };
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null) delete overrides[k as keyof TopicConfig];
      else (overrides as Record<string, unknown>)[k] = v;
    }
    const stored: StoredTopic = { id: t.id, partitions: t.partitions.length, replicationFactor: t.replicationFactor, overrides };
    await this.pipeline.submit([{ type: 'put', key: topicKey(name), value: Buffer.from(JSON.stringify(stored)) }], () => {
      t.overrides = overrides;
    });
  }

  // ---------------------------------------------------------------- produce / fetch

  async produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]> {
    this.checkOpen();
    const ops: WriteOp[] = [];
    const applied: (() => void)[] = [];
    const failed: (() => void)[] = [];
    const results = this.prepareAppend(records, ops, applied, failed);
    await this.pipeline.submit(ops, runAll(applied), runAll(failed));
    return results;
  }

  /**
   * Validates every record, then assigns offsets and encodes batches into `ops`. Nothing is
   * assigned when any record is invalid, so a rejected call leaves no trace.
   */
  private prepareAppend(records: readonly ProduceRecord[], ops: WriteOp[], applied: (() => void)[], failed: (() => void)[]): ProduceResult[] {
    if (!Array.isArray(records)) throw invalidRecord('produce expects an array of records');
    const now = this.clock();
    const groups = new Map<PartitionState, ProduceRecord[]>();
    const sticky = new Map<TopicState, number>();
    const maxBytes = new Map<TopicState, number>();
    // a commit's records mostly run in long stretches of one topic and partition: the last ones
    // looked up are kept instead of a map lookup per record
    let lastTopic: TopicState | undefined;
    let lastPs: PartitionState | undefined;
    let lastList: ProduceRecord[] | undefined;
    for (const r of records) {
      if (r === null || typeof r !== 'object') throw invalidRecord('a record must be an object');
      const t = lastTopic !== undefined && lastTopic.name === r.topic ? lastTopic : this.topicOrThrow(r.topic);
      lastTopic = t;
      const n = t.partitions.length;
      const key = r.key ?? null;
      let p: number;
      if (r.partition !== undefined && r.partition !== null) {
        p = r.partition;
        if (!Number.isInteger(p) || p < 0 || p >= n) {
          throw new LogError(`topic '${t.name}' has no partition ${p} (it has ${n})`, 'INVALID_PARTITION', { topic: t.name, partition: p });
        }
      } else if (key !== null) {
        if (!isBytes(key)) throw invalidRecord(`topic '${t.name}': record key must be a Buffer or null`, t.name);
        p = n === 1 ? 0 : partitionForKey(key, n);
      } else {
        p = sticky.get(t) ?? t.sticky % n;
        sticky.set(t, p);
      }
      if (key !== null && !isBytes(key)) throw invalidRecord(`topic '${t.name}': record key must be a Buffer or null`, t.name);
      const value = r.value ?? null;
      if (value !== null && !isBytes(value)) throw invalidRecord(`topic '${t.name}': record value must be a Buffer or null`, t.name);
      const ts = r.timestamp;
      if (ts !== undefined && (!Number.isSafeInteger(ts) || Math.abs(ts) > MAX_ABS_TIMESTAMP)) {
        throw invalidRecord(`topic '${t.name}': invalid record timestamp ${String(ts)}: expected integer milliseconds`, t.name);
      }
      const hs = r.headers;
      if (hs !== undefined) {
        if (!Array.isArray(hs)) throw invalidRecord(`topic '${t.name}': record headers must be an array`, t.name);
        for (const h of hs) {
          if (h === null || typeof h !== 'object' || typeof h.key !== 'string' || (h.value !== null && !isBytes(h.value))) {
            throw invalidRecord(`topic '${t.name}': a header must be { key: string, value: Buffer | null }`, t.name);
          }
        }
      }
      let limit = maxBytes.get(t);
      if (limit === undefined) maxBytes.set(t, (limit = effectiveTopicConfig(this.defaults, t.overrides)['max.message.bytes']));
      const size = singleRecordBatchSize(r);
      if (size > limit) {
        throw new LogError(
          `topic '${t.name}': a record of ${size} bytes (as stored) is over the topic's max.message.bytes (${limit}); nothing of this produce was written`,
          'RECORD_TOO_LARGE',
          { topic: t.name, partition: p },
        );
      }
      const ps = t.partitions[p];
      let list = ps === lastPs ? lastList : groups.get(ps);
      if (list === undefined) groups.set(ps, (list = []));
      lastPs = ps;
      lastList = list;
      list.push(r);
    }
    // all valid: from here on nothing throws
    for (const [t, p] of sticky) t.sticky = (p + 1) % t.partitions.length;
    const results: ProduceResult[] = [];
    for (const [ps, list] of groups) {
      const base = ps.nextOffset;
      let bytes = 0;
      let i = 0;
      const written: TailBatch[] = [];
      while (i < list.length) {
        let j = i;
        let payload = 0;
        while (j < list.length && j - i < MAX_BATCH_RECORDS && payload < MAX_BATCH_PAYLOAD) {
          const r = list[j++];
          payload += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 16;
        }
        const chunk = i === 0 && j === list.length ? list : list.slice(i, j);
        const chunkBase = base + i;
        const key = dataKey(ps.topicId, ps.partition, chunkBase);
        const value = sealBatch(key, encodeBatch(chunkBase, chunkBase + chunk.length - 1, chunk as ProduceRecordForEncode[], undefined, 0, now));
        ops.push({ type: 'put', key, value });
        written.push({ base: chunkBase, last: chunkBase + chunk.length - 1, value });
        bytes += value.length;
        i = j;
      }
      results.push(this.finishAppend(ps, base, list.length, bytes, written, applied, failed));
    }
    return results;
  }

  /**
   * A partition's appended batches: its next offset moves past them now, its high watermark, sizes
   * and tail cache once they are written (`applied`), the offsets are given back if they fail.
   */
  private finishAppend(ps: PartitionState, base: number, count: number, bytes: number, written: TailBatch[], applied: (() => void)[], failed: (() => void)[]): ProduceResult {
    const end = base + count;
    ps.nextOffset = end;
    applied.push(() => {
      if (end > ps.highWatermark) ps.highWatermark = end;
      this.checkpointDirty = true;
      ps.appendedBytes += bytes;
      if (ps.sizeBytes !== undefined) {
        ps.sizeBytes += bytes;
        ps.dirtyBytes += bytes;
      }
      // readable from memory before any waiter is woken to read it
      this.tail.append(ps, written);
      this.notify(ps);
    });
    failed.push(() => {
      // give the offsets back unless later appends were assigned after them
      if (ps.nextOffset === end) ps.nextOffset = base;
    });
    return { topic: ps.topic, partition: ps.partition, baseOffset: BigInt(base), count };
  }

  /**
   * Appends runs of records already encoded as stored batches (produce-runs.ts), as
   * prepareAppend appends records: checked first (topic, partition, max.message.bytes), nothing
   * assigned when one fails; keyless runs without a partition share the topic's sticky partition.
   */
  private prepareAppendEncoded(runs: readonly EncodedRun[], ops: WriteOp[], applied: (() => void)[], failed: (() => void)[]): ProduceResult[] {
    const groups = new Map<PartitionState, EncodedRun[]>();
    const sticky = new Map<TopicState, number>();
    const maxBytes = new Map<TopicState, number>();
    for (const r of runs) {
      const t = this.topicOrThrow(r.topic);
      const n = t.partitions.length;
      let p = r.partition;
      if (p !== undefined) {
        if (p >= n) throw new LogError(`topic '${t.name}' has no partition ${p} (it has ${n})`, 'INVALID_PARTITION', { topic: t.name, partition: p });
      } else {
        p = sticky.get(t) ?? t.sticky % n;
        sticky.set(t, p);
      }
      let limit = maxBytes.get(t);
      if (limit === undefined) maxBytes.set(t, (limit = effectiveTopicConfig(this.defaults, t.overrides)['max.message.bytes']));
      if (r.maxRecordBytes > limit) {
        throw new LogError(
          `topic '${t.name}': a record of ${r.maxRecordBytes} bytes (as stored) is over the topic's max.message.bytes (${limit}); nothing of this produce was written`,
          'RECORD_TOO_LARGE',
          { topic: t.name, partition: p },
        );
      }
      const ps = t.partitions[p]!;
      let list = groups.get(ps);
      if (list === undefined) groups.set(ps, (list = []));
      list.push(r);
    }
    // all valid: from here on nothing throws
    for (const [t, p] of sticky) t.sticky = (p + 1) % t.partitions.length;
    const results: ProduceResult[] = [];
    for (const [ps, list] of groups) {
      const base = ps.nextOffset;
      let bytes = 0;
      let at = base;
      const written: TailBatch[] = [];
      for (const r of list) {
        const key = dataKey(ps.topicId, ps.partition, at);
        const value = sealBatch(key, r.value);
        ops.push({ type: 'put', key, value });
        written.push({ base: at, last: at + r.count - 1, value });
        bytes += value.length;
        at += r.count;
      }
      results.push(this.finishAppend(ps, base, at - base, bytes, written, applied, failed));
    }
    return results;
  }

  async fetch(topic: string, partition: number, fromOffset: bigint, options: FetchOptions = {}): Promise<FetchResult> {
    const ps = this.partitionOrThrow(topic, partition);
    const from = offsetNumber(fromOffset, 'fetch offset', { topic, partition });
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || !(maxBytes > 0)) {
      throw new LogError(`invalid fetch limits maxRecords=${maxRecords} maxBytes=${maxBytes}`, 'INVALID_CONFIG', { topic, partition });
    }
    const hwm = ps.highWatermark;
    this.checkInRange(ps, from, hwm);
    const records: FetchedRecord[] = [];
    if (from === hwm) {
      return { records, nextOffset: BigInt(hwm), highWatermark: BigInt(hwm), logStartOffset: BigInt(ps.logStartOffset) };
    }
    const acc: FetchAccumulator = { topic, partition, out: records, maxRecords, maxBytes, bytes: 0, full: false, lastOffset: -1 };
    await this.scanBatches(ps, from, hwm, {
      reset: () => {
        records.length = 0;
        acc.bytes = 0;
        acc.full = false;
        acc.lastOffset = -1;
      },
      take: (value, base) => {
        decodeForFetch(value, base, from, acc);
        return acc.full;
      },
      wanted: maxRecords,
      next: () => acc.lastOffset + 1,
    });
    return {
      records,
      nextOffset: BigInt(acc.full ? acc.lastOffset + 1 : hwm),
      highWatermark: BigInt(hwm),
      logStartOffset: BigInt(ps.logStartOffset),
    };
  }

  /**
   * The stored batches holding the records from `fromOffset` on, as they are kept (batch-codec
   * format, checksums verified), rather than decoded: for a reader elsewhere (a task thread) that
   * decodes them itself, so this thread only reads and copies bytes. About `maxRecords` records
   * (counted from the batch headers; the first batch may start before fromOffset); `end` is where
   * the next read continues once every record of these batches is taken. Offset range and
   * missing-offset errors as fetch raises them.
   */
  async fetchStored(topic: string, partition: number, fromOffset: bigint, maxRecords: number): Promise<StoredFetch> {
    const ps = this.partitionOrThrow(topic, partition);
    const from = offsetNumber(fromOffset, 'fetch offset', { topic, partition });
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new LogError(`invalid fetch limits maxRecords=${maxRecords}`, 'INVALID_CONFIG', { topic, partition });
    }
    const hwm = ps.highWatermark;
    this.checkInRange(ps, from, hwm);
    const batches: StoredBatch[] = [];
    let end = hwm;
    if (from < hwm) {
      let records = 0;
      let bytes = 0;
      await this.scanBatches(ps, from, hwm, {
        reset: () => {
          batches.length = 0;
          records = 0;
          bytes = 0;
          end = hwm;
        },
        take: (value, base, last, count) => {
          batches.push({ base, value });
          records += base >= from ? count : Math.min(count, last - from + 1);
          bytes += value.length;
          if (records < maxRecords && bytes < DEFAULT_MAX_BYTES) return false;
          end = Math.min(last + 1, hwm);
          return true;
        },
        wanted: maxRecords,
        next: () => end,
      });
    }
    return { batches, end, highWatermark: hwm, logStartOffset: ps.logStartOffset };
  }

  /**
   * Hands the batches covering [from, hwm) to `visit.take` in offset order (from the tail cache
   * when it holds them, else LevelDB, checksums verified) until it returns true. A read that is
   * tried again (the log reopened its database) calls `visit.reset` first.
   */
  private async scanBatches(ps: PartitionState, from: number, hwm: number, visit: BatchVisitor): Promise<void> {
    const { topic, partition } = ps;
    if (this.tail.read(ps, from, hwm, visit.take)) return;
    try {
      await this.withDb(() => {
        visit.reset();
        return this.readBatches(ps, from, hwm, visit);
      });
    } catch (err) {
      if (err instanceof LogError) throw err;
      if (this.closed) throw new LogError('the log was closed during a fetch', 'CLOSED', { topic, partition });
      const message = errorMessage(err);
      if (/corruption/i.test(message)) {
        throw new LogError(`fetch from ${topic}-${partition} at offsets ${from}..${hwm - 1} failed: LevelDB found its data damaged (${message}); nothing is served`, 'CORRUPT', {
          topic,
          partition,
          offset: BigInt(from),
        });
      }
      throw new LogError(`fetch from ${topic}-${partition} failed: ${message}`, 'IO', { topic, partition });
    }
    // retention may have raced with this read (it raises the start offset before deleting)
    if (from < ps.logStartOffset) this.checkInRange(ps, from, hwm);
  }

  /**
   * Reads the batches of [from, hwm) from LevelDB. Each nextv of a classic-level iterator is a
   * trip through libuv's thread pool and back (on a busy machine, the main thread then waits for a
   * core), so a read takes few: the iterator returns up to READ_AHEAD_BYTES per nextv rather than
   * its 16 KiB default (one stored batch), the first nextv asks for as many batches as the records
   * wanted fill at this partition's last batch size, and a read that continues where the last
   * one stopped starts at the batch it stopped in (remembered) without the reverse seek for it.
   */
  private async readBatches(ps: PartitionState, from: number, hwm: number, visit: BatchVisitor): Promise<void> {
    const kept = this.takeKeptScan(ps, from, hwm);
    if (kept !== undefined) {
      const reached = await this.scanFrom(ps, from, hwm, visit, kept, undefined, false);
      if (reached === true) return;
      // the kept iterator ended at the high watermark it was made under: read on with a new one
      from = reached as number;
      if (from >= hwm) return;
    }
    const hint = this.readHints.get(ps);
    if (hint !== undefined && hint.next === from && hint.base <= from) {
      if (await this.scanFrom(ps, from, hwm, visit, dataKey(ps.topicId, ps.partition, hint.base), undefined, true)) return;
    }
    // one snapshot for the seek and the scan: compaction may merge batches in between
    const snapshot = this.db.snapshot();
    try {
      const seek = dataKey(ps.topicId, ps.partition, from);
      const containing = await this.db
        .keys({ gte: dataPartitionStart(ps.topicId, ps.partition), lte: seek, reverse: true, limit: 1, snapshot })
        .all();
      await this.scanFrom(ps, from, hwm, visit, containing.length > 0 ? containing[0] : seek, snapshot, false);
    } finally {
      await snapshot.close();
    }
  }

  /**
   * Scans from `start` on (a key, or a kept iterator that stopped at `from`). With `guess` (a
   * remembered batch key) returns false, having taken nothing, when the first batch found does not
   * hold `from` (the batches were rewritten since). A kept iterator that ends before `visit` is
   * full returns the offset it reached: the high watermark it was made under.
   */
  private async scanFrom(
    ps: PartitionState,
    from: number,
    hwm: number,
    visit: BatchVisitor,
    start: Buffer | KeptScan,
    snapshot: ReturnType<Level<Buffer, Buffer>['snapshot']> | undefined,
    guess: boolean,
  ): Promise<boolean | number> {
    const partition = ps.partition;
    const kept = Buffer.isBuffer(start) ? undefined : start;
    const it =
      kept?.it ?? this.db.iterator({ gte: start as Buffer, lt: dataKey(ps.topicId, partition, hwm), highWaterMarkBytes: READ_AHEAD_BYTES, ...(snapshot ? { snapshot } : {}) });
    const at = { topic: ps.topic, partition, baseOffset: 0 };
    // batches tile the partition: every offset from `from` to the high watermark is in one
    let expected = from;
    let full = false;
    let first = true;
    let perBatch = this.batchRecords.get(ps) ?? 0;
    let pending = kept?.pending;
    let keep: KeptScan | undefined;
    const scanWritten = this.pipeline.bytesWritten;
    try {
      let chunk = perBatch > 0 ? Math.min(64, Math.max(2, Math.ceil(visit.wanted / perBatch) + 1)) : 2;
      while (!full) {
        let entries: [Buffer, Buffer][];
        let i = 0;
        if (pending !== undefined) {
          entries = pending;
          i = kept!.at;
          pending = undefined;
        } else {
          entries = (await it.nextv(chunk)) as [Buffer, Buffer][];
          chunk = Math.min(chunk * 2, 64);
        }
        if (i >= entries.length) {
          if (entries.length === 0) break;
          continue;
        }
        for (; i < entries.length; i++) {
          const [k, v] = entries[i]!;
          const base = dataKeyOffset(k);
          if (first && guess && base > from) return false;
          first = false;
          at.baseOffset = base;
          const header = readVerifiedHeader(k, v, at);
          const last = base + header.lastOffsetDelta;
          if (last < expected) continue;
          if (base > expected) throw missingOffsets(ps, expected, base - 1);
          if ((header.flags & BATCH_FLAG_LOST) !== 0) throw missingOffsets(ps, Math.max(base, from), last);
          if (header.count > 0) perBatch = header.count;
          full = visit.take(v, base, last, header.count);
          expected = last + 1;
          if (full) {
            // where the next read most likely starts: in this batch, or at the next one
            const next = visit.next();
            this.readHints.set(ps, { next, base: next > last ? last + 1 : base });
            if (snapshot === undefined) {
              const now = Date.now();
              keep = {
                it,
                generation: kept?.generation ?? this.generation,
                bound: kept?.bound ?? hwm,
                pending: entries,
                at: next > last ? i + 1 : i,
                next,
                since: kept?.since ?? now,
                lastUse: now,
                written: kept?.written ?? scanWritten,
              };
            }
            break;
          }
        }
      }
    } finally {
      if (keep !== undefined && this.keepScan(ps, keep)) {
        // kept for the read that continues at keep.next
      } else await it.close();
    }
    if (kept !== undefined && !full) return expected;
    if (first && guess && expected < hwm) return false;
    if (perBatch > 0) this.batchRecords.set(ps, perBatch);
    if (!full) {
      if (expected < hwm) throw missingOffsets(ps, expected, hwm - 1);
      this.readHints.set(ps, { next: hwm, base: hwm });
    }
    return true;
  }

  /**
   * A kept iterator that stopped at `from`, taken out of the pool, or undefined. Iterators of an
   * older LevelDB (reopened since), made under a higher high watermark, or kept too long are closed.
   */
  private takeKeptScan(ps: PartitionState, from: number, hwm: number): KeptScan | undefined {
    const scans = this.keptScans.get(ps);
    if (scans === undefined) return undefined;
    const now = Date.now();
    let found: KeptScan | undefined;
    for (let i = scans.length - 1; i >= 0; i--) {
      const s = scans[i]!;
      const usable = this.fresh(s, now) && s.bound <= hwm;
      if (usable && found === undefined && s.next === from) found = s;
      else if (usable) continue;
      else void s.it.close().catch(() => undefined);
      scans.splice(i, 1);
    }
    if (scans.length === 0) this.keptScans.delete(ps);
    return found;
  }

  /** whether a kept iterator may serve on: same LevelDB, young, little written since */
  private fresh(scan: KeptScan, now: number): boolean {
    return scan.generation === this.generation && now - scan.since < KEPT_SCAN_MAX_AGE_MS && this.pipeline.bytesWritten - scan.written < KEPT_SCAN_WRITE_BYTES;
  }

  /** Pools an iterator for the read that continues at scan.next; false: not kept (close it). */
  private keepScan(ps: PartitionState, scan: KeptScan): boolean {
    if (this.closed || !this.fresh(scan, Date.now()) || !this.topics.has(ps.topic)) return false;
    let scans = this.keptScans.get(ps);
    if (scans === undefined) this.keptScans.set(ps, (scans = []));
    // one per reader of the partition (several queries may read one topic); the oldest goes
    if (scans.length >= KEPT_SCANS_PER_PARTITION) void scans.shift()!.it.close().catch(() => undefined);
    scans.push(scan);
    if (this.keptScanTimer === undefined) {
      this.keptScanTimer = setInterval(() => this.closeIdleScans(false), KEPT_SCAN_IDLE_MS);
      this.keptScanTimer.unref();
    }
    return true;
  }

  /** Closes kept iterators idle for a while (or all): each pins LevelDB's files as of its making. */
  private closeIdleScans(all: boolean, only?: readonly PartitionState[]): void {
    const now = Date.now();
    for (const [ps, scans] of this.keptScans) {
      if (only !== undefined && !only.includes(ps)) continue;
      for (let i = scans.length - 1; i >= 0; i--) {
        const s = scans[i]!;
        if (!all && now - s.lastUse < KEPT_SCAN_IDLE_MS && this.fresh(s, now)) continue;
        void s.it.close().catch(() => undefined);
        scans.splice(i, 1);
      }
      if (scans.length === 0) this.keptScans.delete(ps);
    }
    if (this.keptScans.size === 0 && this.keptScanTimer !== undefined) {
      clearInterval(this.keptScanTimer);
      this.keptScanTimer = undefined;
    }
  }

  private checkInRange(ps: PartitionState, offset: number, hwm: number): void {
    if (offset < ps.logStartOffset || offset > hwm) {
      throw new LogError(
        `offset ${offset} is out of range for ${ps.topic}-${ps.partition} (log start ${ps.logStartOffset}, high watermark ${hwm})`,
        'OFFSET_OUT_OF_RANGE',
        { topic: ps.topic, partition: ps.partition, offset: BigInt(offset) },
      );
    }
  }

  async earliestOffset(topic: string, partition: number): Promise<bigint> {
    return BigInt(this.partitionOrThrow(topic, partition).logStartOffset);
  }

  async latestOffset(topic: string, partition: number): Promise<bigint> {
    return BigInt(this.partitionOrThrow(topic, partition).highWatermark);
  }

  waitForData(topic: string, partition: number, offset: bigint, timeoutMs: number): Promise<boolean> {
    return this.waitForAnyData([{ topic, partition, offset }], timeoutMs);
  }

  async waitForAnyData(positions: readonly TopicPartitionOffset[], timeoutMs: number): Promise<boolean> {
    const entries: [PartitionState, number][] = positions.map((pos) => [
      this.partitionOrThrow(pos.topic, pos.partition),
      offsetNumber(pos.offset, 'wait offset', pos),
    ]);
    for (const [ps, off] of entries) if (ps.highWatermark > off) return true;
    if (!(timeoutMs > 0) || entries.length === 0) return false;
    return new Promise<boolean>((resolve) => {
      let done = false;
      const waiter: Waiter = {
        finish: (result) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          for (const [ps] of entries) ps.waiters.delete(waiter);
          this.waiters.delete(waiter);
          resolve(result);
        },
      };
      const timer = setTimeout(() => waiter.finish(false), timeoutMs);
      for (const [ps, off] of entries) ps.waiters.set(waiter, off);
      this.waiters.add(waiter);
    });
  }

  private notify(ps: PartitionState): void {
    if (ps.waiters.size === 0) return;
    for (const [w, off] of ps.waiters) if (ps.highWatermark > off) w.finish(true);
  }

  // ---------------------------------------------------------------- consumer groups

  async commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen();
    const ops: WriteOp[] = [];
    const applied: (() => void)[] = [];
    this.prepareGroupCommit({ group, offsets: [...offsets] }, ops, applied);
    await this.pipeline.submit(ops, runAll(applied));
  }

  private prepareGroupCommit(g: { group: string; offsets: TopicPartitionOffset[] }, ops: WriteOp[], applied: (() => void)[]): void {
    if (typeof g.group !== 'string' || g.group.length === 0 || Buffer.byteLength(g.group) > 0xffff) {
      throw new LogError(`invalid consumer group id ${JSON.stringify(g.group)}`, 'INVALID_CONFIG');
    }
    if (!Array.isArray(g.offsets)) throw new LogError('group offsets must be an array', 'INVALID_CONFIG');
    const values: [string, number, number][] = [];
    for (const o of g.offsets) {
      this.partitionOrThrow(o.topic, o.partition);
      const off = offsetNumber(o.offset, 'committed offset', o);
      values.push([o.topic, o.partition, off]);
      ops.push({ type: 'put', key: groupKey(g.group, o.topic, o.partition), value: u64Value(off) });
    }
    applied.push(() => {
      for (const [topic, partition, off] of values) this.setGroupOffset(g.group, topic, partition, off);
      this.checkpointDirty = true;
    });
  }

  private setGroupOffset(group: string, topic: string, partition: number, offset: number): void {
    let byTopic = this.groups.get(group);
    if (byTopic === undefined) this.groups.set(group, (byTopic = new Map()));
    let byPartition = byTopic.get(topic);
    if (byPartition === undefined) byTopic.set(topic, (byPartition = new Map()));
    byPartition.set(partition, offset);
  }

  async committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]> {
    this.checkOpen();
    const out: TopicPartitionOffset[] = [];
    const byTopic = this.groups.get(group);
    if (byTopic === undefined) return out;
    const topics = topic === undefined ? [...byTopic.keys()].sort() : [topic];
    for (const t of topics) {
      const byPartition = byTopic.get(t);
      if (byPartition === undefined) continue;
      for (const p of [...byPartition.keys()].sort((a, b) => a - b)) {
        out.push({ topic: t, partition: p, offset: BigInt(byPartition.get(p)!) });
      }
    }
    return out;
  }

  async listGroups(): Promise<string[]> {
    this.checkOpen();
    return [...this.groups.keys()].sort();
  }

  async deleteGroup(group: string): Promise<void> {
    this.checkOpen();
    const byTopic = this.groups.get(group);
    if (byTopic === undefined) return;
    const ops: WriteOp[] = [];
    for (const [topic, byPartition] of byTopic) for (const p of byPartition.keys()) ops.push({ type: 'del', key: groupKey(group, topic, p) });
    await this.pipeline.submit(ops, () => this.groups.delete(group));
    // at once: a checkpoint still holding the group would later read as a lost commit
    this.checkpointDirty = true;
    await this.checkpoint();
  }

  // ---------------------------------------------------------------- exactly-once

  async commitTransaction(txn: LocalTransaction): Promise<TransactionResult> {
    this.checkOpen();
    if (txn === null || typeof txn !== 'object') throw invalidRecord('a transaction must be an object');
    return this.commitWith(txn, (ops, applied, failed) => this.prepareAppend(txn.produce ?? [], ops, applied, failed));
  }

  /**
   * commitTransaction with (some of) the records encoded by their producer (produce-runs.ts: a task
   * thread's commit; batch-builder.ts: a sink's), in one LevelDB batch with the records given as
   * records, the offsets and extra writes as there.
   */
  async commitEncoded(runs: readonly EncodedRun[], txn: Omit<LocalTransaction, 'produce'> & { produce?: ProduceRecord[] }): Promise<TransactionResult> {
    this.checkOpen();
    // runs of keyed records for a topic of several partitions: their records go one by one, each
    // to its key's partition
    let records = txn.produce ?? [];
    let whole = runs;
    if (runs.some((r) => r.byKey && this.topicOrThrow(r.topic).partitions.length > 1)) {
      const kept: EncodedRun[] = [];
      whole = kept;
      records = [...records];
      for (const r of runs) {
        if (!(r.byKey && this.topicOrThrow(r.topic).partitions.length > 1)) kept.push(r);
        else for (const record of runRecords([r])) records.push(record);
      }
    }
    return this.commitWith(txn, (ops, applied, failed) => {
      const produced = this.prepareAppendEncoded(whole, ops, applied, failed);
      if (records.length === 0) return produced;
      try {
        return [...produced, ...this.prepareAppend(records, ops, applied, failed)];
      } catch (e) {
        // the runs' offsets go back: nothing of this commit is written
        for (let i = failed.length - 1; i >= 0; i--) failed[i]!();
        throw e;
      }
    });
  }

  private async commitWith(
    txn: Omit<LocalTransaction, 'produce'>,
    append: (ops: WriteOp[], applied: (() => void)[], failed: (() => void)[]) => ProduceResult[],
  ): Promise<TransactionResult> {
    const ops: WriteOp[] = [];
    const applied: (() => void)[] = [];
    const failed: (() => void)[] = [];
    // validate offsets and extra writes first: the append assigns offsets once it succeeds
    const groupOps: WriteOp[] = [];
    if (txn.offsets !== undefined) this.prepareGroupCommit(txn.offsets, groupOps, applied);
    const extraOps = prepareExtraWrites(txn.extraWrites ?? []);
    const produced = append(ops, applied, failed);
    for (const op of groupOps) ops.push(op);
    for (const op of extraOps) ops.push(op);
    await this.pipeline.submit(ops, runAll(applied), runAll(failed));
    return { produced };
  }

  /** @internal used by LocalExtraStore */
  async extraWrite(writes: ExtraWrite[]): Promise<void> {
    this.checkOpen();
    await this.pipeline.submit(prepareExtraWrites(writes));
  }

  /** @internal the LevelDB handle, for verify-log.ts */
  storage(): Level<Buffer, Buffer> {
    this.checkOpen();
    return this.db;
  }

  /** @internal the id a topic's keys carry, for verify-log.ts */
  topicId(name: string): number {
    return this.topicOrThrow(name).id;
  }

  /** @internal used by LocalExtraStore: waits out a reopen, returns the generation it read under */
  async extraGeneration(): Promise<number> {
    while (this.reopening !== undefined) await this.reopening.catch(() => undefined);
    if (this.db.status === 'closed' && !this.closed) await this.reopenDb().catch(() => undefined);
    return this.generation;
  }

  /** @internal the current LevelDB generation (bumped by every reopen) */
  dbGeneration(): number {
    return this.generation;
  }

  /** @internal used by LocalExtraStore */
  extraRead<T>(read: () => Promise<T>): Promise<T> {
    return this.withDb(read);
  }

  /** @internal used by LocalExtraStore */
  extraDb(): Level<Buffer, Buffer> {
    this.checkOpen();
    return this.db;
  }

  /** @internal used by LocalExtraStore: clears after pending writes so order is kept */
  async extraClear(gte: Buffer, lt: Buffer): Promise<void> {
    this.checkOpen();
    await this.pipeline.drain();
    await this.db.clear({ gte: extraKey(gte), lt: extraKey(lt) });
  }

  // ---------------------------------------------------------------- maintenance

  /** Retention for every partition, and compaction where enough is dirty. Runs one at a time. */
  maintain(now?: number): Promise<MaintenanceReport> {
    if (this.closed) return Promise.reject(new LogError('the log is closed', 'CLOSED'));
    const run = this.maintenance.then(() => this.runMaintenance(now ?? this.clock()));
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  /** Moves the log start offset (Kafka's deleteRecords); runs in turn with maintenance. */
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    if (this.closed) return Promise.reject(new LogError('the log is closed', 'CLOSED'));
    let ps: PartitionState;
    try {
      ps = this.partitionOrThrow(topic, partition);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.maintenance.then(async () => {
      if (this.maintenanceCtx.isLive(ps)) await deleteRecordsBefore(this.maintenanceCtx, ps, offsetNumber(beforeOffset, 'delete-records offset', { topic, partition }));
    });
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  /** Compacts now, regardless of the dirty ratio (the topic must have a compact policy). */
  compact(topic: string, partition?: number, now?: number): Promise<number> {
    let t: TopicState;
    let parts: PartitionState[];
    try {
      t = this.topicOrThrow(topic);
      parts = partition === undefined ? t.partitions : [this.partitionOrThrow(topic, partition)];
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.maintenance.then(async () => {
      const config = effectiveTopicConfig(this.defaults, t.overrides);
      if (!policyCompacts(config['cleanup.policy'])) {
        throw new LogError(`topic '${topic}' has cleanup.policy=${config['cleanup.policy']}: nothing to compact`, 'INVALID_CONFIG', { topic });
      }
      let removed = 0;
      for (const ps of parts) removed += await compactPartition(this.maintenanceCtx, ps, config, now ?? this.clock());
      return removed;
    });
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  private async runMaintenance(now: number): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { batchesDeleted: 0, partitionsTruncated: 0, partitionsCompacted: 0, recordsCompacted: 0 };
    for (const t of [...this.topics.values()]) {
      const config = effectiveTopicConfig(this.defaults, t.overrides);
      for (const ps of t.partitions) {
        if (!this.maintenanceCtx.isLive(ps)) break;
        const r = await applyRetention(this.maintenanceCtx, ps, config, now);
        report.batchesDeleted += r.batchesDeleted;
        if (r.truncated) report.partitionsTruncated++;
        if (policyCompacts(config['cleanup.policy'])) {
          await ensureSizes(this.maintenanceCtx, ps);
          if (compactionDue(ps, config, now)) {
            report.recordsCompacted += await compactPartition(this.maintenanceCtx, ps, config, now);
            report.partitionsCompacted++;
          }
        }
      }
    }
    return report;
  }

  // ---------------------------------------------------------------- lifecycle

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.checkpointTimer !== undefined) clearInterval(this.checkpointTimer);
    for (const w of [...this.waiters]) w.finish(false);
    await this.maintenance;
    await this.pipeline.drain();
    await this.checkpoint();
    this.tail.clearAll();
    this.closeIdleScans(true);
    await this.db.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private checkOpen(): void {
    if (this.closed) throw new LogError('the log is closed', 'CLOSED');
  }

  private topicOrThrow(name: string): TopicState {
    this.checkOpen();
    const t = this.topics.get(name);
    if (t === undefined) throw new LogError(`unknown topic '${name}'`, 'UNKNOWN_TOPIC', { topic: name });
    return t;
  }

  private partitionOrThrow(topic: string, partition: number): PartitionState {
    const t = this.topicOrThrow(topic);
    const ps = Number.isInteger(partition) ? t.partitions[partition] : undefined;
    if (ps === undefined) {
      throw new LogError(`topic '${topic}' has no partition ${partition} (it has ${t.partitions.length})`, 'INVALID_PARTITION', { topic, partition });
    }
    return ps;
  }
}

/** ProduceRecord already has the shape encodeBatch reads (key, value, timestamp?, headers?). */
/** A read of stored batches: `take` each in order; `reset` before a read tried again. */
interface BatchVisitor {
  readonly take: TakeBatch;
  readonly reset: () => void;
  /** about how many records the read wants (sizes its first LevelDB read) */
  readonly wanted: number;
  /** once `take` said it has what it needs: the offset the next read starts from */
  readonly next: () => number;
}

/**
 * bytes a LevelDB iterator's nextv may return at once (classic-level's default: 16 KiB): four
 * 64 KiB batches, a 1000-record fetch of bids in one or two trips. 4 MiB took the memory-bound
 * test's anonymous RSS from about 235 to 309 MiB (test/reliability/resource-bounds.test.ts).
 */
const READ_AHEAD_BYTES = 256 << 10;

/**
 * A LevelDB iterator kept after a read that stopped before the high watermark, for the read that
 * continues there. A catch-up over a backlog then walks one iterator instead of making one per
 * fetch. A new iterator seeks through every level (a backlog read fetch by fetch took half the
 * CPU with kept ones), and classic-level holds a closed iterator's last nextv entries in native
 * memory until the garbage collector finalizes it, which V8, unaware of that memory, puts off: a
 * fetch-by-fetch read of 920 000 bids peaked at about 330 MiB anonymous RSS, 63 MiB kept.
 * It sees LevelDB as of its making, up to the high watermark then: a read past that goes on
 * with a new iterator.
 */
interface KeptScan {
  readonly it: ReturnType<Level<Buffer, Buffer>['iterator']>;
  /** the LevelDB generation it belongs to (a reopen closes it) */
  readonly generation: number;
  /** the high watermark it was made under: it ends there */
  readonly bound: number;
  /** the entries of its last nextv; `at` is the first no read has finished with */
  readonly pending: [Buffer, Buffer][];
  readonly at: number;
  /** the offset the continuing read starts at */
  readonly next: number;
  readonly since: number;
  readonly lastUse: number;
  /** the log's bytes written when it was made (see KEPT_SCAN_WRITE_BYTES) */
  readonly written: number;
}

/** a kept iterator pins LevelDB's files and memtables as of its making: not for long */
const KEPT_SCAN_MAX_AGE_MS = 1_000;
/**
 * nor past this many bytes written since: the memtable it pins would otherwise outlive its flush
 * (a kept iterator held one 16 MiB memtable more in the memory-bound test)
 */
const KEPT_SCAN_WRITE_BYTES = 2 << 20;
const KEPT_SCAN_IDLE_MS = 250;
const KEPT_SCANS_PER_PARTITION = 4;

type ProduceRecordForEncode = Parameters<typeof encodeBatch>[2][number];

/** Free room asked for beyond the write-ahead logs' size before LevelDB is reopened. */
const REOPEN_HEADROOM = 256 << 10;

async function walBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    if (name.endsWith('.log')) total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

function damagedTablesError(dir: string, damage: readonly TableDamage[]): LogError {
  const first = damage[0];
  const more = damage.length > 1 ? ` (and ${damage.length - 1} more damaged block${damage.length > 2 ? 's' : ''})` : '';
  return new LogError(
    `the log directory '${dir}' is damaged: ${describeDamage(first)}${more}; it is not opened, since LevelDB would serve the damaged data or abort on it (restore the directory from a copy; 'sluice verify --data-dir' lists the damage)`,
    'CORRUPT',
  );
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && !err.message.includes(cause.message) ? `${err.message}: ${cause.message}` : err.message;
}

function missingOffsets(ps: PartitionState, first: number, last: number): LogError {
  return new LogError(
    `${ps.topic}-${ps.partition}: offsets ${first}..${last} are missing from the log directory (lost or damaged); they are not served`,
    'CORRUPT',
    { topic: ps.topic, partition: ps.partition, offset: BigInt(first) },
  );
}

function runAll(fns: (() => void)[]): () => void {
  return () => {
    for (const f of fns) f();
  };
}

function parseJson<T>(v: Buffer, what: string): T {
  try {
    return JSON.parse(v.toString('utf8')) as T;
  } catch {
    throw new LogError(`corrupt ${what} in the log directory`, 'IO');
  }
}

function prepareExtraWrites(writes: readonly ExtraWrite[]): WriteOp[] {
  if (!Array.isArray(writes)) throw invalidRecord('extraWrites must be an array');
  const ops: WriteOp[] = [];
  for (const w of writes) {
    if (w === null || typeof w !== 'object' || !isBytes(w.key) || (w.value !== null && !isBytes(w.value))) {
      throw invalidRecord('an extra write must be { key: Buffer, value: Buffer | null }');
    }
    try {
      const key = extraKey(w.key);
      ops.push(w.value === null ? { type: 'del', key } : { type: 'put', key, value: asBuffer(w.value) });
    } catch (err) {
      throw invalidRecord(`unreadable extra write: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return ops;
}

/** The state layer's keyspace ('X' prefix) in the log's LevelDB. */
class LocalExtraStore implements ExtraStore {
  constructor(private readonly log: LocalLog) {}

  async get(key: Buffer): Promise<Buffer | undefined> {
    return this.log.extraRead(() => this.log.extraDb().get(extraKey(key)));
  }

  async getMany(keys: Buffer[]): Promise<(Buffer | undefined)[]> {
    return this.log.extraRead(() => this.log.extraDb().getMany(keys.map(extraKey)));
  }

  async *range(options: ExtraRangeOptions = {}): AsyncIterable<[Buffer, Buffer]> {
    const bounds: { gte?: Buffer; gt?: Buffer; lte?: Buffer; lt?: Buffer } = {};
    if (options.gt !== undefined) bounds.gt = extraKey(options.gt);
    else bounds.gte = extraKey(options.gte ?? Buffer.alloc(0));
    if (options.lte !== undefined) bounds.lte = extraKey(options.lte);
    else if (options.lt !== undefined) bounds.lt = extraKey(options.lt);
    else bounds.lt = Buffer.of(PREFIX_EXTRA + 1);
    const reverse = options.reverse ?? false;
    let remaining = options.limit ?? -1;
    let lastKey: Buffer | undefined;
    for (;;) {
      // LevelDB reopened after a failed write (see reopenDb) ends the iterator: resume past lastKey
      const generation = await this.log.extraGeneration();
      const b = { ...bounds };
      if (lastKey !== undefined && !reverse) {
        delete b.gte;
        b.gt = lastKey;
      } else if (lastKey !== undefined) {
        delete b.lte;
        b.lt = lastKey;
      }
      const it = this.log.extraDb().iterator({ ...b, reverse, limit: remaining });
      try {
        for (;;) {
          const entries = await it.nextv(256);
          if (entries.length === 0) return;
          for (const [k, v] of entries) {
            lastKey = k;
            if (remaining > 0) remaining--;
            yield [k.subarray(1), v];
          }
          if (remaining === 0) return;
        }
      } catch (err) {
        if (generation === this.log.dbGeneration()) throw err;
      } finally {
        await it.close().catch(() => undefined);
      }
    }
  }

  write(writes: ExtraWrite[]): Promise<void> {
    return this.log.extraWrite(writes);
  }

  clearRange(gte: Buffer, lt: Buffer): Promise<void> {
    return this.log.extraClear(gte, lt);
  }
}
