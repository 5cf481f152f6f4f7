/**
 * GROUP BY (optionally windowed) and HAVING: plans
 *   input -> [Stream|Table]Aggregate -> [TableFilter (HAVING)] -> TableSelect
 * The aggregate step outputs the group-by values, one column per distinct aggregate call, and
 * the window bounds; the projection and HAVING are rewritten to read those columns.
 */
import { PlanError } from '../common/errors.js';
import { RESERVED_COLUMN_NAMES, WINDOW_BOUNDS_COLUMNS } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes, formatSqlType } from '../common/sql-types.js';
import type { AggregateCall, AggregateStep, FilterStep, RowColumn, SelectStep, Step, WindowSpec } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import { formatExpression, rewriteMagicTimestamps, typeCheckFilter } from '../expr/index.js';
import { resolveAggregateCall } from '../expr/aggregate-call.js';
import type { ColumnRef, Duration, Expression, FunctionCall, Query, WindowExpression } from '../sql/ast.js';
import { collectExpressions, rewriteExpression, sameExpression } from './rewrite-expression.js';

/** One projected column before aggregation: its output name and expression. */
export interface ProjectedColumn {
  readonly name: string;
  readonly expression: Expression;
}

export interface PlannedAggregation {
  readonly select: SelectStep;
  readonly keyCount: number;
  readonly window?: WindowSpec;
}

const UNIT_MS = { MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 } as const;
const durationMs = (d: Duration) => d.value * UNIT_MS[d.unit];
/** ksqlDB's default grace period for windows without GRACE PERIOD */
const DEFAULT_GRACE_MS = 24 * 3_600_000;

const column = (name: string): ColumnRef => ({ kind: 'ColumnRef', name });

