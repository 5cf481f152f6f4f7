/**
 * Plans a transient (push or pull) SELECT with the persistent-query planner, so push queries get
 * every operator (joins, GROUP BY, windows) and pull queries the same type checks and names.
 *
 * ksqlDB's transient queries need not project their key, may project pseudo columns, and list
 * columns in projection order; a persistent sink needs its key columns projected and puts them
 * first. So the query is rewritten before planning: every output column becomes a value aliased
 * `KSQL_TRANSIENT_<n>`, and key columns the projection lacks are added as hidden items. The plan's
 * sink then holds keys (for tombstones and partitioning) and values; `take` says where each output
 * column is in a sink row (key columns first, then value columns).
 */
import { PlanError } from '../common/errors.js';
import type { LogicalSchema } from '../common/schema.js';
import { RESERVED_COLUMN_NAMES, keyColumns } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { formatSqlType } from '../common/sql-types.js';
import type { FormatInfo, WindowInfo } from '../catalog/data-source.js';
import type { QueryPlan, RowColumn } from '../catalog/query-plan.js';
import { typeCheck } from '../expr/index.js';
import type { ColumnRef, Expression, Query, SelectItem, SingleColumn } from '../sql/ast.js';
import type { PlanContext } from './plan-persistent-query.js';
import { planPersistentQuery } from './plan-persistent-query.js';
import { planFrom } from './plan-join.js';
import type { PlannedFrom } from './plan-join.js';
import { collectExpressions, sameExpression } from './rewrite-expression.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface PlannedTransientQuery {
  /** the plan; its sink writes `sinkSchema` with JSON key and value formats */
  readonly plan: QueryPlan;
  readonly sinkSchema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  readonly window?: WindowInfo;
  /** the result's columns, in projection order */
  readonly columns: readonly OutputColumn[];
  /** for each result column, its index in a sink row (key columns, then value columns) */
  readonly take: readonly number[];
  /** result columns that are a window bound: a tombstone's bounds come from its key */
  readonly windowBounds: readonly ('WINDOWSTART' | 'WINDOWEND' | undefined)[];
  /** the query reads or produces a table (deletes arrive as tombstones) */
  readonly isTable: boolean;
  readonly from: PlannedFrom;
}

const ALIAS = 'KSQL_TRANSIENT_';
const column = (name: string, source?: string): ColumnRef => (source ? { kind: 'ColumnRef', name, source } : { kind: 'ColumnRef', name });
const item = (expression: Expression, alias: string): SingleColumn => ({ kind: 'SingleColumn', expression, alias, ...(expression.pos ? { pos: expression.pos } : {}) });

export function planTransientQuery(query: Query, queryId: string, sinkTopic: string, ctx: PlanContext, sourcePartitions: (topic: string) => number): PlannedTransientQuery {
  const { catalog, registry } = ctx;
  const typeOf = (e: Expression, cols: readonly RowColumn[]): SqlType => typeCheck(e, cols, registry).type;
  const from = planFrom(catalog, query.from, typeOf, 0, true);
  if (from.joinKey?.foreignKey && from.sources.some((s) => s.source.window)) throw new PlanError('Foreign-key table-table joins are not supported on windowed tables.', query.pos);
  const isAggregate = (e: Expression) => collectExpressions(e, (x) => x.kind === 'FunctionCall' && registry.isAggregate(x.name)).length > 0;
  // ksqlDB aggregates a whole stream as one group when there is no GROUP BY
  const projectsAggregates = query.select.some((s) => s.kind === 'SingleColumn' && isAggregate(s.expression));
  const groupBy = query.groupBy?.length ? query.groupBy : projectsAggregates ? [{ kind: 'IntegerLiteral', text: '1' } as Expression] : undefined;
  const aggregating = !!groupBy?.length;
  const isTable = from.isTable || aggregating;
  const alias = from.sources[0]!.alias;
  const input = from.sources[0]!.source;

  // 1. the output columns, named as ksqlDB names them
  const expanded = expandProjection(query.select, from, typeOf, !!query.window);

  // 2. one aliased item per distinct expression; output columns point at their item
  const items: SingleColumn[] = [];
  const itemOf: number[] = [];
  for (const e of expanded) {
    let i = items.findIndex((x) => sameExpression(x.expression, e.expression));
    if (i < 0) {
      i = items.length;
      items.push(item(e.expression, `${ALIAS}${i}`));
    }
    itemOf.push(i);
  }

  // 3. key columns the projection lacks become hidden items, so the sink keeps its key
  const keyExpressions: Expression[] = [];
  const partitionBy = query.partitionBy?.filter((e) => e.kind !== 'NullLiteral');
  if (aggregating) keyExpressions.push(...groupBy!);
  else if (partitionBy?.length) keyExpressions.push(...partitionBy);
  else if (query.partitionBy?.length) {
    // PARTITION BY NULL: no key
  } else if (from.joinKey) {
    const jk = from.joinKey;
    const projected = items.some((x) =>
      x.expression.kind === 'ColumnRef' &&
      (jk.synthetic ? x.expression.name === jk.keyColumn && !x.expression.source : jk.candidates.some((c) => c.name === (x.expression as ColumnRef).name && (!(x.expression as ColumnRef).source || (x.expression as ColumnRef).source === c.source))),
    );
    if (!projected) keyExpressions.push(jk.synthetic ? column(jk.keyColumn) : jk.candidates[0]!);
  } else {
    for (const k of keyColumns(input.schema)) {
      const projected = items.some((x) => x.expression.kind === 'ColumnRef' && x.expression.name === k.name && (!x.expression.source || x.expression.source === alias));
      if (!projected) keyExpressions.push(column(k.name));
    }
  }
  const isKeyItem = (e: Expression) => {
    if (aggregating) return groupBy!.some((g) => sameExpression(g, e));
    if (partitionBy?.length) return partitionBy.some((g) => sameExpression(g, e)) || (e.kind === 'ColumnRef' && partitionBy.some((g) => g.kind === 'ColumnRef' && g.name === e.name));
    if (from.joinKey) return false; // the join key is one item; joins always have value columns
    return e.kind === 'ColumnRef' && keyColumns(input.schema).some((k) => k.name === e.name) && (!e.source || e.source === alias);
  };
  for (const k of keyExpressions) if (!items.some((x) => isKeyItem(x.expression) && sameExpression(x.expression, k))) items.push(item(k, `${ALIAS}${items.length}`));
  // a table sink needs a value column
  if (isTable && items.every((x) => isKeyItem(x.expression))) items.push(item({ kind: 'BooleanLiteral', value: true } as Expression, `${ALIAS}${items.length}`));

  const rewritten: Query = { ...query, select: items, ...(groupBy ? { groupBy } : {}) };
  const planned = planPersistentQuery(
    rewritten,
    { name: `${ALIAS}SINK`, sourceType: isTable ? 'TABLE' : 'STREAM', properties: { kafkaTopic: sinkTopic, raw: new Map() }, transient: true },
    queryId,
    ctx,
    sourcePartitions,
  );
  const schema = planned.sink.schema;
  const hasKey = schema.columns.some((c) => c.namespace === 'KEY');
  const keyFormat: FormatInfo = { format: hasKey ? 'JSON' : 'NONE' };
  const valueFormat: FormatInfo = { format: 'JSON' };
  const sinkColumns = [...schema.columns.filter((c) => c.namespace === 'KEY'), ...schema.columns.filter((c) => c.namespace !== 'KEY')];
  const plan: QueryPlan = { ...planned.plan, sink: { ...planned.plan.sink, keyFormat, valueFormat } };
  const take = itemOf.map((i) => sinkColumns.findIndex((c) => c.name === `${ALIAS}${i}`));
  const columns = expanded.map((e, i) => ({ name: e.name, type: sinkColumns[take[i]!]!.type }));
  return {
    plan,
    sinkSchema: schema,
    keyFormat,
    valueFormat,
    ...(planned.sink.window ? { window: planned.sink.window } : {}),
    columns,
    take,
    windowBounds: expanded.map((e) => (e.expression.kind === 'ColumnRef' && (e.expression.name === 'WINDOWSTART' || e.expression.name === 'WINDOWEND') ? e.expression.name : undefined)),
    isTable,
    from,
  };
}

