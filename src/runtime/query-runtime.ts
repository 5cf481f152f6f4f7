/**
 * Runs one persistent query as tasks (Kafka Streams style): the plan is split into sub-topologies at
 * its repartition steps, and each sub-topology runs as one task per partition group (task N reads
 * partition N of every topic it reads). A sub-topology whose stateful steps do not see co-partitioned
 * input (a TABLE GROUP BY on a non-key, a foreign-key join), or whose topics differ in partition
 * count, runs as a single task over every partition instead, so its answers stay right.
 *
 * Repartition topics are created when the query starts, with as many partitions as the topic the
 * other side of a join reads (when only one side is repartitioned), else as the query's widest
 * source (ksqlDB: the upstream source's count); when every source has one partition they are
 * fused instead (fusesRepartitions).
 *
 * With `threads` (num.stream.threads = N > 1) and more than one task, every N-th task runs here and
 * the others on task threads (task-thread-pool.ts), and a step runs them all at once, each for a
 * slice; otherwise they run here, one by one. With `membership` (several processes on Kafka) only
 * the tasks the group assigns here run here, on this thread.
 */
import { debugEnabled, debugLog } from '../common/debug-log.js';
import { ConfigError, LogError } from '../common/errors.js';
import type { ExecutionError } from '../common/errors.js';
import type { QueryPlan, Step } from '../catalog/query-plan.js';
import { stepInputs } from '../catalog/query-plan.js';
import type { TopicPartition, TopicPartitionOffset } from '../log/log.js';
import { StreamTask } from './stream-task.js';
import type { TaskServices } from './stream-task.js';
import { repartitionSteps, splitSubTopologies } from './sub-topologies.js';
import type { TaskMembership } from './task-assignment.js';
import type { StreamTaskOptions } from './stream-task.js';
import type { RemoteTaskSpec } from './task-thread-host.js';
import type { TaskThreadPool } from './task-thread-pool.js';
import { ThreadedSteps } from './task-thread-steps.js';

export type { OffsetReset } from './stream-task.js';

/** `false` keeps one-partition repartitions on their topics (see fusesRepartitions) */
export const REPARTITION_FUSION = 'sluice.repartition.fusion';

/** a true / false setting (any case, spaces around ignored); another value is a ConfigError naming it */
export function booleanSetting(config: ReadonlyMap<string, string>, name: string, fallback: boolean): boolean {
  const text = config.get(name);
  if (text === undefined) return fallback;
  const v = text.trim().toLowerCase();
  if (v !== 'true' && v !== 'false') throw new ConfigError(`Invalid value ${text} for configuration ${name}: must be true or false`);
  return v === 'true';
}

/** `sluice.repartition.fusion`: true (the default) or false; the engine checks it when a query is created */
export function repartitionFusion(config: ReadonlyMap<string, string>): boolean {
  return booleanSetting(config, REPARTITION_FUSION, true);
}

/**
 * whether a step at or below `step` follows its task's stream time (ctx.streamTime(), STREAM_TIME
 * punctuations): EMIT FINAL aggregates and outer stream-stream joins holding unmatched rows
 */
function followsTaskStreamTime(step: Step): boolean {
  if ((step.kind === 'StreamAggregate' || step.kind === 'TableAggregate') && step.emitFinal) return true;
  if (step.kind === 'StreamStreamJoin' && step.within && !step.within.eagerOuter && step.joinType !== 'INNER') return true;
  return stepInputs(step).some(followsTaskStreamTime);
}

/** how often standby replicas read their changelogs' new records */
const STANDBY_CATCH_UP_MS = 500;

export interface QueryRuntimeOptions extends TaskServices {
  readonly plan: QueryPlan;
  /** several processes run the query: only the tasks the group assigns here run here */
  readonly membership?: TaskMembership;
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

/** how long a step of a query on task threads lasts (task-thread-steps.ts) */
const LOCAL_SLICE_MS = 20;

export class QueryRuntime {
  readonly queryId: string;
  private tasks: RuntimeTask[] = [];
  /** the tasks run on task threads: a step runs them concurrently */
  private remote = false;
  private readonly threaded = new ThreadedSteps();
  /** every task of the query, upstream first (with membership only the assigned ones run) */
  private specs: StreamTaskOptions[] = [];
  /** the group generation the running tasks belong to */
  private generation = -1;
  /** the tasks run here before the last revocation (offered to keep) */
  private lastOwned: string[] = [];
  /** standby replicas kept here (num.standby.replicas): stores kept warm, never processing */
  private standbys: StreamTask[] = [];
  private lastStandbyCatchUp = 0;
  private starting: Promise<void> | undefined;
  private closed = false;
  private stoppedBy: ExecutionError | undefined;
  paused = false;

