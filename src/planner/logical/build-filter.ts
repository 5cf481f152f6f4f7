/** WHERE: checked against the input's row layout (magic timestamps: see rules/rewrite-magic-timestamps.ts). */
import { PlanError } from '../../common/errors.js';
import { WINDOW_BOUNDS_COLUMNS } from '../../common/schema.js';
import { typeCheckFilter } from '../../expr/index.js';
import type { ColumnRef, Expression, FunctionCall } from '../../sql/ast.js';
import { collectExpressions } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import { inJoinSchema } from './in-join-schema.js';
import type { LogicalPlan } from './logical-plan.js';

export function buildWhere(qc: QueryContext, input: LogicalPlan, joined: boolean): LogicalPlan {
  const where = qc.query.where;
  if (!where) return input;
  // window bounds exist only after a windowed aggregation: ksqlDB finds them unknown before it
  // looks for aggregate calls
  const bound = collectExpressions(
    where,
    (x) => x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never) && !input.schema.some((c) => c.name === x.name),
  )[0] as ColumnRef | undefined;
  if (bound) throw new PlanError(`Error in WHERE expression: Unknown column ${bound.name}.`, bound.pos);
  assertNoAggregates(qc, where, 'WHERE');
  const check = (e: Expression, columns: Parameters<typeof typeCheckFilter>[1]) => typeCheckFilter(e, columns, qc.registry, 'WHERE');
  if (joined) inJoinSchema(where, input.schema, check);
  else check(where, input.schema);
  return { kind: 'Filter', schema: input.schema, clause: 'WHERE', input, predicate: where };
}

/** A clause that runs before any aggregation cannot call aggregate functions. */
export function assertNoAggregates(qc: QueryContext, e: Expression, clause: string): void {
  const agg = collectExpressions(e, (x) => x.kind === 'FunctionCall' && qc.registry.isAggregate(x.name))[0] as FunctionCall | undefined;
  if (agg) throw new PlanError(`${clause} does not support aggregate functions: ${agg.name} is an aggregate function.`, agg.pos);
}
