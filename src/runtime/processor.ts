/**
 * The small public Processor API: operators are functions that take a record and push results
 * downstream. The runtime owns the loop, batching and commits; operators only transform.
 */
import type { QueryPlan, Step, StepKind, StepOfKind } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FetchedRecord, ProduceRecord, RecordHeader } from '../log/log.js';
import type { KeyValueStore } from '../state/index.js';
import type { SchemaRegistry } from '../serde/index.js';

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

export interface OperatorContext {
  readonly queryId: string;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  /**
   * A record-level failure: logged to the processing log; then, by the error policy for its type
   * (runtime/processing-errors.ts), the record is skipped, or this throws and the query fails.
   */
  logError(step: string, error: unknown, where?: ProcessingErrorWhere): void;
  /** output for the sink topic, committed with the input offsets */
  emit(record: ProduceRecord): void;
  /** for the schema-registry formats (AVRO, PROTOBUF, JSON_SR) */
  readonly schemaRegistry: SchemaRegistry;
  /** a named state store of this query (created on first use, restored before processing) */
  keyValueStore<V>(name: string): KeyValueStore<V>;
}

/**
 * Builds one step's operator: given what comes next, returns what the previous step calls (a
 * join returns one entry point per input: [left, right]).
 */
export type OperatorFactory<S extends Step> = (step: S, ctx: OperatorContext, downstream: Downstream) => Downstream<any> | readonly [Downstream, Downstream];

export type OperatorFactories = { readonly [K in StepKind]: OperatorFactory<StepOfKind<K>> };

export interface Topology {
  /** the entry points of each source topic (a self-join reads one topic twice) */
  readonly sources: ReadonlyMap<string, readonly Downstream<FetchedRecord>[]>;
}

/** Builds the operator chain for a plan, sink first so each operator knows its downstream. */
export function buildTopology(plan: QueryPlan, factories: OperatorFactories, ctx: OperatorContext): Topology {
  const sources = new Map<string, Downstream<FetchedRecord>[]>();
  const build = (step: Step, downstream: Downstream): void => {
    const op = (factories[step.kind] as OperatorFactory<Step>)(step, ctx, downstream);
    if ('input' in step) build(step.input, op as Downstream);
    else if ('left' in step) {
      const [left, right] = op as readonly [Downstream, Downstream];
      build(step.left, left);
      build(step.right, right);
    } else sources.set(step.topic, [...(sources.get(step.topic) ?? []), op as Downstream<FetchedRecord>]);
  };
  build(plan.sink, () => {});
  return { sources };
}
