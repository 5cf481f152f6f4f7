/**
 * The small public Processor API: operators are functions that take a record and push results
 * downstream. The runtime owns the loop, batching, stream time, timers and commits; operators only
 * transform, and declare the state (keyValueStore) and timers (schedule) they need.
 */
import type { Step, StepKind, StepOfKind } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FetchedRecord, ProduceRecord, RecordHeader } from '../log/log.js';
import type { BatchBuilder } from '../log/local/batch-builder.js';
import type { KeyValueStore } from '../state/index.js';
import type { SchemaRegistry } from '../serde/index.js';
import { decodeRepartitioned } from './repartition-codec.js';
import type { QueryMetrics } from './query-metrics.js';

/** A record inside a topology: a row laid out as its step's `columns` say. */
export interface StreamRecord {
  /**
   * Always laid out in full. For a tombstone (a null value: a delete in tables) the key columns
   * are set and the value columns are null.
   */
  readonly row: unknown[];
  readonly tombstone?: boolean;
  /** the record was read without a key; until it is re-keyed it is written without one */
  readonly nullKey?: boolean;
  /** the window of a windowed key */
  readonly window?: { readonly start: number; readonly end: number };
  readonly timestamp: number;
  readonly partition: number;
  readonly offset: bigint;
  readonly headers: readonly RecordHeader[];
}

/**
 * Stateless operators return nothing; an operator that had to wait for state returns a promise,
 * and everything upstream passes it on, so the task waits for the record to be fully processed.
 */
export type Downstream<T = StreamRecord> = (record: T) => void | Promise<void>;

/**
 * A source operator's entry point. `timestampOf`, when present, gives the timestamp the source
 * will extract from a fetched record (its TIMESTAMP column), so the task picks records in event-time
 * order as Kafka Streams does; a record it cannot read reports its log timestamp.
 */
export type SourceEntry = Downstream<FetchedRecord> & { readonly timestampOf?: (record: FetchedRecord) => number };

/** What went wrong, by ksqlDB's processing-log message types (QUERY_ERROR: a query stopped). */
export type ProcessingErrorType = 'DESERIALIZATION_ERROR' | 'RECORD_PROCESSING_ERROR' | 'PRODUCTION_ERROR' | 'SERIALIZATION_ERROR' | 'QUERY_ERROR';

/** Where a record-level failure happened, as an operator knows it. */
export interface ProcessingErrorWhere {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: bigint;
  /** default RECORD_PROCESSING_ERROR */
  readonly type?: ProcessingErrorType;
  /** de/serialization errors: which part of the record */
  readonly target?: 'key' | 'value';
  /** the raw bytes that failed to deserialize (logged only with ksql.logging.processing.rows.include) */
  readonly record?: Buffer | null;
}

/** One processing-log entry: plain JSON (JSON.stringify works; offsets are numbers). */
export interface ProcessingLogEntry {
  readonly queryId: string;
  readonly step: string;
  readonly type: ProcessingErrorType;
  readonly message: string;
  /** the messages of the error's causes, outermost first */
  readonly cause: readonly string[];
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly target?: 'key' | 'value';
  readonly recordBase64?: string;
  readonly time: number;
}

/** Kafka Streams' PunctuationType: what time a punctuation follows. */
export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/**
 * A timer callback, given the time it fires at (the task's stream time, or Date.now()). It may
 * emit records (committed with the task's next commit) and use the operator's stores.
 */
export type Punctuator = (timestamp: number) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

