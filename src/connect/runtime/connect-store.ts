/**
 * The worker's durable state in three compacted internal topics, in Kafka Connect's formats so that a
 * Connect user reading them finds what they expect:
 *   config.storage.topic  (connect-configs): `connector-<name>` -> {"properties":{...}},
 *                          `target-state-<name>` -> {"state":"PAUSED"}; null removes
 *   offset.storage.topic  (connect-offsets): `["<name>",{partition}]` -> {offset}; null resets
 *   status.storage.topic  (connect-status):  `status-connector-<name>` / `status-task-<name>-<id>` ->
 *                          {"state":"RUNNING","trace":null,"worker_id":...,"generation":...}
 * Everything is read back into memory when the worker opens.
 */
import { LogError } from '../../common/errors.js';
import type { Log, ProduceRecord } from '../../log/log.js';
import type { WorkerConfig } from './worker-config.js';
import { ensureTopic } from './ensure-topic.js';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface StatusRecord {
  state: string;
  trace: string | null;
  worker_id: string;
  generation: number;
}

export interface RestartRequest {
  connector: string;
  /** a single task (Sluice's restart-task record); otherwise the connector's restart */
  task?: number;
  includeTasks: boolean;
  onlyFailed: boolean;
}

/** what one refresh of the config topic found */
export interface ConfigChanges {
  configs: Set<string>;
  targetStates: Set<string>;
  taskConfigs: Set<string>;
  restarts: RestartRequest[];
}

const COMPACTED = { 'cleanup.policy': 'compact' as const };

/** a partition's identity, independent of key order */
export function partitionKey(partition: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.keys(partition).sort().map((k) => [k, partition[k]]));
}

export class ConnectStore {
  readonly configs = new Map<string, Record<string, string>>();
  readonly targetStates = new Map<string, TargetState>();
  /** connector -> partitionKey -> { partition, offset } */
  readonly offsets = new Map<string, Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>>();
  /** connector -> its task configurations (distributed mode: written by the connector's worker) */
  readonly taskConfigs = new Map<string, Record<string, string>[]>();
  /** the status topic's records by key (other workers' connectors and tasks) */
  readonly statuses = new Map<string, StatusRecord>();
  private readonly pendingTasks = new Map<string, Map<number, Record<string, string>>>();
  /** next offset to read per internal topic partition */
  private readonly positions = new Map<string, bigint>();
  private refreshing: Promise<unknown> = Promise.resolve();
  private changes: ConfigChanges | undefined;
  private ensured = new Set<string>();

  constructor(
    private readonly log: Log,
    private readonly config: WorkerConfig,
  ) {}

  get offsetsTopic(): string {
    return this.config.offsetsTopic;
  }

  async open(): Promise<void> {
    for (const topic of [this.config.configTopic, this.config.offsetsTopic, this.config.statusTopic]) {
      for (const { key, value } of await this.readAll(topic)) this.apply(topic, key, value, false);
    }
  }

