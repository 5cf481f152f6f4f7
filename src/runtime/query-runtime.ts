/**
 * Runs one persistent query as tasks (Kafka Streams style): the plan is split into sub-topologies at
 * its repartition steps, and each sub-topology runs as one task per partition group (task N reads
 * partition N of every topic it reads). A sub-topology whose stateful steps do not see co-partitioned
 * input (a TABLE GROUP BY on a non-key, a foreign-key join), or whose topics differ in partition
 * count, runs as a single task over every partition instead, so its answers stay right.
 *
 * Repartition topics are created when the query starts, with as many partitions as the topic the
 * other side of a join reads (when only one side is repartitioned), else as the query's widest
 * source (ksqlDB: the upstream source's count).
 *
 * With `threads` (num.stream.threads = N > 1) and more than one task, every N-th task runs here and
 * the others on task threads (task-thread-pool.ts), and a step runs them all at once, each for a
 * slice; otherwise they run here, one by one.
 */
import { LogError } from '../common/errors.js';
import type { ExecutionError } from '../common/errors.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { TopicPartition, TopicPartitionOffset } from '../log/log.js';
import { StreamTask } from './stream-task.js';
import type { TaskServices } from './stream-task.js';
import { repartitionSteps, splitSubTopologies } from './sub-topologies.js';
import type { RemoteTaskSpec } from './task-thread-host.js';
import type { TaskThreadPool } from './task-thread-pool.js';

export type { OffsetReset } from './stream-task.js';

export interface QueryRuntimeOptions extends TaskServices {
  readonly plan: QueryPlan;
  /** run the tasks on this many task threads of the pool (only when there are two or more) */
  readonly threads?: { readonly pool: TaskThreadPool; readonly count: number; readonly planJson: string; readonly registryProperties: Readonly<Record<string, string>> };
}

/** What the query needs of a task, wherever it runs (StreamTask here, RemoteTask on a task thread). */
export interface RuntimeTask {
  readonly taskId: string;
  readonly failure: ExecutionError | undefined;
  step(): Promise<number>;
  caughtUp(): Promise<boolean>;
  positions(): TopicPartitionOffset[];
  inputPositions(): TopicPartitionOffset[];
  commitDueInMs(now?: number): number | undefined;
  storeList(): { name: string; changelogTopic: string }[];
  currentStreamTime(): number;
  close(): void;
}

/** how long a step of a query on task threads keeps stepping one of its tasks on this thread */
const LOCAL_SLICE_MS = 20;

async function stepFor(task: StreamTask, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let consumed = 0;
  for (;;) {
    const n = await task.step();
    consumed += n;
    if (n === 0 || task.failure || performance.now() >= until) return consumed;
  }
}

export class QueryRuntime {
  readonly queryId: string;
  private tasks: RuntimeTask[] = [];
  /** the tasks run on task threads: a step runs them concurrently */
  private remote = false;
  private starting: Promise<void> | undefined;
  private closed = false;
  private stoppedBy: ExecutionError | undefined;
  paused = false;

  constructor(private readonly options: QueryRuntimeOptions) {
    this.queryId = options.plan.queryId;
  }

