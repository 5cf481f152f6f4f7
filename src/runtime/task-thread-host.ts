/**
 * The worker-thread side of a task thread: builds StreamTasks from the plain-data plan and runs
 * them when the main thread says so. Operators, stores, stream time and timers live here; the
 * log and the state keyspace stay with the main thread (the embedded log's single writer), so
 * this side sees them through a Log and a StateKeyspace that call the main thread: a fetch comes
 * back as one packed batch, and a commit (outputs, changelog records, state changes and offsets)
 * goes there as one packed transaction, written in one LevelDB batch as on the main thread.
 *
 * The composition root (engine/task-thread-main.ts) supplies what this layer may not import:
 * the operator factories, the function registry and the plan decoder.
 */
import { parentPort } from 'node:worker_threads';
import { LogError } from '../common/errors.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FetchedRecord, FetchOptions, FetchResult, Log, ProduceRecord, TopicDescription, TopicPartition, TopicPartitionOffset, Transaction } from '../log/log.js';
import type { EncodedRun } from '../log/local/produce-runs.js';
import { InMemorySchemaRegistry } from '../serde/index.js';
import type { StateKeyspace, StateWrite } from '../state/index.js';
import { LocalStateBackend } from '../state/index.js';
import type { OperatorFactories, ProcessingLogEntry } from './processor.js';
import { QueryMetrics } from './query-metrics.js';
import { StreamTask } from './stream-task.js';
import type { OffsetReset } from './stream-task.js';
import { splitSubTopologies } from './sub-topologies.js';
import { ThreadChannel } from './task-thread-channel.js';
import { asBuffer, packProduce, packWrites, toWireError, unpackFetched, type WireError } from './task-thread-protocol.js';

/** What the main thread sends to create one task (plain data). */
export interface RemoteTaskSpec {
  /** unique per task instance (a restarted query gets new ones) */
  readonly key: string;
  readonly queryId: string;
  /** the plan as plan-codec JSON */
  readonly planJson: string;
  readonly subTopology: number;
  readonly taskId: string;
  readonly partition: number;
  readonly partitions: number;
  readonly inputs: readonly TopicPartition[];
  readonly internalTopicPartitions: readonly (readonly [string, number])[];
  readonly config: readonly (readonly [string, string])[];
  /** what the engine built its function registry from (the same registry is built here) */
  readonly registryProperties: readonly (readonly [string, string])[];
  readonly offsetReset: OffsetReset;
  readonly batchSize?: number;
  readonly maxTaskIdleMs?: number;
  readonly purgeIntervalMs?: number;
  readonly metrics: boolean;
}

/** What a task reports after every call, so the main thread answers its sync questions itself. */
export interface RemoteTaskStatus {
  readonly consumed: number;
  readonly failure?: WireError;
  readonly positions: TopicPartitionOffset[];
  readonly inputPositions: TopicPartitionOffset[];
  /** epoch ms when a deferred commit is due (commit.interval.ms, linger.ms); undefined: none waits */
  readonly commitDueAt?: number;
  readonly stores: { name: string; changelogTopic: string }[];
  readonly streamTime: number;
  /** counters since the last status: [stepId, recordsIn, recordsOut, selfSeconds] */
  readonly operators: [string, number, number, number][];
  readonly commits: { count: number; totalSeconds: number; maxSeconds: number };
}

export interface TaskThreadHostOptions {
  readonly factories: OperatorFactories;
  readonly registry: (properties: Record<string, string>) => FunctionRegistry;
  readonly decodePlan: (json: string) => QueryPlan;
  /**
   * Decodes what the main thread's fetchStored sends (TaskThreadServices.fetchStored): at most
   * maxRecords records from fromOffset on, and where the next fetch continues.
   */
  readonly unpackStored: (
    data: Uint8Array,
    topic: string,
    partition: number,
    fromOffset: number,
    maxRecords: number,
  ) => { records: FetchedRecord[]; nextOffset: number; highWatermark: number; logStartOffset: number };
  /**
   * A commit's records encoded as the log stores them (TaskThreadServices.commitEncoded), so
   * the main thread only gives them offsets and writes them; undefined when some record must
   * go as a record (the log partitions it by key, or checks it).
   */
  readonly encodeProduce: (records: readonly ProduceRecord[], built: readonly EncodedRun[]) => Uint8Array | undefined;
  /** the records of a sink's built runs (a commit that goes as records) */
  readonly runRecords: (runs: readonly EncodedRun[]) => ProduceRecord[];
}

