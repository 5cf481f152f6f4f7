/**
 * The logical plan: what a query computes, between the AST and the physical steps. Nodes are
 * tagged by `kind` and name their output row layout (`schema`); expressions stay AST. Built by
 * build-logical-plan.ts (which validates), rewritten by the rules in ../rules, then turned into
 * physical steps by ../physical/plan-physical-steps.ts.
 */
import type { DataSource, WindowInfo } from '../../catalog/data-source.js';
import type { AggregateCall, JoinStep, RowColumn, WindowSpec } from '../../catalog/query-plan.js';
import type { Expression, FunctionCall, JoinType } from '../../sql/ast.js';

interface NodeBase {
  /** the row layout the node produces */
  readonly schema: readonly RowColumn[];
}

/** Reads a stream or table. */
export interface SourceNode extends NodeBase {
  readonly kind: 'Source';
  readonly source: DataSource;
  readonly alias: string;
}

/** `left JOIN right ON leftKey = rightKey`; rows: the join key, the left columns, the right columns. */
export interface JoinNode extends NodeBase {
  readonly kind: 'Join';
  readonly joinKind: JoinKind;
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: SourceNode;
  readonly leftKey: Expression;
  readonly rightKey: Expression;
  readonly within?: JoinStep['within'];
  /** how deep in a chain of joins (the outermost is 0): names the step */
  readonly depth: number;
}

export type JoinKind = 'StreamStream' | 'StreamTable' | 'TableTable' | 'ForeignKey';

/** Table functions: one row per produced element, their values appended as KSQL_SYNTH_n. */
export interface FlatMapNode extends NodeBase {
  readonly kind: 'FlatMap';
  readonly input: LogicalPlan;
  readonly tableFunctions: readonly FunctionCall[];
}

/** WHERE (over the input) or HAVING (over an aggregate). */
export interface FilterNode extends NodeBase {
  readonly kind: 'Filter';
  readonly clause: 'WHERE' | 'HAVING';
  readonly input: LogicalPlan;
  readonly predicate: Expression;
}

/** PARTITION BY: new key columns, the row re-laid out (see SelectKeyStep.layout). */
export interface SelectKeyNode extends NodeBase {
  readonly kind: 'SelectKey';
  readonly input: LogicalPlan;
  readonly keyExpressions: readonly Expression[];
  readonly layout: readonly (number | `key:${number}`)[];
}

/** GROUP BY: the group-by values, one column per aggregate call, then window bounds if windowed. */
export interface AggregateNode extends NodeBase {
  readonly kind: 'Aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly Expression[];
  readonly aggregates: readonly AggregateCall[];
  readonly window?: WindowSpec;
  readonly emitFinal: boolean;
  /** how many leading input columns are the input table's key */
  readonly inputKeyCount: number;
}

/** The projection: the sink's columns, the first `keyCount` being its key. */
export interface ProjectNode extends NodeBase {
  readonly kind: 'Project';
  readonly input: LogicalPlan;
  readonly expressions: readonly Expression[];
  readonly keyCount: number;
  /** a join's projection: the key item must read this column (the join key), see read-join-key.ts */
  readonly joinKeyColumn?: string;
  /** PARTITION BY's key expressions, which projected expressions read from the new key columns */
  readonly partitionKeys?: readonly { readonly expression: Expression; readonly column: string }[];
}

/** Writes to the sink (a new or an existing stream or table). */
export interface SinkNode extends NodeBase {
  readonly kind: 'Sink';
  readonly input: ProjectNode;
  readonly sink: Omit<DataSource, 'sql'>;
  readonly window?: WindowInfo;
}

export type LogicalPlan = SourceNode | JoinNode | FlatMapNode | FilterNode | SelectKeyNode | AggregateNode | ProjectNode | SinkNode;
export type LogicalKind = LogicalPlan['kind'];
export type NodeOfKind<K extends LogicalKind> = Extract<LogicalPlan, { readonly kind: K }>;

const TABLE_OUTPUT: { readonly [K in LogicalKind]: (node: NodeOfKind<K>) => boolean } = {
  Source: (n) => n.source.sourceType === 'TABLE',
  Join: (n) => n.joinKind === 'TableTable' || n.joinKind === 'ForeignKey',
  FlatMap: () => false,
  SelectKey: () => false,
  Aggregate: () => true,
  Filter: (n) => producesTable(n.input),
  Project: (n) => producesTable(n.input),
  Sink: (n) => n.sink.sourceType === 'TABLE',
};

/** Whether a node's output is a table (a changelog) rather than a stream. */
export function producesTable(node: LogicalPlan): boolean {
  return (TABLE_OUTPUT[node.kind] as (n: LogicalPlan) => boolean)(node);
}

export function logicalInputs(node: LogicalPlan): LogicalPlan[] {
  if (node.kind === 'Source') return [];
  if (node.kind === 'Join') return [node.left, node.right];
  return [node.input];
}

/** The sources a plan reads, left to right. */
export function sourceNodes(node: LogicalPlan): SourceNode[] {
  return node.kind === 'Source' ? [node] : logicalInputs(node).flatMap(sourceNodes);
}
