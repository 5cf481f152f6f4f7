/**
 * AST -> logical plan, validating as it goes (in ksqlDB's order, so the first error is the one it
 * reports):
 *   FROM (sources, joins) -> [FlatMap] -> [Filter] -> Aggregate -> [Filter] -> Project -> Sink
 *   FROM (sources, joins) -> [FlatMap] -> [Filter] -> [SelectKey] -> Project -> Sink
 */
import { PlanError } from '../../common/errors.js';
import { WINDOW_BOUNDS_COLUMNS, keyColumns } from '../../common/schema.js';
import type { Expression } from '../../sql/ast.js';
import { collectExpressions } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import { buildAggregation } from './build-aggregate.js';
import { buildFlatMap } from './build-flat-map.js';
import { buildWhere } from './build-filter.js';
import { buildFrom, type FromPlan } from './build-from.js';
import { buildProjection, inClause } from './build-projection.js';
import { buildSink } from './build-sink.js';
import { checkReservedSelectNames, expandSelect, type SelectItem } from './expand-select.js';
import type { LogicalPlan, SinkNode } from './logical-plan.js';

export function buildLogicalPlan(qc: QueryContext): SinkNode {
  const aggregating = isAggregation(qc);
  const from = buildFrom(qc.catalog, qc.query.from, qc.typeOf, 0, qc.sinkRequest.transient);
  checkResultType(qc, from, aggregating);
  checkReservedSelectNames(qc.query, !!from.joinKey);
  const declared = from.sources.flatMap((s) => s.source.schema.columns.map((c) => c.name));
  const { node: flatMapped, items } = buildFlatMap(qc, from);
  const filtered = buildWhere(qc, flatMapped, !!from.joinKey);
  const { project, window } = aggregating ? aggregation(qc, items, filtered, from, declared) : buildProjection(qc, items, filtered, from, declared);
  // formats are inherited from the left-most source
  return buildSink(qc, project, window, from.sources.map((s) => s.source));
}

/** GROUP BY, WINDOW, or aggregates in a CREATE TABLE; and the clauses that need or exclude it. */
function isAggregation(qc: QueryContext): boolean {
  const { query } = qc;
  const projectsAggregates = query.select.some(
    (s) => s.kind === 'SingleColumn' && collectExpressions(s.expression, (x) => x.kind === 'FunctionCall' && qc.registry.isAggregate(x.name)).length > 0,
  );
  if (query.window && !query.groupBy?.length) throw new PlanError('WINDOW clause requires a GROUP BY clause.', query.window.pos);
  const aggregating = !!query.groupBy?.length || !!query.window || (projectsAggregates && qc.sinkRequest.sourceType === 'TABLE');
  if (query.having && !query.groupBy?.length) throw new PlanError('HAVING requires GROUP BY', query.having.pos);
  if (aggregating && query.partitionBy?.length) throw new PlanError('PARTITION BY and GROUP BY cannot be used together', query.pos);
  return aggregating;
}

/** CREATE STREAM for a stream result, CREATE TABLE for a table; no KAFKA format in joins. */
function checkResultType(qc: QueryContext, from: FromPlan, aggregating: boolean): void {
  const { query, sinkRequest } = qc;
  if ((from.isTable || aggregating) && sinkRequest.sourceType === 'STREAM')
    throw new PlanError('Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.', query.pos);
  if (!from.isTable && !aggregating && sinkRequest.sourceType === 'TABLE')
    throw new PlanError('Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.', query.pos);
  if (from.joinKey) {
    const kafka = from.sources.filter((s) => s.source.valueFormat.format === 'KAFKA').map((s) => s.source.name);
    if (kafka.length) throw new PlanError(`Source(s) ${kafka.join(', ')} are using the 'KAFKA' value format. This format does not yet support JOIN.`, query.pos);
  }
}

function aggregation(qc: QueryContext, items: readonly SelectItem[], input: LogicalPlan, from: FromPlan, declared: readonly string[]) {
  const projected = expandSelect(items, input.schema, [], qc.typeOf, from.joinKey, declared);
  // window bounds are only known after a windowed aggregation, and ksqlDB resolves them only over a
  // single source (over a join they stay unresolved)
  const isBound = (x: Expression) =>
    !!qc.query.window && !from.joinKey && x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never) && !input.schema.some((c) => c.name === x.name);
  for (const p of projected)
    inClause('SELECT', () => collectExpressions(p.expression, (x) => x.kind === 'ColumnRef' && !isBound(x)).forEach((c) => qc.typeOf(c, input.schema)));
  const source = from.sources[0]!.source;
  if (source.valueFormat.format === 'KAFKA')
    throw new PlanError(`Source(s) ${source.name} are using the 'KAFKA' value format. This format does not yet support GROUP BY.`, qc.query.pos);
  return buildAggregation(qc, projected, input, from.isTable, keyColumns(source.schema).length);
}
