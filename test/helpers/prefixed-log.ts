/**
 * A view of a shared Log in which every topic and group name carries a prefix, so many engines
 * (one per conformance case or test) can use the same Kafka cluster and the same topic names
 * without seeing each other. close() leaves the shared log open.
 */
import type { CreateTopicOptions, FetchOptions, FetchResult, Log, MaintenanceReport, ProduceRecord, ProduceResult, TopicConfigInput, TopicDescription, TopicPartitionOffset, Transaction, TransactionResult } from '../../src/log/log.js';

export class PrefixedLog implements Log {
  constructor(
    private readonly inner: Log,
    private readonly prefix: string,
  ) {}

  private t(name: string): string {
    return this.prefix + name;
  }
  private back<T extends { topic: string }>(items: readonly T[]): T[] {
    return items.map((i) => ({ ...i, topic: i.topic.startsWith(this.prefix) ? i.topic.slice(this.prefix.length) : i.topic }));
  }
  private offsets(o: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
    return o.map((x) => ({ ...x, topic: this.t(x.topic) }));
  }

  createTopic(name: string, options: CreateTopicOptions): Promise<void> {
    return this.inner.createTopic(this.t(name), options);
  }
  async describeTopic(name: string): Promise<TopicDescription> {
    return { ...(await this.inner.describeTopic(this.t(name))), name };
  }
  async listTopics(): Promise<string[]> {
    return (await this.inner.listTopics()).filter((t) => t.startsWith(this.prefix)).map((t) => t.slice(this.prefix.length));
  }
  deleteTopic(name: string): Promise<void> {
    return this.inner.deleteTopic(this.t(name));
  }
  updateTopicConfig(name: string, config: TopicConfigInput): Promise<void> {
    return this.inner.updateTopicConfig(this.t(name), config);
  }
  async produce(records: readonly ProduceRecord[]): Promise<ProduceResult[]> {
    return this.back(await this.inner.produce(records.map((r) => ({ ...r, topic: this.t(r.topic) }))));
  }
  async fetch(topic: string, partition: number, fromOffset: bigint, options?: FetchOptions): Promise<FetchResult> {
    const result = await this.inner.fetch(this.t(topic), partition, fromOffset, options);
    for (const r of result.records) r.topic = topic;
    return result;
  }
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    return this.inner.deleteRecords(this.t(topic), partition, beforeOffset);
  }
  earliestOffset(topic: string, partition: number): Promise<bigint> {
    return this.inner.earliestOffset(this.t(topic), partition);
  }
  latestOffset(topic: string, partition: number): Promise<bigint> {
    return this.inner.latestOffset(this.t(topic), partition);
  }
  waitForData(topic: string, partition: number, offset: bigint, timeoutMs: number): Promise<boolean> {
    return this.inner.waitForData(this.t(topic), partition, offset, timeoutMs);
  }
  waitForAnyData(positions: readonly TopicPartitionOffset[], timeoutMs: number): Promise<boolean> {
    return this.inner.waitForAnyData(this.offsets(positions), timeoutMs);
  }
  commitOffsets(group: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.inner.commitOffsets(this.prefix + group, this.offsets(offsets));
  }
  async committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]> {
    return this.back(await this.inner.committedOffsets(this.prefix + group, topic === undefined ? undefined : this.t(topic)));
  }
  async listGroups(): Promise<string[]> {
    return (await this.inner.listGroups()).filter((g) => g.startsWith(this.prefix)).map((g) => g.slice(this.prefix.length));
  }
  deleteGroup(group: string): Promise<void> {
    return this.inner.deleteGroup(this.prefix + group);
  }
  async commitTransaction(txn: Transaction): Promise<TransactionResult> {
    const r = await this.inner.commitTransaction({
      produce: txn.produce.map((p) => ({ ...p, topic: this.t(p.topic) })),
      ...(txn.offsets ? { offsets: { group: this.prefix + txn.offsets.group, offsets: this.offsets(txn.offsets.offsets) } } : {}),
    });
    return { produced: this.back(r.produced) };
  }
  maintain(now?: number): Promise<MaintenanceReport> {
    return this.inner.maintain(now);
  }
  async close(): Promise<void> {}
}
