/**
 * Gives Sluice's internal topics and consumer groups ksqlDB's names on a shared Kafka cluster, so
 * several Sluice services (ksql.service.id) can share one cluster without seeing each other's
 * internals, and an operator finds the names they know from ksqlDB:
 *
 *   _sluice_commands              -> _confluent-ksql-<service id>_command_topic
 *   _schemas (schema registry)    -> _confluent-ksql-<service id>_schemas
 *   _sluice-<query id>-<name>     -> _confluent-ksql-<service id>query_<query id>-<name>  (changelog, repartition)
 *   _sluice-transient-<id>        -> _confluent-ksql-<service id>transient_<id>
 *   _sluice_<name>                -> _confluent-ksql-<service id>_<name>
 *   consumer group <query id>     -> _confluent-ksql-<service id>query_<query id>
 *
 * User topics keep their names. A wrapper over any Log, so the engine and the adapter stay unaware.
 */
import type {
  CreateTopicOptions,
  FetchOptions,
  FetchResult,
  Log,
  MaintenanceReport,
  ProduceRecord,
  ProduceResult,
  TopicConfigInput,
  TopicDescription,
  TopicPartitionOffset,
  Transaction,
  TransactionResult,
} from '../log.js';
import { KafkaLog } from './kafka-log.js';
import type { TaskGroupMember, TaskGroupOptions } from './task-group-member.js';

export class KsqlNames {
  private readonly prefix: string;

  constructor(readonly serviceId: string) {
    this.prefix = `_confluent-ksql-${serviceId}`;
  }

  topic(name: string): string {
    if (name === '_sluice_commands') return `${this.prefix}_command_topic`;
    // the schema registry's topic, this service's own: on a cluster `_schemas` is Confluent Schema
    // Registry's (another format) or, on an embedded broker, its host's (read-only to clients)
    if (name === '_schemas') return `${this.prefix}_schemas`;
    if (name.startsWith('_sluice-transient-')) return `${this.prefix}transient_${name.slice('_sluice-transient-'.length)}`;
    if (name.startsWith('_sluice-')) return `${this.prefix}query_${name.slice('_sluice-'.length)}`;
    if (name.startsWith('_sluice_')) return `${this.prefix}_${name.slice('_sluice_'.length)}`;
    return name;
  }

  /** Sluice's name for a Kafka topic; undefined for another service's internal topic */
  fromTopic(name: string): string | undefined {
    // a cluster topic under one of Sluice's own internal names belongs to someone else (an embedded
    // broker shows its host's _sluice_commands): taken for ours it would shadow this service's
    if (name.startsWith('_sluice') || name === '_schemas') return undefined;
    if (!name.startsWith('_confluent-ksql-')) return name;
    if (!name.startsWith(this.prefix)) return undefined;
    const rest = name.slice(this.prefix.length);
    if (rest === '_command_topic') return '_sluice_commands';
    if (rest === '_schemas') return '_schemas';
    if (rest.startsWith('transient_')) return `_sluice-transient-${rest.slice('transient_'.length)}`;
    if (rest.startsWith('query_')) return `_sluice-${rest.slice('query_'.length)}`;
    if (rest.startsWith('_')) return `_sluice_${rest.slice(1)}`;
    return undefined;
  }

  group(group: string): string {
    return `${this.prefix}query_${group}`;
  }

  fromGroup(group: string): string | undefined {
    return group.startsWith(`${this.prefix}query_`) ? group.slice(`${this.prefix}query_`.length) : undefined;
  }
}

export class KsqlNamedLog implements Log {
  readonly names: KsqlNames;

  constructor(
    readonly inner: Log,
    serviceId: string,
  ) {
    this.names = new KsqlNames(serviceId);
  }

  get recoveryFindings(): readonly string[] | undefined {
    return this.inner.recoveryFindings;
  }

  private offsets(offsets: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
    return offsets.map((o) => ({ ...o, topic: this.names.topic(o.topic) }));
  }

