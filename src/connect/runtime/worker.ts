/**
 * The Connect worker inside the engine (Connect's standalone/distributed Worker + Herder, for one
 * process): connector configurations, target states and source offsets live in the internal topics
 * (see connect-store.ts) so they survive restarts; the worker starts every stored connector when it
 * opens, splits each into tasks (`tasks.max`) and runs them. Status is kept in memory and written to
 * the status topic. Several workers sharing a `group.id` (distributed mode) need a group protocol
 * over the Kafka backend; this worker is the only member of its cluster.
 */
import type { Log } from '../../log/log.js';
import type { Connector, ConnectorType, SinkTask, SourceTask, TopicSchemas } from '../api/connector.js';
import type { ConfigValueResult } from '../api/config-def.js';
import type { PluginRegistry } from '../plugins.js';
import { ConnectStore, type TargetState } from './connect-store.js';
import { badRequest, conflict, ConnectError, notFound, traceOf } from './connect-errors.js';
import { SinkTaskRunner, sinkGroup } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import type { TaskRunner, TaskState } from './task-runner.js';
import { withTaskClass } from './task-plugins.js';
import { validateConnectorConfig } from './validate-connector-config.js';
import { workerConfig, type WorkerConfig } from './worker-config.js';
import { loadPluginPath } from '../plugin-path.js';

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'STOPPED' | 'RESTARTING';

export interface ConnectorStatus {
  name: string;
  connector: { state: ConnectorState; worker_id: string; trace?: string };
  tasks: { id: number; state: TaskState; worker_id: string; trace?: string }[];
  type: ConnectorType;
}

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: { connector: string; task: number }[];
  type: ConnectorType;
}

export interface ValidationResult {
  name: string;
  error_count: number;
  groups: string[];
  configs: { definition: Record<string, unknown>; value: ConfigValueJson }[];
}

/** Connect's JSON for one key's validation outcome */
export interface ConfigValueJson {
  name: string;
  value: string | null;
  recommended_values: unknown[];
  errors: string[];
  visible: boolean;
}

function valueJson(r: ConfigValueResult): ConfigValueJson {
  const v = r.value;
  return { name: r.name, value: v === null || v === undefined ? null : Array.isArray(v) ? v.join(',') : String(v), recommended_values: [...r.recommendedValues], errors: [...r.errors], visible: r.visible };
}

interface RunningConnector {
  readonly name: string;
  readonly type: ConnectorType;
  props: Record<string, string>;
  connector: Connector | undefined;
  state: ConnectorState;
  trace: string | null;
  tasks: TaskRunner[];
  taskConfigs: Record<string, string>[];
  readonly topics: Set<string>;
}

export interface WorkerOptions {
  readonly plugins: PluginRegistry;
  /** Kafka Connect worker properties */
  readonly props?: Readonly<Record<string, string>>;
  /** where the worker logs task failures and tolerated errors */
  readonly logLine?: (line: string) => void;
  /** schemas for schemaless records of known topics (the engine's catalog) */
  readonly topicSchema?: (topic: string) => TopicSchemas | undefined;
}