export interface OperatorContext {
  readonly queryId: string;
  /** the task running this operator instance, Kafka Streams style: `<subtopology>_<partition>` */
  readonly taskId: string;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  /**
   * A record-level failure: logged to the processing log; then, by the error policy for its type
   * (runtime/processing-errors.ts), the record is skipped, or this throws and the query fails.
   */
  logError(step: string, error: unknown, where?: ProcessingErrorWhere): void;
  /** output for the sink topic, committed with the input offsets */
  emit(record: ProduceRecord): void;
  /**
   * Optional: where a sink writes its records for `topic` straight into stored batches, committed
   * as emit's are; undefined (or absent) when the state backend does not commit such batches. A
   * topic's records go one way or the other.
   */
  batchOutput?(topic: string): BatchBuilder | undefined;
  /** for the schema-registry formats (AVRO, PROTOBUF, JSON_SR) */
  readonly schemaRegistry: SchemaRegistry;
  /** a named state store of this query (created on first use, restored before processing) */
  keyValueStore<V>(name: string): KeyValueStore<V>;
  /**
   * Kafka Streams' schedule(): calls `punctuator` every `intervalMs` of stream time (after a record
   * moves the task's stream time, whichever input or key it came from) or of wall-clock time (from
   * the runtime's loop). A stream-time punctuation fires at most once per advance, however far it
   * jumped. Scheduled while the operator is built.
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** the task's stream time: the largest record timestamp it has processed (-Infinity before any) */
  streamTime(): number;
  /** partitions of an internal topic this query writes (repartition topics) */
  topicPartitions(topic: string): number;
  /**
   * a repartition this task runs in place, without its topic: every topic the query reads has one
   * partition, so the rows go straight on to the steps above (query-runtime.ts)
   */
  fusedRepartition(topic: string): boolean;
  /**
   * a source whose timestamp comes from a column reports it, so the task's stream time follows
   * the extracted timestamps (Kafka Streams' TimestampExtractor)
   */
  observeTimestamp(timestamp: number): void;
  /** the operator's close(): the runtime calls it once, when the task closes */
  onClose(close: () => void): void;
}

/**
 * Builds one step's operator: given what comes next, returns what the previous step calls (a
 * join returns one entry point per input: [left, right]).
 */
export type OperatorFactory<S extends Step> = (step: S, ctx: OperatorContext, downstream: Downstream) => Downstream<any> | readonly [Downstream, Downstream];

export type OperatorFactories = { readonly [K in StepKind]: OperatorFactory<StepOfKind<K>> } & {
  /**
   * Builds a whole sub-topology as one operator when its shape allows (a source and stateless
   * steps into the sink: no records or metering between steps); undefined: built step by step.
   * It counts each step's records in QueryMetrics as the step-by-step build does.
   */
  readonly fuseChain?: ChainFuser;
};

export type ChainFuser = (root: Step, factories: OperatorFactories, ctx: OperatorContext, metrics?: QueryMetrics) => Topology | undefined;

export interface Topology {
  /** the entry points of each input topic (a self-join reads one topic twice) */
  readonly sources: ReadonlyMap<string, readonly SourceEntry[]>;
}

/**
 * Builds the operator chain of one sub-topology, root first so each operator knows its downstream.
 * The root is the sink or a repartition step (whose operator writes the internal topic); a
 * repartition step below the root is where this sub-topology reads another one's output, unless
 * it is fused: then its operator hands its rows on to the steps above.
 */
export function buildTopology(root: Step, factories: OperatorFactories, ctx: OperatorContext, metrics?: QueryMetrics): Topology {
  const fused = factories.fuseChain?.(root, factories, ctx, metrics);
  if (fused) return fused;
  const sources = new Map<string, SourceEntry[]>();
  const addSource = (topic: string, entry: SourceEntry) => sources.set(topic, [...(sources.get(topic) ?? []), entry]);
  // with metrics: every operator's entry and its downstream are counted (the root's output is what it emits)
  const meterIn = <T>(step: Step, entry: Downstream<T>, isSource: boolean, countIn = true): Downstream<T> => (metrics ? metrics.meterIn(step.id, entry, isSource, countIn) : entry);
  const build = (step: Step, downstream: Downstream): void => {
    if (step !== root && step.kind === 'StreamRepartition' && !ctx.fusedRepartition(step.topic)) {
      // the read side of a repartition topic: a source of this sub-topology
      addSource(step.topic, meterIn(step, (rec: FetchedRecord) => downstream(decodeRepartitioned(rec)), true, false) as SourceEntry);
      return;
    }
    const out = metrics && step !== root ? metrics.meterOut(step.id, downstream) : downstream;
    const op = (factories[step.kind] as OperatorFactory<Step>)(step, ctx, out);
    if ('input' in step) build(step.input, meterIn(step, op as Downstream, false));
    else if ('left' in step) {
      const [left, right] = op as readonly [Downstream, Downstream];
      build(step.left, meterIn(step, left, false));
      build(step.right, meterIn(step, right, false));
    } else addSource(step.topic, meterIn(step, op as SourceEntry, true) as SourceEntry);
  };
  build(root, () => {});
  return { sources };
}
