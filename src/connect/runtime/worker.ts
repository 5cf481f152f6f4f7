/**
 * The Connect worker inside the engine (Connect's standalone/distributed Worker + Herder, for one
 * process): connector configurations, target states and source offsets live in the internal topics
 * (see connect-store.ts) so they survive restarts; the worker starts every stored connector when it
 * opens, splits each into tasks (`tasks.max`) and runs them. Status is kept in memory and written to
 * the status topic.
 *
 * Distributed mode (the worker properties name a `group.id` and the engine runs on Kafka): the
 * workers of one group.id form one Connect cluster (see distributed-herder.ts). Every worker knows
 * every connector (it tails the config topic), runs only what the group's leader assigned to it, and
 * answers for the rest from the status topic; a change made through any worker is written to the
 * config topic and every worker acts on it when it reads it back.
 */
import type { Log } from '../../log/log.js';
import type { Connector, ConnectorType, SinkTask, SourceTask, TopicSchemas } from '../api/connector.js';
import type { ConfigValueResult } from '../api/config-def.js';
import type { PluginRegistry } from '../plugins.js';
import { ConnectStore, type ConfigChanges, type TargetState } from './connect-store.js';
import type { ConnectAssignment } from './connect-protocol.js';
import { badRequest, conflict, ConnectError, notFound, traceOf } from './connect-errors.js';
import { SinkTaskRunner, sinkGroup } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import type { TaskRunner, TaskState } from './task-runner.js';
import { withTaskClass } from './task-plugins.js';
import { validateConnectorConfig } from './validate-connector-config.js';
import { workerConfig, type WorkerConfig } from './worker-config.js';
import { loadPluginPath } from '../plugin-path.js';
import { DistributedHerder, type HerderHooks } from './distributed-herder.js';

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

function sameConfigs(a: readonly Record<string, string>[], b: readonly Record<string, string>[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
  });
}

