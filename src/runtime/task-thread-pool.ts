/**
 * Runs tasks on a pool of worker threads (Kafka Streams' `num.stream.threads`). The main thread
 * stays the embedded log's single writer: a task thread asks it for fetches, offsets and store
 * reads, and sends it each commit (outputs, changelog records, state changes, offsets) to write
 * as one transaction. A RemoteTask is the main thread's handle on one task: it answers the loop's
 * synchronous questions (positions, deferred commits, stream time) from the status the task
 * reported with its last step.
 */
import { Worker } from 'node:worker_threads';
import { ExecutionError, LogError } from '../common/errors.js';
import type { Log, Transaction, GroupOffsets, TopicPartitionOffset } from '../log/log.js';
import type { StateKeyspace, StateWrite } from '../state/index.js';
import type { ProcessingLogEntry } from './processor.js';
import type { QueryMetrics } from './query-metrics.js';
import { ThreadChannel } from './task-thread-channel.js';
import type { RemoteTaskSpec, RemoteTaskStatus } from './task-thread-host.js';
import { asBuffer, fromWireError, packFetched, unpackProduce, unpackWrites } from './task-thread-protocol.js';
import { YOUNG_GENERATION_MIB } from './young-generation.js';

/** What the main thread does for the task threads: the log and its state keyspace. */
export interface TaskThreadServices {
  readonly log: Log;
  readonly keyspace: StateKeyspace;
  /** the state backend's commit: one transaction with the state changes */
  commit(txn: Transaction, writes: StateWrite[]): Promise<void>;
  /**
   * The log's stored batches from an offset on (about maxRecords records), packed in one buffer
   * for the task thread to decode (TaskThreadHostOptions.unpackStored): this thread then only
   * reads and copies bytes for a task thread's fetch rather than decoding and re-packing records.
   */
  fetchStored(topic: string, partition: number, from: bigint, maxRecords: number): Promise<Uint8Array>;
  /**
   * commit() with the records as the task thread encoded them (TaskThreadHostOptions.encodeProduce),
   * less those of `dropTopic` when given (a production error the query's policy lets pass)
   */
  commitEncoded(records: Uint8Array, writes: StateWrite[], offsets: GroupOffsets | undefined, dropTopic?: string): Promise<void>;
}

/** What a task's handle reports to its query on the main thread. */
export interface RemoteTaskHooks {
  readonly onProcessingLog: (entry: ProcessingLogEntry) => void;
  readonly continueOnProductionError?: (error: unknown) => boolean;
  readonly metrics?: QueryMetrics;
}

interface Thread {
  readonly worker: Worker;
  readonly channel: ThreadChannel;
  tasks: number;
  exited?: Error;
}

let nextKey = 0;

export class TaskThreadPool {
  private readonly threads: Thread[] = [];
  private readonly handles = new Map<string, RemoteTask>();
  private closed = false;

  constructor(
    /** the worker's entry module (engine/task-thread-main.js) */
    private readonly entry: URL,
    private readonly services: TaskThreadServices,
  ) {}

  get size(): number {
    return this.threads.length;
  }

  /**
   * Starts the first `threads` threads if they are not running (a thread that stopped is
   * replaced), without waiting for them: they load their modules while the query is set up.
   */
  prestart(threads: number): void {
    if (this.closed) return;
    for (let i = 0; i < threads; i++) {
      const t = this.threads[i];
      if (!t) this.threads.push(this.spawn());
      else if (t.exited) this.threads[i] = this.spawn();
    }
  }

  /**
   * Creates a task on the least busy of the first `threads` threads (started as needed). The
   * handle comes back at once: the thread may still be loading its modules, and the query's
   * tasks on the main thread need not wait for it (the handle's calls wait for the task).
   */
  createTask(spec: Omit<RemoteTaskSpec, 'key'>, threads: number, hooks: RemoteTaskHooks): RemoteTask {
    if (this.closed) throw new ExecutionError('The task threads are closed', { queryId: spec.queryId });
    this.prestart(threads);
    const thread = this.threads
      .slice(0, threads)
      .filter((t) => !t.exited)
      .reduce<Thread | undefined>((best, t) => (!best || t.tasks < best.tasks ? t : best), undefined);
    if (!thread) throw new ExecutionError('Every task thread has stopped', { queryId: spec.queryId });
    const key = `${spec.queryId}/${spec.taskId}/${++nextKey}`;
    const created = thread.channel.call<RemoteTaskStatus>('create', [{ ...spec, key }]);
    const handle = new RemoteTask(key, spec.taskId, spec.queryId, thread, hooks, created, () => this.handles.delete(key));
    thread.tasks++;
    this.handles.set(key, handle);
    return handle;
  }

