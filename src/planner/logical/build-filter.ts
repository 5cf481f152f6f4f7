/** WHERE: checked against the input's row layout (magic timestamps: see rules/rewrite-magic-timestamps.ts). */
import { PlanError } from '../../common/errors.js';
import { typeCheckFilter } from '../../expr/index.js';
import type { Expression, FunctionCall } from '../../sql/ast.js';
import { collectExpressions } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import type { LogicalPlan } from './logical-plan.js';

export function buildWhere(qc: QueryContext, input: LogicalPlan): LogicalPlan {
  const where = qc.query.where;
  if (!where) return input;
  assertNoAggregates(qc, where, 'WHERE');
  typeCheckFilter(where, input.schema, qc.registry, 'WHERE');
  return { kind: 'Filter', schema: input.schema, clause: 'WHERE', input, predicate: where };
}

/** A clause that runs before any aggregation cannot call aggregate functions. */
export function assertNoAggregates(qc: QueryContext, e: Expression, clause: string): void {
  const agg = collectExpressions(e, (x) => x.kind === 'FunctionCall' && qc.registry.isAggregate(x.name))[0] as FunctionCall | undefined;
  if (agg) throw new PlanError(`${clause} does not support aggregate functions: ${agg.name} is an aggregate function.`, agg.pos);
}