export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private closed = false;
  /** serialises changes, as Connect's herder does */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly log: Log,
    readonly plugins: PluginRegistry,
    readonly config: WorkerConfig,
    private readonly store: ConnectStore,
    private readonly logLine: (line: string) => void,
    private readonly topicSchema?: (topic: string) => TopicSchemas | undefined,
  ) {}

  static async open(log: Log, options: WorkerOptions): Promise<Worker> {
    const config = workerConfig(options.props);
    await loadPluginPath(options.plugins, config.props['plugin.path']);
    const store = new ConnectStore(log, config);
    await store.open();
    const worker = new Worker(log, options.plugins, config, store, options.logLine ?? ((l) => process.stderr.write(`${l}\n`)), options.topicSchema);
    for (const [name, props] of store.configs) await worker.startConnector(name, props, store.targetStates.get(name) ?? 'STARTED');
    return worker;
  }

  get workerId(): string {
    return this.config.workerId;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  // ---------------------------------------------------------------- queries

  list(): string[] {
    return [...this.connectors.keys()].sort();
  }

  has(name: string): boolean {
    return this.connectors.has(name);
  }

  private get(name: string): RunningConnector {
    const c = this.connectors.get(name);
    if (!c) throw notFound(`Connector ${name} not found`);
    return c;
  }

  info(name: string): ConnectorInfo {
    const c = this.get(name);
    return { name, config: { ...c.props }, tasks: c.taskConfigs.map((_, task) => ({ connector: name, task })), type: c.type };
  }

  status(name: string): ConnectorStatus {
    const c = this.get(name);
    return {
      name,
      connector: { state: c.state, worker_id: this.workerId, ...(c.trace ? { trace: c.trace } : {}) },
      tasks: c.tasks.map((t, id) => ({ id, state: t.state, worker_id: this.workerId, ...(t.trace ? { trace: t.trace } : {}) })),
      type: c.type,
    };
  }

  taskStatus(name: string, task: number): ConnectorStatus['tasks'][number] {
    const s = this.status(name).tasks.find((t) => t.id === task);
    if (!s) throw notFound(`Task ${name}-${task} not found`);
    return s;
  }

  taskConfigs(name: string): { id: { connector: string; task: number }; config: Record<string, string> }[] {
    return this.get(name).taskConfigs.map((config, task) => ({ id: { connector: name, task }, config }));
  }

  activeTopics(name: string): string[] {
    return [...this.get(name).topics].sort();
  }

  /** PUT /connectors/{name}/topics/reset */
  resetActiveTopics(name: string): void {
    this.get(name).topics.clear();
  }

  /** records written (sources) and read (sinks) by the connector's tasks since they started */
  recordCount(name: string): number {
    return this.get(name).tasks.reduce((n, t) => n + t.records, 0);
  }

  connectorClass(name: string): string {
    return this.get(name).props['connector.class'] ?? '';
  }

  type(name: string): ConnectorType {
    return this.get(name).type;
  }

  // ---------------------------------------------------------------- validation

  /** Connect's PUT /connector-plugins/{type}/config/validate */
  validate(props: Readonly<Record<string, string>>): ValidationResult {
    return validateConnectorConfig(this.plugins, this.config.props, props);
  }

  private checkValid(props: Readonly<Record<string, string>>): void {
    const result = this.validate(props);
    const messages = result.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`));
    if (messages.length) {
      throw badRequest(`Connector configuration is invalid and contains the following ${messages.length} error(s):\n${result.configs.flatMap((c) => c.value.errors).join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``);
    }
  }

  // ---------------------------------------------------------------- changes

  /** POST /connectors: fails with 409 when it exists */
  create(name: string, props: Record<string, string>): Promise<ConnectorInfo> {
    return this.serial(async () => {
      this.checkOpen();
      if (this.connectors.has(name)) throw conflict(`Connector ${name} already exists`);
      return this.putLocked(name, props);
    });
  }

  /** PUT /connectors/{name}/config: creates or reconfigures; `created` tells which */
  put(name: string, props: Record<string, string>): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.serial(async () => {
      this.checkOpen();
      const created = !this.connectors.has(name);
      return { created, info: await this.putLocked(name, props) };
    });
  }

  private async putLocked(name: string, given: Record<string, string>): Promise<ConnectorInfo> {
    if (!name.trim()) throw badRequest('Connector name cannot be empty');
    if (given['name'] !== undefined && given['name'] !== name) throw badRequest('Connector name configuration (' + given['name'] + ') doesn\'t match connector name in the URL (' + name + ')');
    const props = { ...given, name };
    this.checkValid(props);
    const existing = this.connectors.get(name);
    const target: TargetState = existing ? (existing.state === 'STOPPED' ? 'STOPPED' : existing.state === 'PAUSED' ? 'PAUSED' : 'STARTED') : 'STARTED';
    if (existing) await this.shutdown(existing);
    await this.store.putConfig(name, props);
    await this.startConnector(name, props, target);
    return this.info(name);
  }

  delete(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      await this.shutdown(c);
      this.connectors.delete(name);
      await this.store.putConfig(name, null);
      await this.store.writeStatus(`status-connector-${name}`, null);
    });
  }

  pause(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      await this.store.putTargetState(name, 'PAUSED');
      // a stopped connector has no tasks, and gets none until it is resumed (as in Connect)
      if (c.state === 'STOPPED') this.setConnectorState(c, 'PAUSED');
      else {
        for (const t of c.tasks) t.pause();
        if (c.state === 'RUNNING') this.setConnectorState(c, 'PAUSED');
      }
    });
  }

  resume(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      await this.store.putTargetState(name, 'STARTED');
      if (c.state === 'STOPPED' || !c.connector) await this.startConnectorInto(c, 'STARTED');
      else {
        for (const t of c.tasks) t.resume();
        if (c.state === 'PAUSED') this.setConnectorState(c, 'RUNNING');
      }
    });
  }

  /** PUT /connectors/{name}/stop: the connector and its tasks shut down, the configuration stays */
  stop(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      await this.store.putTargetState(name, 'STOPPED');
      await this.shutdown(c);
      c.taskConfigs = [];
      this.setConnectorState(c, 'STOPPED');
    });
  }

  /**
   * POST /connectors/{name}/restart: the connector (and with includeTasks its tasks, or with
   * onlyFailed only the failed ones); returns the status with what restarts marked RESTARTING
   */
  restart(name: string, options: { includeTasks?: boolean; onlyFailed?: boolean } = {}): Promise<ConnectorStatus> {
    return this.serial(async () => {
      const c = this.get(name);
      if (c.state === 'STOPPED') throw conflict(`Connector ${name} is stopped and cannot be restarted`);
      const connectorToo = !options.onlyFailed || c.state === 'FAILED';
      const tasks = options.includeTasks ? c.tasks.map((t, i) => [t, i] as const).filter(([t]) => !options.onlyFailed || t.state === 'FAILED') : [];
      const status = this.status(name);
      if (connectorToo) status.connector.state = 'RESTARTING';
      for (const [, i] of tasks) status.tasks[i]!.state = 'RESTARTING';
      if (connectorToo && (options.includeTasks && (!options.onlyFailed || tasks.length === c.tasks.length))) {
        await this.shutdown(c);
        await this.startConnectorInto(c, this.store.targetStates.get(name) ?? 'STARTED');
      } else {
        if (connectorToo) this.setConnectorState(c, c.state === 'FAILED' ? 'RUNNING' : c.state);
        for (const [, i] of tasks) await this.restartTaskLocked(c, i);
      }
      delete status.connector.trace;
      return status;
    });
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      if (!c.tasks[task]) throw notFound(`Task ${name}-${task} not found`);
      await this.restartTaskLocked(c, task);
    });
  }

  private async restartTaskLocked(c: RunningConnector, index: number): Promise<void> {
    await c.tasks[index]!.stop();
    const t = this.makeTask(c, index);
    c.tasks[index] = t;
    t.start(c.state === 'PAUSED');
  }

  // ---------------------------------------------------------------- offsets (KIP-875)

  /** GET /connectors/{name}/offsets */
  async offsets(name: string): Promise<{ offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[] }> {
    const c = this.get(name);
    if (c.type === 'source') return { offsets: [...(this.store.offsets.get(name)?.values() ?? [])].map((e) => ({ partition: e.partition, offset: e.offset })) };
    const committed = await this.log.committedOffsets(sinkGroup(name));
    return { offsets: committed.map((o) => ({ partition: { kafka_topic: o.topic, kafka_partition: o.partition }, offset: { kafka_offset: Number(o.offset) } })) };
  }

  /** PATCH /connectors/{name}/offsets (null offsets remove) and DELETE (reset all); only when STOPPED */
  alterOffsets(name: string, offsets: readonly { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[] | 'reset'): Promise<string> {
    return this.serial(async () => {
      const c = this.get(name);
      if (c.state !== 'STOPPED') throw badRequest(`Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`);
      if (c.type === 'source') {
        const entries = offsets === 'reset' ? [...(this.store.offsets.get(name)?.values() ?? [])].map((e) => ({ partition: e.partition, offset: null })) : offsets;
        await this.store.writeOffsets(name, entries);
      } else {
        const group = sinkGroup(name);
        if (offsets === 'reset') await this.log.deleteGroup(group);
        else {
          const set: { topic: string; partition: number; offset: bigint }[] = [];
          for (const o of offsets) {
            const topic = o.partition['kafka_topic'];
            const partition = o.partition['kafka_partition'];
            if (typeof topic !== 'string' || typeof partition !== 'number') throw badRequest('Partitions for sink connectors must contain a "kafka_topic" string and a "kafka_partition" number');
            if (o.offset === null) {
              // the embedded log has no per-partition delete: start over from the log start
              set.push({ topic, partition, offset: await this.log.earliestOffset(topic, partition) });
              continue;
            }
            const off = o.offset['kafka_offset'];
            if (typeof off !== 'number' || off < 0) throw badRequest('Offsets for sink connectors must contain a "kafka_offset" non-negative number');
            set.push({ topic, partition, offset: BigInt(off) });
          }
          await this.log.commitOffsets(group, set);
        }
      }
      return offsets === 'reset'
        ? 'The offsets for this connector have been reset successfully'
        : 'The offsets for this connector have been altered successfully';
    });
  }

  // ---------------------------------------------------------------- running

  private async startConnector(name: string, props: Record<string, string>, target: TargetState): Promise<void> {
    const entry = this.plugins.findConnector(props['connector.class'] ?? '');
    const c: RunningConnector = { name, type: entry?.type ?? 'source', props, connector: undefined, state: 'UNASSIGNED', trace: null, tasks: [], taskConfigs: [], topics: new Set() };
    this.connectors.set(name, c);
    await this.startConnectorInto(c, target);
  }

  private async startConnectorInto(c: RunningConnector, target: TargetState): Promise<void> {
    if (target === 'STOPPED') {
      this.setConnectorState(c, 'STOPPED');
      return;
    }
    try {
      const entry = this.plugins.findConnector(c.props['connector.class'] ?? '');
      if (!entry) throw new ConnectError(`Failed to find any class that implements Connector and which name matches ${c.props['connector.class']}`, 500);
      const connector = entry.factory();
      c.connector = connector;
      await connector.start(c.props, {
        requestTaskReconfiguration: () => void this.serial(async () => this.reconfigure(c)),
        raiseError: (e) => this.setConnectorState(c, 'FAILED', traceOf(e)),
      });
      const maxTasks = Math.max(1, Number(c.props['tasks.max'] ?? 1));
      c.taskConfigs = withTaskClass(connector, connector.taskConfigs(maxTasks).slice(0, maxTasks));
      this.setConnectorState(c, target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
      c.tasks = c.taskConfigs.map((_, i) => this.makeTask(c, i));
      for (const t of c.tasks) t.start(target === 'PAUSED');
    } catch (e) {
      this.logLine(`Connector ${c.name} failed to start: ${e instanceof Error ? e.message : String(e)}`);
      this.setConnectorState(c, 'FAILED', traceOf(e));
    }
  }

  private async reconfigure(c: RunningConnector): Promise<void> {
    if (!this.connectors.has(c.name) || c.state === 'STOPPED') return;
    await this.shutdown(c);
    await this.startConnectorInto(c, this.store.targetStates.get(c.name) ?? 'STARTED');
  }

  private makeTask(c: RunningConnector, index: number): TaskRunner {
    const host = {
      log: this.log,
      store: this.store,
      plugins: this.plugins,
      workerProps: this.config.props,
      connector: c.name,
      taskId: index,
      connectorProps: c.props,
      taskProps: c.taskConfigs[index]!,
      offsetFlushIntervalMs: this.config.offsetFlushIntervalMs,
      logLine: this.logLine,
      onState: (state: TaskState, trace: string | null) => {
        void this.store.writeStatus(`status-task-${c.name}-${index}`, { state, trace, worker_id: this.workerId, generation: 0 }).catch(() => {});
      },
      onTopic: (topic: string) => void c.topics.add(topic),
      ...(this.topicSchema ? { topicSchema: this.topicSchema } : {}),
    };
    const factory = c.connector!.taskFactory();
    return c.type === 'source' ? new SourceTaskRunner(host, factory as () => SourceTask) : new SinkTaskRunner(host, factory as () => SinkTask, c.taskConfigs.length);
  }

  private async shutdown(c: RunningConnector): Promise<void> {
    await Promise.all(c.tasks.map((t) => t.stop()));
    c.tasks = [];
    const conn = c.connector;
    c.connector = undefined;
    try {
      await conn?.stop();
    } catch (e) {
      this.logLine(`Connector ${c.name} failed to stop: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private setConnectorState(c: RunningConnector, state: ConnectorState, trace: string | null = null): void {
    c.state = state;
    c.trace = trace;
    void this.store.writeStatus(`status-connector-${c.name}`, { state, trace, worker_id: this.workerId, generation: 0 }).catch(() => {});
  }

  private checkOpen(): void {
    if (this.closed) throw new ConnectError('The Connect worker is closed', 503);
  }

  /** true when every task has nothing to do now: sources polled empty, sinks read and committed all */
  async idle(): Promise<boolean> {
    for (const c of this.connectors.values()) for (const t of c.tasks) if (!(await t.isIdle())) return false;
    return true;
  }

  /** total records handled by all tasks, to tell whether anything happened between two looks */
  progress(): number {
    let n = 0;
    for (const c of this.connectors.values()) for (const t of c.tasks) n += t.records;
    return n;
  }

  /** waits until idle() (at most timeoutMs; -1: no limit); resolves whether it got there */
  async waitIdle(timeoutMs = -1): Promise<boolean> {
    const until = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    while (!this.closed) {
      if (await this.idle()) return true;
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** Idempotent: stops every task (sinks commit what they have put) and connector. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await Promise.all([...this.connectors.values()].map((c) => this.shutdown(c)));
  }
}