  constructor(private readonly options: QueryRuntimeOptions) {
    this.queryId = options.plan.queryId;
    // SLUICE_DEBUG: where each task is, every few seconds (from a timer: a step that hangs shows too)
    if (debugEnabled) {
      this.debugTimer = setInterval(() => debugLog(this.debugState()), Number(process.env.SLUICE_DEBUG_INTERVAL_MS ?? 5000));
      this.debugTimer.unref();
    }
  }

  private debugTimer: NodeJS.Timeout | undefined;
  /** the task being stepped and since when (SLUICE_DEBUG) */
  private stepping: { taskId: string; since: number } | undefined;

  /** one line: the membership, each task's positions and retry state, a step in progress */
  debugState(): string {
    const m = this.options.membership;
    const now = Date.now();
    const tasks = this.tasks.map((t) => {
      const retry = this.retries.get(t.taskId);
      const at = t.inputPositions().map((p) => `${p.topic.slice(0, 24)}/${p.partition}@${p.offset}`).join(',');
      return `${t.taskId}[${at || 'init'}${retry ? ` retry#${retry.attempt} in ${retry.at - now}ms` : ''}${t.failure ? ' FAILED' : ''}]`;
    });
    const member = m ? ` member(stale=${m.stale} joining=${m.isJoining} gen=${m.assigned()?.generation ?? '-'} ours=${this.generation})` : '';
    const step = this.stepping ? ` stepping ${this.stepping.taskId} for ${now - this.stepping.since}ms` : '';
    return `${this.queryId}${member} tasks ${tasks.join(' ') || '-'} standbys ${this.standbys.map((t) => t.taskId).join(',') || '-'}${step}${this.stoppedBy ? ` stopped: ${this.stoppedBy.message}` : ''}`;
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
    const fused = await this.fusesRepartitions(widest);
    for (const step of fused ? [] : repartitionSteps(plan)) {
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
    for (const step of fused ? [] : repartitionSteps(plan)) internal.set(step.topic, await countOf(step.topic));
    const idleMs = Number(config.get('max.task.idle.ms') ?? config.get('ksql.streams.max.task.idle.ms') ?? 0);
    const purgeMs = Number(config.get('repartition.purge.interval.ms') ?? config.get('ksql.streams.repartition.purge.interval.ms') ?? 30_000);
    const specs: StreamTaskOptions[] = [];
    const subTopologyOf = new Map<string, number>();
    for (const sub of splitSubTopologies(plan, (topic) => !internal.has(topic))) {
      const counts = await Promise.all(sub.inputTopics.map(countOf));
      const perPartition = sub.coPartitioned && counts.every((c) => c === counts[0]);
      const groups: TopicPartition[][] = perPartition
        ? Array.from({ length: counts[0] ?? 1 }, (_, p) => sub.inputTopics.map((topic) => ({ topic, partition: p })))
        : [sub.inputTopics.flatMap((topic, i) => Array.from({ length: counts[i]! }, (_, p) => ({ topic, partition: p })))];
      groups.forEach((_, p) => subTopologyOf.set(`${sub.index}_${p}`, sub.index));
      groups.forEach((inputs, p) =>
        specs.push(
          {
            ...this.options,
            queryId: this.queryId,
            taskId: `${sub.index}_${p}`,
            partition: p,
            partitions: groups.length,
            root: sub.root,
            inputs,
            internalTopicPartitions: internal,
            ...(Number.isFinite(idleMs) && idleMs > 0 ? { maxTaskIdleMs: idleMs } : {}),
            ...(Number.isFinite(purgeMs) && purgeMs >= 0 ? { purgeIntervalMs: purgeMs } : {}),
          },
        ),
      );
    }
    this.specs = specs;
    if (this.options.membership || this.closed) return;
    const threads = this.options.threads;
    if (threads && threads.count > 1 && specs.length > 1) {
      // this thread is one of the `count`: it takes every count-th task, the task threads the rest
      const tasks: RuntimeTask[] = [];
      try {
        for (const [n, s] of specs.entries()) {
          if (n % threads.count === 0) {
            tasks.push(new StreamTask(s));
            continue;
          }
          const spec: Omit<RemoteTaskSpec, 'key'> = {
            queryId: this.queryId,
            planJson: threads.planJson,
            subTopology: subTopologyOf.get(s.taskId)!,
            taskId: s.taskId,
            partition: s.partition,
            partitions: s.partitions,
            inputs: s.inputs,
            internalTopicPartitions: [...internal],
            config: [...config],
            registryProperties: Object.entries(threads.registryProperties),
            offsetReset: this.options.offsetReset,
            metrics: this.options.metrics !== undefined,
            ...(this.options.batchSize !== undefined ? { batchSize: this.options.batchSize } : {}),
            ...(s.maxTaskIdleMs !== undefined ? { maxTaskIdleMs: s.maxTaskIdleMs } : {}),
            ...(s.purgeIntervalMs !== undefined ? { purgeIntervalMs: s.purgeIntervalMs } : {}),
          };
          const { onProcessingLog, continueOnProductionError, metrics } = this.options;
          tasks.push(threads.pool.createTask(spec, threads.count - 1, { onProcessingLog, ...(continueOnProductionError ? { continueOnProductionError } : {}), ...(metrics ? { metrics } : {}) }));
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
    this.tasks = specs.map((s) => new StreamTask(s));
  }

  /**
   * Whether the query's repartitions run in place (fused) rather than through their topics: when
   * every topic it reads has one partition, a repartition topic would have one too, so it could
   * only hand each record on, in order, to the task downstream. In place the records go straight
   * on, in the same task and commit, without being written and read back; the task reads the
   * sources of both sides and takes the next record by timestamp across all of them (what ksqlDB's
   * test driver does too: a record is processed all the way through before the next). A query that
   * ran with its repartition topics before keeps them, since records may wait there. Off with
   * `sluice.repartition.fusion` = false. Not for a query with a step that follows its task's
   * stream time: fused, the task's stream time would count records the step's own task never saw
   * (those a filter drops before the repartition, the other sources').
   */
  private async fusesRepartitions(widest: number): Promise<boolean> {
    const { log, plan, config } = this.options;
    const steps = repartitionSteps(plan);
    if (steps.length === 0 || widest !== 1) return false;
    if (!repartitionFusion(config) || followsTaskStreamTime(plan.sink)) return false;
    for (const step of steps) {
      if (step.partitionLike && (await log.describeTopic(step.partitionLike.topic)).partitions.length !== 1) return false;
      try {
        await log.describeTopic(step.topic);
        return false;
      } catch (e) {
        if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
      }
    }
    return true;
  }

  /**
   * With membership: follows the group. Returns false while this process has no current
   * assignment (joining, or revoking after the group moved on).
   */
  private async followAssignment(m: TaskMembership): Promise<boolean> {
    if (m.stale) {
      if (!m.isJoining) {
        if (this.tasks.length) this.lastOwned = this.tasks.map((t) => t.taskId);
        await this.revoke(true);
        m.rejoin(
          this.specs.map((s) => s.taskId),
          this.lastOwned,
          this.standbys.map((t) => t.taskId),
        );
      }
      return false;
    }
    const assigned = m.assigned();
    if (!assigned) return false;
    if (assigned.generation !== this.generation) {
      // standbys first: one that turns active here hands its warm stores to the active task
      const standbys = assigned.standbys ?? new Set<string>();
      for (const t of this.standbys) if (!standbys.has(t.taskId)) t.close();
      const warm = new Map(this.standbys.filter((t) => standbys.has(t.taskId)).map((t) => [t.taskId, t]));
      this.standbys = this.specs.filter((s) => standbys.has(s.taskId) && !assigned.tasks.has(s.taskId)).map((s) => warm.get(s.taskId) ?? new StreamTask(s));
      this.standbys = this.standbys.filter((t) => t.stateful || (t.close(), false));
      const keep = this.tasks.filter((t) => assigned.tasks.has(t.taskId));
      for (const t of this.tasks) if (!assigned.tasks.has(t.taskId)) await this.closeTask(t, true);
      for (const id of this.retries.keys()) if (!assigned.tasks.has(id)) this.retries.delete(id);
      const running = new Set(keep.map((t) => t.taskId));
      const byId = new Map(keep.map((t) => [t.taskId, t]));
      this.tasks = this.specs.filter((s) => assigned.tasks.has(s.taskId)).map((s) => (running.has(s.taskId) ? byId.get(s.taskId)! : new StreamTask(s)));
      this.generation = assigned.generation;
      if (this.debugTimer) debugLog(`${this.queryId} generation ${assigned.generation}: tasks ${[...assigned.tasks].join(',')} standbys ${[...standbys].join(',')}`);
    }
    return true;
  }

  /** commits (unless `commit` is false: the task was fenced) and closes a task leaving this process */
  private async closeTask(task: RuntimeTask, commit: boolean): Promise<void> {
    try {
      if (commit && task instanceof StreamTask) await task.commitPending();
    } catch (e) {
      // fenced: another process has it already; the cluster unreachable: its next owner reopens
      // it from the last commit; either way its uncommitted work is redone there
      if (!(e instanceof LogError) || (e.code !== 'FENCED' && !this.transient(e))) throw e;
    } finally {
      task.close();
    }
  }

  /** every task leaves (eager rebalancing; `commit` false: a task was fenced, nothing more is written) */
  private async revoke(commit: boolean): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    this.generation = -1;
    this.retries.clear();
    for (const t of tasks) await this.closeTask(t, commit);
  }

  /** One step of every task, upstream sub-topologies first; returns the records consumed. */
  async step(): Promise<number> {
    const failure = this.failure;
    if (failure && this.options.membership && this.tasks.length) {
      // a query stopped here leaves its group: its tasks move to the service's other processes
      this.stoppedBy ??= failure;
      for (const t of this.tasks.splice(0)) t.close();
      for (const t of this.standbys.splice(0)) t.close();
      void this.options.membership.leave().catch(() => {});
    }
    if (this.closed || this.paused || this.failure) {
      // task threads' slices still running end, their commits written (a restart reads them)
      if (this.remote && !this.closed) await this.threaded.rest();
      return 0;
    }
    await this.start();
    const m = this.options.membership;
    if (m && !(await this.followAssignment(m))) return 0;
    let consumed = 0;
    if (this.remote) {
      // every task steps at once on its thread (task-thread-steps.ts)
      return this.threaded.step(this.tasks, LOCAL_SLICE_MS);
    }
    const now = Date.now();
    for (let i = 0; i < this.tasks.length; i++) {
      const task = this.tasks[i]!;
      const retry = this.retries.get(task.taskId);
      if (retry && retry.at > now) continue;
      try {
        if (this.debugTimer) this.stepping = { taskId: task.taskId, since: Date.now() };
        consumed += await task.step();
        if (retry && !task.failure) this.retries.delete(task.taskId);
      } catch (e) {
        if (debugEnabled) debugLog(`${this.queryId} task ${task.taskId} step failed: ${(e as Error).message} (${(e as LogError).code ?? ''})`);
        if (this.transient(e)) {
          this.reopen(i, e as LogError);
          continue;
        }
        // fenced: this process was dropped from the group (a newer owner writes its tasks now)
        if (!m || !(e instanceof LogError) || e.code !== 'FENCED') throw e;
        this.lastOwned = this.tasks.map((t) => t.taskId);
        await this.revoke(false);
        m.rejoin(
          this.specs.map((s) => s.taskId),
          this.lastOwned,
          this.standbys.map((t) => t.taskId),
        );
        return consumed;
      } finally {
        this.stepping = undefined;
      }
      if (task.failure) break;
    }
    if (this.standbys.length && Date.now() - this.lastStandbyCatchUp >= STANDBY_CATCH_UP_MS) {
      this.lastStandbyCatchUp = Date.now();
      // a failed read is retried at the next catch-up: a standby's lag never stops the query
      for (const t of this.standbys) await t.catchUpStandby().catch(() => 0);
    }
    return consumed;
  }

  /** a failure of the cluster, not of the records: the task reopens and retries (see reopen) */
  private transient(e: unknown): boolean {
    return e instanceof LogError && (e.code === 'TRANSIENT' || this.options.state.isTransient?.(e) === true);
  }

  /** tasks reopened after a cluster failure: when to step them again, since when they fail */
  private readonly retries = new Map<string, { at: number; since: number; attempt: number }>();

  /**
   * A task whose commit failed for the cluster's sake reopens from what is committed (its writer
   * renewed, its stores restored from their changelogs' tail) after a backoff, as long as the
   * failures last less than task.timeout.ms (Kafka Streams' setting, default 5 minutes)
   */
  private reopen(index: number, error: LogError): void {
    const task = this.tasks[index]!;
    const spec = this.specs.find((s) => s.taskId === task.taskId);
    const config = this.options.config;
    const timeoutMs = Number(config.get('task.timeout.ms') ?? config.get('ksql.streams.task.timeout.ms') ?? 300_000);
    const now = Date.now();
    const previous = this.retries.get(task.taskId);
    const since = previous?.since ?? now;
    if (!spec || now - since > (Number.isFinite(timeoutMs) ? timeoutMs : 300_000)) throw error;
    task.close();
    this.tasks[index] = new StreamTask(spec);
    const attempt = (previous?.attempt ?? 0) + 1;
    this.retries.set(task.taskId, { at: now + Math.min(2000, 50 * 2 ** attempt), since, attempt });
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
    if (this.failure || this.closed) {
      if (this.remote && !this.closed) await this.threaded.rest();
      return true;
    }
    await this.start();
    const m = this.options.membership;
    if (m && (m.stale || m.assigned()?.generation !== this.generation)) return false;
    // the task threads' slices ended and their commits written first
    if (this.remote) return (await this.threaded.rest()) && (await Promise.all(this.tasks.map((t) => t.caughtUp()))).every(Boolean);
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
    this.threaded.stop();
    if (this.debugTimer) clearInterval(this.debugTimer);
    for (const t of this.tasks) t.close();
    for (const t of this.standbys.splice(0)) t.close();
    void this.options.membership?.leave().catch(() => {});
  }
}