  /**
   * Reads what the internal topics got since the last read (other workers of the cluster write them
   * too); resolves whether the connectors' configurations, task configurations or target states
   * changed. Restart requests and status records found on the way go to the listeners.
   */
  refresh(): Promise<ConfigChanges> {
    const run = this.refreshing.then(async () => {
      const changes: ConfigChanges = { configs: new Set(), targetStates: new Set(), taskConfigs: new Set(), restarts: [] };
      this.changes = changes;
      for (const topic of [this.config.configTopic, this.config.offsetsTopic, this.config.statusTopic]) {
        for (const { key, value } of await this.readAll(topic)) this.apply(topic, key, value, true);
      }
      this.changes = undefined;
      return changes;
    });
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private apply(topic: string, key: string, value: unknown, live: boolean): void {
    if (topic === this.config.configTopic) this.applyConfig(key, value, live);
    else if (topic === this.config.offsetsTopic) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(key);
      } catch {
        return;
      }
      if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return;
      const [name, partition] = parsed as [string, Record<string, unknown>];
      this.applyOffset(name, partition, value as Record<string, unknown> | null);
    } else if (topic === this.config.statusTopic) {
      if (value === null) this.statuses.delete(key);
      else this.statuses.set(key, value as StatusRecord);
    }
  }

  private applyConfig(key: string, value: unknown, live: boolean): void {
    const changes = this.changes;
    if (key.startsWith('connector-')) {
      const name = key.slice('connector-'.length);
      if (value === null) {
        this.configs.delete(name);
        this.targetStates.delete(name);
        this.taskConfigs.delete(name);
      } else this.configs.set(name, (value as { properties: Record<string, string> }).properties);
      changes?.configs.add(name);
    } else if (key.startsWith('target-state-')) {
      const name = key.slice('target-state-'.length);
      if (value === null) this.targetStates.delete(name);
      else this.targetStates.set(name, (value as { state: TargetState }).state);
      changes?.targetStates.add(name);
    } else if (key.startsWith('task-')) {
      // task-<connector>-<id>: kept until the connector's commit record says how many there are
      const m = /^task-(.*)-(\d+)$/.exec(key);
      if (!m || value === null) return;
      const name = m[1]!;
      const pending = this.pendingTasks.get(name) ?? new Map<number, Record<string, string>>();
      pending.set(Number(m[2]), (value as { properties: Record<string, string> }).properties);
      this.pendingTasks.set(name, pending);
    } else if (key.startsWith('commit-')) {
      const name = key.slice('commit-'.length);
      const count = (value as { tasks?: number } | null)?.tasks ?? 0;
      const pending = this.pendingTasks.get(name) ?? new Map<number, Record<string, string>>();
      const tasks: Record<string, string>[] = [];
      for (let i = 0; i < count; i++) {
        const t = pending.get(i);
        if (!t) return; // an incomplete set (Connect ignores it the same way)
        tasks.push(t);
      }
      this.pendingTasks.delete(name);
      this.taskConfigs.set(name, tasks);
      changes?.taskConfigs.add(name);
    } else if (live && key.startsWith('restart-connector-') && value !== null) {
      const v = value as { 'include-tasks'?: boolean; 'only-failed'?: boolean };
      changes?.restarts.push({ connector: key.slice('restart-connector-'.length), includeTasks: !!v['include-tasks'], onlyFailed: !!v['only-failed'] });
    } else if (live && key.startsWith('restart-task-') && value !== null) {
      // Sluice's own key: Connect forwards a task restart to the task's worker over REST instead
      const v = value as { connector: string; task: number };
      changes?.restarts.push({ connector: v.connector, task: v.task, includeTasks: true, onlyFailed: false });
    }
  }

  private async readAll(topic: string): Promise<{ key: string; value: unknown }[]> {
    const out: { key: string; value: unknown }[] = [];
    let description;
    try {
      description = await this.log.describeTopic(topic);
    } catch (e) {
      if (e instanceof LogError && e.code === 'UNKNOWN_TOPIC') return out;
      throw e;
    }
    this.ensured.add(topic);
    for (const p of description.partitions) {
      const at = `${topic}\u0000${p.partition}`;
      let offset = this.positions.get(at) ?? p.logStartOffset;
      if (offset < p.logStartOffset) offset = p.logStartOffset;
      while (offset < p.highWatermark) {
        const batch = await this.log.fetch(topic, p.partition, offset);
        for (const r of batch.records) {
          if (!r.key) continue;
          let value: unknown = null;
          try {
            value = r.value === null ? null : JSON.parse(r.value.toString('utf8'));
          } catch {
            continue;
          }
          out.push({ key: r.key.toString('utf8'), value });
        }
        if (batch.nextOffset <= offset) break;
        offset = batch.nextOffset;
      }
      this.positions.set(at, offset);
    }
    return out;
  }

  /** how far the config topic has been read (a member's metadata carries it, as in Connect) */
  get configOffset(): bigint {
    return this.positions.get(`${this.config.configTopic}\u0000${0}`) ?? 0n;
  }

  /** the connector's task configurations as the config topic has them (Connect's task-/commit- records) */
  async putTaskConfigs(name: string, tasks: readonly Record<string, string>[]): Promise<void> {
    await this.ensureTopic(this.config.configTopic);
    const records = tasks.map((t, i) => this.record(this.config.configTopic, `task-${name}-${i}`, { properties: t }));
    records.push(this.record(this.config.configTopic, `commit-${name}`, { tasks: tasks.length }));
    await this.log.produce(records);
    this.taskConfigs.set(name, tasks.map((t) => ({ ...t })));
  }

  /** a restart request on the config topic, for the workers running the connector or task */
  async requestRestart(name: string, what: { includeTasks: boolean; onlyFailed: boolean } | { task: number }): Promise<void> {
    await this.ensureTopic(this.config.configTopic);
    const record =
      'task' in what
        ? this.record(this.config.configTopic, `restart-task-${name}-${what.task}`, { connector: name, task: what.task })
        : this.record(this.config.configTopic, `restart-connector-${name}`, { 'include-tasks': what.includeTasks, 'only-failed': what.onlyFailed });
    await this.log.produce([record]);
  }

  async ensureTopic(topic: string): Promise<void> {
    if (this.ensured.has(topic)) return;
    await ensureTopic(this.log, topic, { partitions: 1, config: COMPACTED });
    this.ensured.add(topic);
  }

  record(topic: string, key: string, value: unknown): ProduceRecord {
    return { topic, partition: 0, key: Buffer.from(key), value: value === null ? null : Buffer.from(JSON.stringify(value)) };
  }

  async putConfig(name: string, props: Record<string, string> | null): Promise<void> {
    await this.ensureTopic(this.config.configTopic);
    const records = [this.record(this.config.configTopic, `connector-${name}`, props === null ? null : { properties: props })];
    if (props === null) records.push(this.record(this.config.configTopic, `target-state-${name}`, null));
    await this.log.produce(records);
    if (props === null) {
      this.configs.delete(name);
      this.targetStates.delete(name);
      this.taskConfigs.delete(name);
    } else this.configs.set(name, props);
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.ensureTopic(this.config.configTopic);
    await this.log.produce([this.record(this.config.configTopic, `target-state-${name}`, { state, 'state.v2': state })]);
    this.targetStates.set(name, state);
  }

  /** the records that store these offsets (a source task writes them in the same transaction as its data) */
  offsetRecords(name: string, entries: readonly { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[]): ProduceRecord[] {
    return entries.map((e) => this.record(this.config.offsetsTopic, JSON.stringify([name, e.partition]), e.offset));
  }

  applyOffset(name: string, partition: Record<string, unknown>, offset: Record<string, unknown> | null): void {
    let m = this.offsets.get(name);
    if (!m) this.offsets.set(name, (m = new Map()));
    if (offset === null) m.delete(partitionKey(partition));
    else m.set(partitionKey(partition), { partition, offset });
  }

  offset(name: string, partition: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
    return this.offsets.get(name)?.get(partitionKey(partition))?.offset ?? null;
  }

  async writeOffsets(name: string, entries: readonly { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[]): Promise<void> {
    await this.ensureTopic(this.config.offsetsTopic);
    await this.log.produce(this.offsetRecords(name, entries));
    for (const e of entries) this.applyOffset(name, e.partition, e.offset);
  }

  async writeStatus(key: string, status: StatusRecord | null): Promise<void> {
    await this.ensureTopic(this.config.statusTopic);
    if (status === null) this.statuses.delete(key);
    else this.statuses.set(key, status);
    await this.log.produce([this.record(this.config.statusTopic, key, status)]);
  }
}
