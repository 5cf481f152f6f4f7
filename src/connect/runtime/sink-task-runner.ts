/**
 * Runs one SinkTask as Connect's WorkerSinkTask does: consume the task's partitions of `topics` /
 * `topics.regex` in the consumer group `connect-<name>`, convert and transform each record (failures
 * go to the error reporter: skipped, logged, dead-lettered), `put` the batch, and every
 * `offset.flush.interval.ms` (and whenever it has caught up) `preCommit` and commit the offsets the
 * task says are safe. A put waits for the sink, so a slow sink slows consumption (backpressure).
 */
import { LogError } from '../../common/errors.js';
import type { FetchedRecord, TopicPartition } from '../../log/log.js';
import type { SinkRecord } from '../api/connect-record.js';
import type { SinkTask, TopicPartitionOffset } from '../api/connector.js';
import { RetriableError } from './connect-errors.js';
import type { OriginalRecord } from './error-handling.js';
import { TaskRunner, type TaskHost } from './task-runner.js';

const TOPIC_RECHECK_MS = 2000;

const tpKey = (t: string, p: number): string => `${t}\u0000${p}`;

export function sinkGroup(connector: string): string {
  return `connect-${connector}`;
}

export class SinkTaskRunner extends TaskRunner {
  protected readonly kind = 'sink' as const;
  private task: SinkTask | undefined;
  private assignment: TopicPartition[] = [];
  /** next offset to fetch per partition */
  private readonly positions = new Map<string, bigint>();
  /** next offset after the last record put, per partition */
  private readonly current = new Map<string, bigint>();
  private dirty = false;
  /** the first assignment has been made (until then the task cannot tell whether it is behind) */
  private assigned = false;
  private lastCommit = Date.now();
  private lastTopicCheck = 0;
  private rewinds: TopicPartitionOffset[] = [];
  private commitRequested = false;
  private readonly originals = new WeakMap<SinkRecord, OriginalRecord>();

  constructor(
    host: TaskHost,
    private readonly factory: () => SinkTask,
    private readonly numTasks: number,
  ) {
    super(host);
  }

  get group(): string {
    return sinkGroup(this.host.connector);
  }

  async isIdle(): Promise<boolean> {
    if (this.state === 'FAILED' || this.state === 'PAUSED') return true;
    if (this.state !== 'RUNNING' || !this.assigned || this.dirty) return false;
    for (const tp of this.assignment) {
      const pos = this.positions.get(tpKey(tp.topic, tp.partition));
      if (pos === undefined) return false;
      if (pos < (await this.host.log.latestOffset(tp.topic, tp.partition).catch(() => pos))) return false;
    }
    return true;
  }

  protected async startTask(): Promise<void> {
    const task = this.factory();
    if (task.kind !== 'sink') throw new Error(`Connector ${this.host.connector} gave a source task to a sink connector`);
    this.task = task;
    this.assignment = [];
    this.positions.clear();
    this.current.clear();
    this.dirty = false;
    this.lastTopicCheck = 0;
    this.assigned = false;
    await task.start(this.host.taskProps, {
      configs: this.host.taskProps,
      offset: (offsets) => void this.rewinds.push(...offsets),
      requestCommit: () => void (this.commitRequested = true),
      errantRecordReporter: (record, error) => this.reporter.tolerate('TASK_PUT', this.originals.get(record), error),
      ...(this.host.topicSchema ? { topicSchema: this.host.topicSchema } : {}),
    });
  }

  protected async abandon(): Promise<void> {
    await Promise.resolve(this.task?.stop()).catch(() => {});
  }

  protected async stopTask(): Promise<void> {
    const t = this.task;
    this.task = undefined;
    if (!t) return;
    try {
      if (this.assignment.length) await t.close?.(this.assignment);
    } finally {
      await t.stop();
    }
  }