  private spawn(): Thread {
    // the young generation the main thread has under `sluice` (a --max-semi-space-size flag wins)
    const worker = new Worker(this.entry, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB } });
    const { log, keyspace } = this.services;
    const channel = new ThreadChannel(
      worker,
      {
        fetch: async (topic: string, partition: number, from: bigint, options: object) => {
          const r = await log.fetch(topic, partition, from, options);
          const data = packFetched(r.records);
          return { data, nextOffset: r.nextOffset, highWatermark: r.highWatermark, logStartOffset: r.logStartOffset, transfer: [data.buffer] };
        },
        // a Uint8Array answer is transferred (task-thread-channel.ts)
        fetchStored: (topic: string, partition: number, from: bigint, maxRecords: number) => this.services.fetchStored(topic, partition, from, maxRecords),
        earliestOffset: (topic: string, partition: number) => log.earliestOffset(topic, partition),
        latestOffset: (topic: string, partition: number) => log.latestOffset(topic, partition),
        committedOffsets: (group: string, topic?: string) => log.committedOffsets(group, topic),
        deleteRecords: (topic: string, partition: number, before: bigint) => log.deleteRecords(topic, partition, before),
        describeTopic: (name: string) => log.describeTopic(name),
        createTopic: (name: string, options: Parameters<Log['createTopic']>[1]) => log.createTopic(name, options),
        stateGet: async (key: Uint8Array) => {
          const v = await keyspace.get(asBuffer(key));
          return v === undefined ? undefined : new Uint8Array(v);
        },
        stateRange: async (o: { gte?: Uint8Array; lt?: Uint8Array; limit?: number }) => {
          const out: [Uint8Array, Uint8Array][] = [];
          for await (const [k, v] of keyspace.range({ ...(o.gte ? { gte: asBuffer(o.gte) } : {}), ...(o.lt ? { lt: asBuffer(o.lt) } : {}), ...(o.limit !== undefined ? { limit: o.limit } : {}) })) out.push([k, v]);
          return out;
        },
        stateWrite: (data: Uint8Array) => keyspace.write(unpackWrites(data)),
        stateClear: (gte: Uint8Array, lt: Uint8Array) => keyspace.clearRange(asBuffer(gte), asBuffer(lt)),
        commit: (key: string, produce: Uint8Array, writes: Uint8Array, offsets: GroupOffsets | undefined) =>
          this.commit(key, { produce: unpackProduce(produce), ...(offsets ? { offsets } : {}) }, unpackWrites(writes)),
        commitEncoded: (key: string, records: Uint8Array, writes: Uint8Array, offsets: GroupOffsets | undefined) => {
          const state = unpackWrites(writes);
          return this.commitWith(key, (dropTopic) => this.services.commitEncoded(records, state, offsets, dropTopic));
        },
      },
      (event, args) => {
        if (event === 'processingLog') this.handles.get(args[0] as string)?.hooks.onProcessingLog(args[1] as ProcessingLogEntry);
      },
      true,
    );
    const thread: Thread = { worker, channel, tasks: 0 };
    const gone = (error: Error) => {
      thread.exited ??= error;
      channel.fail(error);
    };
    worker.on('error', (e) => gone(new ExecutionError(`A task thread failed: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e })));
    worker.on('exit', (code) => gone(new ExecutionError(`A task thread stopped (exit code ${code})`)));
    return thread;
  }

  /**
   * A task's commit, written by this (the only writing) thread. A production error the query's
   * policy lets pass (ksql.fail.on.production.error=false) drops that topic's records, as a task
   * on the main thread does.
   */
  private commit(key: string, txn: Transaction, writes: StateWrite[]): Promise<void> {
    return this.commitWith(key, (dropTopic) =>
      this.services.commit(dropTopic === undefined ? txn : { ...txn, produce: txn.produce.filter((r) => r.topic !== dropTopic) }, writes),
    );
  }

  /** `write(dropTopic)` writes the commit, less that topic's records when given */
  private async commitWith(key: string, write: (dropTopic?: string) => Promise<void>): Promise<void> {
    // a task closed here (its query stopped, its state perhaps dropped since) writes nothing
    // more: a commit still on its way is dropped, as a crashed task's uncommitted work is
    if (!this.handles.has(key)) throw new ExecutionError('The task was closed before this commit', {});
    try {
      await write();
    } catch (e) {
      const topic = e instanceof LogError ? e.context.topic : undefined;
      if (topic === undefined || !this.handles.get(key)?.hooks.continueOnProductionError?.(e)) throw e;
      await write(topic);
    }
  }

  /** Idempotent: stops every thread (their tasks' uncommitted work is dropped, as on a crash). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const threads = this.threads.splice(0);
    // calls still waiting fail first: a reply arriving during terminate() must not unref the worker
    // (the process would exit with terminate() unsettled)
    for (const t of threads) t.channel.fail(new ExecutionError('The task threads are closed'));
    await Promise.all(threads.map((t) => t.worker.terminate().catch(() => 0)));
  }
}

/** what a task not created yet reports: no positions, no stores, nothing processed */
const NOT_CREATED: RemoteTaskStatus = {
  consumed: 0,
  positions: [],
  inputPositions: [],
  stores: [],
  streamTime: Number.NEGATIVE_INFINITY,
  operators: [],
  commits: { count: 0, totalSeconds: 0, maxSeconds: 0 },
};

/** The main thread's handle on a task running on a task thread. */
export class RemoteTask {
  private status: RemoteTaskStatus = NOT_CREATED;
  private failed: ExecutionError | undefined;
  private closed = false;
  /** settles once the thread has created the task (a failure to create it fails the task) */
  private readonly created: Promise<void>;

  constructor(
    private readonly key: string,
    readonly taskId: string,
    private readonly queryId: string,
    private readonly thread: Thread,
    readonly hooks: RemoteTaskHooks,
    created: Promise<RemoteTaskStatus>,
    private readonly forget: () => void,
  ) {
    this.created = created.then(
      (s) => this.apply(s),
      (e: unknown) => {
        this.failed ??= e instanceof ExecutionError ? e : new ExecutionError(`Task ${taskId} could not start on a task thread: ${e instanceof Error ? e.message : String(e)}`, { queryId }, { cause: e });
      },
    );
  }

  private apply(s: RemoteTaskStatus): void {
    this.status = s;
    if (s.failure && !this.failed) {
      const e = fromWireError(s.failure);
      this.failed = e instanceof ExecutionError ? e : new ExecutionError(e.message, { queryId: this.queryId }, { cause: e });
    }
    const m = this.hooks.metrics;
    if (m) {
      for (const [id, recordsIn, recordsOut, selfSeconds] of s.operators) {
        const c = m.operator(id);
        c.recordsIn += recordsIn;
        c.recordsOut += recordsOut;
        c.selfSeconds += selfSeconds;
      }
      m.commits.count += s.commits.count;
      m.commits.totalSeconds += s.commits.totalSeconds;
      if (s.commits.maxSeconds > m.commits.maxSeconds) m.commits.maxSeconds = s.commits.maxSeconds;
    }
  }

  get failure(): ExecutionError | undefined {
    return this.failed;
  }

  /**
   * Steps the task on its thread for up to `sliceMs`; with `settle` false the step may end with
   * its last commit still being written (settle() waits for it, or the next step's commit does).
   * With `ahead`, the thread starts the next slice at once when this one consumed records: the
   * next step (or settle) returns that slice's result.
   */
  async step(settle = true, sliceMs?: number, ahead = false): Promise<number> {
    await this.created;
    if (this.closed || this.failed) return 0;
    const s = await this.thread.channel.call<RemoteTaskStatus>('step', [this.key, settle, sliceMs, ahead]);
    this.apply(s);
    return s.consumed;
  }

  /**
   * Brings the task to rest: a slice run ahead ends, and its commits are written (throws the
   * error of one that failed). Returns the records that slice consumed.
   */
  async settle(): Promise<number> {
    await this.created;
    if (this.closed || this.failed) return 0;
    const s = await this.thread.channel.call<RemoteTaskStatus>('settle', [this.key]);
    this.apply(s);
    return s.consumed;
  }

  async caughtUp(): Promise<boolean> {
    await this.created;
    if (this.closed || this.failed) return true;
    const r = await this.thread.channel.call<{ done: boolean; status: RemoteTaskStatus }>('caughtUp', [this.key]);
    this.apply(r.status);
    return r.done;
  }

  positions(): TopicPartitionOffset[] {
    return this.status.positions;
  }

  inputPositions(): TopicPartitionOffset[] {
    return this.status.inputPositions;
  }

  commitDueInMs(now = Date.now()): number | undefined {
    if (this.closed || this.failed || this.status.commitDueAt === undefined) return undefined;
    return Math.max(0, this.status.commitDueAt - now);
  }

  storeList(): { name: string; changelogTopic: string }[] {
    return this.status.stores;
  }

  currentStreamTime(): number {
    return this.status.streamTime;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.thread.tasks--;
    this.forget();
    void this.created.then(() => this.thread.channel.call('close', [this.key]).catch(() => {}));
  }
}
