/**
 * Where state lives and how it commits, chosen by the engine and handed to the runtime.
 *
 * The runtime asks the backend for each store of each task (the stack: cache over changelog over
 * LevelDB) and commits every task step through it, so the Log contract knows nothing of state:
 *
 * - LocalStateBackend pairs with the embedded log: the state keyspace is the log's own LevelDB, and
 *   a commit puts state changes, changelog records, output and offsets in one LevelDB batch
 *   (exactly-once by construction; the changelog only matters to rebuild a lost store).
 * - A Kafka log would pair with a backend over a local LevelDB state directory: commit = the Kafka
 *   producer transaction (output, changelog records, sendOffsets) first, then the local write, plus a
 *   checkpoint file of the changelog offsets the local state reflects (Kafka Streams'
 *   `.checkpoint`); on start a store is restored from its changelog partition from the checkpoint on
 *   (from the beginning when the checkpoint is missing, i.e. after an unclean stop).
 */
import type { Log, Transaction } from '../log/log.js';
import { BatchBuilder } from '../log/local/batch-builder.js';
import type { EncodedRun } from '../log/local/produce-runs.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeloggingBytesStore } from './changelogging-bytes-store.js';
import { LevelDbBytesStore } from './level-db-bytes-store.js';
import { RecordCacheBudget } from './record-cache-budget.js';
import { restoreFromChangelog } from './restore-store.js';
import type { KeyValueStore, StateKeyspace, StateWrite } from './state-store.js';

/** One store of one task. */
export interface StoreSpec {
  readonly queryId: string;
  /** `<subtopology>_<partition>`, Kafka Streams' task id */
  readonly taskId: string;
  readonly storeName: string;
  /** the task's partition: its changelog partition */
  readonly partition: number;
  /** tasks of the store's sub-topology: the changelog's partition count */
  readonly partitions: number;
  /** the query's record cache budget in bytes (ksql.streams.cache.max.bytes.buffering) */
  readonly cacheMaxBytes?: number;
}

export interface ManagedStore<V> {
  readonly store: KeyValueStore<V>;
  readonly changelogTopic: string;
  /** restores from the changelog if the local copy is missing */
  restore(): Promise<number>;
  /**
   * Optional (a backend whose local copies can lag): applies the changelog's new records to the
   * local copy without readying the store for use (a standby replica); returns the records applied
   */
  catchUp?(): Promise<number>;
}

export interface StateBackend {
  createStore<V>(spec: StoreSpec): ManagedStore<V>;
  /** commits a task step: the log transaction and the state changes of its stores, together */
  commit(txn: Transaction, stateWrites: StateWrite[]): Promise<void>;
  /**
   * Optional, with commitEncoded: where a sink writes `topic`'s records straight into the log's
   * stored batches (`recorded` hears of each); a backend without it is given records only
   */
  batchOutput?(topic: string, recorded: (bytes: number) => void): BatchBuilder;
  /** commit with some of the output as batchOutput's batches */
  commitEncoded?(runs: readonly EncodedRun[], txn: Transaction, stateWrites: StateWrite[]): Promise<void>;
  /** drops every store of a query (a transient query that ended); its changelogs are the log's */
  dropQueryState(queryId: string): Promise<void>;
  /** a clean stop (a backend with its own files writes its checkpoint); idempotent */
  close?(): Promise<void>;
  /**
   * Optional: a task starts on this process (first, before its offsets are read): a backend whose
   * log fences writers makes this the task's only writer (a task that moved here from a process
   * that died cannot be written by that process any more)
   */
  openTask?(queryId: string, taskId: string): Promise<void>;
  /** Optional: the task stopped here (moved away, or the query ended) */
  closeTask?(queryId: string, taskId: string): Promise<void>;
  /**
   * Optional: whether a task's failure is its log's (a cluster briefly unreachable) rather than its
   * records': the runtime then reopens the task from its last commit and retries, instead of
   * stopping the query (LogError TRANSIENT always counts)
   */
  isTransient?(error: unknown): boolean;
}

/** Names follow ksqlDB's pattern: stable, derived from the query id and the operator's store name. */
export function changelogTopicName(queryId: string, storeName: string): string {
  return `_sluice-${queryId}-${storeName.replace(/[^A-Za-z0-9._-]/g, '_')}-changelog`;
}

/** The embedded log's pairing: state in the log's LevelDB, committed in the log's own batch. */
export class LocalStateBackend implements StateBackend {
  /** one record cache budget per query, shared by its stores */
  private readonly budgets = new Map<string, RecordCacheBudget>();
  /** present when the log given commits encoded batches */
  readonly batchOutput?: (topic: string, recorded: (bytes: number) => void) => BatchBuilder;
  readonly commitEncoded?: (runs: readonly EncodedRun[], txn: Transaction, stateWrites: StateWrite[]) => Promise<void>;

  constructor(
    private readonly log: Log,
    private readonly local: {
      readonly keyspace: StateKeyspace;
      /** the embedded log's commitTransaction with extra keyspace writes in the same batch */
      commit(txn: Transaction, writes: StateWrite[]): Promise<unknown>;
      /** its commitEncoded, the same way */
      commitEncoded?(runs: readonly EncodedRun[], txn: Transaction, writes: StateWrite[]): Promise<unknown>;
    },
  ) {
    const commitEncoded = local.commitEncoded;
    if (commitEncoded) {
      this.batchOutput = (topic, recorded) => new BatchBuilder(topic, recorded);
      this.commitEncoded = async (runs, txn, writes) => void (await commitEncoded(runs, txn, writes));
    }
  }

  createStore<V>(spec: StoreSpec): ManagedStore<V> {
    const changelogTopic = changelogTopicName(spec.queryId, spec.storeName);
    const prefix = Buffer.from(`state\u0000${spec.queryId}\u0000${spec.storeName}\u0000${spec.taskId}\u0000`);
    const level = new LevelDbBytesStore(spec.storeName, this.local.keyspace, prefix);
    let budget = this.budgets.get(spec.queryId);
    if (!budget || (spec.cacheMaxBytes !== undefined && budget.maxBytes !== spec.cacheMaxBytes)) this.budgets.set(spec.queryId, (budget = new RecordCacheBudget(spec.cacheMaxBytes)));
    const store = new CachingKeyValueStore<V>(new ChangeloggingBytesStore(level, changelogTopic, spec.partition), budget, `${spec.taskId}/${spec.storeName}`);
    const restore = async () => {
      const applied = await restoreFromChangelog(this.log, this.local.keyspace, level, changelogTopic, spec.partition, spec.partitions);
      const stored = await level.loadKeyFilter();
      // entries restored: the store's keys once its changelog was applied
      return applied ? stored : 0;
    };
    return { store, changelogTopic, restore };
  }

  async commit(txn: Transaction, stateWrites: StateWrite[]): Promise<void> {
    await this.local.commit(txn, stateWrites);
  }

  dropQueryState(queryId: string): Promise<void> {
    this.budgets.delete(queryId);
    return this.local.keyspace.clearRange(Buffer.from(`state\u0000${queryId}\u0000`), Buffer.from(`state\u0000${queryId}\u0001`));
  }
}
