/**
 * GROUP BY (optionally windowed) and HAVING:
 *   input -> Aggregate -> [Filter (HAVING)] -> Project
 * The aggregate outputs the group-by values, one column per distinct aggregate call, and the
 * window bounds; the projection and HAVING are rewritten to read those columns.
 */
import { PlanError } from '../../common/errors.js';
import { SqlTypes } from '../../common/sql-types.js';
import type { RowColumn, WindowSpec } from '../../catalog/query-plan.js';
import { formatExpression } from '../../expr/index.js';
import type { Expression } from '../../sql/ast.js';
import { collectExpressions, rewriteExpression, sameExpression } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import { aggregateCalls, isLambdaParam, isWindowBound, rejectWindowBounds, requireUndo, resolveAggregates, type ResolvedAggregates } from './aggregate-calls.js';
import { aggregateProjection } from './aggregate-projection.js';
import type { Projected } from './expand-select.js';
import type { AggregateNode, LogicalPlan, ProjectNode } from './logical-plan.js';
import { DEFAULT_GRACE_MS, windowSpec } from './window-spec.js';

export interface PlannedAggregation {
  readonly project: ProjectNode;
  readonly window?: WindowSpec;
}

export function buildAggregation(qc: QueryContext, projected: readonly Projected[], input: LogicalPlan, isTable: boolean, inputKeyCount: number): PlannedAggregation {
  const { query, registry } = qc;
  const groupBy = query.groupBy ?? [];
  requireGroupBy(qc, projected);
  for (const g of groupBy) checkGroupingExpression(qc, g, input.schema);
  for (const p of projected)
    for (const f of collectExpressions(p.expression, (x) => x.kind === 'FunctionCall'))
      if (f.kind === 'FunctionCall' && !registry.has(f.name)) throw new PlanError(`Can't find any functions with the name '${f.name}'`, f.pos);
  const aggs = resolveAggregates(query, projected, input.schema, registry);
  if (isTable) requireUndo(aggs, query);
  checkAllGrouped(qc, projected, aggs);
  const keyItems = groupingKeyItems(qc, projected);
  const keyNames = keyItems.map((i) => projected[i]!.name);
  if (query.emit === 'FINAL' && !query.window) throw new PlanError('EMIT FINAL is only supported for windowed aggregations.', query.pos);
  // without a GRACE PERIOD, EMIT FINAL closes a window at its end
  const window = query.window ? windowSpec(query.window, query.emit === 'FINAL' ? 0 : DEFAULT_GRACE_MS) : undefined;
  const aggregate = aggregateNode(qc, input, aggs, keyNames, window, inputKeyCount);
  const project = aggregateProjection(qc, projected, aggregate, aggs, keyItems, input.schema);
  return { project, ...(window ? { window } : {}) };
}

function requireGroupBy(qc: QueryContext, projected: readonly Projected[]): void {
  if (qc.query.groupBy?.length) return;
  const agg = projected.flatMap((p) => aggregateCalls(p.expression, qc.registry))[0];
  throw new PlanError(
    // ksqlDB reports COUNT(*) as the COUNT(ROWTIME) it rewrites it to
    `CREATE TABLE AS SELECT statement does not support aggregate function [${agg ? (agg.star ? `${agg.name}(ROWTIME)` : formatExpression(agg)) : 'none'}] without a GROUP BY clause.`,
    qc.query.pos,
  );
}

function checkGroupingExpression(qc: QueryContext, g: Expression, input: readonly RowColumn[]): void {
  rejectWindowBounds(g, input);
  const agg = aggregateCalls(g, qc.registry)[0];
  if (agg) throw new PlanError(`GROUP BY does not support aggregate functions: ${agg.name} is an aggregate function.`, agg.pos);
  qc.typeOf(g, input);
}

/** Every non-aggregate part of the projection must be a grouping expression (checked before keys). */
function checkAllGrouped(qc: QueryContext, projected: readonly Projected[], aggs: ResolvedAggregates): void {
  const groupBy = qc.query.groupBy ?? [];
  const inGroupBy = (e: Expression): boolean => {
    const rest = rewriteExpression(e, (x) =>
      groupBy.some((g) => sameExpression(g, x)) || aggs.calls.some((c) => sameExpression(c, x)) ? { kind: 'NullLiteral' } : undefined,
    );
    return !collectExpressions(rest, (x) => x.kind === 'ColumnRef' && !isLambdaParam(rest, x) && !(isWindowBound(x) && !!qc.query.window)).length;
  };
  const nonAggregate = projected.filter((p) => !inGroupBy(p.expression)).map((p) => formatExpression(p.expression));
  if (nonAggregate.length)
    throw new PlanError(
      `Non-aggregate SELECT expression(s) not part of GROUP BY: ${nonAggregate.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`,
      qc.query.pos,
    );
}

/** Key columns are named by the projection item that selects each grouping expression: their indexes. */
function groupingKeyItems(qc: QueryContext, projected: readonly Projected[]): number[] {
  const groupBy = qc.query.groupBy ?? [];
  const keyItem = groupBy.map((g) => projected.findIndex((p) => sameExpression(p.expression, g)));
  const missing = groupBy.filter((_, i) => keyItem[i]! < 0);
  if (missing.length) {
    const what = missing.map((g) => formatExpression(g));
    const noun = what.length === 1 ? 'grouping expression' : 'grouping expressions';
    const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
    throw new PlanError(`The query used to build \`${qc.sinkRequest.name}\` must include the ${noun} ${list} in its projection (eg, SELECT ${what.join(', ')}...).`, qc.query.pos);
  }
  keyItem.forEach((item, i) => {
    const again = projected.findIndex((p, j) => j !== item && sameExpression(p.expression, groupBy[i]!));
    if (again >= 0) throw new PlanError(`The projection contains a key column more than once: \`${projected[item]!.name}\` and \`${projected[again]!.name}\`.`, qc.query.pos);
  });
  return keyItem;
}

function aggregateNode(qc: QueryContext, input: LogicalPlan, aggs: ResolvedAggregates, keyNames: readonly string[], window: WindowSpec | undefined, inputKeyCount: number): AggregateNode {
  const groupBy = qc.query.groupBy ?? [];
  const schema: RowColumn[] = [
    ...groupBy.map((g, i) => ({ name: keyNames[i]!, type: qc.typeOf(g, input.schema) })),
    ...aggs.calls.map((_, i) => ({ name: `KSQL_AGG_VARIABLE_${i}`, type: aggs.resolved[i]!.returnType })),
    ...(window ? [{ name: 'WINDOWSTART', type: SqlTypes.BIGINT }, { name: 'WINDOWEND', type: SqlTypes.BIGINT }] : []),
  ];
  return {
    kind: 'Aggregate',
    schema,
    input,
    groupBy,
    aggregates: aggs.aggregates,
    ...(window ? { window } : {}),
    emitFinal: qc.query.emit === 'FINAL',
    inputKeyCount,
  };
}
