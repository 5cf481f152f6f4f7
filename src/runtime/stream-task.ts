/**
 * One task of a query (Kafka Streams' StreamTask): one partition group of one sub-topology. It owns
 * everything it needs to move later between threads or processes: its input cursors and buffers,
 * its operator instances and their stores, its stream time and timers, and its commits.
 *
 * Within the task the next record is the buffered head with the smallest timestamp across its input
 * partitions (ties: the input listed first), so a table update is joined before a later stream
 * record whatever partition or topic each came from. As in Kafka Streams that is the extracted
 * timestamp: a source with a TIMESTAMP column decodes the head when it is peeked (once; the row is
 * kept for processing), and a record it cannot read is picked at its log timestamp. An input whose buffer ran dry is fetched again
 * at once; if the fetch finds nothing it is caught up, and the task goes on without it once it has
 * been empty for `max.task.idle.ms` (default 0: at once, as ksqlDB does).
 *
 * Every step ends with one commit: the records produced (sink, repartition and changelog topics),
 * the state changes and the consumed input offsets, atomically through the StateBackend.
 */
import { debugEnabled, debugLog } from '../common/debug-log.js';
import { ExecutionError, LogError, StateError } from '../common/errors.js';
import type { Step } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FetchedRecord, Log, ProduceRecord, TopicPartition, TopicPartitionOffset } from '../log/log.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { BatchBuilder } from '../log/local/batch-builder.js';
import type { EncodedRun } from '../log/local/produce-runs.js';
import type { KeyValueStore, ManagedStore, StateBackend, StoreWriteBatch } from '../state/index.js';
import { cacheMaxBytes } from '../state/index.js';
import type { OperatorContext, OperatorFactories, ProcessingLogEntry, SourceEntry } from './processor.js';
import { buildTopology } from './processor.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { QueryMetrics } from './query-metrics.js';
import { processingErrorHandler, processingLogEntry } from './processing-errors.js';
import { timeliness, type Timeliness } from './timeliness.js';

export type OffsetReset = 'earliest' | 'latest';

/** What every task of a query is given by the engine, through its QueryRuntime. */
export interface TaskServices {
  readonly log: Log;
  readonly state: StateBackend;
  readonly factories: OperatorFactories;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  readonly offsetReset: OffsetReset;
  readonly onProcessingLog: (entry: ProcessingLogEntry) => void;
  readonly schemaRegistry: SchemaRegistry;
  /** schema registrations to commit with the records written with them */
  readonly drainSchemaRegistrations: () => ProduceRecord[];
  /** a commit failed to write its output: true logs and drops it (ksql.fail.on.production.error=false) */
  readonly continueOnProductionError?: (error: unknown) => boolean;
  /** records processed per step (and fetched per partition) unless max.poll.records says otherwise */
  readonly batchSize?: number;
  /** the query's counters (operators, commits), when the engine keeps them */
  readonly metrics?: QueryMetrics;
}

export interface StreamTaskOptions extends TaskServices {
  readonly queryId: string;
  /** `<subtopology>_<partition>` */
  readonly taskId: string;
  /** this task's partition (its changelog partition); 0 for a task reading every partition */
  readonly partition: number;
  /** tasks of the sub-topology (the changelog partition count) */
  readonly partitions: number;
  readonly root: Step;
  readonly inputs: readonly TopicPartition[];
  /**
   * partition counts of the internal topics the query writes; a repartition step whose topic is
   * not here is fused (runs in place: query-runtime.ts)
   */
  readonly internalTopicPartitions: ReadonlyMap<string, number>;
  /** max.task.idle.ms */
  readonly maxTaskIdleMs?: number;
  /** repartition.purge.interval.ms: how often consumed repartition records are deleted (default 30 s) */
  readonly purgeIntervalMs?: number;
}

interface Input {
  readonly topic: string;
  readonly partition: number;
  readonly handlers: readonly SourceEntry[];
  /** the timestamp a source extracts (TIMESTAMP column); undefined: the log timestamp */
  readonly timestampOf: ((record: FetchedRecord) => number) | undefined;
  buffer: FetchedRecord[];
  /** index of the buffered head */
  head: number;
  /** the head's extracted timestamp, and the head index it was taken for (-1: none) */
  headTimestamp: number;
  headTimestampAt: number;
  /** where the next fetch starts (and, with nothing buffered, the next offset to process) */
  fetchOffset: bigint;
  /** when the buffer was found empty with nothing to fetch (for max.task.idle.ms) */
  emptySince: number | undefined;
}