const PAGE = 10_000;
/** how long one step call from the main thread may keep stepping a task that has input */
const SLICE_MS = 20;

export function runTaskThreadHost(options: TaskThreadHostOptions): void {
  const port = parentPort;
  if (!port) throw new Error('runTaskThreadHost runs in a worker thread');
  interface TaskEntry {
    task: StreamTask;
    commits: CommitPipe;
    metrics?: QueryMetrics;
    sent: Map<string, [number, number, number]>;
    commitsSent: { count: number; totalSeconds: number };
    /** the slice in hand, if any */
    busy?: Promise<unknown>;
    /** the slice started after the last call returned (its records consumed are the next call's) */
    ahead?: Promise<number>;
  }
  const tasks = new Map<string, TaskEntry>();
  /** every task's commits here: a read of the log or the state waits until they are written */
  const pipes = new Set<CommitPipe>();
  const afterCommits = async () => {
    for (const p of pipes) await p.idle();
  };
  const registries = new Map<string, FunctionRegistry>();

  const channel: ThreadChannel = new ThreadChannel(port, {
    create: (spec: RemoteTaskSpec) => create(spec),
    /**
     * A slice of steps per call: the main thread's round trip is paid once per slice rather than
     * once per batch. With `ahead`, a slice that consumed records starts the next one at once,
     * whose result the next call (step or settle) returns: this thread need not wait for the main
     * thread to ask, and runs at most one slice past the last call.
     */
    step: async (key: string, settle = true, sliceMs = SLICE_MS, ahead = false) => {
      const t = entry(key);
      const run = t.ahead ?? slice(t, sliceMs);
      t.ahead = undefined;
      const consumed = await run;
      if (ahead && consumed > 0 && !t.task.failure) {
        t.ahead = slice(t, sliceMs);
        // its failure is the next call's
        t.ahead.catch(() => {});
      }
      // the main thread sees a step end only with its commits written (or their error), unless
      // it settles them itself later (another slice follows at once)
      if (settle) await t.commits.settled();
      return status(key, consumed);
    },
    /** ends the slice run ahead, if any, and waits for the commits: the task is at rest */
    settle: async (key: string) => {
      const t = entry(key);
      const run = t.ahead;
      t.ahead = undefined;
      const consumed = run ? await run : 0;
      await t.commits.settled();
      return status(key, consumed);
    },
    caughtUp: async (key: string) => {
      const t = entry(key);
      const done = await t.task.caughtUp();
      await t.commits.settled();
      return { done, status: status(key, 0) };
    },
    close: async (key: string) => {
      // a slice in hand ends first (the main thread does not wait for it to close a task)
      await tasks.get(key)?.busy;
      const t = tasks.get(key);
      t?.task.close();
      if (t) pipes.delete(t.commits);
      tasks.delete(key);
    },
  });

  const slice = (t: TaskEntry, sliceMs: number): Promise<number> => {
    const run = (async () => {
      const until = performance.now() + Math.min(sliceMs, SLICE_MS);
      let consumed = 0;
      for (;;) {
        const n = await t.task.step();
        consumed += n;
        if (n === 0 || t.task.failure || performance.now() >= until) return consumed;
      }
    })();
    t.busy = run.catch(() => {});
    return run;
  };

  const entry = (key: string) => {
    const t = tasks.get(key);
    if (!t) throw new Error(`no task ${key} on this thread`);
    return t;
  };

  const log = remoteLog(channel, afterCommits, options.unpackStored);
  const keyspace = remoteKeyspace(channel, afterCommits);
  /** a task's commits name it: the main thread applies its query's production-error policy */
  const stateOf = (key: string, commits: CommitPipe) =>
    new LocalStateBackend(log, {
      keyspace,
      commit: (txn: Transaction, writes: StateWrite[]) => commits.send(txn, writes, []),
      commitEncoded: (runs: readonly EncodedRun[], txn: Transaction, writes: StateWrite[]) => commits.send(txn, writes, runs),
    });
  /** a commit's one message to the main thread, which writes it as one transaction */
  const writeCommit = (key: string) => (txn: Transaction, writes: StateWrite[], runs: readonly EncodedRun[]) => {
    const state = packWrites(writes);
    const encoded = options.encodeProduce(txn.produce, runs);
    if (encoded) return channel.call<void>('commitEncoded', [key, encoded, state, txn.offsets], [encoded.buffer as ArrayBuffer, state.buffer as ArrayBuffer]);
    const produce = packProduce(runs.length ? [...txn.produce, ...options.runRecords(runs)] : txn.produce);
    return channel.call<void>('commit', [key, produce, state, txn.offsets], [produce.buffer as ArrayBuffer, state.buffer as ArrayBuffer]);
  };

  function create(spec: RemoteTaskSpec): RemoteTaskStatus {
    const plan = options.decodePlan(spec.planJson);
    const internal = new Map(spec.internalTopicPartitions);
    const sub = splitSubTopologies(plan, (topic) => !internal.has(topic)).find((s) => s.index === spec.subTopology);
    if (!sub) throw new Error(`query ${spec.queryId} has no sub-topology ${spec.subTopology}`);
    const config = new Map(spec.config);
    const propsKey = JSON.stringify(spec.registryProperties);
    let registry = registries.get(propsKey);
    if (!registry) registries.set(propsKey, (registry = options.registry(Object.fromEntries(spec.registryProperties))));
    const metrics = spec.metrics ? new QueryMetrics(spec.queryId) : undefined;
    const commits = new CommitPipe(writeCommit(spec.key));
    pipes.add(commits);
    const task = new StreamTask({
      log,
      state: stateOf(spec.key, commits),
      factories: options.factories,
      registry,
      config,
      offsetReset: spec.offsetReset,
      onProcessingLog: (e: ProcessingLogEntry) => channel.event('processingLog', [spec.key, e]),
      // plans with schema-registry formats run on the main thread (task-threads.ts)
      schemaRegistry: new InMemorySchemaRegistry(),
      drainSchemaRegistrations: () => [],
      ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
      ...(metrics ? { metrics } : {}),
      queryId: spec.queryId,
      taskId: spec.taskId,
      partition: spec.partition,
      partitions: spec.partitions,
      root: sub.root,
      inputs: spec.inputs,
      internalTopicPartitions: internal,
      ...(spec.maxTaskIdleMs !== undefined ? { maxTaskIdleMs: spec.maxTaskIdleMs } : {}),
      ...(spec.purgeIntervalMs !== undefined ? { purgeIntervalMs: spec.purgeIntervalMs } : {}),
    });
    tasks.set(spec.key, { task, commits, ...(metrics ? { metrics } : {}), sent: new Map(), commitsSent: { count: 0, totalSeconds: 0 } });
    return status(spec.key, 0);
  }

  function status(key: string, consumed: number): RemoteTaskStatus {
    const t = entry(key);
    const now = Date.now();
    const due = t.task.commitDueInMs(now);
    const operators: [string, number, number, number][] = [];
    let commits = { count: 0, totalSeconds: 0, maxSeconds: 0 };
    if (t.metrics) {
      for (const [id, c] of t.metrics.operators) {
        const s = t.sent.get(id) ?? [0, 0, 0];
        if (c.recordsIn !== s[0] || c.recordsOut !== s[1] || c.selfSeconds !== s[2]) {
          operators.push([id, c.recordsIn - s[0], c.recordsOut - s[1], c.selfSeconds - s[2]]);
          t.sent.set(id, [c.recordsIn, c.recordsOut, c.selfSeconds]);
        }
      }
      const c = t.metrics.commits;
      commits = { count: c.count - t.commitsSent.count, totalSeconds: c.totalSeconds - t.commitsSent.totalSeconds, maxSeconds: c.maxSeconds };
      t.commitsSent = { count: c.count, totalSeconds: c.totalSeconds };
    }
    return {
      consumed,
      ...(t.task.failure ? { failure: toWireError(t.task.failure) } : {}),
      positions: t.task.positions(),
      inputPositions: t.task.inputPositions(),
      ...(due !== undefined ? { commitDueAt: now + due } : {}),
      stores: t.task.storeList(),
      streamTime: t.task.currentStreamTime(),
      operators,
      commits,
    };
  }
}

