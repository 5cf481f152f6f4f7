/**
 * The Engine: execute(sql) = parse -> plan -> record command -> build -> start. It owns the log
 * adapter, the catalog, the command log and the running query tasks, and drives the task loop.
 */
import { ExecutionError, LocatedError, LogError } from '../common/errors.js';
import { Catalog } from '../catalog/catalog.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import { createBuiltinRegistry } from '../functions/builtin-registry.js';
import type { Log } from '../log/log.js';
import { LocalLog, openLocalLog, packStoredFetch, unpackProduceRuns } from '../log/local/index.js';
import { KafkaLog, KsqlNamedLog } from '../log/kafka/index.js';
import { operatorFactories } from '../operators/index.js';
import { STATELESS_FUSION } from '../operators/stateless/fused-chain.js';
import type { ProcessingLogEntry } from '../runtime/processor.js';
import type { OffsetReset, QueryRuntimeOptions } from '../runtime/query-runtime.js';
import { booleanSetting, QueryRuntime, repartitionFusion } from '../runtime/query-runtime.js';
import { DEFAULT_FETCH_MAX_WAIT_MS, fetchMaxWaitMs } from '../runtime/timeliness.js';
import type { TaskMembership } from '../runtime/task-assignment.js';
import { KafkaStateBackend, LocalStateBackend, levelDbSettings } from '../state/index.js';
import type { StateBackend } from '../state/index.js';
import type { ParsedStatement } from '../sql/ast.js';
import { parseStatements } from '../sql/parse.js';
import type { Command } from './command-log.js';
import { COMMAND_TOPIC, CommandConflict, CommandLog, commandApplies } from './command-log.js';
import { LoggedSchemaRegistry } from './schema-registry-log.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { StatementResult } from './statement-result.js';
import type { PullResult, PushQuery, Row } from './query-result.js';
import { QueryService } from './query-service.js';
import { statementHandlers } from './statement-handlers.js';
import { restoreStoredQuery } from './query-handlers.js';
import { restoreStoredSource } from './ddl-handlers.js';
import { ProcessingLogWriter, processingLogSettings } from './processing-log.js';
import { errorPolicies, processingLogEntry } from '../runtime/processing-errors.js';
import type { EngineInternals, HandlerContext } from './statement-handlers.js';
import { QueryMetrics } from '../runtime/query-metrics.js';
import type { ProcessingErrorType } from '../runtime/processor.js';
import { planTopology, querySnapshot } from './engine-metrics.js';
import type { EngineMetrics, QueryTopology } from './engine-metrics.js';
import { Worker } from '../connect/runtime/worker.js';
import { createPluginRegistry, type PluginRegistry } from '../connect/plugins.js';
import { topicSchemasFromCatalog } from './connect-topic-schemas.js';
import { TaskThreadPool } from '../runtime/task-thread-pool.js';
import { mainThreadOnly, streamThreads } from '../runtime/task-threads.js';
import { encodePlanJson } from './plan-codec.js';

export interface EngineOptions {
  /** the data directory of the embedded log (ignored when `log` is given) */
  readonly dataDir?: string;
  /** an already opened log adapter; the engine will not close it */
  readonly log?: Log;
  /** initial session properties, e.g. { 'auto.offset.reset': 'earliest' } */
  readonly properties?: Readonly<Record<string, string>>;
  readonly registry?: FunctionRegistry;
  /**
   * record-level failures (bad records, expression errors, queries stopped); also kept in
   * `processingLog` and written to the processing-log topic (see engine/processing-log.ts)
   */
  readonly onProcessingLog?: (entry: ProcessingLogEntry) => void;
  /**
   * where query state lives and how it commits with the log; defaults to state in the embedded
   * log's own LevelDB (required for any other log adapter)
   */
  readonly stateBackend?: (log: Log) => StateBackend;
  /** the embedded Connect worker: its plugins (default: the built-in ones) and Kafka Connect worker properties */
  readonly connect?: {
    readonly plugins?: PluginRegistry;
    readonly workerProps?: Readonly<Record<string, string>>;
    readonly logLine?: (line: string) => void;
    /** the Kafka cluster's client properties (set by the engine on Kafka): with a group.id, the worker joins that Connect cluster */
    readonly kafka?: Readonly<Record<string, string>>;
  };
  /**
   * run on a Kafka cluster instead of the embedded log: Kafka client properties
   * (`bootstrap.servers`, `security.protocol`, `sasl.*`, `ssl.*`, `client.id`, `compression.type`,
   * `linger.ms`, `ksql.service.id`, `processing.guarantee`); `dataDir` then holds only local state
   */
  readonly kafka?: Readonly<Record<string, string>>;
  /** this process's REST address, which the other processes of the service learn (pull-query forwarding) */
  readonly advertisedListener?: string;
}

