/**
 * Runs one SourceTask: poll, transform, convert, then write the records and their source offsets to
 * the log in one transaction (so on the embedded log a source's output and its offsets never
 * disagree: exactly-once). The next poll waits for that write, which is the backpressure: a task
 * never gets ahead of what the log has taken.
 */
import { ensureTopic } from './ensure-topic.js';
import type { ProduceRecord } from '../../log/log.js';
import type { SourceRecord } from '../api/connect-record.js';
import type { SourceTask } from '../api/connector.js';
import { partitionKey } from './connect-store.js';
import { TaskRunner, type TaskHost } from './task-runner.js';

const EMPTY_POLL_WAIT_MS = 50;

/** a Kafka producer fenced by a newer one with its transactional id (the error or one it wraps says so) */
function fenced(e: unknown): boolean {
  let cur = e as { type?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (cur.type === 'PRODUCER_FENCED' || cur.type === 'INVALID_PRODUCER_EPOCH') return true;
    cur = (cur.cause ?? cur.originalError) as typeof cur;
  }
  return false;
}

export class SourceTaskRunner extends TaskRunner {
  protected readonly kind = 'source' as const;
  private task: SourceTask | undefined;
  private lastPollEmpty = false;
  private readonly knownTopics = new Set<string>();

  constructor(
    host: TaskHost,
    private readonly factory: () => SourceTask,
  ) {
    super(host);
  }

  async isIdle(): Promise<boolean> {
    // a task not started yet (or restarting) has work ahead; a failed or paused one has none
    if (this.state === 'FAILED' || this.state === 'PAUSED') return true;
    return this.state === 'RUNNING' && this.lastPollEmpty;
  }

  protected async startTask(): Promise<void> {
    const task = this.factory();
    if (task.kind !== 'source') throw new Error(`Connector ${this.host.connector} gave a sink task to a source connector`);
    this.task = task;
    const store = this.host.store;
    const name = this.host.connector;
    await task.start(this.host.taskProps, {
      configs: this.host.taskProps,
      offsetStorageReader: { offset: (partition) => store.offset(name, partition) },
    });
  }

  protected async abandon(): Promise<void> {
    await Promise.resolve(this.task?.stop()).catch(() => {});
  }

  protected async stopTask(): Promise<void> {
    const t = this.task;
    this.task = undefined;
    await t?.stop();
  }

  protected async runLoop(): Promise<void> {
    while (!this.stopped) {
      if (this.paused) {
        this.lastPollEmpty = true;
        await this.waitWhile(1000);
        continue;
      }
      const records = await this.task!.poll();
      if (!records || records.length === 0) {
        this.lastPollEmpty = true;
        this.succeeded();
        await this.waitWhile(EMPTY_POLL_WAIT_MS);
        continue;
      }
      this.lastPollEmpty = false;
      await this.send(records);
      this.succeeded();
    }
  }

  private async send(records: readonly SourceRecord[]): Promise<void> {
    const produce: ProduceRecord[] = [];
    const offsets = new Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>();
    for (const record of records) {
      // a record dropped by a transform or a tolerated error still moves the source's offset on
      offsets.set(partitionKey(record.sourcePartition), { partition: { ...record.sourcePartition }, offset: { ...record.sourceOffset } });
      const transformed = await this.reporter.runSync('TRANSFORMATION', undefined, () => this.chain.apply(record));
      if (!transformed.ok || transformed.value === null) continue;
      const r = transformed.value;
      const headers = await this.reporter.runSync('HEADER_CONVERTER', undefined, () => r.headers.map((h) => ({ key: h.key, value: this.headerConverter.fromConnectHeader(r.topic, h.key, h.schema, h.value) })));
      if (!headers.ok) continue;
      const key = await this.reporter.runSync('KEY_CONVERTER', undefined, () => this.keyConverter.fromConnectData(r.topic, r.headers, r.keySchema, r.key));
      if (!key.ok) continue;
      const value = await this.reporter.runSync('VALUE_CONVERTER', undefined, () => this.valueConverter.fromConnectData(r.topic, r.headers, r.valueSchema, r.value));
      if (!value.ok) continue;
      await this.ensureTopic(r.topic);
      produce.push({
        topic: r.topic,
        ...(r.kafkaPartition !== null ? { partition: r.kafkaPartition } : {}),
        key: key.value,
        value: value.value,
        ...(r.timestamp !== null ? { timestamp: r.timestamp } : {}),
        headers: headers.value,
      });
    }
    const entries = [...offsets.values()];
    await this.host.store.ensureTopic(this.host.store.offsetsTopic);
    const group = this.host.transactionGroup;
    const txn = { produce: [...produce, ...this.host.store.offsetRecords(this.host.connector, entries)], ...(group ? { offsets: { group, offsets: [] } } : {}) };
    try {
      await this.host.log.commitTransaction(txn);
    } catch (e) {
      // the task ran on another worker since this one last wrote: that worker's producer fenced this
      // one's, and the transaction was aborted (nothing written). That worker has stopped the task
      // (eager rebalance), so write again with a new producer.
      if (!group || !fenced(e)) throw e;
      await this.host.log.commitTransaction(txn);
    }
    for (const e of entries) this.host.store.applyOffset(this.host.connector, e.partition, e.offset);
    this.records += produce.length;
    for (const r of records) await this.task?.commitRecord?.(r);
    await this.task?.commit?.();
  }

  /** a topic a source writes is created on first use, as Connect's topic.creation.default.* do */
  private async ensureTopic(topic: string): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    const partitions = Number(this.host.connectorProps['topic.creation.default.partitions'] ?? 1);
    await ensureTopic(this.host.log, topic, { partitions: partitions > 0 ? partitions : 1 });
    this.knownTopics.add(topic);
    this.host.onTopic(topic);
  }
}