/** a task thread asks the main thread for this many of its task's fetches at once */
const FETCH_CHUNK = 4;
/** chunks read ahead of the one a task thread serves from */
const READ_AHEAD = 2;

/**
 * The log as a task sees it, every call answered by the main thread. A task's fetch is served
 * from a chunk of FETCH_CHUNK fetches' worth of records read at once (the main thread's cost per
 * read and per message is paid once per chunk), and a chunk that stopped short of the high
 * watermark starts the next READ_AHEAD at once, so the main thread reads them while this
 * thread processes the last, however busy it is with its own tasks when asked (a task fetches
 * its partitions' offsets in order). The records are
 * those the log holds at the chunk's offsets, as a fetch of each part would return them.
 */
function remoteLog(channel: ThreadChannel, afterCommits: () => Promise<void>, unpackStored: TaskThreadHostOptions['unpackStored']): Log {
  type Wire = { records: FetchedRecord[]; nextOffset: bigint; highWatermark: bigint; logStartOffset: bigint };
  interface Chunk {
    readonly records: FetchedRecord[];
    /** the next record to serve */
    at: number;
    /** the offset the next fetch continues from (what the last one returned as next) */
    next: bigint;
    readonly limits: string;
    readonly wire: Wire;
  }
  /** a chunk read ahead: undefined when the read failed (it is read again when asked for) or was not needed */
  type Ahead = { offset: bigint; limits: string; wire: Wire } | undefined;
  /** per partition, the chunks read ahead in offset order */
  const ahead = new Map<string, Promise<Ahead>[]>();
  const chunks = new Map<string, Chunk>();
  /** a byte limit or no record limit is asked of the log as it is (no chunk) */
  const chunked = (options: FetchOptions) => options.maxBytes === undefined && options.maxRecords !== undefined;
  /**
   * A chunk comes as the stored batches, decoded here (the main thread only reads and copies
   * their bytes); any other fetch as the log answers it, packed.
   */
  const call = async (topic: string, partition: number, from: bigint, options: FetchOptions): Promise<Wire> => {
    if (chunked(options)) {
      const max = options.maxRecords!;
      for (let at = from; ; ) {
        const data = await channel.call<Uint8Array>('fetchStored', [topic, partition, at, max]);
        const r = unpackStored(data, topic, partition, Number(at), max);
        // batches without a record from `at` on (compacted away) are skipped: an empty answer
        // means nothing up to the high watermark, as the log's fetch answers
        if (r.records.length === 0 && r.nextOffset > Number(at) && r.nextOffset < r.highWatermark) {
          at = BigInt(r.nextOffset);
          continue;
        }
        return { records: r.records, nextOffset: BigInt(r.nextOffset), highWatermark: BigInt(r.highWatermark), logStartOffset: BigInt(r.logStartOffset) };
      }
    }
    const r = await channel.call<{ data: Uint8Array; nextOffset: bigint; highWatermark: bigint; logStartOffset: bigint }>('fetch', [topic, partition, from, options]);
    return { records: unpackFetched(r.data, topic, partition), nextOffset: r.nextOffset, highWatermark: r.highWatermark, logStartOffset: r.logStartOffset };
  };
  const wide = (options: FetchOptions): FetchOptions => (chunked(options) ? { ...options, maxRecords: options.maxRecords! * FETCH_CHUNK } : options);
  const read = (topic: string, partition: number, offset: bigint, options: FetchOptions, limits: string): Promise<Ahead> =>
    call(topic, partition, offset, wide(options)).then(
      (wire) => ({ offset, limits, wire }),
      () => undefined,
    );
  /** the read after `prev`, once its answer says where that starts (if it stopped short of the high watermark) */
  const readAfter = (topic: string, partition: number, prev: Promise<Ahead>, options: FetchOptions, limits: string): Promise<Ahead> =>
    prev.then((p) => (p && p.wire.nextOffset > p.offset && p.wire.nextOffset < p.wire.highWatermark ? read(topic, partition, p.wire.nextOffset, options, limits) : undefined));
  const calls: Partial<Log> = {
    fetch: async (topic: string, partition: number, fromOffset: bigint, options: FetchOptions = {}): Promise<FetchResult> => {
      const at = `${topic}\u0000${partition}`;
      const limits = `${options.maxRecords}/${options.maxBytes}`;
      let c = chunks.get(at);
      if (!c || c.next !== fromOffset || c.limits !== limits) {
        chunks.delete(at);
        let queue = ahead.get(at) ?? [];
        const head = queue.shift();
        const pre = head ? await head : undefined;
        // only records are served ahead: an empty answer may be stale by now; a read elsewhere
        // (the task moved) drops the reads ahead
        let r = pre && pre.offset === fromOffset && pre.limits === limits ? pre.wire : undefined;
        if (!r || r.nextOffset === fromOffset) {
          queue = [];
          r = await call(topic, partition, fromOffset, wide(options));
        }
        // READ_AHEAD chunks asked for beyond this one (a failed one is read again when asked for,
        // and fails then, in the task's step)
        if (queue.length === 0 && r.nextOffset > fromOffset && r.nextOffset < r.highWatermark) queue.push(read(topic, partition, r.nextOffset, options, limits));
        while (queue.length > 0 && queue.length < READ_AHEAD) queue.push(readAfter(topic, partition, queue[queue.length - 1]!, options, limits));
        ahead.set(at, queue);
        const records = r.records;
        if (!chunked(options) || records.length <= options.maxRecords!) {
          return { records, nextOffset: r.nextOffset, highWatermark: r.highWatermark, logStartOffset: r.logStartOffset };
        }
        c = { records, at: 0, next: fromOffset, limits, wire: r };
        chunks.set(at, c);
      }
      // the task's own fetch: at most its maxRecords of the chunk, next at the offset after the
      // last one served (as the log answers a fetch that reached its limit)
      const end = Math.min(c.records.length, c.at + options.maxRecords!);
      const records = c.records.slice(c.at, end);
      c.at = end;
      if (end >= c.records.length) chunks.delete(at);
      c.next = end < c.records.length ? records[records.length - 1]!.offset + 1n : c.wire.nextOffset;
      return { records, nextOffset: c.next, highWatermark: c.wire.highWatermark, logStartOffset: c.wire.logStartOffset };
    },
    earliestOffset: (topic: string, partition: number) => channel.call<bigint>('earliestOffset', [topic, partition]),
    latestOffset: (topic: string, partition: number) => channel.call<bigint>('latestOffset', [topic, partition]),
    committedOffsets: (group: string, topic?: string) => channel.call<TopicPartitionOffset[]>('committedOffsets', [group, topic]),
    // a task deletes the repartition records it committed: only once that commit is written
    deleteRecords: async (topic: string, partition: number, before: bigint) => {
      await afterCommits();
      return channel.call<void>('deleteRecords', [topic, partition, before]);
    },
    describeTopic: (name: string) => channel.call<TopicDescription>('describeTopic', [name]),
    createTopic: (name, options) => channel.call<void>('createTopic', [name, options]),
  };
  return new Proxy(calls as Log, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (v !== undefined || typeof prop !== 'string' || prop === 'then') return v;
      return () => {
        throw new LogError(`${prop} is not available to a task thread`, 'INVALID_CONFIG');
      };
    },
  });
}