/** The embedded log's pairing: state in its LevelDB, committed in the same batch as output and offsets. */
function localStateBackend(log: Log): StateBackend {
  if (!(log instanceof LocalLog)) throw new ExecutionError('This log adapter needs a stateBackend in the engine options');
  return new LocalStateBackend(log, {
    keyspace: log.extras,
    commit: (txn, writes) => log.commitTransaction({ ...txn, extraWrites: writes }),
    commitEncoded: (runs, txn, writes) => log.commitEncoded(runs, { ...txn, extraWrites: writes }),
  });
}

const PROCESSING_LOG_KEPT = 1000;

export class Engine {
  readonly catalog = new Catalog();
  readonly registry: FunctionRegistry;
  /** the most recent processing-log entries */
  readonly processingLog: ProcessingLogEntry[] = [];
  private readonly tasks = new Map<string, QueryRuntime>();
  private readonly state: StateBackend;
  private readonly plans = new Map<string, QueryPlan>();
  private readonly sessionProperties = new Map<string, string>();
  private readonly variables = new Map<string, string>();
  private readonly commandLog: CommandLog;
  private readonly processingLogWriter: ProcessingLogWriter;
  private schemas!: LoggedSchemaRegistry;
  private replaying: Command | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** counts stop() calls: a runUntilIdle() or a pass started before one ends at the next query */
  private stops = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** the loop's pass in flight, so a stopped query's data is dropped only after it */
  private currentPass: Promise<number> | undefined;
  /** push and pull queries, and inserts (the results API) */
  private readonly queries: QueryService;
  private worker: Worker | undefined;
  /** the task threads (num.stream.threads > 1), started with the first query that uses them */
  private threadPool: TaskThreadPool | undefined;

  private constructor(
    readonly log: Log,
    private readonly ownsLog: boolean,
    private readonly options: EngineOptions,
  ) {
    this.registry = options.registry ?? createBuiltinRegistry(options.properties ?? {});
    this.commandLog = new CommandLog(log);
    this.state = (options.stateBackend ?? localStateBackend)(log);
    for (const [k, v] of Object.entries(options.properties ?? {})) this.sessionProperties.set(k, v);
    this.processingLogWriter = new ProcessingLogWriter(log, processingLogSettings(this.sessionProperties));
    this.queries = new QueryService({
      log,
      catalog: this.catalog,
      registry: this.registry,
      config: this.sessionProperties,
      schemaRegistry: () => this.schemas,
      // a push query has its start offsets before the loop sees it (so no input after engine.query is missed)
      startQuery: async (plan, properties) => {
        const task = this.createTask(plan, properties);
        await task.caughtUp();
        this.register(task);
      },
      stopQuery: async (queryId) => {
        this.tasks.get(queryId)?.close();
        this.tasks.delete(queryId);
        this.plans.delete(queryId);
        this.queryMetrics.delete(queryId);
        // only the pass in flight can still be stepping it (later passes no longer see it)
        await this.currentPass?.catch(() => 0);
      },
      ensureRunning: () => this.start(),
      failure: (queryId) => this.tasks.get(queryId)?.failure,
      nextTransientId: (source, prefix = 'transient') => `${prefix}_${source}_${++this.transientQueries}`,
      flushSchemaRegistrations: () => this.flushSchemaRegistrations(),
      runUntilIdle: () => this.runQueriesUntilIdle(),
      parse: (sql) => this.parse(sql),
      dropQueryState: (queryId) => this.state.dropQueryState(queryId),
    });
  }

  private transientQueries = 0;

  /**
   * Starts a transient push query (`SELECT ... EMIT CHANGES [LIMIT n]`) and returns it once
   * planned: `columns` first, then iterate it for rows as they are produced. Ending the loop,
   * `close()` or the signal ends the query and drops its state. Processing runs in the
   * background (start() is called if needed).
   */
  async query(sql: string, options: { signal?: AbortSignal; properties?: Readonly<Record<string, string>> } = {}): Promise<PushQuery> {
    if (this.closed) throw new ExecutionError('The engine is closed');
    return this.queries.push(sql, options);
  }

