/**
 * Runs one persistent query: fetches each source partition in order, pushes records through the
 * topology, and commits the produced records together with the consumed offsets in one
 * transaction, so a query survives a crash without loss or duplicates.
 */
import { ExecutionError, LogError } from '../common/errors.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { Log, ProduceRecord, TopicPartitionOffset } from '../log/log.js';
import type { OperatorContext, OperatorFactories, ProcessingLogEntry, Topology } from './processor.js';
import { buildTopology } from './processor.js';
import { processingErrorHandler, processingLogEntry } from './processing-errors.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { SchemaRegistry } from '../serde/index.js';
import { createKeyValueStore } from '../state/index.js';
import type { KeyValueStore, ManagedStore, StoreWriteBatch } from '../state/index.js';

export type OffsetReset = 'earliest' | 'latest';

export interface QueryTaskOptions {
  readonly log: Log;
  readonly plan: QueryPlan;
  readonly factories: OperatorFactories;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  readonly offsetReset: OffsetReset;
  readonly onProcessingLog: (entry: ProcessingLogEntry) => void;
  readonly schemaRegistry: SchemaRegistry;
  /** schema registrations to commit with the records written with them */
  readonly drainSchemaRegistrations: () => ProduceRecord[];
  /** a commit failed to write its output: true logs and drops it (ksql.fail.on.production.error=false) */
  readonly continueOnProductionError?: (error: unknown) => boolean;
  /** records fetched per partition per step */
  readonly batchSize?: number;
}

interface PartitionCursor {
  readonly topic: string;
  readonly partition: number;
  offset: bigint;
}

export class QueryTask {
  readonly queryId: string;
  private readonly topology: Topology;
  private readonly pending: ProduceRecord[] = [];
  private readonly stores = new Map<string, ManagedStore<unknown>>();
  private cursors: PartitionCursor[] = [];
  private initialized = false;
  private closed = false;
  paused = false;
  /** set when a record made an operator fail: the query stops, as a Kafka Streams task does */
  failure: ExecutionError | undefined;

  constructor(private readonly options: QueryTaskOptions) {
    this.queryId = options.plan.queryId;
    const ctx: OperatorContext = {
      queryId: this.queryId,
      registry: options.registry,
      config: options.config,
      emit: (r) => this.pending.push(r),
      schemaRegistry: options.schemaRegistry,
      keyValueStore: <V>(name: string) => {
        let managed = this.stores.get(name);
        if (!managed) {
          managed = createKeyValueStore<unknown>(options.log, this.queryId, name);
          this.stores.set(name, managed);
        }
        return managed.store as KeyValueStore<V>;
      },
      logError: processingErrorHandler(this.queryId, options.config, options.onProcessingLog),
    };
    this.topology = buildTopology(options.plan, options.factories, ctx);
  }

  /** Where each partition starts: the committed offset, else the reset policy. */
  private async init(): Promise<void> {
    const { log } = this.options;
    const committed = new Map<string, bigint>();
    for (const o of await log.committedOffsets(this.queryId)) committed.set(`${o.topic}/${o.partition}`, o.offset);
    const cursors: PartitionCursor[] = [];
    for (const topic of this.topology.sources.keys()) {
      const desc = await log.describeTopic(topic);
      for (const p of desc.partitions) {
        const saved = committed.get(`${topic}/${p.partition}`);
        const offset = saved ?? (this.options.offsetReset === 'earliest' ? p.logStartOffset : p.highWatermark);
        cursors.push({ topic, partition: p.partition, offset });
      }
    }
    this.cursors = cursors;
    for (const s of this.stores.values()) await s.restore();
    this.initialized = true;
  }

  /** Processes up to one batch from every partition; returns how many records were consumed. */
  async step(): Promise<number> {
    if (this.closed || this.paused || this.failure) return 0;
    if (!this.initialized) await this.init();
    const { log } = this.options;
    let consumed = 0;
    for (const cursor of this.cursors) {
      const handlers = this.topology.sources.get(cursor.topic)!;
      let result;
      try {
        result = await log.fetch(cursor.topic, cursor.partition, cursor.offset, { maxRecords: this.options.batchSize ?? 1000 });
      } catch (e) {
        if (e instanceof LogError && e.code === 'OFFSET_OUT_OF_RANGE') {
          // retention moved the log start past us: reset by policy, as a Kafka consumer would
          const desc = await log.describeTopic(cursor.topic);
          const p = desc.partitions[cursor.partition]!;
          cursor.offset = this.options.offsetReset === 'earliest' ? p.logStartOffset : p.highWatermark;
          continue;
        }
        throw e;
      }
      if (result.records.length === 0 && result.nextOffset === cursor.offset) continue;
      for (const record of result.records) {
        try {
          for (const handler of handlers) {
            const waiting = handler(record);
            if (waiting) await waiting;
          }
        } catch (e) {
          // nothing of this batch is committed: the query resumes here once the cause is fixed
          const message = e instanceof Error ? e.message : String(e);
          this.failure = new ExecutionError(
            `Exception caught in process. queryId=${this.queryId}, topic=${record.topic}, partition=${record.partition}, offset=${record.offset}: ${message}`,
            { queryId: this.queryId, topic: record.topic, partition: record.partition, offset: record.offset },
            { cause: e },
          );
          this.pending.length = 0;
          this.options.onProcessingLog(processingLogEntry(this.queryId, 'task', this.failure, { type: 'QUERY_ERROR', topic: record.topic, partition: record.partition, offset: record.offset }));
          return consumed;
        }
      }
      consumed += result.records.length;
      const next: TopicPartitionOffset = { topic: cursor.topic, partition: cursor.partition, offset: result.nextOffset };
      const batch: StoreWriteBatch = { extraWrites: [], produce: [...this.options.drainSchemaRegistrations(), ...this.pending.splice(0)] };
      for (const s of this.stores.values()) s.store.flush(batch);
      const offsets = { group: this.queryId, offsets: [next] };
      try {
        await log.commitTransaction({ produce: batch.produce, offsets, extraWrites: batch.extraWrites });
      } catch (e) {
        // a production error: fail (rethrow), or drop the records for the topic that cannot be written
        const topic = e instanceof LogError ? e.context.topic : undefined;
        if (topic === undefined || !this.options.continueOnProductionError?.(e)) throw e;
        await log.commitTransaction({ produce: batch.produce.filter((r) => r.topic !== topic), offsets, extraWrites: batch.extraWrites });
      }
      cursor.offset = result.nextOffset;
    }
    return consumed;
  }

  /** True when every partition has been read up to its high watermark. */
  async caughtUp(): Promise<boolean> {
    if (this.failure) return true;
    if (!this.initialized) await this.init();
    for (const c of this.cursors) if ((await this.options.log.latestOffset(c.topic, c.partition)) > c.offset) return false;
    return true;
  }

  positions(): TopicPartitionOffset[] {
    return this.cursors.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }));
  }

  close(): void {
    this.closed = true;
  }
}