export class StreamTask {
  readonly taskId: string;
  private pending: ProduceRecord[] = [];
  /** sinks' records written straight into stored batches (a state backend that commits those), by topic */
  private readonly built = new Map<string, BatchBuilder>();
  /** records emitted or built since the last commit */
  private pendingCount = 0;
  private readonly stores = new Map<string, ManagedStore<unknown>>();
  private readonly inputs: Input[] = [];
  private readonly punctuations = new PunctuationQueue();
  private readonly closers: (() => void)[] = [];
  private streamTime = Number.NEGATIVE_INFINITY;
  /** the current record's timestamp; a source with a TIMESTAMP column reports the extracted one */
  private recordTime = Number.NEGATIVE_INFINITY;
  private initialized = false;
  private closed = false;
  /** uncommitted offsets or punctuation output */
  private dirty = false;
  /** records processed since the last commit (a deferred commit: commit.interval.ms, linger.ms) */
  private uncommitted = false;
  private readonly timing: Timeliness;
  /** estimated bytes of the outputs waiting for the next commit, and when the first arrived */
  private pendingBytes = 0;
  private pendingSince = 0;
  private lastCommitAt = 0;
  private lastPurge = Date.now();
  /** set when a record made an operator fail: the query stops, as a Kafka Streams task does */
  failure: ExecutionError | undefined;

  constructor(private readonly options: StreamTaskOptions) {
    this.taskId = options.taskId;
    const { queryId } = options;
    const rootCounters = options.metrics?.operator(options.root.id);
    this.timing = timeliness(options.config, options.batchSize ?? 1000);
    const outputRecorded = (bytes: number) => {
      if (this.pendingCount++ === 0) this.pendingSince = Date.now();
      // the payload plus a fixed per-record overhead (topic, timestamp, headers array)
      this.pendingBytes += bytes + 64;
      // what the root (sink or repartition) writes is its output
      if (rootCounters) rootCounters.recordsOut++;
    };
    const ctx: OperatorContext = {
      queryId,
      taskId: options.taskId,
      registry: options.registry,
      config: options.config,
      emit: (r) => {
        this.pending.push(r);
        outputRecorded((r.key?.length ?? 0) + (r.value?.length ?? 0));
      },
      batchOutput: (topic) => {
        let out = this.built.get(topic);
        if (!out && options.state.batchOutput) this.built.set(topic, (out = options.state.batchOutput(topic, outputRecorded)));
        return out;
      },
      schemaRegistry: options.schemaRegistry,
      keyValueStore: <V>(name: string) => {
        let managed = this.stores.get(name);
        if (!managed) {
          managed = options.state.createStore<unknown>({
            queryId,
            taskId: options.taskId,
            storeName: name,
            partition: options.partition,
            partitions: options.partitions,
            cacheMaxBytes: cacheMaxBytes(options.config),
          });
          this.stores.set(name, managed);
        }
        return managed.store as KeyValueStore<V>;
      },
      logError: processingErrorHandler(queryId, options.config, options.onProcessingLog),
      schedule: (intervalMs, type, punctuator) => this.punctuations.schedule(intervalMs, type, punctuator),
      streamTime: () => this.streamTime,
      topicPartitions: (topic) => {
        const n = options.internalTopicPartitions.get(topic);
        if (n === undefined) throw new ExecutionError(`Unknown internal topic ${topic} of query ${queryId}`, { queryId });
        return n;
      },
      fusedRepartition: (topic) => !options.internalTopicPartitions.has(topic),
      onClose: (close) => this.closers.push(close),
      observeTimestamp: (ts) => {
        this.recordTime = ts;
      },
    };
    const topology = buildTopology(options.root, options.factories, ctx, options.metrics);
    for (const tp of options.inputs) {
      const handlers = topology.sources.get(tp.topic);
      if (!handlers) throw new ExecutionError(`Task ${options.taskId} of ${queryId} has no entry for topic ${tp.topic}`, { queryId });
      // a topic read twice (self-join) is ordered by its first source's timestamp
      const timestampOf = handlers.find((h) => h.timestampOf)?.timestampOf;
      this.inputs.push({ topic: tp.topic, partition: tp.partition, handlers, timestampOf, buffer: [], head: 0, headTimestamp: 0, headTimestampAt: -1, fetchOffset: 0n, emptySince: undefined });
    }
  }

