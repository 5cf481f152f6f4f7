/**
 * Physical steps: the plan handed to the runtime. Plain serializable data (expressions stay AST),
 * so a plan can be stored in the command log and rebuilt anywhere. Each step names the row layout
 * it produces (`columns`); operators compile their expressions against their input's layout.
 */
import type { Column, LogicalSchema } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import type { FormatInfo, TimestampColumn, WindowInfo, WindowKind } from './data-source.js';
import type { Expression, FunctionCall, JoinType } from '../sql/ast.js';

/** One column of the row arrays flowing out of a step. */
export interface RowColumn {
  readonly name: string;
  readonly type: SqlType;
  /** the relation name or alias that may qualify the column */
  readonly source?: string;
}

interface StepBase {
  /** stable, derived from the plan path (never from counters) */
  readonly id: string;
  readonly columns: readonly RowColumn[];
}

/**
 * Reads a topic. Rows are laid out as key columns, value columns, header columns, then ROWTIME,
 * ROWPARTITION, ROWOFFSET (and WINDOWSTART, WINDOWEND for windowed sources).
 */
export interface SourceStep extends StepBase {
  readonly kind: 'StreamSource' | 'TableSource';
  readonly sourceName: string;
  readonly alias: string;
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  readonly timestamp?: TimestampColumn;
  readonly window?: WindowInfo;
  /**
   * the value columns the query reads (planner's mark-needed-columns); the others may come out
   * NULL. Absent (plans stored before it existed too): every column.
   */
  readonly neededValueColumns?: readonly string[];
}

/** Drops rows whose predicate is not true (for tables: turns them into deletes). */
export interface FilterStep extends StepBase {
  readonly kind: 'StreamFilter' | 'TableFilter';
  readonly input: Step;
  readonly predicate: Expression;
  /**
   * HAVING over a materialized aggregate: remember which of the first `keyCount` key columns
   * (plus the window) are present downstream, and delete only those (no redundant deletes)
   */
  readonly materialized?: { readonly keyCount: number };
}

/** Applies table functions: one output row per element, extra columns appended. */
export interface FlatMapStep extends StepBase {
  readonly kind: 'StreamFlatMap';
  readonly input: Step;
  readonly tableFunctions: readonly FunctionCall[];
}

/** PARTITION BY: computes new key columns; the row is re-laid out as `columns` says. */
export interface SelectKeyStep extends StepBase {
  readonly kind: 'StreamSelectKey';
  readonly input: Step;
  readonly keyExpressions: readonly Expression[];
  /** for each output column: 'key:i' (the i-th key expression) or the input column index */
  readonly layout: readonly (number | `key:${number}`)[];
}

/** Projection: output rows are the sink schema's columns (keys first) */
export interface SelectStep extends StepBase {
  readonly kind: 'StreamSelect' | 'TableSelect';
  readonly input: Step;
  readonly expressions: readonly Expression[];
  /** the first `keyCount` expressions are the key columns */
  readonly keyCount: number;
}

/** A window as planned: sizes in milliseconds. */
export interface WindowSpec {
  readonly type: WindowKind;
  /** TUMBLING and HOPPING */
  readonly sizeMs?: number;
  /** HOPPING */
  readonly advanceMs?: number;
  /** SESSION */
  readonly gapMs?: number;
  /** how long after its end a window still accepts late records */
  readonly graceMs: number;
  /**
   * TUMBLING and HOPPING: how far behind the newest window's start a window's state is kept, as Kafka
   * Streams' window store retention (RETENTION, else size plus the declared or default grace).
   * EMIT FINAL cannot emit a window that fell out of it before it closed. Absent in older plans.
   */
  readonly retentionMs?: number;
}

export interface AggregateCall {
  readonly name: string;
  /** evaluated per record */
  readonly args: readonly Expression[];
  /** literal trailing arguments (the K of TOPK) */
  readonly initArgs: readonly Expression[];
}

/**
 * GROUP BY: keeps one accumulator per aggregate per group (per window when windowed) and emits the
 * group's new row on every change. Output rows: the group-by values, one column per aggregate,
 * then WINDOWSTART and WINDOWEND when windowed. For tables (TableAggregate) a changed input row is
 * first undone from its old group.
 */