  /** the internal topics and the tasks, created on first use */
  private start(): Promise<void> {
    // a failed start (say, a source topic not there yet) is tried again on the next step
    this.starting ??= this.createTasks().catch((e: unknown) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async createTasks(): Promise<void> {
    const { log, plan, config } = this.options;
    const partitionCount = new Map<string, number>();
    const countOf = async (topic: string) => {
      let n = partitionCount.get(topic);
      if (n === undefined) {
        n = (await log.describeTopic(topic)).partitions.length;
        partitionCount.set(topic, n);
      }
      return n;
    };
    let widest = 1;
    for (const topic of plan.sourceTopics) widest = Math.max(widest, await countOf(topic));
    for (const step of repartitionSteps(plan)) {
      // as many partitions as the topic it must be co-partitioned with, else as the widest source
      const partitions = step.partitionLike ? await countOf(step.partitionLike.topic) : widest;
      try {
        await log.createTopic(step.topic, { partitions, config: { 'cleanup.policy': 'delete', 'retention.ms': -1 } });
      } catch (e) {
        if (!(e instanceof LogError) || e.code !== 'TOPIC_EXISTS') throw e;
      }
      partitionCount.delete(step.topic);
    }
    const internal = new Map<string, number>();
    for (const step of repartitionSteps(plan)) internal.set(step.topic, await countOf(step.topic));
    const idleMs = Number(config.get('max.task.idle.ms') ?? config.get('ksql.streams.max.task.idle.ms') ?? 0);
    const purgeMs = Number(config.get('repartition.purge.interval.ms') ?? config.get('ksql.streams.repartition.purge.interval.ms') ?? 30_000);
    const tasks: RuntimeTask[] = [];
    const layout: { sub: ReturnType<typeof splitSubTopologies>[number]; groups: TopicPartition[][] }[] = [];
    for (const sub of splitSubTopologies(plan)) {
      const counts = await Promise.all(sub.inputTopics.map(countOf));
      const perPartition = sub.coPartitioned && counts.every((c) => c === counts[0]);
      const groups: TopicPartition[][] = perPartition
        ? Array.from({ length: counts[0] ?? 1 }, (_, p) => sub.inputTopics.map((topic) => ({ topic, partition: p })))
        : [sub.inputTopics.flatMap((topic, i) => Array.from({ length: counts[i]! }, (_, p) => ({ topic, partition: p })))];
      layout.push({ sub, groups });
    }
    const local = (sub: (typeof layout)[number]['sub'], inputs: TopicPartition[], p: number, partitions: number) =>
      new StreamTask({
        ...this.options,
        queryId: this.queryId,
        taskId: `${sub.index}_${p}`,
        partition: p,
        partitions,
        root: sub.root,
        inputs,
        internalTopicPartitions: internal,
        ...(Number.isFinite(idleMs) && idleMs > 0 ? { maxTaskIdleMs: idleMs } : {}),
        ...(Number.isFinite(purgeMs) && purgeMs >= 0 ? { purgeIntervalMs: purgeMs } : {}),
      });
    const threads = this.options.threads;
    if (threads && threads.count > 1 && layout.reduce((n, l) => n + l.groups.length, 0) > 1) {
      // this thread is one of the `count`: it takes every count-th task, the task threads the rest
      let n = 0;
      try {
        for (const { sub, groups } of layout) {
          for (const [p, inputs] of groups.entries()) {
            if (n++ % threads.count === 0) {
              tasks.push(local(sub, inputs, p, groups.length));
              continue;
            }
            const spec: Omit<RemoteTaskSpec, 'key'> = {
              queryId: this.queryId,
              planJson: threads.planJson,
              subTopology: sub.index,
              taskId: `${sub.index}_${p}`,
              partition: p,
              partitions: groups.length,
              inputs,
              internalTopicPartitions: [...internal],
              config: [...config],
              registryProperties: Object.entries(threads.registryProperties),
              offsetReset: this.options.offsetReset,
              metrics: this.options.metrics !== undefined,
              ...(this.options.batchSize !== undefined ? { batchSize: this.options.batchSize } : {}),
              ...(Number.isFinite(idleMs) && idleMs > 0 ? { maxTaskIdleMs: idleMs } : {}),
              ...(Number.isFinite(purgeMs) && purgeMs >= 0 ? { purgeIntervalMs: purgeMs } : {}),
            };
            const { onProcessingLog, continueOnProductionError, metrics } = this.options;
            tasks.push(await threads.pool.createTask(spec, threads.count - 1, { onProcessingLog, ...(continueOnProductionError ? { continueOnProductionError } : {}), ...(metrics ? { metrics } : {}) }));
          }
        }
      } catch (e) {
        for (const t of tasks) t.close();
        throw e;
      }
      this.remote = true;
      if (this.closed) for (const t of tasks) t.close();
      this.tasks = tasks;
      return;
    }
    for (const { sub, groups } of layout) groups.forEach((inputs, p) => tasks.push(local(sub, inputs, p, groups.length)));
    if (this.closed) for (const t of tasks) t.close();
    this.tasks = tasks;
  }

  /** One step of every task, upstream sub-topologies first; returns the records consumed. */
  async step(): Promise<number> {
    if (this.closed || this.paused || this.failure) return 0;
    await this.start();
    let consumed = 0;
    if (this.remote) {
      // every task steps at once on its thread, for a slice as long as a task thread's (those
      // here too, so this thread does not wait idle for the others); all are settled before the next step
      const results = await Promise.allSettled(this.tasks.map((t) => (t instanceof StreamTask ? stepFor(t, LOCAL_SLICE_MS) : t.step())));
      for (const r of results) {
        if (r.status === 'rejected') throw r.reason;
        consumed += r.value;
      }
      return consumed;
    }
    for (const task of this.tasks) {
      consumed += await task.step();
      if (task.failure) break;
    }
    return consumed;
  }

  /** set when a task failed, or the query was stopped from outside: it stops, as ksqlDB's does */
  get failure(): ExecutionError | undefined {
    if (this.stoppedBy) return this.stoppedBy;
    for (const t of this.tasks) if (t.failure) return t.failure;
    return undefined;
  }

  /** Stops the query with an error found outside its tasks' records (e.g. a commit that failed). */
  fail(error: ExecutionError): void {
    this.stoppedBy ??= error;
  }

  async caughtUp(): Promise<boolean> {
    if (this.failure || this.closed) return true;
    await this.start();
    if (this.remote) return (await Promise.all(this.tasks.map((t) => t.caughtUp()))).every(Boolean);
    for (const t of this.tasks) if (!(await t.caughtUp())) return false;
    return true;
  }

  positions(): TopicPartitionOffset[] {
    return this.tasks.flatMap((t) => t.positions());
  }

  /** ms until a task's deferred commit is due (commit.interval.ms, linger.ms); undefined: none waits */
  commitDueInMs(): number | undefined {
    let due: number | undefined;
    const now = Date.now();
    for (const t of this.tasks) {
      const d = t.commitDueInMs(now);
      if (d !== undefined && (due === undefined || d < due)) due = d;
    }
    return due;
  }

  /** the tasks (read-only use: ids, stream time, tracing) */
  taskList(): readonly RuntimeTask[] {
    return this.tasks;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tasks) t.close();
  }
}
