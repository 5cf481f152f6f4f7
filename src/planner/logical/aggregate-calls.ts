/**
 * The aggregate calls of a GROUP BY query: distinct calls from the projection and HAVING, each
 * becoming a column KSQL_AGG_VARIABLE_n of the aggregate; resolved against the registry.
 */
import { PlanError } from '../../common/errors.js';
import { WINDOW_BOUNDS_COLUMNS } from '../../common/schema.js';
import type { AggregateCall, RowColumn } from '../../catalog/query-plan.js';
import type { FunctionRegistry } from '../../functions/registry.js';
import { formatExpression } from '../../expr/index.js';
import { resolveAggregateCall } from '../../expr/aggregate-call.js';
import type { ColumnRef, Expression, FunctionCall, Query } from '../../sql/ast.js';
import { collectExpressions, sameExpression } from '../rewrite-expression.js';
import type { Projected } from './expand-select.js';

export interface ResolvedAggregates {
  readonly calls: readonly FunctionCall[];
  readonly aggregates: readonly AggregateCall[];
  readonly resolved: readonly ReturnType<typeof resolveAggregateCall>[];
}

export function aggregateCalls(e: Expression, registry: FunctionRegistry): FunctionCall[] {
  return collectExpressions(e, (x) => x.kind === 'FunctionCall' && registry.isAggregate(x.name)) as FunctionCall[];
}

export function isWindowBound(x: Expression): boolean {
  return x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never);
}

export function isLambdaParam(root: Expression, ref: Expression): boolean {
  if (ref.kind !== 'ColumnRef' || ref.source) return false;
  return collectExpressions(root, (x) => x.kind === 'Lambda' && x.params.includes(ref.name)).length > 0;
}

/** Window bounds are only known after a windowed aggregation: not in GROUP BY nor aggregate arguments. */
export function rejectWindowBounds(e: Expression, input: readonly RowColumn[]): void {
  const b = collectExpressions(e, (x) => isWindowBound(x) && !input.some((c) => c.name === (x as ColumnRef).name))[0] as ColumnRef | undefined;
  if (b) throw new PlanError(`Window bounds column ${b.name} can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions.`, b.pos);
}

export function resolveAggregates(query: Query, projected: readonly Projected[], input: readonly RowColumn[], registry: FunctionRegistry): ResolvedAggregates {
  const calls: FunctionCall[] = [];
  const collect = (e: Expression) => {
    for (const call of aggregateCalls(e, registry)) {
      for (const arg of call.args) {
        const nested = aggregateCalls(arg, registry)[0];
        if (nested) throw new PlanError(`Aggregate functions can not be nested: ${formatExpression(call)}`, call.pos);
      }
      if (!calls.some((c) => sameExpression(c, call))) calls.push(call);
    }
  };
  projected.forEach((p) => collect(p.expression));
  const selectCalls = calls.length;
  if (query.having) collect(query.having);
  // the projection's aggregate arguments, then HAVING in the order written, inside calls or not
  for (const call of calls.slice(0, selectCalls)) call.args.forEach((a) => rejectWindowBounds(a, input));
  if (query.having) rejectWindowBounds(query.having, input);
  for (const call of calls.slice(selectCalls)) call.args.forEach((a) => rejectWindowBounds(a, input));
  if (!calls.length) throw new PlanError('GROUP BY requires aggregate functions in either the SELECT or HAVING clause.', query.pos);
  const resolved = calls.map((call) => resolveAggregateCall(call, input, registry));
  const aggregates: AggregateCall[] = calls.map((call, i) => ({
    name: call.name,
    args: call.args.slice(0, resolved[i]!.argCount),
    initArgs: call.args.slice(resolved[i]!.argCount),
  }));
  return { calls, aggregates, resolved };
}

/** A table's changed rows must be taken back out of their group: only aggregates with undo can. */
export function requireUndo(aggs: ResolvedAggregates, query: Query): void {
  const noUndo = aggs.calls.filter((_, i) => !aggs.resolved[i]!.create().undo);
  if (!noUndo.length) return;
  const names = [...new Set(noUndo.map((c) => c.name))];
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  throw new PlanError(`The aggregation functions ${list} cannot be applied to a table source, only to a stream source.`, query.pos);
}