  /** the task's share of the subscribed topics' partitions (partition i of the sorted list goes to task i mod tasks.max) */
  private async computeAssignment(): Promise<TopicPartition[]> {
    const props = this.host.connectorProps;
    const all = await this.host.log.listTopics();
    let topics: string[];
    if (props['topics.regex']) {
      const re = new RegExp(`^(?:${props['topics.regex']})$`);
      topics = all.filter((t) => re.test(t));
    } else {
      const wanted = (props['topics'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      topics = wanted.filter((t) => all.includes(t));
    }
    const dlq = this.errorSettings.dlqTopic;
    const partitions: TopicPartition[] = [];
    for (const topic of topics.sort()) {
      if (topic === dlq) continue;
      try {
        const d = await this.host.log.describeTopic(topic);
        for (const p of d.partitions) partitions.push({ topic, partition: p.partition });
      } catch (e) {
        if (!(e instanceof LogError && e.code === 'UNKNOWN_TOPIC')) throw e;
      }
    }
    return partitions.filter((_, i) => i % this.numTasks === this.host.taskId);
  }

  private async refreshAssignment(): Promise<void> {
    if (Date.now() - this.lastTopicCheck < TOPIC_RECHECK_MS) return;
    this.lastTopicCheck = Date.now();
    const next = await this.computeAssignment();
    const same = next.length === this.assignment.length && next.every((tp, i) => tp.topic === this.assignment[i]!.topic && tp.partition === this.assignment[i]!.partition);
    if (same) {
      this.assigned = true;
      return;
    }
    if (this.assignment.length) {
      await this.commit(true);
      await this.task!.close?.(this.assignment);
    }
    this.assignment = next;
    this.positions.clear();
    this.current.clear();
    const committed = new Map<string, bigint>();
    for (const tp of await this.host.log.committedOffsets(this.group)) committed.set(tpKey(tp.topic, tp.partition), tp.offset);
    const reset = (this.host.connectorProps['consumer.override.auto.offset.reset'] ?? 'earliest').trim();
    for (const tp of next) {
      const k = tpKey(tp.topic, tp.partition);
      const start = committed.get(k) ?? (reset === 'latest' ? await this.host.log.latestOffset(tp.topic, tp.partition) : await this.host.log.earliestOffset(tp.topic, tp.partition));
      this.positions.set(k, start);
      this.current.set(k, start);
      this.host.onTopic(tp.topic);
    }
    this.rewinds = [];
    if (next.length) await this.task!.open?.(next);
    this.applyRewinds();
    this.assigned = true;
  }

  private applyRewinds(): void {
    for (const r of this.rewinds.splice(0)) {
      const k = tpKey(r.topic, r.partition);
      if (!this.positions.has(k)) continue;
      this.positions.set(k, r.offset);
      this.current.set(k, r.offset);
    }
  }

  protected async runLoop(): Promise<void> {
    const maxRecords = Number(this.host.connectorProps['consumer.override.max.poll.records'] ?? 500);
    while (!this.stopped) {
      await this.refreshAssignment();
      if (this.paused) {
        await this.commit(false);
        await this.waitWhile(1000);
        continue;
      }
      this.applyRewinds();
      const fetched: FetchedRecord[] = [];
      for (const tp of this.assignment) {
        if (fetched.length >= maxRecords) break;
        const k = tpKey(tp.topic, tp.partition);
        const from = this.positions.get(k)!;
        let result;
        try {
          result = await this.host.log.fetch(tp.topic, tp.partition, from, { maxRecords: maxRecords - fetched.length });
        } catch (e) {
          if (e instanceof LogError && e.code === 'OFFSET_OUT_OF_RANGE') {
            // retention passed us by: start from what is left (auto.offset.reset=earliest)
            this.positions.set(k, await this.host.log.earliestOffset(tp.topic, tp.partition));
            continue;
          }
          throw e;
        }
        fetched.push(...result.records);
        this.positions.set(k, result.nextOffset);
      }
      if (fetched.length === 0) {
        // caught up: make everything put so far durable now rather than at the next interval
        await this.commit(false);
        this.succeeded();
        const positions = this.assignment.map((tp) => ({ ...tp, offset: this.positions.get(tpKey(tp.topic, tp.partition))! }));
        if (positions.length) await this.host.log.waitForAnyData(positions, 200);
        else await this.waitWhile(200);
        continue;
      }
      // fetched but not yet put: not idle (positions are already past these records)
      this.dirty = true;
      await this.deliver(fetched);
      this.succeeded();
      if (this.commitRequested || Date.now() - this.lastCommit >= this.host.offsetFlushIntervalMs) await this.commit(false);
    }
    await this.commit(false);
  }

  private async deliver(fetched: readonly FetchedRecord[]): Promise<void> {
    const batch: SinkRecord[] = [];
    for (const f of fetched) {
      const original: OriginalRecord = { topic: f.topic, partition: f.partition, offset: f.offset, key: f.key, value: f.value, timestamp: f.timestamp, headers: f.headers };
      const record = await this.convert(f, original);
      if (record) {
        this.originals.set(record, original);
        batch.push(record);
      }
    }
    this.records += fetched.length;
    if (batch.length) await this.put(batch);
    for (const f of fetched) this.current.set(tpKey(f.topic, f.partition), f.offset + 1n);
    this.dirty = true;
  }

  private async convert(f: FetchedRecord, original: OriginalRecord): Promise<SinkRecord | null> {
    const headers = await this.reporter.runSync('HEADER_CONVERTER', original, () => f.headers.map((h) => ({ key: h.key, ...this.headerConverter.toConnectHeader(f.topic, h.key, h.value) })));
    if (!headers.ok) return null;
    const key = await this.reporter.runSync('KEY_CONVERTER', original, () => this.keyConverter.toConnectData(f.topic, headers.value, f.key));
    if (!key.ok) return null;
    const value = await this.reporter.runSync('VALUE_CONVERTER', original, () => this.valueConverter.toConnectData(f.topic, headers.value, f.value));
    if (!value.ok) return null;
    const record: SinkRecord = {
      topic: f.topic,
      kafkaPartition: f.partition,
      keySchema: key.value.schema,
      key: key.value.value,
      valueSchema: value.value.schema,
      value: value.value.value,
      timestamp: f.timestamp,
      headers: headers.value,
      kafkaOffset: f.offset,
      timestampType: 'CreateTime',
      originalTopic: f.topic,
      originalKafkaPartition: f.partition,
      originalKafkaOffset: f.offset,
    };
    const transformed = await this.reporter.runSync('TRANSFORMATION', original, () => this.chain.apply(record));
    if (!transformed.ok || transformed.value === null) return null;
    return transformed.value;
  }

  /**
   * put; when the batch fails and errors are tolerated, the records are put one at a time so only the
   * ones the sink rejects go to the dead-letter queue. A RetriableError is never tolerated: the task
   * restarts (with backoff) and consumes again from its committed offsets.
   */
  private async put(batch: SinkRecord[]): Promise<void> {
    try {
      await this.task!.put(batch);
    } catch (e) {
      if (e instanceof RetriableError || this.errorSettings.tolerance === 'none' || batch.length === 0) throw e;
      if (batch.length === 1) return this.reporter.tolerate('TASK_PUT', this.originals.get(batch[0]!), e);
      for (const r of batch) {
        try {
          await this.task!.put([r]);
        } catch (e1) {
          if (e1 instanceof RetriableError) throw e1;
          await this.reporter.tolerate('TASK_PUT', this.originals.get(r), e1);
        }
      }
    }
  }

  private async commit(closing: boolean): Promise<void> {
    if (!this.task || (!this.dirty && !this.commitRequested)) return;
    const current: TopicPartitionOffset[] = this.assignment.map((tp) => ({ ...tp, offset: this.current.get(tpKey(tp.topic, tp.partition))! }));
    const safe = this.task.preCommit ? await this.task.preCommit(current) : current;
    if (safe.length) await this.host.log.commitOffsets(this.group, safe.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
    this.dirty = false;
    this.commitRequested = false;
    this.lastCommit = Date.now();
    void closing;
  }
}
