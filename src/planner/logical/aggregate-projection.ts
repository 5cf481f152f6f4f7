/**
 * After an aggregation, HAVING and the projection read the aggregate's columns: grouping
 * expressions become key columns, aggregate calls KSQL_AGG_VARIABLE_n.
 */
import { PlanError } from '../../common/errors.js';
import { formatSqlType } from '../../common/sql-types.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import { formatExpression, typeCheckFilter } from '../../expr/index.js';
import type { Expression } from '../../sql/ast.js';
import { collectExpressions, rewriteExpression, sameExpression } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import { isLambdaParam, type ResolvedAggregates } from './aggregate-calls.js';
import { checkReservedValueName, columnRef, type Projected } from './expand-select.js';
import type { AggregateNode, LogicalPlan, ProjectNode } from './logical-plan.js';

class NonAggregateError extends Error {
  constructor(readonly expression: string) {
    super(expression);
  }
}

type ToAggregated = (e: Expression, clause: 'SELECT' | 'HAVING') => Expression;

function aggregatedRewriter(aggregate: AggregateNode, aggs: ResolvedAggregates, keyNames: readonly string[]): ToAggregated {
  return (e, clause) => {
    const rewritten = rewriteExpression(e, (x) => {
      const g = aggregate.groupBy.findIndex((k) => sameExpression(k, x));
      if (g >= 0) return columnRef(keyNames[g]!);
      const a = aggs.calls.findIndex((c) => sameExpression(c, x));
      if (a >= 0) return columnRef(`KSQL_AGG_VARIABLE_${a}`);
      return undefined;
    });
    const stray = collectExpressions(rewritten, (x) => x.kind === 'ColumnRef' && !aggregate.schema.some((c) => c.name === x.name) && !isLambdaParam(rewritten, x));
    if (stray.length) {
      if (clause === 'HAVING') throw new PlanError(`Non-aggregate HAVING expression not part of GROUP BY: ${stray.map((x) => formatExpression(x)).join(', ')}`, e.pos);
      throw new NonAggregateError(formatExpression(e));
    }
    return rewritten;
  };
}

export function aggregateProjection(
  qc: QueryContext,
  projected: readonly Projected[],
  aggregate: AggregateNode,
  aggs: ResolvedAggregates,
  keyItem: readonly number[],
  input: readonly RowColumn[],
): ProjectNode {
  const keyNames = keyItem.map((i) => projected[i]!.name);
  const toAggregated = aggregatedRewriter(aggregate, aggs, keyNames);
  const having = buildHaving(qc, aggregate, toAggregated, input);
  const rewritten = rewriteProjection(qc, projected, toAggregated);
  // keys first, in GROUP BY order; then the other columns in projection order
  const ordered = [...keyItem.map((i) => rewritten[i]!), ...rewritten.filter((_, i) => !keyItem.includes(i))];
  checkAggregateValueNames(qc, ordered.slice(keyItem.length), keyNames, aggregate.schema);
  if (ordered.length === keyItem.length) throw new PlanError('The projection contains no value columns.', qc.query.pos);
  return {
    kind: 'Project',
    schema: ordered.map((p) => ({ name: p.name, type: qc.typeOf(p.expression, aggregate.schema) })),
    input: having,
    expressions: ordered.map((p) => p.expression),
    keyCount: keyItem.length,
  };
}

/** HAVING: checked as written (errors name SUM(VALUE)), then evaluated over the aggregate's columns. */
function buildHaving(qc: QueryContext, aggregate: AggregateNode, toAggregated: ToAggregated, input: readonly RowColumn[]): LogicalPlan {
  const having = qc.query.having;
  if (!having) return aggregate;
  typeCheckFilter(having, input, qc.registry, 'HAVING', { typeAggregateCalls: true });
  return { kind: 'Filter', schema: aggregate.schema, clause: 'HAVING', input: aggregate, predicate: toAggregated(having, 'HAVING') };
}

function rewriteProjection(qc: QueryContext, projected: readonly Projected[], toAggregated: ToAggregated): Projected[] {
  const bad: string[] = [];
  const rewritten = projected.map((p) => {
    try {
      return { name: p.name, expression: toAggregated(p.expression, 'SELECT') };
    } catch (e) {
      if (!(e instanceof NonAggregateError)) throw e;
      bad.push(e.expression);
      return p;
    }
  });
  if (bad.length)
    throw new PlanError(`Non-aggregate SELECT expression(s) not part of GROUP BY: ${bad.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`, qc.query.pos);
  return rewritten;
}

function checkAggregateValueNames(qc: QueryContext, values: readonly Projected[], keyNames: readonly string[], columns: readonly RowColumn[]): void {
  const valueNames = new Set<string>();
  for (const p of values) {
    checkReservedValueName(p.name, qc.query);
    if (valueNames.has(p.name) || keyNames.includes(p.name))
      throw new PlanError(`Duplicate value columns found in schema: \`${p.name}\` ${formatSqlType(qc.typeOf(p.expression, columns))}`, qc.query.pos);
    valueNames.add(p.name);
  }
}
