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
  private ensured = new Set<string>();

  constructor(
    private readonly log: Log,
    private readonly config: WorkerConfig,
  ) {}

  get offsetsTopic(): string {
    return this.config.offsetsTopic;
  }

  async open(): Promise<void> {
    for (const { key, value } of await this.readAll(this.config.configTopic)) {
      if (key.startsWith('connector-')) {
        const name = key.slice('connector-'.length);
        if (value === null) {
          this.configs.delete(name);
          this.targetStates.delete(name);
        } else this.configs.set(name, (value as { properties: Record<string, string> }).properties);
      } else if (key.startsWith('target-state-')) {
        const name = key.slice('target-state-'.length);
        if (value === null) this.targetStates.delete(name);
        else this.targetStates.set(name, (value as { state: TargetState }).state);
      }
    }
    for (const { key, value } of await this.readAll(this.config.offsetsTopic)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(key);
      } catch {
        continue;
      }
      if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') continue;
      const [name, partition] = parsed as [string, Record<string, unknown>];
      this.applyOffset(name, partition, value as Record<string, unknown> | null);
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
      let offset = p.logStartOffset;
      while (offset < p.highWatermark) {
        const batch = await this.log.fetch(topic, p.partition, offset);
        for (const r of batch.records) {
          if (!r.key) continue;
          out.push({ key: r.key.toString('utf8'), value: r.value === null ? null : JSON.parse(r.value.toString('utf8')) });
        }
        if (batch.nextOffset <= offset) break;
        offset = batch.nextOffset;
      }
    }
    return out;
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

  async writeStatus(key: string, status: { state: string; trace: string | null; worker_id: string; generation: number } | null): Promise<void> {
    await this.ensureTopic(this.config.statusTopic);
    await this.log.produce([this.record(this.config.statusTopic, key, status)]);
  }
}
