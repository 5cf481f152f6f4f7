/**
 * State for a log whose records live elsewhere (a Kafka cluster): stores in a local LevelDB state
 * directory, rebuilt from their changelog topics, as Kafka Streams keeps them.
 *
 * - commit: the log first (at_least_once: produce, then commit the offsets; exactly_once: one
 *   producer transaction with the output, the changelog records and the offsets), then the local
 *   state changes. Local state is therefore never ahead of its changelog.
 * - `.checkpoint` (Kafka Streams' name): the changelog offsets the local stores reflect. It is read
 *   and deleted on open and written on a clean close, so after a clean stop a store restores only
 *   the changelog's tail (records another process appended meanwhile), and after a crash (no
 *   checkpoint) every store is wiped and rebuilt from its changelog.
 */
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { debugLog } from '../common/debug-log.js';
import { LogError, StateError } from '../common/errors.js';
import type { Log, Transaction } from '../log/log.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeloggingBytesStore } from './changelogging-bytes-store.js';
import { LevelDbBytesStore, prefixEnd } from './level-db-bytes-store.js';
import type { LevelDbSettings } from './level-db-settings.js';
import { RecordCacheBudget } from './record-cache-budget.js';
import { changelogTopicName, type ManagedStore, type StateBackend, type StoreSpec } from './state-backend.js';
import type { StateKeyspace, StateWrite } from './state-store.js';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

export interface KafkaStateBackendOptions {
  /** the local state directory (under --data-dir) */
  readonly dir: string;
  readonly guarantee?: ProcessingGuarantee;
  /** replication factor of the changelog topics (default: the cluster's) */
  readonly replicationFactor?: number;
  /** the state directory's LevelDB memory (sluice.leveldb.*; LevelDB's defaults otherwise) */
  readonly levelDb?: LevelDbSettings;
}

const CHECKPOINT = '.checkpoint';

class LevelKeyspace implements StateKeyspace {
  constructor(private readonly db: Level<Buffer, Buffer>) {}

  async get(key: Buffer): Promise<Buffer | undefined> {
    return (await this.db.get(key)) ?? undefined;
  }

  async *range(options: { gte?: Buffer; lt?: Buffer; limit?: number }): AsyncIterable<[Buffer, Buffer]> {
    for await (const entry of this.db.iterator(options)) yield entry as [Buffer, Buffer];
  }

  /** through the chained-batch API: db.batch(array) costs several times more main-thread time per op */
  async write(writes: StateWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const batch = this.db.batch();
    try {
      for (const w of writes) {
        if (w.value === null) batch.del(w.key);
        else batch.put(w.key, w.value);
      }
    } catch (err) {
      await batch.close().catch(() => {});
      throw err;
    }
    await batch.write();
  }

  async clearRange(gte: Buffer, lt: Buffer): Promise<void> {
    await this.db.clear({ gte, lt });
  }
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * A commit that failed for the cluster's sake (a broker down, a request timed out: the log's IO
 * code), not the records': the task reopens from its last commit (local state is written only
 * after the log's commit, so it is not ahead) and processes again, as Kafka Streams' task does
 */
function transient(e: unknown): unknown {
  if (!(e instanceof LogError) || e.code !== 'IO') return e;
  const err = new LogError(e.message, 'TRANSIENT', e.context);
  (err as { cause?: unknown }).cause = e;
  return err;
}

export class KafkaStateBackend implements StateBackend {
  readonly guarantee: ProcessingGuarantee;
  private readonly keyspace: LevelKeyspace;
  private readonly budgets = new Map<string, RecordCacheBudget>();
  /** changelog partition -> the next offset the local store has not applied */
  private readonly checkpoint = new Map<string, bigint>();
  /** changelog partitions of this run's stores, with their query */
  private readonly changelogs = new Map<string, string>();
  private closed = false;