/**
 * The state keyspace in the log's LevelDB, read through the main thread (ranges in pages). Every
 * call waits for the commits in flight, so a read sees what this thread committed before it.
 */
function remoteKeyspace(channel: ThreadChannel, afterCommits: () => Promise<void>): StateKeyspace {
  return {
    get: async (key: Buffer) => {
      await afterCommits();
      const v = await channel.call<Uint8Array | undefined>('stateGet', [key]);
      return v === undefined ? undefined : asBuffer(v);
    },
    async *range(o: { gte?: Buffer; lt?: Buffer; limit?: number }) {
      await afterCommits();
      let gte = o.gte;
      let left = o.limit ?? Number.POSITIVE_INFINITY;
      while (left > 0) {
        const limit = Math.min(PAGE, left);
        const page = await channel.call<[Uint8Array, Uint8Array][]>('stateRange', [{ ...(gte ? { gte } : {}), ...(o.lt ? { lt: o.lt } : {}), limit }]);
        for (const [k, v] of page) yield [asBuffer(k), asBuffer(v)] as [Buffer, Buffer];
        left -= page.length;
        if (page.length < limit) return;
        // the next key after the last one seen
        gte = Buffer.concat([asBuffer(page[page.length - 1]![0]), Buffer.from([0])]);
      }
    },
    write: async (writes: StateWrite[]) => {
      await afterCommits();
      const data = packWrites(writes);
      return channel.call<void>('stateWrite', [data], [data.buffer as ArrayBuffer]);
    },
    clearRange: async (gte: Buffer, lt: Buffer) => {
      await afterCommits();
      return channel.call<void>('stateClear', [gte, lt]);
    },
  };
}