export function planAggregation(
  query: Query,
  projected: readonly ProjectedColumn[],
  input: Step,
  isTable: boolean,
  inputKeyCount: number,
  sinkName: string,
  registry: FunctionRegistry,
  typeOf: (e: Expression, cols: readonly RowColumn[]) => SqlType,
): PlannedAggregation {
  const groupBy = query.groupBy ?? [];
  if (!groupBy.length) {
    const agg = projected.flatMap((p) => aggregateCalls(p.expression, registry))[0];
    throw new PlanError(
      // ksqlDB reports COUNT(*) as the COUNT(ROWTIME) it rewrites it to
      `CREATE TABLE AS SELECT statement does not support aggregate function [${agg ? (agg.star ? `${agg.name}(ROWTIME)` : formatExpression(agg)) : 'none'}] without a GROUP BY clause.`,
      query.pos,
    );
  }
  const boundsIn = (e: Expression) =>
    collectExpressions(e, (x) => x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never) && !input.columns.some((c) => c.name === x.name))[0] as ColumnRef | undefined;
  const misplacedBound = (e: Expression) => {
    const b = boundsIn(e);
    if (b) throw new PlanError(`Window bounds column ${b.name} can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions.`, b.pos);
  };
  for (const g of groupBy) {
    misplacedBound(g);
    const agg = aggregateCalls(g, registry)[0];
    if (agg) throw new PlanError(`GROUP BY does not support aggregate functions: ${agg.name} is an aggregate function.`, agg.pos);
    typeOf(g, input.columns);
  }

  for (const p of projected)
    for (const f of collectExpressions(p.expression, (x) => x.kind === 'FunctionCall') as FunctionCall[])
      if (!registry.has(f.name)) throw new PlanError(`Can't find any functions with the name '${f.name}'`, f.pos);

  // distinct aggregate calls, from the projection and HAVING, become columns KSQL_AGG_VARIABLE_n
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
  for (const call of calls.slice(0, selectCalls)) call.args.forEach(misplacedBound);
  if (query.having) misplacedBound(query.having);
  for (const call of calls.slice(selectCalls)) call.args.forEach(misplacedBound);
  if (!calls.length) throw new PlanError('GROUP BY requires aggregate functions in either the SELECT or HAVING clause.', query.pos);
  const resolved = calls.map((call) => resolveAggregateCall(call, input.columns, registry));
  const aggregates: AggregateCall[] = calls.map((call, i) => ({
    name: call.name,
    args: call.args.slice(0, resolved[i]!.argCount),
    initArgs: call.args.slice(resolved[i]!.argCount),
  }));
  if (isTable) {
    // a table's changed rows must be taken back out of their group: only aggregates with undo can
    const noUndo = calls.filter((_, i) => !resolved[i]!.create().undo);
    if (noUndo.length) {
      const names = [...new Set(noUndo.map((c) => c.name))];
      const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
      throw new PlanError(`The aggregation functions ${list} cannot be applied to a table source, only to a stream source.`, query.pos);
    }
  }

  // every non-aggregate part of the projection must be a grouping expression (checked before keys)
  const inGroupBy = (e: Expression): boolean => {
    const rest = rewriteExpression(e, (x) =>
      groupBy.some((g) => sameExpression(g, x)) || calls.some((c) => sameExpression(c, x)) ? { kind: 'NullLiteral' } : undefined,
    );
    return !collectExpressions(rest, (x) => x.kind === 'ColumnRef' && !isLambdaParam(rest, x) && !(isWindowBound(x) && !!query.window)).length;
  };
  const nonAggregate = projected.filter((p) => !inGroupBy(p.expression)).map((p) => formatExpression(p.expression));
  if (nonAggregate.length)
    throw new PlanError(`Non-aggregate SELECT expression(s) not part of GROUP BY: ${nonAggregate.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`, query.pos);

  // key columns are named by the projection item that selects each grouping expression
  const keyItem = groupBy.map((g) => projected.findIndex((p) => sameExpression(p.expression, g)));
  const missing = groupBy.filter((_, i) => keyItem[i]! < 0);
  if (missing.length) {
    const what = missing.map((g) => formatExpression(g));
    const noun = what.length === 1 ? 'grouping expression' : 'grouping expressions';
    const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
    throw new PlanError(`The query used to build \`${sinkName}\` must include the ${noun} ${list} in its projection (eg, SELECT ${what.join(', ')}...).`, query.pos);
  }
  keyItem.forEach((item, i) => {
    const again = projected.findIndex((p, j) => j !== item && sameExpression(p.expression, groupBy[i]!));
    if (again >= 0)
      throw new PlanError(`The projection contains a key column more than once: \`${projected[item]!.name}\` and \`${projected[again]!.name}\`.`, query.pos);
  });
  const keyNames = keyItem.map((i) => projected[i]!.name);

  if (query.emit === 'FINAL' && !query.window) throw new PlanError('EMIT FINAL is only supported for windowed aggregations.', query.pos);
  // without a GRACE PERIOD, EMIT FINAL closes a window at its end
  const window = query.window ? windowSpec(query.window, query.emit === 'FINAL' ? 0 : DEFAULT_GRACE_MS) : undefined;
  const aggColumns: RowColumn[] = [
    ...groupBy.map((g, i) => ({ name: keyNames[i]!, type: typeOf(g, input.columns) })),
    ...calls.map((_, i) => ({ name: `KSQL_AGG_VARIABLE_${i}`, type: resolved[i]!.returnType })),
    ...(window ? [{ name: 'WINDOWSTART', type: SqlTypes.BIGINT }, { name: 'WINDOWEND', type: SqlTypes.BIGINT }] : []),
  ];
  const aggregate: AggregateStep = {
    kind: isTable ? 'TableAggregate' : 'StreamAggregate',
    id: window ? `Aggregate/${window.type}` : 'Aggregate',
    input,
    groupBy,
    aggregates,
    ...(window ? { window } : {}),
    emitFinal: query.emit === 'FINAL',
    inputKeyCount,
    columns: aggColumns,
  };

  // rewrite expressions to read the aggregate step's columns
  const toAggregated = (e: Expression, clause: 'SELECT' | 'HAVING'): Expression => {
    const rewritten = rewriteExpression(e, (x) => {
      const g = groupBy.findIndex((k) => sameExpression(k, x));
      if (g >= 0) return column(keyNames[g]!);
      const a = calls.findIndex((c) => sameExpression(c, x));
      if (a >= 0) return column(`KSQL_AGG_VARIABLE_${a}`);
      return undefined;
    });
    const stray = collectExpressions(rewritten, (x) => x.kind === 'ColumnRef' && !aggColumns.some((c) => c.name === x.name) && !isLambdaParam(rewritten, x));
    if (stray.length) {
      if (clause === 'HAVING') throw new PlanError(`Non-aggregate HAVING expression not part of GROUP BY: ${stray.map((x) => formatExpression(x)).join(', ')}`, e.pos);
      throw new NonAggregateError(formatExpression(e));
    }
    return rewritten;
  };
  let step: Step = aggregate;
  if (query.having) {
    // checked as written (errors name SUM(VALUE)), then evaluated over the aggregate's columns
    typeCheckFilter(query.having, input.columns, registry, 'HAVING', { typeAggregateCalls: true });
    const having = rewriteMagicTimestamps(toAggregated(query.having, 'HAVING'));
    const filter: FilterStep = { kind: 'TableFilter', id: 'Having', input: step, predicate: having, columns: aggColumns, materialized: { keyCount: groupBy.length } };
    step = filter;
  }
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
    throw new PlanError(`Non-aggregate SELECT expression(s) not part of GROUP BY: ${bad.join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`, query.pos);

  // keys first, in GROUP BY order; then the other columns in projection order
  const ordered = [...keyItem.map((i) => rewritten[i]!), ...rewritten.filter((_, i) => !keyItem.includes(i))];
  const valueNames = new Set<string>();
  ordered.slice(keyItem.length).forEach((p) => {
    if (RESERVED_COLUMN_NAMES.has(p.name)) {
      const aliased = query.select.some((s) => s.kind === 'SingleColumn' && s.alias === p.name);
      throw new PlanError(
        aliased ? `\`${p.name}\` is a reserved column name. You cannot use it as an alias for a column.` : `Reserved column name in select: \`${p.name}\`. Please remove or alias the column.`,
        query.pos,
      );
    }
    if (valueNames.has(p.name) || keyNames.includes(p.name))
      throw new PlanError(`Duplicate value columns found in schema: \`${p.name}\` ${formatSqlType(typeOf(p.expression, aggColumns))}`, query.pos);
    valueNames.add(p.name);
  });
  if (ordered.length === keyItem.length) throw new PlanError('The projection contains no value columns.', query.pos);
  const select: SelectStep = {
    kind: 'TableSelect',
    id: 'Project',
    input: step,
    expressions: ordered.map((p) => p.expression),
    keyCount: keyItem.length,
    columns: ordered.map((p) => ({ name: p.name, type: typeOf(p.expression, aggColumns) })),
  };
  return { select, keyCount: keyItem.length, ...(window ? { window } : {}) };
}