  /** Where each partition starts: the committed offset, else the reset policy; stores restored. */
  private async init(): Promise<void> {
    const { log, queryId } = this.options;
    // first: a task taken over from another process is fenced there before its offsets are read
    await this.options.state.openTask?.(queryId, this.taskId);
    const committed = new Map<string, bigint>();
    for (const o of await log.committedOffsets(queryId)) committed.set(`${o.topic}/${o.partition}`, o.offset);
    for (const input of this.inputs) {
      const saved = committed.get(`${input.topic}/${input.partition}`);
      input.fetchOffset = saved ?? (await this.resetOffset(input));
    }
    for (const s of this.stores.values()) await s.restore();
    for (const [topic, out] of this.built) {
      // keyed records for a topic of several partitions are partitioned by the log one by one:
      // built into batches, they would be decoded there again
      const partitions = await log.describeTopic(topic).then(
        (d) => d.partitions.length,
        () => 1, // a sink topic missing is its first commit's error
      );
      if (partitions > 1) out.refuse();
    }
    if (debugEnabled) debugLog(`${queryId} task ${this.taskId} opened at ${this.inputs.map((i) => `${i.topic.slice(0, 24)}/${i.partition}@${i.fetchOffset}${committed.has(`${i.topic}/${i.partition}`) ? '' : '(reset)'}`).join(',')}`);
    this.initialized = true;
  }

  private resetOffset(input: Input): Promise<bigint> {
    const { log, offsetReset } = this.options;
    return offsetReset === 'earliest' ? log.earliestOffset(input.topic, input.partition) : log.latestOffset(input.topic, input.partition);
  }

  /** the next offset to process: the buffered head, else where the next fetch starts */
  private position(input: Input): bigint {
    return input.head < input.buffer.length ? input.buffer[input.head]!.offset : input.fetchOffset;
  }

  private buffered(input: Input): number {
    return input.buffer.length - input.head;
  }

  /** Fills an empty buffer; returns false when the partition had nothing more. */
  private async fetch(input: Input): Promise<boolean> {
    let result;
    try {
      result = await this.options.log.fetch(input.topic, input.partition, input.fetchOffset, { maxRecords: this.timing.maxPollRecords });
    } catch (e) {
      if (!(e instanceof LogError) || e.code !== 'OFFSET_OUT_OF_RANGE') throw e;
      // retention moved the log start past us: reset by policy, as a Kafka consumer would
      const from = input.fetchOffset;
      input.fetchOffset = await this.resetOffset(input);
      debugLog(`${this.options.queryId} task ${this.taskId} ${input.topic}/${input.partition} out of range at ${from}: reset to ${input.fetchOffset}`);
      this.dirty = true;
      return false;
    }
    if (result.nextOffset !== input.fetchOffset) {
      // a gap (compaction, aborted writes) moves the position even without records
      if (result.records.length === 0) this.dirty = true;
      input.fetchOffset = result.nextOffset;
    }
    input.buffer = result.records;
    input.head = 0;
    input.headTimestampAt = -1;
    if (result.records.length) {
      input.emptySince = undefined;
      return true;
    }
    input.emptySince ??= Date.now();
    return false;
  }