interface RunningConnector {
  readonly name: string;
  readonly type: ConnectorType;
  props: Record<string, string>;
  connector: Connector | undefined;
  state: ConnectorState;
  trace: string | null;
  /** the tasks running in this worker, by task id (all of them unless distributed) */
  readonly tasks: Map<number, TaskRunner>;
  /** the connector itself runs in this worker (always unless distributed) */
  owned: boolean;
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
  /**
   * the Kafka client properties of the cluster the engine runs on: with a `group.id` in the worker
   * properties, the worker joins that group as one member of a distributed Connect cluster
   */
  readonly kafka?: Readonly<Record<string, string>>;
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
    const groupId = config.props['group.id']?.trim();
    if (groupId && options.kafka) {
      worker.herder = new DistributedHerder(worker.distributedHooks(), store, { kafka: options.kafka, groupId, props: config.props, workerId: config.workerId });
      for (const name of store.configs.keys()) worker.entry(name);
      worker.herder.start();
      return worker;
    }
    for (const [name, props] of store.configs) await worker.startConnector(name, props, store.targetStates.get(name) ?? 'STARTED');
    return worker;
  }

  /** distributed mode: the group membership, assignment and config-topic tailing */
  private herder: DistributedHerder | undefined;

  /** whether this worker is one member of a distributed Connect cluster */
  get distributed(): boolean {
    return this.herder !== undefined;
  }

  /** distributed mode: this worker's member id and generation, and whether it leads the group */
  groupState(): { memberId: string; generation: number; leader: boolean; stable: boolean } | undefined {
    return this.herder?.state();
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
    const connector = c.owned
      ? { state: c.state, worker_id: this.workerId, ...(c.trace ? { trace: c.trace } : {}) }
      : this.statusFromTopic(`status-connector-${name}`, (this.store.targetStates.get(name) ?? 'STARTED') === 'STOPPED' ? 'STOPPED' : 'UNASSIGNED');
    const tasks: ConnectorStatus['tasks'] = [];
    for (let id = 0; id < c.taskConfigs.length; id++) {
      const t = c.tasks.get(id);
      tasks.push(t ? { id, state: t.state, worker_id: this.workerId, ...(t.trace ? { trace: t.trace } : {}) } : { id, ...this.statusFromTopic(`status-task-${name}-${id}`, 'UNASSIGNED') });
    }
    return { name, connector: connector as ConnectorStatus['connector'], tasks, type: c.type };
  }

  /** what another worker wrote to the status topic about a connector or task it runs */
  private statusFromTopic(key: string, fallback: ConnectorState): { state: ConnectorState & TaskState; worker_id: string; trace?: string } {
    const s = this.store.statuses.get(key);
    if (!s) return { state: fallback as ConnectorState & TaskState, worker_id: '' };
    return { state: s.state as ConnectorState & TaskState, worker_id: s.worker_id, ...(s.trace ? { trace: s.trace } : {}) };
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
    let n = 0;
    for (const t of this.get(name).tasks.values()) n += t.records;
    return n;
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
      // distributed: what other workers wrote first (Connect forwards to the leader for the same reason)
      if (this.herder) await this.applyConfigTopic();
      if (this.connectors.has(name)) throw conflict(`Connector ${name} already exists`);
      if (this.herder) return this.putDistributed(name, props);
      return this.putLocked(name, props);
    });
  }

  /** PUT /connectors/{name}/config: creates or reconfigures; `created` tells which */
  put(name: string, props: Record<string, string>): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.serial(async () => {
      this.checkOpen();
      if (this.herder) await this.applyConfigTopic();
      const created = !this.connectors.has(name);
      return { created, info: await (this.herder ? this.putDistributed(name, props) : this.putLocked(name, props)) };
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

  /**
   * distributed: the config goes to the config topic; the worker the leader gives the connector to
   * starts it and writes its task configurations (so, as in Connect, the answer lists no tasks yet)
   */
  private async putDistributed(name: string, given: Record<string, string>): Promise<ConnectorInfo> {
    if (!name.trim()) throw badRequest('Connector name cannot be empty');
    if (given['name'] !== undefined && given['name'] !== name) throw badRequest('Connector name configuration (' + given['name'] + ') doesn\'t match connector name in the URL (' + name + ')');
    const props = { ...given, name };
    this.checkValid(props);
    await this.store.putConfig(name, props);
    await this.applyConfigTopic();
    return this.info(name);
  }

  delete(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      if (this.herder) {
        await this.store.putConfig(name, null);
        await this.applyConfigTopic();
        return;
      }
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
      if (this.herder) return this.applyConfigTopic();
      // a stopped connector has no tasks, and gets none until it is resumed (as in Connect)
      if (c.state === 'STOPPED') this.setConnectorState(c, 'PAUSED');
      else {
        for (const t of c.tasks.values()) t.pause();
        if (c.state === 'RUNNING') this.setConnectorState(c, 'PAUSED');
      }
    });
  }

  resume(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      await this.store.putTargetState(name, 'STARTED');
      if (this.herder) return this.applyConfigTopic();
      if (c.state === 'STOPPED' || !c.connector) await this.startConnectorInto(c, 'STARTED');
      else {
        for (const t of c.tasks.values()) t.resume();
        if (c.state === 'PAUSED') this.setConnectorState(c, 'RUNNING');
      }
    });
  }

  /** PUT /connectors/{name}/stop: the connector and its tasks shut down, the configuration stays */
  stop(name: string): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      await this.store.putTargetState(name, 'STOPPED');
      if (this.herder) return this.applyConfigTopic();
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
      const status = this.status(name);
      if (status.connector.state === 'STOPPED') throw conflict(`Connector ${name} is stopped and cannot be restarted`);
      const connectorToo = !options.onlyFailed || status.connector.state === 'FAILED';
      const restarting = options.includeTasks ? status.tasks.filter((t) => !options.onlyFailed || t.state === 'FAILED').map((t) => t.id) : [];
      if (connectorToo) status.connector.state = 'RESTARTING';
      for (const i of restarting) status.tasks[i]!.state = 'RESTARTING';
      delete status.connector.trace;
      if (this.herder) {
        // the workers running the connector and its tasks restart them when they read the request
        await this.store.requestRestart(name, { includeTasks: !!options.includeTasks, onlyFailed: !!options.onlyFailed });
        await this.applyConfigTopic();
        return status;
      }
      const tasks = restarting.map((i) => [c.tasks.get(i)!, i] as const);
      if (connectorToo && (options.includeTasks && (!options.onlyFailed || tasks.length === c.tasks.size))) {
        await this.shutdown(c);
        await this.startConnectorInto(c, this.store.targetStates.get(name) ?? 'STARTED');
      } else {
        if (connectorToo) this.setConnectorState(c, c.state === 'FAILED' ? 'RUNNING' : c.state);
        for (const [, i] of tasks) await this.restartTaskLocked(c, i);
      }
      return status;
    });
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.serial(async () => {
      const c = this.get(name);
      if (task >= c.taskConfigs.length) throw notFound(`Task ${name}-${task} not found`);
      if (this.herder) {
        await this.store.requestRestart(name, { task });
        await this.applyConfigTopic();
        return;
      }
      await this.restartTaskLocked(c, task);
    });
  }

  private async restartTaskLocked(c: RunningConnector, index: number): Promise<void> {
    await c.tasks.get(index)?.stop();
    const t = this.makeTask(c, index);
    c.tasks.set(index, t);
    t.start((this.store.targetStates.get(c.name) ?? 'STARTED') === 'PAUSED');
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
      if (this.status(name).connector.state !== 'STOPPED') throw badRequest(`Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`);
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
    const c: RunningConnector = { name, type: entry?.type ?? 'source', props, connector: undefined, state: 'UNASSIGNED', trace: null, tasks: new Map(), owned: true, taskConfigs: [], topics: new Set() };
    this.connectors.set(name, c);
    await this.startConnectorInto(c, target);
  }

  /** the connector's instance, started; a reconfiguration it asks for runs `reconfigure` in turn */
  private async startConnectorInstance(c: RunningConnector, reconfigure: () => Promise<void>): Promise<Connector> {
    const entry = this.plugins.findConnector(c.props['connector.class'] ?? '');
    if (!entry) throw new ConnectError(`Failed to find any class that implements Connector and which name matches ${c.props['connector.class']}`, 500);
    const connector = entry.factory();
    c.connector = connector;
    await connector.start(c.props, {
      requestTaskReconfiguration: () => void this.serial(reconfigure),
      raiseError: (e) => this.setConnectorState(c, 'FAILED', traceOf(e)),
    });
    return connector;
  }

  private async startConnectorInto(c: RunningConnector, target: TargetState): Promise<void> {
    if (target === 'STOPPED') {
      this.setConnectorState(c, 'STOPPED');
      return;
    }
    try {
      const connector = await this.startConnectorInstance(c, () => this.reconfigure(c));
      const maxTasks = Math.max(1, Number(c.props['tasks.max'] ?? 1));
      c.taskConfigs = withTaskClass(connector, connector.taskConfigs(maxTasks).slice(0, maxTasks));
      this.setConnectorState(c, target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
      c.taskConfigs.forEach((_, i) => c.tasks.set(i, this.makeTask(c, i)));
      for (const t of c.tasks.values()) t.start(target === 'PAUSED');
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
    let runner: TaskRunner | undefined = undefined;
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
        // a task replaced by a restart or given up by a rebalance no longer speaks for its id
        if (c.tasks.get(index) !== runner && runner !== undefined) return;
        void this.store.writeStatus(`status-task-${c.name}-${index}`, { state, trace, worker_id: this.workerId, generation: this.generation }).catch(() => {});
      },
      onTopic: (topic: string) => void c.topics.add(topic),
      // Connect's transactional.id for a source task under exactly-once: <group.id>-<connector>-<task>
      ...(this.herder && c.type === 'source' ? { transactionGroup: `${this.config.props['group.id']?.trim()}-${c.name}-${index}` } : {}),
      ...(this.topicSchema ? { topicSchema: this.topicSchema } : {}),
    };
    const factory = this.taskFactory(c);
    runner = c.type === 'source' ? new SourceTaskRunner(host, factory as () => SourceTask) : new SinkTaskRunner(host, factory as () => SinkTask, c.taskConfigs.length);
    return runner;
  }

  /** the connector's task factory; a worker running only tasks of a connector makes its own instance */
  private taskFactory(c: RunningConnector): () => SourceTask | SinkTask {
    if (c.connector) return c.connector.taskFactory();
    const entry = this.plugins.findConnector(c.props['connector.class'] ?? '');
    if (!entry) throw new ConnectError(`Failed to find any class that implements Connector and which name matches ${c.props['connector.class']}`, 500);
    return entry.factory().taskFactory();
  }

  private async shutdown(c: RunningConnector): Promise<void> {
    await Promise.all([...c.tasks.values()].map((t) => t.stop()));
    c.tasks.clear();
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
    void this.store.writeStatus(`status-connector-${c.name}`, { state, trace, worker_id: this.workerId, generation: this.generation }).catch(() => {});
  }

  // ---------------------------------------------------------------- distributed mode

  /** the group generation this worker's assignment belongs to (0 when standalone) */
  private generation = 0;
  /** the target state each connector was last seen in (a move to or from STOPPED moves work) */
  private readonly seenTargets = new Map<string, TargetState>();

  /** an entry for a connector of the cluster, running nothing here until assigned */
  private entry(name: string): RunningConnector {
    const existing = this.connectors.get(name);
    if (existing) return existing;
    const props = this.store.configs.get(name) ?? {};
    const entry = this.plugins.findConnector(props['connector.class'] ?? '');
    const c: RunningConnector = { name, type: entry?.type ?? 'source', props, connector: undefined, state: 'UNASSIGNED', trace: null, tasks: new Map(), owned: false, taskConfigs: [...(this.store.taskConfigs.get(name) ?? [])], topics: new Set() };
    this.connectors.set(name, c);
    this.seenTargets.set(name, this.store.targetStates.get(name) ?? 'STARTED');
    return c;
  }

  private distributedHooks(): HerderHooks {
    return {
      serial: (work) => this.serial(work),
      apply: (changes) => this.applyChanges(changes),
      revokeAll: () => this.revokeAll(),
      assigned: (assignment, generation) => this.startAssigned(assignment, generation),
      work: () => {
        const connectors = [...this.store.configs.keys()];
        const tasks = connectors
          .filter((name) => (this.store.targetStates.get(name) ?? 'STARTED') !== 'STOPPED')
          .flatMap((name) => (this.store.taskConfigs.get(name) ?? []).map((_, task) => ({ connector: name, task })));
        return { connectors, tasks };
      },
      logLine: (line) => this.logLine(line),
    };
  }

  /** reads back what this or another worker wrote to the config topic (the caller holds the queue) */
  private async applyConfigTopic(): Promise<void> {
    await this.herder!.refreshUnlocked();
  }

  private async applyChanges(changes: ConfigChanges): Promise<boolean> {
    let rejoin = false;
    for (const name of changes.configs) {
      rejoin = true;
      const props = this.store.configs.get(name);
      const c = this.connectors.get(name);
      if (!props) {
        if (c) {
          await this.shutdown(c);
          this.connectors.delete(name);
          this.seenTargets.delete(name);
          if (c.owned) await this.store.writeStatus(`status-connector-${name}`, null).catch(() => {});
        }
        continue;
      }
      if (!c) this.entry(name);
      else c.props = props;
    }
    for (const name of changes.taskConfigs) {
      const c = this.connectors.get(name);
      const configs = this.store.taskConfigs.get(name) ?? [];
      if (c && !sameConfigs(c.taskConfigs, configs)) {
        c.taskConfigs = [...configs];
        rejoin = true;
      }
    }
    for (const name of changes.targetStates) {
      const c = this.connectors.get(name);
      if (!c) continue;
      const target = this.store.targetStates.get(name) ?? 'STARTED';
      const before = this.seenTargets.get(name) ?? 'STARTED';
      this.seenTargets.set(name, target);
      if (target === before) continue;
      if (target === 'STOPPED' || before === 'STOPPED') {
        rejoin = true;
        continue;
      }
      for (const t of c.tasks.values()) target === 'PAUSED' ? t.pause() : t.resume();
      if (c.owned && target === 'PAUSED' && c.state === 'RUNNING') this.setConnectorState(c, 'PAUSED');
      if (c.owned && target === 'STARTED' && c.state === 'PAUSED') this.setConnectorState(c, 'RUNNING');
    }
    for (const r of changes.restarts) {
      const c = this.connectors.get(r.connector);
      if (!c) continue;
      if (r.task !== undefined) {
        if (c.tasks.has(r.task)) await this.restartTaskLocked(c, r.task);
        continue;
      }
      if (c.owned && c.state !== 'STOPPED' && (!r.onlyFailed || c.state === 'FAILED')) {
        await this.stopConnectorInstance(c);
        await this.startOwned(c);
      }
      if (r.includeTasks) for (const [id, t] of [...c.tasks]) if (!r.onlyFailed || t.state === 'FAILED') await this.restartTaskLocked(c, id);
    }
    return rejoin;
  }

  private async revokeAll(): Promise<void> {
    for (const c of this.connectors.values()) {
      await this.shutdown(c);
      c.owned = false;
      c.state = 'UNASSIGNED';
      c.trace = null;
    }
  }

  private async startAssigned(assignment: ConnectAssignment, generation: number): Promise<void> {
    this.generation = generation;
    for (const name of assignment.connectors) {
      const c = this.connectors.get(name);
      if (!c) continue;
      c.owned = true;
      await this.startOwned(c);
    }
    for (const { connector, task } of assignment.tasks) {
      const c = this.connectors.get(connector);
      if (!c || task >= c.taskConfigs.length || c.tasks.has(task)) continue;
      try {
        const t = this.makeTask(c, task);
        c.tasks.set(task, t);
        t.start((this.store.targetStates.get(connector) ?? 'STARTED') === 'PAUSED');
      } catch (e) {
        this.logLine(`Task ${connector}-${task} failed to start: ${e instanceof Error ? e.message : String(e)}`);
        void this.store.writeStatus(`status-task-${connector}-${task}`, { state: 'FAILED', trace: traceOf(e), worker_id: this.workerId, generation }).catch(() => {});
      }
    }
  }

  /** runs a connector assigned here; its task configurations go to the config topic when they change */
  private async startOwned(c: RunningConnector): Promise<void> {
    const target = this.store.targetStates.get(c.name) ?? 'STARTED';
    if (target === 'STOPPED') {
      this.setConnectorState(c, 'STOPPED');
      // a stopped connector has no tasks (KIP-875): its empty task list is what the leader deals out
      if ((this.store.taskConfigs.get(c.name)?.length ?? 0) > 0) await this.store.putTaskConfigs(c.name, []);
      return;
    }
    try {
      await this.startConnectorInstance(c, () => this.reconfigureOwned(c));
      this.setConnectorState(c, target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
      await this.writeTaskConfigs(c);
    } catch (e) {
      this.logLine(`Connector ${c.name} failed to start: ${e instanceof Error ? e.message : String(e)}`);
      this.setConnectorState(c, 'FAILED', traceOf(e));
    }
  }

  private async writeTaskConfigs(c: RunningConnector): Promise<void> {
    if (!c.connector) return;
    const maxTasks = Math.max(1, Number(c.props['tasks.max'] ?? 1));
    const configs = withTaskClass(c.connector, c.connector.taskConfigs(maxTasks).slice(0, maxTasks));
    if (!sameConfigs(this.store.taskConfigs.get(c.name) ?? [], configs)) await this.store.putTaskConfigs(c.name, configs);
  }

  private async reconfigureOwned(c: RunningConnector): Promise<void> {
    if (!c.owned || !c.connector || this.connectors.get(c.name) !== c) return;
    await this.writeTaskConfigs(c);
    await this.applyConfigTopic();
  }

  private async stopConnectorInstance(c: RunningConnector): Promise<void> {
    const conn = c.connector;
    c.connector = undefined;
    try {
      await conn?.stop();
    } catch (e) {
      this.logLine(`Connector ${c.name} failed to stop: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ConnectError('The Connect worker is closed', 503);
  }

  /** true when every task has nothing to do now: sources polled empty, sinks read and committed all */
  async idle(): Promise<boolean> {
    for (const c of this.connectors.values()) for (const t of c.tasks.values()) if (!(await t.isIdle())) return false;
    return true;
  }

  /** total records handled by all tasks, to tell whether anything happened between two looks */
  progress(): number {
    let n = 0;
    for (const c of this.connectors.values()) for (const t of c.tasks.values()) n += t.records;
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
    // distributed: revoke (tasks stop, sinks commit) and leave the group, so the others take over now
    await this.herder?.close();
    await Promise.all([...this.connectors.values()].map((c) => this.shutdown(c)));
  }
}
