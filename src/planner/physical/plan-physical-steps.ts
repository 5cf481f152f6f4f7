/**
 * Logical plan -> physical steps (the plain-data plan the runtime builds operators from). Each
 * logical node becomes one step: its kind says stream or table, its id is stable, from its place
 * in the plan.
 */
import type { FilterStep, QueryPlan, SinkStep, SourceStep, Step } from '../../catalog/query-plan.js';
import type { LogicalKind, LogicalPlan, NodeOfKind, SinkNode, SourceNode } from '../logical/logical-plan.js';
import { producesTable, sourceNodes } from '../logical/logical-plan.js';

type Lower = (node: LogicalPlan) => Step;
type Handler<K extends LogicalKind> = (node: NodeOfKind<K>, lower: Lower) => Step;

const JOIN_STEP = { StreamStream: 'StreamStreamJoin', StreamTable: 'StreamTableJoin', TableTable: 'TableTableJoin', ForeignKey: 'ForeignKeyTableJoin' } as const;

function sourceStep(n: SourceNode): SourceStep {
  const { source, alias } = n;
  return {
    kind: source.sourceType === 'TABLE' ? 'TableSource' : 'StreamSource',
    id: `Source/${alias}`,
    columns: n.schema,
    sourceName: source.name,
    alias,
    topic: source.topic,
    schema: source.schema,
    keyFormat: source.keyFormat,
    valueFormat: source.valueFormat,
    ...(source.timestamp ? { timestamp: source.timestamp } : {}),
    ...(source.window ? { window: source.window } : {}),
  };
}

function sinkStep(n: SinkNode, lower: Lower): SinkStep {
  const { sink } = n;
  return {
    kind: sink.sourceType === 'TABLE' ? 'TableSink' : 'StreamSink',
    id: `Sink/${sink.name}`,
    input: lower(n.input),
    columns: n.input.schema,
    topic: sink.topic,
    schema: sink.schema,
    keyFormat: sink.keyFormat,
    valueFormat: sink.valueFormat,
    ...(sink.timestamp ? { timestampColumn: sink.timestamp } : {}),
    ...(n.window ? { window: n.window } : {}),
  };
}

/** HAVING remembers which groups are present downstream; so does WHERE over a join of tables. */
function materialized(n: NodeOfKind<'Filter'>): FilterStep['materialized'] {
  if (n.clause === 'HAVING' && n.input.kind === 'Aggregate') return { keyCount: n.input.groupBy.length };
  return producesTable(n.input) && n.input.kind !== 'Source' ? { keyCount: 1 } : undefined;
}

const LOWER: { readonly [K in LogicalKind]: Handler<K> } = {
  Source: (n) => sourceStep(n),
  Join: (n, lower) => ({
    kind: JOIN_STEP[n.joinKind],
    id: `Join/${n.depth}`,
    joinType: n.joinType,
    // a WHERE part pushed below the join (rules/push-down-filter.ts) is named for the join it serves
    left: n.left.kind === 'Filter' ? { ...lower(n.left), id: `Join/${n.depth}/Filter` } : lower(n.left),
    right: lower(n.right),
    leftKey: n.leftKey,
    rightKey: n.rightKey,
    ...(n.within ? { within: n.within } : {}),
    columns: n.schema,
  }),
  FlatMap: (n, lower) => ({ kind: 'StreamFlatMap', id: 'FlatMap', input: lower(n.input), tableFunctions: n.tableFunctions, columns: n.schema }),
  Filter: (n, lower) => {
    const keep = materialized(n);
    return {
      kind: producesTable(n.input) ? 'TableFilter' : 'StreamFilter',
      id: n.clause === 'HAVING' ? 'Having' : 'Filter',
      input: lower(n.input),
      predicate: n.predicate,
      columns: n.schema,
      ...(keep ? { materialized: keep } : {}),
    };
  },
  SelectKey: (n, lower) => ({ kind: 'StreamSelectKey', id: 'PartitionBy', input: lower(n.input), keyExpressions: n.keyExpressions, layout: n.layout, columns: n.schema }),
  Aggregate: (n, lower) => ({
    kind: producesTable(n.input) ? 'TableAggregate' : 'StreamAggregate',
    id: n.window ? `Aggregate/${n.window.type}` : 'Aggregate',
    input: lower(n.input),
    groupBy: n.groupBy,
    aggregates: n.aggregates,
    ...(n.window ? { window: n.window } : {}),
    emitFinal: n.emitFinal,
    inputKeyCount: n.inputKeyCount,
    columns: n.schema,
  }),
  Project: (n, lower) => ({
    kind: producesTable(n.input) ? 'TableSelect' : 'StreamSelect',
    id: 'Project',
    input: lower(n.input),
    expressions: n.expressions,
    keyCount: n.keyCount,
    columns: n.schema,
  }),
  Sink: (n, lower) => sinkStep(n, lower),
};

export function lowerToStep(node: LogicalPlan): Step {
  return (LOWER[node.kind] as Handler<LogicalKind>)(node as never, lowerToStep);
}

export function physicalPlan(sink: SinkNode, queryId: string): QueryPlan {
  return { queryId, sink: lowerToStep(sink) as SinkStep, sourceTopics: [...new Set(sourceNodes(sink).map((s) => s.source.topic))] };
}