  /** Runs a pull query (a SELECT without EMIT CHANGES) and returns all its rows. */
  async pull(sql: string): Promise<PullResult> {
    if (this.closed) throw new ExecutionError('The engine is closed');
    return this.queries.pull(sql);
  }

  /**
   * Appends rows to a stream or table through its key and value formats, as INSERT VALUES does.
   * A row is a plain object keyed by column name (ROWTIME optional); see README for value types.
   */
  async insert(source: string, rows: Row | readonly Row[]): Promise<void> {
    if (this.closed) throw new ExecutionError('The engine is closed');
    return this.queries.insert(source, Array.isArray(rows) ? rows : [rows as Row]);
  }

  /** problems opening the log found and could not repair (lost or damaged records): say them to the user */
  get recoveryFindings(): readonly string[] {
    return this.log.recoveryFindings ?? [];
  }

  static async open(options: EngineOptions = {}): Promise<Engine> {
    // `bootstrap.servers` among the properties (a server's config, `--set`, `--kafka`) also selects Kafka
    const kafka = options.kafka ?? (options.properties?.['bootstrap.servers'] ? options.properties : undefined);
    if (kafka && !options.log) return Engine.openOnKafka(options, kafka);
    const log = options.log ?? (await openLocalLog(options.dataDir ?? '.sluice-data', levelDbSettings(options.properties)));
    return Engine.openWith(log, !options.log, options);
  }

  /** Kafka: topics on the cluster (internal ones named as ksqlDB names them), state in dataDir */
  private static async openOnKafka(options: EngineOptions, kafka: Readonly<Record<string, string>>): Promise<Engine> {
    const properties = { ...(options.properties ?? {}), ...kafka };
    const kafkaLog = await KafkaLog.open({ properties });
    const log = new KsqlNamedLog(kafkaLog, kafkaLog.settings.serviceId);
    const guarantee = (properties['processing.guarantee'] ?? 'at_least_once').startsWith('exactly_once') ? 'exactly_once' : 'at_least_once';
    let state: KafkaStateBackend;
    try {
      state = await KafkaStateBackend.open(log, { dir: `${options.dataDir ?? '.sluice-data'}/kafka-state`, guarantee, levelDb: levelDbSettings(properties) });
    } catch (e) {
      await log.close();
      throw e;
    }
    // every process with this service id shares the command topic: follow what the others append
    return Engine.openWith(log, true, { ...options, stateBackend: () => state, connect: { ...(options.connect ?? {}), kafka: properties } }, true);
  }

  private static async openWith(log: Log, ownsLog: boolean, options: EngineOptions, sharedCommandTopic = false): Promise<Engine> {
    const engine = new Engine(log, ownsLog, options);
    try {
      engine.prestartTaskThreads();
      await engine.restore();
      if (sharedCommandTopic) engine.followCommandTopic();
      await engine.queries.dropLeftovers();
      // stored connectors start running now, as they do when a Connect worker starts
      const c = options.connect ?? {};
      engine.worker = await Worker.open(log, { plugins: c.plugins ?? createPluginRegistry({ schemaRegistry: engine.schemas }), ...(c.workerProps ? { props: c.workerProps } : {}), ...(c.logLine ? { logLine: c.logLine } : {}), ...(c.kafka ? { kafka: c.kafka } : {}), topicSchema: (topic) => topicSchemasFromCatalog(engine.catalog, topic) });
    } catch (e) {
      await engine.close();
      throw e;
    }
    return engine;
  }

  /**
   * Runs `work` with these session properties in force, then puts the previous values back (a
   * server applies one request's properties this way; callers run such work one at a time).
   */
  async withSessionProperties<T>(properties: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
    const saved = new Map(this.sessionProperties);
    for (const [k, v] of Object.entries(properties)) this.sessionProperties.set(k, v);
    try {
      return await work();
    } finally {
      // what the work itself SET stays; only the request's own properties are undone
      for (const k of Object.keys(properties)) {
        if (this.sessionProperties.get(k) !== properties[k]) continue;
        if (saved.has(k)) this.sessionProperties.set(k, saved.get(k)!);
        else this.sessionProperties.delete(k);
      }
    }
  }