interface Expanded {
  readonly name: string;
  readonly expression: Expression;
}

/** `*`, `struct->*` and single items as ksqlDB names a transient query's columns. */
function expandProjection(select: readonly SelectItem[], from: PlannedFrom, typeOf: (e: Expression, cols: readonly RowColumn[]) => SqlType, windowedAggregate: boolean): Expanded[] {
  const columns = from.step.columns;
  const joined = !!from.joinKey;
  const declared = new Set([...from.sources.flatMap((s) => s.source.schema.columns.map((c) => c.name)), ...select.flatMap((s) => (s.kind === 'SingleColumn' && s.alias ? [s.alias] : []))]);
  let generated = 0;
  const nextGenerated = () => {
    let name: string;
    do name = `KSQL_COL_${generated++}`;
    while (declared.has(name));
    return name;
  };
  const out: Expanded[] = [];
  for (const s of select) {
    switch (s.kind) {
      case 'AllColumns': {
        if (s.source && !columns.some((c) => c.source === s.source)) throw new PlanError(`'${s.source}' is not a valid stream/table name or alias.`, s.pos);
        if (joined && !s.source && from.joinKey!.synthetic) out.push({ name: from.joinKey!.keyColumn, expression: column(from.joinKey!.keyColumn) });
        for (const src of from.sources) {
          if (s.source && src.alias !== s.source) continue;
          const schema = src.source.schema.columns;
          const keys = schema.filter((c) => c.namespace === 'KEY').map((c) => c.name);
          // a windowed source's window bounds follow its key columns
          const bounds = src.source.window && !windowedAggregate ? ['WINDOWSTART', 'WINDOWEND'] : [];
          const values = schema.filter((c) => c.namespace !== 'KEY').map((c) => c.name);
          for (const name of [...keys, ...bounds, ...values]) {
            if (name.startsWith('KSQL_SYNTH_')) continue;
            if (!columns.some((c) => c.name === name && (!joined || c.source === src.alias))) continue;
            out.push(joined ? { name: `${src.alias}_${name}`, expression: column(name, src.alias) } : { name, expression: column(name) });
          }
        }
        break;
      }
      case 'StructAll': {
        const t = typeOf(s.struct, columns);
        if (t.kind !== 'STRUCT') throw new PlanError(`Expected a STRUCT for ->* but got ${formatSqlType(t)}`, s.pos);
        for (const f of t.fields) out.push({ name: f.name, expression: { kind: 'Dereference', base: s.struct, field: f.name } as Expression });
        break;
      }
      case 'SingleColumn': {
        const e = s.expression;
        const clash = (name: string) => new Set(columns.filter((c) => c.name === name && c.source).map((c) => c.source)).size > 1;
        const derived =
          e.kind === 'ColumnRef'
            ? joined && e.source && (clash(e.name) || RESERVED_COLUMN_NAMES.has(e.name))
              ? `${e.source}_${e.name}`
              : e.name
            : e.kind === 'Dereference'
              ? e.field
              : undefined;
        out.push({ name: s.alias ?? derived ?? nextGenerated(), expression: e });
        break;
      }
    }
  }
  return out;
}