  private back<T extends { topic: string }>(items: readonly T[]): T[] {
    return items.map((i) => ({ ...i, topic: this.names.fromTopic(i.topic) ?? i.topic }));
  }

  createTopic(name: string, options: CreateTopicOptions): Promise<void> {
    return this.inner.createTopic(this.names.topic(name), options);
  }
  async describeTopic(name: string): Promise<TopicDescription> {
    return { ...(await this.inner.describeTopic(this.names.topic(name))), name };
  }
  async listTopics(): Promise<string[]> {
    return (await this.inner.listTopics()).flatMap((t) => this.names.fromTopic(t) ?? []).sort();
  }
  deleteTopic(name: string): Promise<void> {
    return this.inner.deleteTopic(this.names.topic(name));
  }
  updateTopicConfig(name: string, config: TopicConfigInput): Promise<void> {
    return this.inner.updateTopicConfig(this.names.topic(name), config);
  }
  async produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]> {
    return this.back(await this.inner.produce(records.map((r) => ({ ...r, topic: this.names.topic(r.topic) }))));
  }
  async fetch(topic: string, partition: number, fromOffset: bigint, options?: FetchOptions): Promise<FetchResult> {
    const kafkaName = this.names.topic(topic);
    const result = await this.inner.fetch(kafkaName, partition, fromOffset, options);
    if (kafkaName === topic) return result;
    for (const r of result.records) r.topic = topic;
    return result;
  }
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    return this.inner.deleteRecords(this.names.topic(topic), partition, beforeOffset);
  }
  earliestOffset(topic: string, partition: number): Promise<bigint> {
    return this.inner.earliestOffset(this.names.topic(topic), partition);
  }
  latestOffset(topic: string, partition: number): Promise<bigint> {
    return this.inner.latestOffset(this.names.topic(topic), partition);
  }
  waitForData(topic: string, partition: number, offset: bigint, timeoutMs: number): Promise<boolean> {
    return this.inner.waitForData(this.names.topic(topic), partition, offset, timeoutMs);
  }
  waitForAnyData(positions: readonly TopicPartitionOffset[], timeoutMs: number): Promise<boolean> {
    return this.inner.waitForAnyData(this.offsets(positions), timeoutMs);
  }
  commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.inner.commitOffsets(this.names.group(group), this.offsets(offsets));
  }
  async committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]> {
    return this.back(await this.inner.committedOffsets(this.names.group(group), topic === undefined ? undefined : this.names.topic(topic)));
  }
  async listGroups(): Promise<string[]> {
    return (await this.inner.listGroups()).flatMap((g) => this.names.fromGroup(g) ?? []).sort();
  }
  deleteGroup(group: string): Promise<void> {
    return this.inner.deleteGroup(this.names.group(group));
  }
  fenceWriter(group: string, task: string): Promise<void> {
    return this.inner.fenceWriter ? this.inner.fenceWriter(this.names.group(group), task) : Promise.resolve();
  }
  releaseWriter(group: string, task: string): Promise<void> {
    return this.inner.releaseWriter ? this.inner.releaseWriter(this.names.group(group), task) : Promise.resolve();
  }
  /** joins a query's group (its Kafka name) as a task-assigning member; undefined for a log without groups */
  taskGroup(queryId: string, options: Omit<TaskGroupOptions, 'groupId'>): TaskGroupMember | undefined {
    return this.inner instanceof KafkaLog ? this.inner.taskGroup({ ...options, groupId: this.names.group(queryId) }) : undefined;
  }
  async commitTransaction(txn: Transaction): Promise<TransactionResult> {
    const result = await this.inner.commitTransaction({
      ...(txn.task ? { task: txn.task } : {}),
      produce: txn.produce.map((r) => ({ ...r, topic: this.names.topic(r.topic) })),
      ...(txn.offsets ? { offsets: { group: this.names.group(txn.offsets.group), offsets: this.offsets(txn.offsets.offsets) } } : {}),
    });
    return { produced: this.back(result.produced) };
  }
  maintain(now?: number): Promise<MaintenanceReport> {
    return this.inner.maintain(now);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