  /** Replays the command log: rebuilds the catalog and recreates persistent queries. */
  private async restore(): Promise<void> {
    this.schemas = await LoggedSchemaRegistry.open(this.log);
    // before the replay: recorded queries may read the processing-log stream
    await this.processingLogWriter.open(this.catalog, this.sessionProperties, this.schemas);
    for (const logged of await this.commandLog.open()) if (commandApplies(logged)) await this.applyCommand(logged.command);
  }

  /** Runs a command from the log (a replay, or another process's statement) under its own session properties. */
  private async applyCommand(command: Command): Promise<void> {
    const saved = new Map(this.sessionProperties);
    this.sessionProperties.clear();
    for (const [k, v] of Object.entries(command.properties)) this.sessionProperties.set(k, v);
    this.replaying = command;
    try {
      // a query runs from its stored plan; other statements (and logs older than stored plans) are re-executed
      if (command.query) await restoreStoredQuery({ text: command.sql, engine: this.internals }, command.query);
      else if (command.source) await restoreStoredSource({ text: command.sql, engine: this.internals }, command.source);
      else for (const parsed of parseStatements(command.sql)) await this.executeStatement(parsed);
    } finally {
      this.replaying = undefined;
      this.sessionProperties.clear();
      for (const [k, v] of saved) this.sessionProperties.set(k, v);
    }
  }

  /** statements executing now (the command runner applies other processes' commands only between them) */
  private executing = 0;
  /** the command runner applying other processes' commands */
  private applyingRemote: Promise<void> | undefined;
  private commandRunner: Promise<void> | undefined;
  /** commands of other processes that failed here (they succeeded where they ran) */
  readonly commandErrors: { sql: string; error: Error }[] = [];

  /**
   * Applies the commands other processes sharing the command topic appended since the last look,
   * in topic order (ksqlDB's command runner). Skips this process's own and those that lost a race.
   */
  private async applyRemoteCommands(): Promise<number> {
    let applied = 0;
    for (const logged of await this.commandLog.readNew()) {
      if (this.commandLog.isOwn(logged.offset) || !commandApplies(logged)) continue;
      try {
        await this.applyCommand(logged.command);
      } catch (e) {
        this.commandErrors.push({ sql: logged.command.sql, error: e instanceof Error ? e : new Error(String(e)) });
      }
      applied++;
    }
    return applied;
  }

  /** catches up with the command topic now, unless a statement is executing (it caught up itself) */
  private async syncCatalog(): Promise<void> {
    if (this.closed || this.executing > 0) return;
    while (this.applyingRemote) await this.applyingRemote;
    if (this.executing > 0) return;
    const run = this.applyRemoteCommands().then(() => undefined);
    this.applyingRemote = run;
    try {
      await run;
    } finally {
      if (this.applyingRemote === run) this.applyingRemote = undefined;
    }
  }

  /** Several processes share the command topic (Kafka): follow it in the background. */
  private followCommandTopic(intervalMs = 200): void {
    if (this.commandRunner) return;
    this.commandRunner = (async () => {
      while (!this.closed) {
        await this.syncCatalog().catch(() => {});
        if (this.closed) break;
        await this.log.waitForData(COMMAND_TOPIC, 0, this.commandLog.peekSequence(), intervalMs * 5).catch(() => new Promise((r) => setTimeout(r, intervalMs)));
      }
    })();
  }

  /** Splits and parses a script, substituting variables defined so far. */
  parse(sql: string): ParsedStatement[] {
    return parseStatements(sql, { variables: this.variables });
  }