  private constructor(
    private readonly log: Log,
    private readonly db: Level<Buffer, Buffer>,
    private readonly options: KafkaStateBackendOptions,
  ) {
    this.guarantee = options.guarantee ?? 'at_least_once';
    this.keyspace = new LevelKeyspace(db);
  }

  static async open(log: Log, options: KafkaStateBackendOptions): Promise<KafkaStateBackend> {
    await mkdir(options.dir, { recursive: true });
    const l = options.levelDb;
    const db = new Level<Buffer, Buffer>(join(options.dir, 'stores'), {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      ...(l ? { cacheSize: l.cacheSize, writeBufferSize: l.writeBufferSize, maxOpenFiles: l.maxOpenFiles, maxFileSize: l.maxFileSize } : {}),
    });
    try {
      await db.open();
    } catch (e) {
      const err = e as { code?: string; cause?: { code?: string } };
      if (err.code === 'LEVEL_LOCKED' || err.cause?.code === 'LEVEL_LOCKED')
        throw new StateError(`The state directory ${options.dir} is in use by another Sluice process`);
      throw new StateError(`Cannot open the state directory ${options.dir}: ${(e as Error).message}`);
    }
    const backend = new KafkaStateBackend(log, db, options);
    const file = join(options.dir, CHECKPOINT);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as { offsets: Record<string, string> };
        for (const [k, v] of Object.entries(parsed.offsets)) backend.checkpoint.set(k, BigInt(v));
      } catch {
        // an unreadable checkpoint is a missing one: every store is rebuilt
      }
      // until the next clean close the local stores may run ahead of any checkpoint
      await rm(file, { force: true });
    }
    return backend;
  }

  /** the changelog offsets the local state reflects (what a clean close writes) */
  checkpointed(): ReadonlyMap<string, bigint> {
    return this.checkpoint;
  }

  createStore<V>(spec: StoreSpec): ManagedStore<V> {
    const changelogTopic = changelogTopicName(spec.queryId, spec.storeName);
    const prefix = Buffer.from(`state\u0000${spec.queryId}\u0000${spec.storeName}\u0000${spec.taskId}\u0000`);
    const level = new LevelDbBytesStore(spec.storeName, this.keyspace, prefix);
    let budget = this.budgets.get(spec.queryId);
    if (!budget || (spec.cacheMaxBytes !== undefined && budget.maxBytes !== spec.cacheMaxBytes)) this.budgets.set(spec.queryId, (budget = new RecordCacheBudget(spec.cacheMaxBytes)));
    const store = new CachingKeyValueStore<V>(new ChangeloggingBytesStore(level, changelogTopic, spec.partition), budget, `${spec.taskId}/${spec.storeName}`);
    this.changelogs.set(tpKey(changelogTopic, spec.partition), spec.queryId);
    const restore = async () => {
      const restored = await this.restore(level.prefix, changelogTopic, spec.partition, spec.partitions);
      await level.loadKeyFilter();
      return restored;
    };
    return { store, changelogTopic, restore, catchUp: () => this.restore(level.prefix, changelogTopic, spec.partition, spec.partitions) };
  }

  /**
   * Brings a store up to its changelog's end: from the checkpointed offset when there is one,
   * otherwise wiped and replayed from the start. Returns the number of changelog records applied.
   */
  private async restore(prefix: Buffer, topic: string, partition: number, partitions: number): Promise<number> {
    const key = tpKey(topic, partition);
    try {
      const found = (await this.log.describeTopic(topic)).partitions.length;
      if (found !== partitions)
        throw new StateError(
          `The changelog topic ${topic} has ${found} partition(s) but the query runs ${partitions} task(s) for it: its state layout changed. Recreate the query to rebuild its state.`,
        );
    } catch (e) {
      if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
      try {
        await this.log.createTopic(topic, {
          partitions,
          ...(this.options.replicationFactor ? { replicationFactor: this.options.replicationFactor } : {}),
          config: { 'cleanup.policy': 'compact', 'retention.ms': -1 },
        });
      } catch (c) {
        if (!(c instanceof LogError) || c.code !== 'TOPIC_EXISTS') throw c;
      }
      // a new changelog: whatever is stored locally is from an older incarnation; another process
      // (the task's owner, when this is a standby) may have created it and written already: replay it
      this.checkpoint.delete(key);
    }
    const earliest = await this.log.earliestOffset(topic, partition);
    const end = await this.log.latestOffset(topic, partition);
    let offset = this.checkpoint.get(key);
    const checkpointed = offset;
    if (offset === undefined || offset < earliest || offset > end) {
      await this.keyspace.clearRange(prefix, prefixEnd(prefix));
      offset = earliest;
    }
    let applied = 0;
    while (offset < end) {
      const batch = await this.log.fetch(topic, partition, offset, { maxRecords: 10_000 });
      const writes: StateWrite[] = [];
      for (const r of batch.records) if (r.key) writes.push({ key: Buffer.concat([prefix, r.key]), value: r.value });
      await this.keyspace.write(writes);
      applied += writes.length;
      if (batch.nextOffset <= offset) break;
      offset = batch.nextOffset;
    }
    this.checkpoint.set(key, offset);
    if (applied > 0 || checkpointed !== offset) debugLog(`restored ${topic.slice(-40)}/${partition}: checkpoint ${checkpointed ?? '-'}, earliest ${earliest}, end ${end}, now ${offset}, ${applied} applied`);
    return applied;
  }

  async commit(txn: Transaction, stateWrites: StateWrite[]): Promise<void> {
    if (this.closed) throw new StateError('The state backend is closed');
    let produced;
    try {
      if (this.guarantee === 'exactly_once') {
        produced = (await this.log.commitTransaction(txn)).produced;
      } else {
        produced = await this.log.produce(txn.produce);
        if (txn.offsets && txn.offsets.offsets.length) await this.log.commitOffsets(txn.offsets.group, txn.offsets.offsets);
      }
    } catch (e) {
      throw transient(e);
    }
    await this.keyspace.write(stateWrites);
    for (const p of produced) {
      const key = tpKey(p.topic, p.partition);
      if (this.changelogs.has(key)) this.checkpoint.set(key, p.baseOffset + BigInt(p.count));
    }
  }

  /** exactly_once: a transactional producer per task, whose InitProducerId fences the task's previous owner */
  async openTask(queryId: string, taskId: string): Promise<void> {
    try {
      if (this.guarantee === 'exactly_once') await this.log.fenceWriter?.(queryId, taskId);
    } catch (e) {
      throw transient(e);
    }
  }

  /** on Kafka, a log failure that is not about the records (IO: a broker down, a timeout) passes */
  isTransient(error: unknown): boolean {
    return error instanceof LogError && (error.code === 'TRANSIENT' || error.code === 'IO');
  }

  async closeTask(queryId: string, taskId: string): Promise<void> {
    await this.log.releaseWriter?.(queryId, taskId);
  }

  async dropQueryState(queryId: string): Promise<void> {
    this.budgets.delete(queryId);
    for (const [key, q] of this.changelogs)
      if (q === queryId) {
        this.changelogs.delete(key);
        this.checkpoint.delete(key);
      }
    await this.keyspace.clearRange(Buffer.from(`state\u0000${queryId}\u0000`), Buffer.from(`state\u0000${queryId}\u0001`));
  }

  /** a clean stop: writes the checkpoint (atomically), then closes LevelDB; idempotent */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const offsets = Object.fromEntries([...this.checkpoint].map(([k, v]) => [k, v.toString()]));
    const file = join(this.options.dir, CHECKPOINT);
    await writeFile(`${file}.tmp`, JSON.stringify({ version: 1, offsets }));
    await rename(`${file}.tmp`, file);
    await this.db.close();
  }
}