/** how many bytes of records a task's commits may hold queued behind the one being written */
const MAX_QUEUED_COMMIT_BYTES = 8 * 1024 * 1024;

/**
 * A task's commits, pipelined: a commit is queued and the task reads on while the main thread
 * writes the one before; the commits queued meanwhile go as one transaction (their records in
 * order, their state changes in order, the last offsets), so at most one is in flight and the
 * main thread writes fewer, larger batches when it falls behind. Bounded: a task that queued
 * MAX_QUEUED_COMMIT_BYTES waits. A failed commit fails the next commit, and `settled()`, which
 * the step ends with: the main thread sees the error as the step's, as it would on its own
 * thread, and nothing after the failed commit is written.
 */
class CommitPipe {
  private inFlight: Promise<void> | undefined;
  private queued: { txn: Transaction; writes: StateWrite[]; runs: readonly EncodedRun[] }[] = [];
  private queuedBytes = 0;
  private error: unknown;
  private failed = false;

  constructor(private readonly write: (txn: Transaction, writes: StateWrite[], runs: readonly EncodedRun[]) => Promise<void>) {}

  /** a commit; `runs`: its sink's records built as batches (StateBackend.batchOutput) */
  async send(txn: Transaction, writes: StateWrite[], runs: readonly EncodedRun[]): Promise<void> {
    this.check();
    this.queued.push({ txn, writes, runs });
    // only a commit that waits behind another is counted (one sent at once holds nothing queued)
    if (!this.inFlight) return this.next();
    for (const r of txn.produce) this.queuedBytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const r of runs) this.queuedBytes += r.value.length;
    for (const w of writes) this.queuedBytes += w.key.length + (w.value?.length ?? 0);
    while (this.queuedBytes > MAX_QUEUED_COMMIT_BYTES && this.inFlight) await this.inFlight;
    this.check();
  }

  private next(): void {
    const batch = this.queued.splice(0);
    this.queuedBytes = 0;
    let txn = batch[0]!.txn;
    let writes = batch[0]!.writes;
    let runs = batch[0]!.runs;
    if (batch.length > 1) {
      let offsets = txn.offsets;
      for (const b of batch) offsets = b.txn.offsets ?? offsets;
      const produce: Transaction['produce'] = [];
      const built: EncodedRun[] = [];
      writes = [];
      for (const b of batch) {
        for (const r of b.txn.produce) produce.push(r);
        for (const w of b.writes) writes.push(w);
        for (const r of b.runs) built.push(r);
      }
      txn = { ...txn, produce, ...(offsets ? { offsets } : {}) };
      runs = built;
    }
    this.inFlight = this.write(txn, writes, runs).then(
      () => {
        this.inFlight = undefined;
        if (this.queued.length) this.next();
      },
      (e: unknown) => {
        this.inFlight = undefined;
        this.queued = [];
        this.queuedBytes = 0;
        if (this.failed) return;
        this.failed = true;
        this.error = e;
      },
    );
  }

  /** resolves once nothing is queued or in flight (written, or failed) */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  async settled(): Promise<void> {
    await this.idle();
    this.check();
  }

  private check(): void {
    if (this.failed) throw this.error;
  }
}