  /** Executes every statement in order; throws at the first failure (earlier ones stay applied). */
  async execute(sql: string): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    for (const parsed of this.parse(sql)) results.push(await this.executeStatement(parsed));
    return results;
  }

  async executeStatement(parsed: ParsedStatement): Promise<StatementResult> {
    if (this.closed) throw new ExecutionError('The engine is closed');
    if (this.replaying || !this.commandRunner) return this.executeStatementNow(parsed);
    // a shared command topic: validate against everything appended so far; a statement that loses
    // a race to another process's (appended first) is validated again after applying that one
    while (this.applyingRemote) await this.applyingRemote;
    this.executing++;
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.executing === 1) await this.applyRemoteCommands();
        try {
          return await this.executeStatementNow(parsed);
        } catch (e) {
          if (!(e instanceof CommandConflict) || attempt >= 20) throw e;
        }
      }
    } finally {
      this.executing--;
    }
  }

  private async executeStatementNow(parsed: ParsedStatement): Promise<StatementResult> {
    const stmt = parsed.statement;
    // a dropped source ends the push queries reading it (before its topic can go away under them)
    if (stmt.kind === 'DropSource') await this.queries.closeReading(stmt.name);
    const handler = statementHandlers[stmt.kind] as (s: typeof stmt, ctx: HandlerContext) => Promise<StatementResult>;
    try {
      return await handler(stmt, { text: parsed.text, engine: this.internals });
    } catch (e) {
      // plan and type errors name their place in the statement (line:column and a caret)
      if (e instanceof LocatedError) e.locate(parsed.text, parsed.pos);
      throw e;
    }
  }

  private readonly internals: EngineInternals = {
    log: () => this.log,
    catalog: () => this.catalog,
    registry: () => this.registry,
    config: () => this.sessionProperties,
    variables: () => this.variables,
    replaying: () => this.replaying,
    record: async (sql, effects = {}) => {
      if (this.replaying) return;
      await this.commandLog.append({ sql, properties: Object.fromEntries(this.sessionProperties), ...effects });
    },
    nextQueryId: (prefix) => this.replaying?.queryId ?? `${prefix}_${this.commandLog.peekSequence()}`,
    startQuery: (plan) => this.startQuery(plan),
    stopQuery: async (queryId) => {
      this.tasks.get(queryId)?.close();
      this.tasks.delete(queryId);
      this.plans.delete(queryId);
      this.queryMetrics.delete(queryId);
    },
    pauseQuery: (queryId, paused) => {
      const t = this.tasks.get(queryId);
      if (t) t.paused = paused;
    },
    plan: (queryId) => this.plans.get(queryId),
    queryFailure: (queryId) => this.tasks.get(queryId)?.failure,
    restartQuery: (queryId) => this.restartQuery(queryId),
    execute: (sql) => this.execute(sql),
    runUntilIdle: () => this.runQueriesUntilIdle(),
    schemaRegistry: () => this.schemas,
    flushSchemaRegistrations: () => this.flushSchemaRegistrations(),
    queries: () => this.queries,
    connect: () => this.connect,
  };

  /** the embedded Connect worker (connectors from SQL and from Connect's REST API) */
  get connect(): Worker {
    if (!this.worker) throw new ExecutionError('The engine is closed');
    return this.worker;
  }

  private startQuery(plan: QueryPlan): void {
    this.register(this.createTask(plan, undefined, this.membershipOf(plan.queryId)));
  }

  /**
   * On Kafka a persistent query is its consumer group: every process sharing the service id joins
   * it and runs the tasks the group assigns it (session.timeout.ms: how soon a dead process's tasks move)
   */
  private membershipOf(queryId: string): TaskMembership | undefined {
    if (!(this.log instanceof KsqlNamedLog)) return undefined;
    const setting = (name: string) => this.sessionProperties.get(name) ?? this.sessionProperties.get(`ksql.streams.${name}`);
    const sessionTimeoutMs = Number(setting('session.timeout.ms') ?? 10_000);
    const heartbeat = setting('heartbeat.interval.ms');
    const standbys = Number(setting('num.standby.replicas') ?? 0);
    return this.log.taskGroup(queryId, {
      ...(Number.isInteger(standbys) && standbys > 0 ? { standbyReplicas: standbys } : {}),
      sessionTimeoutMs: Number.isFinite(sessionTimeoutMs) && sessionTimeoutMs > 0 ? sessionTimeoutMs : 10_000,
      ...(heartbeat !== undefined && Number(heartbeat) > 0 ? { heartbeatIntervalMs: Number(heartbeat) } : {}),
      ...(this.options.advertisedListener ? { endpoint: this.options.advertisedListener } : {}),
    });
  }

  private register(task: QueryRuntime): void {
    this.tasks.set(task.queryId, task);
    this.plans.set(task.queryId, this.taskPlans.get(task)!);
    this.wakeLoop?.();
  }

  private wakeLoop: (() => void) | undefined;

  private readonly taskPlans = new WeakMap<QueryRuntime, QueryPlan>();

  /** `overrides`: a push query's own properties, over the session's */
  private createTask(plan: QueryPlan, overrides?: ReadonlyMap<string, string>, membership?: TaskMembership): QueryRuntime {
    const config = new Map([...this.sessionProperties, ...(overrides ?? [])]);
    // bad values are refused before the query exists
    repartitionFusion(config);
    booleanSetting(config, STATELESS_FUSION, true);
    const reset = (config.get('auto.offset.reset') ?? config.get('ksql.streams.auto.offset.reset') ?? 'latest') as OffsetReset;
    const task = new QueryRuntime({
      log: this.log,
      state: this.state,
      plan,
      factories: operatorFactories,
      registry: this.registry,
      config,
      offsetReset: reset === 'earliest' ? 'earliest' : 'latest',
      onProcessingLog: (entry) => this.reportProcessingError(entry),
      continueOnProductionError: (error) => {
        if (errorPolicies(config).PRODUCTION_ERROR === 'fail') return false;
        this.reportProcessingError(processingLogEntry(plan.queryId, 'sink', error, { type: 'PRODUCTION_ERROR' }));
        return true;
      },
      schemaRegistry: this.schemas,
      drainSchemaRegistrations: () => this.schemas.drainPending(),
      metrics: this.metricsOf(plan.queryId),
      ...this.taskThreads(plan, config),
      ...(membership ? { membership } : {}),
    });
    this.taskPlans.set(task, plan);
    return task;
  }

  /**
   * The task threads a query's tasks may run on (num.stream.threads > 1). Tasks stay on this
   * thread with another log or state backend, an embedder's own function registry (it cannot be
   * rebuilt in a worker), or a schema-registry format (see runtime/task-threads.ts).
   */
  private taskThreads(plan: QueryPlan, config: ReadonlyMap<string, string>): { threads?: NonNullable<QueryRuntimeOptions['threads']> } {
    const count = streamThreads(config);
    if (count <= 1 || this.closed) return {};
    const log = this.log;
    if (!(log instanceof LocalLog) || this.options.stateBackend || this.options.registry) return {};
    const planJson = encodePlanJson(plan);
    if (mainThreadOnly(planJson)) return {};
    // this thread runs tasks too: count - 1 task threads
    const pool = this.taskThreadPool(log);
    pool.prestart(count - 1);
    return { threads: { pool, count, planJson, registryProperties: this.options.properties ?? {} } };
  }

  private taskThreadPool(log: LocalLog): TaskThreadPool {
    return (this.threadPool ??= new TaskThreadPool(new URL('./task-thread-main.js', import.meta.url), {
      log,
      keyspace: log.extras,
      commit: (txn, writes) => this.state.commit(txn, writes),
      fetchStored: async (topic, partition, from, maxRecords) => packStoredFetch(await log.fetchStored(topic, partition, from, maxRecords)),
      // the pool runs only with the default state backend, whose commit is this one transaction
      commitEncoded: async (records, writes, offsets, dropTopic) => {
        const runs = unpackProduceRuns(records);
        await log.commitEncoded(dropTopic === undefined ? runs : runs.filter((r) => r.topic !== dropTopic), { ...(offsets ? { offsets } : {}), extraWrites: writes });
      },
    }));
  }

  /**
   * num.stream.threads > 1 set when the engine opens: its task threads load their modules now,
   * as Kafka Streams starts its stream threads with the application, rather than when the first
   * query starts (a query's own setting starts them then).
   */
  private prestartTaskThreads(): void {
    let count: number;
    try {
      count = streamThreads(this.sessionProperties);
    } catch {
      return; // refused with its reason when a query reads it
    }
    if (count <= 1 || !(this.log instanceof LocalLog) || this.options.stateBackend || this.options.registry) return;
    this.taskThreadPool(this.log).prestart(count - 1);
  }

  /** a query's counters: one per query id, kept across restarts of the query */
  private metricsOf(queryId: string): QueryMetrics {
    let m = this.queryMetrics.get(queryId);
    if (!m) {
      m = new QueryMetrics(queryId);
      this.queryMetrics.set(queryId, m);
    }
    return m;
  }

  private readonly queryMetrics = new Map<string, QueryMetrics>();
  /** processing-log entries by query and type: `${queryId}\n${type}` */
  private readonly processingErrorCounts = new Map<string, number>();

  /**
   * What the engine has counted: per query and operator records in/out, lag per input partition,
   * processing-log errors, commit latency, state store changelog sizes, push queries (never per key).
   * Counters are totals since the engine opened; take two snapshots for rates.
   */
  async metrics(): Promise<EngineMetrics> {
    const time = Date.now();
    const sources = {
      log: this.log,
      plan: (id: string) => this.plans.get(id),
      runtime: (id: string) => this.tasks.get(id),
      persistent: (id: string) => this.catalog.queries.get(id),
    };
    const queries = [];
    for (const [id, counters] of this.queryMetrics) if (this.tasks.has(id)) queries.push(await querySnapshot(id, counters, sources));
    const processingErrors = [...this.processingErrorCounts].map(([k, count]) => {
      const [queryId, type] = k.split('\n') as [string, ProcessingErrorType];
      return { queryId, type, count };
    });
    return { time, queries, processingErrors, pushQueries: this.queries.runningCount };
  }

  /** A query's topology (steps by sub-topology, with topics and state stores), or undefined for an unknown query. */
  queryTopology(queryId: string): QueryTopology | undefined {
    const plan = this.plans.get(queryId);
    if (!plan) return undefined;
    const stores = new Set((this.tasks.get(queryId)?.taskList() ?? []).flatMap((t) => t.storeList().map((s) => s.name)));
    return planTopology(plan, [...stores]);
  }

  private reportProcessingError(entry: ProcessingLogEntry): void {
    const key = `${entry.queryId}\n${entry.type}`;
    this.processingErrorCounts.set(key, (this.processingErrorCounts.get(key) ?? 0) + 1);
    this.processingLog.push(entry);
    if (this.processingLog.length > PROCESSING_LOG_KEPT) this.processingLog.splice(0, this.processingLog.length - PROCESSING_LOG_KEPT);
    this.processingLogWriter.push(entry);
    this.options.onProcessingLog?.(entry);
  }

  /** One pass over every query; returns the number of records consumed. */
  private pass(): Promise<number> {
    const pass = this.passOverTasks();
    this.currentPass = pass;
    return pass.finally(() => {
      if (this.currentPass === pass) this.currentPass = undefined;
    });
  }

  private async passOverTasks(): Promise<number> {
    let progress = 0;
    const stops = this.stops;
    // a stop ends the pass after the query in hand (every step commits), so stopping takes one step
    for (const task of [...this.tasks.values()]) {
      if (this.stops !== stops) break;
      progress += await this.stepTask(task);
    }
    await this.processingLogWriter.flush();
    return progress;
  }

  /**
   * A step that throws failed outside any record (its commit: the output could not be written):
   * a production error, which stops the query under ksql.fail.on.production.error (the default).
   */
  private async stepTask(task: QueryRuntime): Promise<number> {
    try {
      return await task.step();
    } catch (e) {
      if (this.tasks.get(task.queryId) !== task) return 0;
      // a topic it cannot write; a source topic it cannot read is not a production error
      const production = e instanceof LogError && !(this.plans.get(task.queryId)?.sourceTopics ?? []).includes(e.context.topic ?? '');
      if (production) this.reportProcessingError(processingLogEntry(task.queryId, 'sink', e, { type: 'PRODUCTION_ERROR' }));
      const message = e instanceof Error ? e.message : String(e);
      const failure = new ExecutionError(`Query ${task.queryId} stopped: ${production ? 'its output could not be written: ' : ''}${message}`, { queryId: task.queryId }, { cause: e });
      task.fail(failure);
      this.reportProcessingError(processingLogEntry(task.queryId, 'task', failure, { type: 'QUERY_ERROR' }));
      return 0;
    }
  }

  /**
   * Restarts a query stopped by a failure (RESUME does this for an ERROR query): a new task from
   * the query's plan, resuming from its last committed offsets and state, under the current
   * session properties (so e.g. a changed error policy applies).
   */
  restartQuery(queryId: string): void {
    const plan = this.plans.get(queryId);
    if (!plan) throw new ExecutionError(`Unknown queryId: ${queryId}`, { queryId });
    this.tasks.get(queryId)?.close();
    this.startQuery(plan);
  }

  private async allCaughtUp(): Promise<boolean> {
    for (const task of this.tasks.values()) if (!task.paused && !(await task.caughtUp())) return false;
    return true;
  }

  /**
   * Processes until every query has consumed all available input (including each other's output)
   * and every connector is idle: sources have nothing more to read and sinks have committed all
   * there is (so it never returns while an unbounded source, e.g. datagen without `iterations`, runs).
   */
  async runUntilIdle(): Promise<void> {
    const worker = this.worker;
    if (!worker || worker.list().length === 0) return this.runQueriesUntilIdle();
    const stops = this.stops;
    for (;;) {
      await this.runQueriesUntilIdle();
      const before = worker.progress();
      await worker.waitIdle();
      if (this.stops !== stops || this.closed) return;
      if (worker.progress() === before && (await this.allCaughtUp())) return;
    }
  }

  private async runQueriesUntilIdle(): Promise<void> {
    if (this.loop) return new Promise((resolve) => this.idleWaiters.push(resolve));
    const stops = this.stops;
    for (;;) {
      // stop() ends it early, with everything processed so far committed
      if (this.stops !== stops) return;
      // start() may have been called meanwhile: its loop takes over
      if (this.loop) return new Promise((resolve) => this.idleWaiters.push(resolve));
      if ((await this.pass()) > 0) continue;
      if (await this.allCaughtUp()) return;
      // records are buffered but a task waits for an empty input (max.task.idle.ms): do not spin
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Runs the queries continuously in the background until stop() or close(). */
  start(): void {
    if (this.loop || this.closed) return;
    this.stopping = false;
    // woken by new input, let more gather first (fetch.max.wait.ms; a bad value: the default)
    let gatherMs = DEFAULT_FETCH_MAX_WAIT_MS;
    try {
      gatherMs = fetchMaxWaitMs(this.sessionProperties);
    } catch {
      // refused with its reason when a query reads its settings (timeliness())
    }
    this.loop = (async () => {
      // a runUntilIdle() pass may still be running: never step a task twice at once
      while (this.currentPass) await this.currentPass.catch(() => 0);
      while (!this.stopping) {
        const progress = await this.pass();
        if (progress > 0) continue;
        if (this.idleWaiters.length && (await this.allCaughtUp())) for (const w of this.idleWaiters.splice(0)) w();
        // a paused query's unread input must not wake the loop (it would spin, starving I/O)
        const positions = [...this.tasks.values()].filter((t) => !t.paused).flatMap((t) => t.positions());
        // a newly registered query (a push query) wakes the loop at once
        const registered = new Promise<void>((r) => (this.wakeLoop = r));
        // a commit deferred by commit.interval.ms / linger.ms is due: wake for it
        const dueIns = [...this.tasks.values()].map((t) => t.commitDueInMs()).filter((d): d is number => d !== undefined);
        const due = dueIns.length ? Math.min(...dueIns) : undefined;
        if (positions.length) {
          const woken = await Promise.race([this.log.waitForAnyData(positions, Math.min(200, due ?? 200)), registered]);
          if (woken === true && gatherMs > 0) await Promise.race([new Promise((r) => setTimeout(r, gatherMs)), registered]);
        } else await Promise.race([new Promise((r) => setTimeout(r, Math.min(50, due ?? 50))), registered]);
        this.wakeLoop = undefined;
      }
    })();
  }

  /**
   * Stops processing after the step in hand (each step commits its output, state and offsets
   * together), also ending a runUntilIdle() early; start() resumes. Close() to release the engine.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stops++;
    const loop = this.loop;
    this.loop = undefined;
    await loop;
    await this.currentPass?.catch(() => 0);
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** the embedded schema registry (AVRO, PROTOBUF, JSON_SR) */
  get schemaRegistry(): SchemaRegistry {
    return this.schemas;
  }

  /** makes schema registrations made outside a query (e.g. by an embedder's serde) durable */
  async flushSchemaRegistrations(): Promise<void> {
    const records = this.schemas.drainPending();
    if (records.length) await this.log.produce(records);
  }

  /** queries stopped by a failure, with the error */
  failedQueries(): { queryId: string; error: Error }[] {
    return [...this.tasks.values()].filter((t) => t.failure).map((t) => ({ queryId: t.queryId, error: t.failure! }));
  }

  queryIds(): string[] {
    return [...this.tasks.keys()];
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.applyingRemote?.catch(() => {});
    await this.stop();
    await this.worker?.close();
    await this.queries.closeAll();
    // entries reported outside a pass (none are lost to a close)
    await this.processingLogWriter.flush().catch(() => {});
    for (const t of this.tasks.values()) t.close();
    this.tasks.clear();
    await this.threadPool?.close();
    await this.state.close?.();
    if (this.ownsLog) await this.log.close();
  }
}