export interface AggregateStep extends StepBase {
  readonly kind: 'StreamAggregate' | 'TableAggregate';
  readonly input: Step;
  readonly groupBy: readonly Expression[];
  readonly aggregates: readonly AggregateCall[];
  readonly window?: WindowSpec;
  /** EMIT FINAL: only a window's final result, once it closes */
  readonly emitFinal: boolean;
  /** for TableAggregate: how many leading input columns are the input table's key */
  readonly inputKeyCount: number;
}

/**
 * A join of two inputs on `leftKey = rightKey`. Output rows: the join key (ROWKEY), then the
 * left input's columns, then the right input's (NULLs for a missing side of an outer join).
 */
export interface JoinStep extends StepBase {
  /** ForeignKeyTableJoin: the left table's leftKey column(s) point at the right table's primary key */
  readonly kind: 'StreamStreamJoin' | 'StreamTableJoin' | 'TableTableJoin' | 'ForeignKeyTableJoin';
  readonly joinType: JoinType;
  readonly left: Step;
  readonly right: Step;
  /** evaluated against left.columns / right.columns */
  readonly leftKey: Expression;
  readonly rightKey: Expression;
  /** stream-stream joins: how far the other side's record may be before / after, and the grace */
  readonly within?: {
    readonly beforeMs: number;
    readonly afterMs: number;
    readonly graceMs: number;
    /**
     * without an explicit GRACE PERIOD ksqlDB emits an outer side's unmatched record at once;
     * with one, only when the record's window has closed and nothing matched
     */
    readonly eagerOuter: boolean;
  };
  /**
   * stream-stream and stream-table joins: the positions of the left / right row the query reads
   * downstream (absent: all). The rows a join keeps in its stores carry only these, the rest NULL.
   */
  readonly leftNeeded?: readonly number[];
  readonly rightNeeded?: readonly number[];
}

/**
 * Re-partitions a stream (or table changelog) by `keyExpressions` through an internal topic, so the
 * stateful step above it sees co-partitioned input. The runtime splits the plan here: the upstream
 * sub-topology writes `topic`, a downstream one reads it. Rows pass through unchanged (`columns` =
 * the input's); the internal topic has as many partitions as the query's widest source.
 */
export interface RepartitionStep extends StepBase {
  readonly kind: 'StreamRepartition';
  readonly input: Step;
  /** evaluated against input.columns; their values pick the partition */
  readonly keyExpressions: readonly Expression[];
  /** the internal topic, named from the query id and the step id (`-repartition` suffix) */
  readonly topic: string;
  /**
   * a join whose other side reads a source topic already partitioned on the join key: partition
   * the way that topic is (murmur2 of the key serialized in its key format, its partition count),
   * as ksqlDB does, so only this side is repartitioned
   */
  readonly partitionLike?: { readonly topic: string; readonly keyFormat: FormatInfo; readonly keyColumn: Column };
  /**
   * indices of the columns the steps above read (physical/mark-needed-columns.ts): only these are
   * written to the internal topic, the others read back as NULL. Absent: every column.
   */
  readonly neededColumns?: readonly number[];
}

/** Writes rows to a topic, key and value serialized with the sink's formats. */
export interface SinkStep extends StepBase {
  readonly kind: 'StreamSink' | 'TableSink';
  readonly input: Step;
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  /** index in the input row of the column whose value becomes the record timestamp */
  readonly timestampColumn?: TimestampColumn;
  /** windowed keys: the window bounds are appended to the serialized key */
  readonly window?: WindowInfo;
}

export type Step = SourceStep | FilterStep | FlatMapStep | SelectKeyStep | SelectStep | AggregateStep | JoinStep | RepartitionStep | SinkStep;
export type StepKind = Step['kind'];

/** A persistent query as planned. */
export interface QueryPlan {
  readonly queryId: string;
  readonly sink: SinkStep;
  /** source topics the query consumes */
  readonly sourceTopics: readonly string[];
}

export function stepInputs(step: Step): Step[] {
  if ('input' in step) return [step.input];
  if ('left' in step) return [step.left, step.right];
  return [];
}

/** The source a step's rows come from, following the left input of joins */
export function leftmostSource(step: Step): SourceStep {
  if (step.kind === 'StreamSource' || step.kind === 'TableSource') return step;
  return leftmostSource(stepInputs(step)[0]!);
}

/** The step type for one kind (works for steps whose `kind` is a union, unlike Extract). */
export type StepOfKind<K extends StepKind> = Step & { readonly kind: K };