  /**
   * The input whose head comes next: the smallest head timestamp, ties to the first input.
   * undefined when nothing is buffered, or when an empty input must still be waited for.
   */
  private next(now: () => number): Input | undefined {
    const inputs = this.inputs;
    if (inputs.length === 1) return this.buffered(inputs[0]!) ? inputs[0] : undefined;
    let best: Input | undefined;
    let bestTs = Number.POSITIVE_INFINITY;
    let waitFor = false;
    // indexed loops on the per-record path: an iterator here is an object per record
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      if (input.head < input.buffer.length) {
        const ts = input.timestampOf ? this.headTimestamp(input) : input.buffer[input.head]!.timestamp;
        if (ts < bestTs) {
          best = input;
          bestTs = ts;
        }
      } else if (input.emptySince === undefined || now() - input.emptySince < (this.options.maxTaskIdleMs ?? 0)) waitFor = true;
    }
    return waitFor ? undefined : best;
  }

  /** the head's extracted timestamp, taken once per head */
  private headTimestamp(input: Input): number {
    if (input.headTimestampAt !== input.head) {
      input.headTimestamp = input.timestampOf!(input.buffer[input.head]!);
      input.headTimestampAt = input.head;
    }
    return input.headTimestamp;
  }

  /** Processes up to one batch in timestamp order, then commits; returns how many records it consumed. */
  async step(): Promise<number> {
    if (this.closed || this.failure) return 0;
    if (!this.initialized) {
      try {
        await this.init();
      } catch (e) {
        // state that cannot be restored stops the query with its reason; other causes may pass
        if (!(e instanceof StateError)) throw e;
        this.fail(e, undefined);
        return 0;
      }
    }
    const limit = this.timing.maxPollRecords;
    let consumed = 0;
    let current: FetchedRecord | undefined;
    try {
      if (this.punctuations.isDue('WALL_CLOCK_TIME', Date.now())) await this.punctuations.fire('WALL_CLOCK_TIME', Date.now());
      for (const input of this.inputs) if (!this.buffered(input)) await this.fetch(input);
      let clock = 0;
      const now = () => clock || (clock = Date.now());
      while (consumed < limit) {
        const input = this.next(now);
        if (!input) break;
        const record = input.buffer[input.head++]!;
        current = record;
        this.recordTime = record.timestamp;
        const handlers = input.handlers;
        for (let h = 0; h < handlers.length; h++) {
          const waiting = handlers[h]!(record);
          if (waiting) await waiting;
        }
        consumed++;
        if (this.recordTime > this.streamTime) {
          this.streamTime = this.recordTime;
          if (this.punctuations.isDue('STREAM_TIME', this.streamTime)) await this.punctuations.fire('STREAM_TIME', this.streamTime);
        }
        current = undefined;
        // the bound on uncommitted output: commit now (the offsets are the heads, so this is a
        // consistent cut), and read on only once it is written
        if (this.pendingBytes >= this.timing.bufferMemory) await this.commit();
        // a drained input is fetched again before the next pick, so order holds across batches
        if (input.head >= input.buffer.length) await this.fetch(input);
      }
    } catch (e) {
      // the task moved to another process (its writer was fenced), or reopens after a cluster
      // failure (see QueryRuntime): not this query's failure
      if (e instanceof LogError && (e.code === 'FENCED' || e.code === 'TRANSIENT' || this.options.state.isTransient?.(e))) throw e;
      // nothing of this step is committed: the query resumes here once the cause is fixed
      this.fail(e, current);
      return consumed;
    }
    if (consumed > 0 || this.dirty || this.pendingCount || this.uncommitted) {
      if (this.commitDue(consumed, Date.now())) await this.commit();
      else this.uncommitted = true;
    }
    return consumed;
  }

  /** whether work done so far is committed now or waits (commit.interval.ms, linger.ms) */
  private commitDue(consumed: number, now: number): boolean {
    const t = this.timing;
    if (this.pendingBytes >= t.bufferMemory) return true;
    if (now - this.lastCommitAt < t.commitIntervalMs) return false;
    // linger: a step that did not fill its poll leaves its outputs waiting for more, a while
    const lingering = t.lingerMs > 0 && this.pendingCount > 0 && consumed < t.maxPollRecords && this.pendingBytes < t.batchBytes;
    return !(lingering && now - this.pendingSince < t.lingerMs);
  }

  /** ms until work waiting for a deferred commit is due (undefined: nothing waits) */
  commitDueInMs(now = Date.now()): number | undefined {
    if (!this.uncommitted || this.closed || this.failure) return undefined;
    const t = this.timing;
    const interval = this.lastCommitAt + t.commitIntervalMs - now;
    const linger = this.pendingCount > 0 ? this.pendingSince + t.lingerMs - now : 0;
    return Math.max(0, interval, linger);
  }

  private fail(e: unknown, record: FetchedRecord | undefined): void {
    const { queryId } = this.options;
    const message = e instanceof Error ? e.message : String(e);
    const where = record ? `, topic=${record.topic}, partition=${record.partition}, offset=${record.offset}` : `, task=${this.taskId}`;
    this.failure = new ExecutionError(
      `Exception caught in process. queryId=${queryId}${where}: ${message}`,
      { queryId, ...(record ? { topic: record.topic, partition: record.partition, offset: record.offset } : {}) },
      { cause: e },
    );
    this.pending.length = 0;
    for (const out of this.built.values()) out.clear();
    this.pendingCount = 0;
    this.pendingBytes = 0;
    this.uncommitted = false;
    this.options.onProcessingLog(
      processingLogEntry(queryId, 'task', this.failure, { type: 'QUERY_ERROR', ...(record ? { topic: record.topic, partition: record.partition, offset: record.offset } : {}) }),
    );
  }

  private async commit(): Promise<void> {
    // the outputs' array itself goes to the commit, not a copy (a spread makes arrays whose
    // elements kind varies with what they held, and each new kind deoptimizes the commit path)
    const registrations = this.options.drainSchemaRegistrations();
    const produce = registrations.length === 0 ? this.pending : [...registrations, ...this.pending];
    this.pending = [];
    const batch: StoreWriteBatch = { stateWrites: [], produce };
    for (const s of this.stores.values()) s.store.flush(batch);
    const offsets = this.inputs.map((i) => ({ topic: i.topic, partition: i.partition, offset: this.position(i) }));
    const group = { group: this.options.queryId, offsets };
    const runs: EncodedRun[] = [];
    for (const out of this.built.values()) for (const run of out.take()) runs.push(run);
    this.pendingCount = 0;
    const commit = (produce: ProduceRecord[], encoded: EncodedRun[]) => {
      const txn = { produce, offsets: group, task: this.taskId };
      // runs only come from a backend that commits them (ctx.batchOutput)
      return encoded.length ? this.options.state.commitEncoded!(encoded, txn, batch.stateWrites) : this.options.state.commit(txn, batch.stateWrites);
    };
    const started = performance.now();
    try {
      await commit(batch.produce, runs);
    } catch (e) {
      // a production error: fail (rethrow), or drop the records for the topic that cannot be written
      const topic = e instanceof LogError && e.code !== 'FENCED' && e.code !== 'TRANSIENT' ? e.context.topic : undefined;
      if (topic === undefined || !this.options.continueOnProductionError?.(e)) throw e;
      await commit(
        batch.produce.filter((r) => r.topic !== topic),
        runs.filter((r) => r.topic !== topic),
      );
    }
    this.options.metrics?.recordCommit((performance.now() - started) / 1000);
    this.dirty = false;
    this.uncommitted = false;
    this.pendingBytes = 0;
    this.lastCommitAt = Date.now();
    this.purgeRepartitions(offsets);
  }

  /**
   * Deletes the repartition records this task has committed (Kafka Streams purges them the same
   * way): nothing else reads them, and they would otherwise keep every record twice.
   */
  private purgeRepartitions(committed: readonly TopicPartitionOffset[]): void {
    const now = Date.now();
    if (now - this.lastPurge < (this.options.purgeIntervalMs ?? 30_000)) return;
    this.lastPurge = now;
    for (const c of committed) {
      if (!this.options.internalTopicPartitions.has(c.topic)) continue;
      // in the background; a failure only means the records stay until the next purge
      this.options.log.deleteRecords(c.topic, c.partition, c.offset).catch(() => {});
    }
  }

  /** True when every input has been processed up to its high watermark. */
  async caughtUp(): Promise<boolean> {
    if (this.failure || this.closed) return true;
    if (!this.initialized) await this.init();
    // work whose commit waits (commit.interval.ms, linger.ms) is not done yet
    if (this.uncommitted) return false;
    for (const input of this.inputs) {
      if (this.buffered(input)) return false;
      if ((await this.options.log.latestOffset(input.topic, input.partition)) > input.fetchOffset) return false;
    }
    return true;
  }

  /** the positions whose new data would give this task work */
  positions(): TopicPartitionOffset[] {
    return this.inputs.filter((i) => !this.buffered(i)).map((i) => ({ topic: i.topic, partition: i.partition, offset: i.fetchOffset }));
  }

  /** every input partition with the next offset to process (for lag: the log's end less this) */
  inputPositions(): TopicPartitionOffset[] {
    if (!this.initialized) return [];
    return this.inputs.map((i) => ({ topic: i.topic, partition: i.partition, offset: this.position(i) }));
  }

  /** the task's state stores (names and changelog topics) */
  storeList(): { name: string; changelogTopic: string }[] {
    return [...this.stores].map(([name, s]) => ({ name, changelogTopic: s.changelogTopic }));
  }

  /** the task's stream time: the largest timestamp it has processed */
  currentStreamTime(): number {
    return this.streamTime;
  }

  /** Commits what is processed but waits for its commit (commit.interval.ms, linger.ms): before the task moves. */
  async commitPending(): Promise<void> {
    if (this.closed || this.failure || !this.initialized) return;
    if (this.uncommitted || this.dirty || this.pendingCount) await this.commit();
  }

  /**
   * A standby replica of the task (never processes): brings its stores' local copies up to their
   * changelogs, which the task's active owner writes. Returns the changelog records applied.
   */
  async catchUpStandby(): Promise<number> {
    let applied = 0;
    for (const s of this.stores.values()) if (!this.closed) applied += await (s.catchUp ?? s.restore)();
    return applied;
  }

  /** whether the task keeps state (a standby of a stateless task has nothing to keep warm) */
  get stateful(): boolean {
    return this.stores.size > 0;
  }

  /** Idempotent: closes the operators once and drops the timers; nothing uncommitted is kept. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.punctuations.clear();
    for (const close of this.closers.splice(0)) close();
    if (this.initialized) void this.options.state.closeTask?.(this.options.queryId, this.taskId).catch(() => {});
  }
}