class NonAggregateError extends Error {
  constructor(readonly expression: string) {
    super(expression);
  }
}

function aggregateCalls(e: Expression, registry: FunctionRegistry): FunctionCall[] {
  return collectExpressions(e, (x) => x.kind === 'FunctionCall' && registry.isAggregate(x.name)) as FunctionCall[];
}

function isWindowBound(x: Expression): boolean {
  return x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never);
}

function isLambdaParam(root: Expression, ref: Expression): boolean {
  if (ref.kind !== 'ColumnRef' || ref.source) return false;
  return collectExpressions(root, (x) => x.kind === 'Lambda' && x.params.includes(ref.name)).length > 0;
}


function windowSpec(w: WindowExpression, defaultGraceMs: number): WindowSpec {
  const graceMs = w.grace ? durationMs(w.grace) : defaultGraceMs;
  switch (w.kind) {
    case 'TumblingWindow':
      return { type: 'TUMBLING', sizeMs: durationMs(w.size), graceMs };
    case 'HoppingWindow': {
      const sizeMs = durationMs(w.size);
      const advanceMs = durationMs(w.advance);
      if (advanceMs > sizeMs) throw new PlanError(`Window advance (${advanceMs} ms) must not be larger than the window size (${sizeMs} ms)`, w.pos);
      if (advanceMs <= 0) throw new PlanError('Window advance must be positive', w.pos);
      return { type: 'HOPPING', sizeMs, advanceMs, graceMs };
    }
    case 'SessionWindow':
      return { type: 'SESSION', gapMs: durationMs(w.gap), graceMs };
  }
}
