/**
 * Plans CREATE STREAM|TABLE AS SELECT and INSERT INTO ... SELECT into physical steps:
 *   Source -> [FlatMap] -> [Filter] -> [SelectKey] -> Select -> Sink
 * and derives the sink's schema. Everything is validated here, before anything runs.
 */
import { PlanError, TypeCheckError } from '../common/errors.js';
import type { Column, LogicalSchema } from '../common/schema.js';
import { RESERVED_COLUMN_NAMES, WINDOW_BOUNDS_COLUMNS, keyColumns, quoteIdentifierIfNeeded } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { formatSqlType, sqlTypeEquals } from '../common/sql-types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource, FormatInfo, TimestampColumn, WindowInfo } from '../catalog/data-source.js';
import type { SourceProperties } from '../catalog/source-properties.js';
import { parseDelimiter, schemaSettings } from '../catalog/source-properties.js';
import type { FunctionRegistry } from '../functions/registry.js';
import { typeCheck, typeCheckFilter, typeCheckSelect } from '../expr/index.js';
import { formatExpression } from '../expr/index.js';
import { resolveTableCall } from '../expr/table-function-call.js';
import { canImplicitlyCast } from '../expr/type-coercion.js';
import { parseType } from '../sql/parse.js';
import type { ColumnRef, Expression, FunctionCall, Query, SelectItem as AstSelectItem, SourceType } from '../sql/ast.js';

/** A select item whose bare table-function call was replaced by a synthetic column keeps a generated name. */
type SelectItem = AstSelectItem | (AstSelectItem & { readonly generatedName: true });
import { collectExpressions, rewriteExpression, sameExpression } from './rewrite-expression.js';
import { sourceRowColumns } from './source-columns.js';
import type { FilterStep, QueryPlan, RowColumn, SelectKeyStep, SelectStep, SinkStep, SourceStep, Step, WindowSpec } from '../catalog/query-plan.js';
import { planAggregation } from './plan-aggregation.js';
import { planFrom } from './plan-join.js';
import type { PlannedFrom } from './plan-join.js';

export interface PlanContext {
  readonly catalog: Catalog;
  readonly registry: FunctionRegistry;
  /** ksql.* session/system properties */
  readonly config: ReadonlyMap<string, string>;
}

export interface SinkRequest {
  readonly name: string;
  readonly sourceType: SourceType;
  readonly properties: SourceProperties;
  /** INSERT INTO: the existing target */
  readonly existing?: DataSource;
}

export interface PlannedQuery {
  readonly plan: QueryPlan;
  /** the sink as it will be registered (without `sql`) */
  readonly sink: Omit<DataSource, 'sql'>;
  /** partitions for the sink topic if it must be created */
  readonly sinkPartitions: number;
  readonly inputSources: readonly string[];
}

interface Projected {
  readonly name: string;
  readonly expression: Expression;
}

const column = (name: string, source?: string): ColumnRef => (source ? { kind: 'ColumnRef', name, source } : { kind: 'ColumnRef', name });

export function planPersistentQuery(
  query: Query,
  sinkRequest: SinkRequest,
  queryId: string,
  ctx: PlanContext,
  sourcePartitions: (topic: string) => number,
): PlannedQuery {
  const { catalog, registry } = ctx;
  const projectsAggregates = query.select.some(
    (s) => s.kind === 'SingleColumn' && collectExpressions(s.expression, (x) => x.kind === 'FunctionCall' && ctx.registry.isAggregate(x.name)).length > 0,
  );
  if (query.window && !query.groupBy?.length) throw new PlanError('WINDOW clause requires a GROUP BY clause.', query.window.pos);
  const aggregating = !!query.groupBy?.length || !!query.window || (projectsAggregates && sinkRequest.sourceType === 'TABLE');
  if (query.having && !query.groupBy?.length) throw new PlanError('HAVING requires GROUP BY', query.having.pos);
  if (aggregating && query.partitionBy?.length) throw new PlanError('PARTITION BY and GROUP BY cannot be used together', query.pos);

  const typeOf = (e: Expression, cols: readonly RowColumn[]): SqlType => typeCheck(e, cols, registry).type;
  const from = planFrom(catalog, query.from, typeOf);
  // formats and partitions are inherited from the left-most source
  const input = from.sources[0]!.source;
  const alias = from.sources[0]!.alias;
  const joinKey = from.joinKey;
  const isTable = from.isTable;
  if ((isTable || aggregating) && sinkRequest.sourceType === 'STREAM')
    throw new PlanError('Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.', query.pos);
  if (!isTable && !aggregating && sinkRequest.sourceType === 'TABLE')
    throw new PlanError('Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.', query.pos);
  if (joinKey) {
    const kafka = from.sources.filter((s) => s.source.valueFormat.format === 'KAFKA').map((s) => s.source.name);
    if (kafka.length) throw new PlanError(`Source(s) ${kafka.join(', ')} are using the 'KAFKA' value format. This format does not yet support JOIN.`, query.pos);
  }

  const assertNoAggregates = (e: Expression, clause: string) => {
    const agg = collectExpressions(e, (x) => x.kind === 'FunctionCall' && registry.isAggregate(x.name))[0] as FunctionCall | undefined;
    if (agg) throw new PlanError(`${clause} does not support aggregate functions: ${agg.name} is an aggregate function.`, agg.pos);
  };

  // a pseudo column projected under its own name would clash with the sink's pseudo column
  for (const item of query.select) {
    if (item.kind !== 'SingleColumn' || item.expression.kind !== 'ColumnRef') continue;
    if (joinKey && item.expression.source && !item.alias) continue; // named ALIAS_ROWTIME in a join
    const name = item.alias ?? item.expression.name;
    if (RESERVED_COLUMN_NAMES.has(name) && name === item.expression.name)
      throw new PlanError(`Reserved column name in select: \`${name}\`. Please remove or alias the column.`, item.pos);
  }

  // 1. Table functions in the projection become synthetic columns produced by a flat-map.
  const declared = from.sources.flatMap((s) => s.source.schema.columns.map((c) => c.name));
  let step: Step = from.step;
  const tableCalls: FunctionCall[] = [];
  const items: SelectItem[] = query.select.map((item) => {
    if (item.kind !== 'SingleColumn') return item;
    const expression = rewriteExpression(item.expression, (e) => {
      if (e.kind !== 'FunctionCall' || !registry.isTable(e.name)) return undefined;
      tableCalls.push(e);
      return column(`KSQL_SYNTH_${tableCalls.length - 1}`);
    });
    // a bare table function call is named like the call itself would be
    return expression === item.expression || item.alias || item.expression.kind !== 'FunctionCall' ? { ...item, expression } : { ...item, expression, generatedName: true };
  });
  if (tableCalls.length) {
    if (isTable) throw new PlanError('Table source is not supported with table functions', tableCalls[0]!.pos);
    const synth: RowColumn[] = tableCalls.map((call, i) => ({
      name: `KSQL_SYNTH_${i}`,
      type: resolveTableCall(call, step.columns, registry).returnType,
    }));
    step = { kind: 'StreamFlatMap', id: 'FlatMap', input: step, tableFunctions: tableCalls, columns: [...step.columns, ...synth] };
  }

  // 3. WHERE
  if (query.where) {
    // window bounds exist only after a windowed aggregation: ksqlDB finds them unknown before
    // it looks for aggregate calls
    const bound = collectExpressions(
      query.where,
      (x) => x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never) && !step.columns.some((c) => c.name === x.name),
    )[0] as ColumnRef | undefined;
    if (bound) throw new PlanError(`Error in WHERE expression: Unknown column ${bound.name}.`, bound.pos);
    assertNoAggregates(query.where, 'WHERE');
    // the checked predicate has string literals compared with ROWTIME turned into timestamps
    const predicate = joinKey ? inJoinSchema(query.where, step.columns, (e, cols) => typeCheckFilter(e, cols, registry, 'WHERE')).expression : typeCheckFilter(query.where, step.columns, registry, 'WHERE').expression;
    const filter: FilterStep = {
      kind: isTable ? 'TableFilter' : 'StreamFilter',
      id: 'Filter',
      input: step,
      predicate,
      columns: step.columns,
      // after a (materialized) table-table join, only keys that were emitted are deleted
      ...(isTable && step.kind !== 'TableSource' ? { materialized: { keyCount: 1 } } : {}),
    };
    step = filter;
  }

  if (aggregating) {
    const projected = expandSelect(items, step.columns, alias, [], typeOf, joinKey, declared);
    // window bounds are only known after a windowed aggregation
    const isBound = (x: Expression) => !!query.window && x.kind === 'ColumnRef' && WINDOW_BOUNDS_COLUMNS.includes(x.name as never) && !step.columns.some((c) => c.name === x.name);
    for (const p of projected)
      inClause('SELECT', () => collectExpressions(p.expression, (x) => x.kind === 'ColumnRef' && !isBound(x)).forEach((c) => typeOf(c, step.columns)));
    if (input.valueFormat.format === 'KAFKA')
      throw new PlanError(`Source(s) ${input.name} are using the 'KAFKA' value format. This format does not yet support GROUP BY.`, query.pos);
    const inputKeyCount = keyColumns(input.schema).length;
    const planned = planAggregation(query, projected, step, isTable, inputKeyCount, sinkRequest.name, registry, typeOf);
    return finishPlan(planned.select, planned.keyCount, planned.window, sinkRequest, input, queryId, ctx, sourcePartitions, from);
  }

  // 4. PARTITION BY: new key columns; the old key moves into the value. PARTITION BY NULL drops the key.
  let keyNames: string[] = keyColumns(input.schema).map((c) => c.name);
  const partitionBy = query.partitionBy?.filter((e) => e.kind !== 'NullLiteral');
  if (query.partitionBy?.length) {
    if (isTable) throw new PlanError('PARTITION BY is not supported on tables', query.partitionBy[0]!.pos);
    const selectKey = planSelectKey(partitionBy!, step, input, alias, typeOf, assertNoAggregates);
    step = selectKey;
    keyNames = selectKey.columns.slice(0, partitionBy!.length).map((c) => c.name);
  }

  // 5. Expand the projection against the row layout it will see.
  let projected = expandSelect(items, step.columns, alias, keyNames, typeOf, partitionBy?.length ? undefined : joinKey, declared);
  for (const p of projected) {
    const agg = collectExpressions(p.expression, (x) => x.kind === 'FunctionCall' && registry.isAggregate(x.name))[0] as FunctionCall | undefined;
    if (agg) throw new PlanError(`Use of aggregate function ${agg.name} requires a GROUP BY clause (and CREATE TABLE AS SELECT).`, agg.pos);
    // unknown columns and type errors are reported before the projection rules
    inClause('SELECT', () => typeCheckSelect(p.expression, step.columns, registry));
  }
  // the sink's TIMESTAMP column is checked before the key rules, as ksqlDB does
  const timestampName = timestampColumnName(sinkRequest.properties.timestamp);
  if (timestampName && !projected.some((p) => p.name === timestampName))
    throw new PlanError(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${timestampName}'`);
  if (partitionBy?.length) {
    projected = projected.map((p) => ({
      name: p.name,
      expression: rewriteExpression(p.expression, (e) => {
        const i = partitionBy.findIndex((k) => sameExpression(k, e));
        return i >= 0 && e.kind !== 'ColumnRef' ? column(keyNames[i]!) : undefined;
      }),
    }));
  }

  if (joinKey && !partitionBy?.length) {
    const { keyItem, rewritten } = joinKeyItem(projected, joinKey, sinkRequest.name, query, from.sources.map((s) => s.alias));
    projected = rewritten;
    keyNames = [projected[keyItem]!.name];
    const ordered = [projected[keyItem]!, ...projected.filter((_, i) => i !== keyItem)];
    checkValueNames(ordered.slice(1), query);
    if (sinkRequest.sourceType === 'TABLE' && ordered.length === 1) throw new PlanError('The projection contains no value columns.', query.pos);
    const select: SelectStep = {
      kind: isTable ? 'TableSelect' : 'StreamSelect',
      id: 'Project',
      input: step,
      expressions: ordered.map((p) => p.expression),
      keyCount: 1,
      columns: ordered.map((p) => ({ name: p.name, type: typeOf(p.expression, step.columns) })),
    };
    return finishPlan(select, 1, undefined, sinkRequest, input, queryId, ctx, sourcePartitions, from);
  }

  // 6. Which projected columns are the key: bare references to the key columns.
  const scope = step.columns;
  const keyItemIndex = new Map<string, number>();
  projected.forEach((p, i) => {
    const e = p.expression;
    if (e.kind !== 'ColumnRef' || !keyNames.includes(e.name)) return;
    if (e.source && e.source !== alias) return;
    const first = keyItemIndex.get(e.name);
    if (first !== undefined)
      throw new PlanError(`The projection contains a key column (\`${e.name}\`) more than once, aliased as: ${projected[first]!.name} and ${p.name}.`, query.pos);
    keyItemIndex.set(e.name, i);
  });
  if (keyNames.some((k) => !keyItemIndex.has(k))) {
    const what = partitionBy?.length
      ? partitionBy.map((e) => formatExpression(qualifyColumns(e, alias)))
      : keyNames;
    const noun = partitionBy?.length ? (what.length === 1 ? 'partitioning expression' : 'partitioning expressions') : what.length === 1 ? 'key column' : 'key columns';
    const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
    throw new PlanError(
      `The query used to build \`${sinkRequest.name}\` must include the ${noun} ${list} in its projection (eg, SELECT ${what.join(', ')}...).`,
      query.pos,
    );
  }
  // key columns keep the PARTITION BY (or source) order; ksqlDB's new planner uses projection order
  const projectionOrder = !partitionBy?.length && ctx.config.get('ksql.new.query.planner.enabled') === 'true';
  const keyIndexes = projectionOrder ? [...keyItemIndex.values()].sort((a, b) => a - b) : keyNames.map((k) => keyItemIndex.get(k)!);
  const keyItems = keyIndexes.map((i) => projected[i]!);
  const valueItems = projected.filter((_, i) => !keyIndexes.includes(i));
  const ordered = [...keyItems, ...valueItems];

  checkValueNames(ordered.slice(keyItems.length), query, keyItems.map((p) => p.name));
  if (sinkRequest.sourceType === 'TABLE' && valueItems.length === 0) throw new PlanError('The projection contains no value columns.', query.pos);

  const select: SelectStep = {
    kind: isTable ? 'TableSelect' : 'StreamSelect',
    id: 'Project',
    input: step,
    expressions: ordered.map((p) => p.expression),
    keyCount: keyItems.length,
    columns: ordered.map((p) => ({ name: p.name, type: typeOf(p.expression, scope) })),
  };
  // a windowed source keeps its windowed keys
  const inputWindow: WindowSpec | undefined = input.window ? { ...input.window, graceMs: 0 } : undefined;
  return finishPlan(select, keyItems.length, inputWindow, sinkRequest, input, queryId, ctx, sourcePartitions, from);
}

/** The common tail: the sink's schema and formats from the projection, and the sink step. */
function finishPlan(
  select: SelectStep,
  keyCount: number,
  window: WindowSpec | undefined,
  sinkRequest: SinkRequest,
  input: DataSource,
  queryId: string,
  ctx: PlanContext,
  sourcePartitions: (topic: string) => number,
  from: PlannedFrom,
): PlannedQuery {
  if (sinkRequest.existing) select = castToSink(select, keyCount, sinkRequest.existing.schema);
  const outColumns: Column[] = select.columns.map((c, i) => ({ name: c.name, type: c.type, namespace: i < keyCount ? 'KEY' : 'VALUE' }));
  const schema: LogicalSchema = { columns: outColumns };
  const windowInfo: WindowInfo | undefined = window ? { type: window.type, ...(window.sizeMs !== undefined ? { sizeMs: window.sizeMs } : {}) } : undefined;
  // a key-less left side of a join is repartitioned by the join key: the result takes the key format
  // of a side that has one, as ksqlDB does
  const keyFrom = from.sources.length > 1 && input.keyFormat.format === 'NONE' ? from.sources.find((s) => s.source.keyFormat.format !== 'NONE')?.source : undefined;
  const sinkSource = deriveSink(sinkRequest, input, schema, queryId, ctx, windowInfo, keyFrom ?? input);
  const sink: SinkStep = {
    kind: sinkRequest.sourceType === 'TABLE' ? 'TableSink' : 'StreamSink',
    id: `Sink/${sinkSource.name}`,
    input: select,
    columns: select.columns,
    topic: sinkSource.topic,
    schema: sinkSource.schema,
    keyFormat: sinkSource.keyFormat,
    valueFormat: sinkSource.valueFormat,
    ...(sinkSource.timestamp ? { timestampColumn: sinkSource.timestamp } : {}),
    ...(windowInfo ? { window: windowInfo } : {}),
  };
  return {
    plan: { queryId, sink, sourceTopics: [...new Set(from.sources.map((s) => s.source.topic))] },
    sink: sinkSource,
    sinkPartitions: sinkRequest.properties.partitions ?? Math.max(...from.sources.map((s) => sourcePartitions(s.source.topic))),
    inputSources: [...new Set(from.sources.map((s) => s.source.name))],
  };
}

function expandSelect(
  select: readonly SelectItem[],
  columns: readonly RowColumn[],
  alias: string,
  keyNames: readonly string[],
  typeOf: (e: Expression, cols: readonly RowColumn[]) => SqlType,
  joinKey: PlannedFrom['joinKey'],
  declared: readonly string[],
): Projected[] {
  // in a join, columns from `*` and qualified references are named ALIAS_COLUMN
  const joined = !!joinKey;
  const out: Projected[] = [];
  let generated = 0;
  // generated names skip aliases and the names the sources themselves declare
  const explicitNames = new Set([...select.flatMap((s) => (s.kind === 'SingleColumn' && s.alias ? [s.alias] : [])), ...declared]);
  const nextGenerated = () => {
    let name: string;
    do name = `KSQL_COL_${generated++}`;
    while (explicitNames.has(name));
    return name;
  };
  // a struct field is named after the field, suffixed _1, _2... when a source column or an earlier
  // field already has that name (ksqlDB's column alias generator)
  const usedFieldNames = new Set(declared);
  const uniqueFieldName = (field: string): string => {
    let name = field;
    for (let n = 1; usedFieldNames.has(name); n++) name = `${field}_${n}`;
    usedFieldNames.add(name);
    return name;
  };
  for (const item of select) {
    switch (item.kind) {
      case 'AllColumns': {
        if (item.source && !columns.some((c) => c.source === item.source))
          throw new PlanError(`'${item.source}' is not a valid stream/table name or alias.`, item.pos);
        if (joined && !item.source && joinKey!.synthetic) out.push({ name: joinKey!.keyColumn, expression: column(joinKey!.keyColumn) });
        for (const c of columns) {
          const pseudo = RESERVED_COLUMN_NAMES.has(c.name) && !keyNames.includes(c.name);
          if ((item.source && c.source !== item.source) || pseudo || c.name.startsWith('KSQL_SYNTH_') || (joined && !c.source)) continue;
          out.push(joined ? { name: `${c.source}_${c.name}`, expression: column(c.name, c.source) } : { name: c.name, expression: column(c.name) });
        }
        break;
      }
      case 'StructAll': {
        const t = typeOf(item.struct, columns);
        if (t.kind !== 'STRUCT') throw new PlanError(`Expected a STRUCT for ->* but got ${formatSqlType(t)}`, item.pos);
        for (const f of t.fields) out.push({ name: f.name, expression: { kind: 'Dereference', base: item.struct, field: f.name } });
        break;
      }
      case 'SingleColumn': {
        const e = item.expression;
        // in a join, a qualified column whose name several sources have is named ALIAS_COLUMN
        const clash = (name: string) => new Set(columns.filter((c) => c.name === name && c.source).map((c) => c.source)).size > 1;
        const derived =
          e.kind === 'ColumnRef' && !('generatedName' in item)
            ? joined && e.source && clash(e.name)
              ? `${e.source}_${e.name}`
              : e.name
            : e.kind === 'Dereference' && !item.alias
              ? uniqueFieldName(e.field)
              : undefined;
        const name = item.alias ?? derived ?? nextGenerated();
        out.push({ name, expression: e });
        break;
      }
    }
  }
  return out;
}

function planSelectKey(
  partitionBy: readonly Expression[],
  input: Step,
  source: DataSource,
  alias: string,
  typeOf: (e: Expression, cols: readonly RowColumn[]) => SqlType,
  assertNoAggregates: (e: Expression, clause: string) => void,
): SelectKeyStep {
  let generated = 0;
  const cols = input.columns;
  const keyCols: RowColumn[] = partitionBy.map((e) => {
    assertNoAggregates(e, 'PARTITION BY');
    const name = e.kind === 'ColumnRef' ? e.name : e.kind === 'Dereference' ? e.field : `KSQL_COL_${generated++}`;
    let type: SqlType;
    try {
      type = typeOf(e, cols);
    } catch (err) {
      const unresolved = err instanceof TypeCheckError ? /^Column '([^']+)' cannot be resolved/.exec(err.message) : null;
      if (!unresolved) throw err;
      throw new PlanError(
        `PARTITION BY column '${unresolved[1]}' cannot be resolved. '${unresolved[1]}' must be a column in the source schema since PARTITION BY is applied on the input.`,
        e.pos,
      );
    }
    return { name, type, source: alias };
  });
  const keyNames = new Set(keyCols.map((c) => c.name));
  const oldKeys = new Set(keyColumns(source.schema).map((c) => c.name));
  const layout: (number | `key:${number}`)[] = keyCols.map((_, i) => `key:${i}` as const);
  const columns: RowColumn[] = [...keyCols];
  // value columns first (minus those moved into the key), then the old key columns, then pseudo columns
  const rest = cols.map((c, i) => ({ c, i })).filter(({ c }) => !keyNames.has(c.name));
  const ordered = [
    ...rest.filter(({ c }) => !oldKeys.has(c.name) && !RESERVED_COLUMN_NAMES.has(c.name) && !c.name.startsWith('KSQL_SYNTH_')),
    ...rest.filter(({ c }) => oldKeys.has(c.name)),
    ...rest.filter(({ c }) => RESERVED_COLUMN_NAMES.has(c.name) || c.name.startsWith('KSQL_SYNTH_')),
  ];
  for (const { c, i } of ordered) {
    columns.push(c);
    layout.push(i);
  }
  return { kind: 'StreamSelectKey', id: 'PartitionBy', input, keyExpressions: partitionBy, layout, columns };
}

function deriveSink(
  req: SinkRequest,
  input: DataSource,
  schema: LogicalSchema,
  queryId: string,
  ctx: PlanContext,
  window: WindowInfo | undefined,
  keyFrom: DataSource = input,
): Omit<DataSource, 'sql'> {
  const props = req.properties;
  if (req.existing) {
    const target = req.existing;
    if (target.sourceType !== 'STREAM') throw new PlanError(`INSERT INTO can only be used to insert into a stream. ${target.name} is a table.`);
    if (target.isSource) throw new PlanError(`Cannot insert into read-only ${target.sourceType.toLowerCase()}: ${target.name}`);
    const same =
      target.schema.columns.length === schema.columns.length &&
      target.schema.columns.every((c, i) => {
        const o = schema.columns[i]!;
        return c.name === o.name && c.namespace === o.namespace && sqlTypeEquals(c.type, o.type);
      });
    if (!same)
      throw new PlanError(
        `Incompatible schema between results and sink.\nResult schema is ${describeColumns(schema)}\nSink schema is ${describeColumns(target.schema)}`,
      );
    return { ...target, createdByQuery: target.createdByQuery };
  }
  const prefix = ctx.config.get('ksql.output.topic.name.prefix') ?? '';
  const hasKey = schema.columns.some((c) => c.namespace === 'KEY');
  if (!hasKey && props.keyFormat && props.keyFormat !== 'NONE') throw new PlanError('Key format specified for stream without key columns.');
  const valueFormatName = props.valueFormat ?? input.valueFormat.format;
  // a key-less input (NONE) that gains key columns needs a real key format: the value's if it can hold keys
  const inheritedKey = keyFrom.keyFormat.format === 'NONE' ? (['JSON', 'DELIMITED'].includes(valueFormatName) ? valueFormatName : 'KAFKA') : keyFrom.keyFormat.format;
  const keyFormat: FormatInfo = {
    format: hasKey ? props.keyFormat ?? inheritedKey : 'NONE',
    ...schemaSettings(props, 'KEY'),
    ...withDelimiter(props.keyDelimiter, 'KEY_DELIMITER', hasKey && !props.keyFormat ? keyFrom.keyFormat.delimiter : undefined),
  };
  const valueFormat: FormatInfo = {
    format: valueFormatName,
    ...schemaSettings(props, 'VALUE'),
    ...withDelimiter(props.valueDelimiter, 'VALUE_DELIMITER', props.valueFormat ? undefined : input.valueFormat.delimiter),
    ...wrapSingleValue(props, ctx.config, schema),
  };
  let timestamp: TimestampColumn | undefined;
  if (props.timestamp) {
    const name = timestampColumnName(props.timestamp)!;
    const col = schema.columns.find((c) => c.name === name);
    if (!col) throw new PlanError(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${name}'`);
    timestamp = { column: name, ...(props.timestampFormat ? { format: props.timestampFormat } : {}) };
  }
  return {
    name: req.name,
    sourceType: req.sourceType,
    schema,
    topic: props.kafkaTopic ?? prefix + req.name,
    keyFormat,
    valueFormat,
    ...(timestamp ? { timestamp } : {}),
    ...(window ? { window } : {}),
    isSource: false,
    createdByQuery: queryId,
  };
}

function withDelimiter(given: string | undefined, property: string, inherited: string | undefined): { delimiter?: string } {
  const d = given !== undefined ? parseDelimiter(given, property) : inherited;
  return d !== undefined ? { delimiter: d } : {};
}

/**
 * INSERT INTO casts the result to the sink's types where ksqlDB casts implicitly (numbers widen; an
 * INT or BIGINT goes into any DECIMAL); any other difference is left for the schema check to report.
 */
function castToSink(select: SelectStep, keyCount: number, target: LogicalSchema): SelectStep {
  const cols = target.columns;
  if (cols.length !== select.columns.length) return select;
  const castable = (from: SqlType, to: SqlType) => canImplicitlyCast(from, to) || ((from.kind === 'INTEGER' || from.kind === 'BIGINT') && to.kind === 'DECIMAL');
  const fits = select.columns.every((c, i) => {
    const t = cols[i]!;
    return c.name === t.name && (t.namespace === 'KEY') === i < keyCount && castable(c.type, t.type);
  });
  if (!fits || select.columns.every((c, i) => sqlTypeEquals(c.type, cols[i]!.type))) return select;
  return {
    ...select,
    expressions: select.expressions.map((e, i) =>
      sqlTypeEquals(select.columns[i]!.type, cols[i]!.type) ? e : { kind: 'Cast', operand: e, type: parseType(formatSqlType(cols[i]!.type)) },
    ),
    columns: select.columns.map((c, i) => ({ ...c, type: cols[i]!.type })),
  };
}

/**
 * Type checks an expression over a join's columns. ksqlDB names a join's columns ALIAS_COLUMN, so
 * its type errors do (`Cannot compare I1_BAR (INTEGER) to I2_BAR (STRING)`): on an error, the check
 * runs again with those names to report it the same way.
 */
function inJoinSchema<T>(e: Expression, cols: readonly RowColumn[], check: (e: Expression, cols: readonly RowColumn[]) => T): T {
  try {
    return check(e, cols);
  } catch (err) {
    if (!(err instanceof TypeCheckError) || /cannot be resolved/.test(err.message)) throw err;
    const joinName = (ref: ColumnRef): string | undefined => {
      const col = cols.find((c) => c.name === ref.name && c.source !== undefined && (!ref.source || c.source === ref.source));
      return col ? `${col.source}_${col.name}` : undefined;
    };
    const renamedCols = cols.map((c) => (c.source ? { name: `${c.source}_${c.name}`, type: c.type } : c));
    const renamed = rewriteExpression(e, (x) => {
      if (x.kind !== 'ColumnRef') return undefined;
      const name = joinName(x);
      return name ? { kind: 'ColumnRef', name, ...(x.pos ? { pos: x.pos } : {}) } : undefined;
    });
    try {
      check(renamed, renamedCols);
    } catch (again) {
      if (again instanceof TypeCheckError) throw again;
    }
    throw err;
  }
}

/** The column a TIMESTAMP property names (backquoted: as written, else upper-cased). */
function timestampColumnName(property: string | undefined): string | undefined {
  if (!property) return undefined;
  return property.startsWith('`') ? property.slice(1, -1) : property.toUpperCase();
}

/** As ksqlDB prints a LogicalSchema: every name backquoted. */
function describeColumns(schema: LogicalSchema): string {
  return schema.columns.map((c) => `\`${c.name}\` ${formatSqlType(c.type)}${c.namespace === 'KEY' ? ' KEY' : ''}`).join(', ');
}

/** Runs a type check, naming the clause in "cannot be resolved" errors as ksqlDB does. */
function inClause<T>(clause: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TypeCheckError && /^Column '[^']+' cannot be resolved/.test(e.message))
      throw new TypeCheckError(`${clause} column${e.message.slice('Column'.length)}`, e.position, e.expression);
    throw e;
  }
}

/** `ID` -> `INPUT.ID`: how ksqlDB prints expressions in projection errors. */
function qualifyColumns(e: Expression, alias: string): Expression {
  return rewriteExpression(e, (x) => (x.kind === 'ColumnRef' && !x.source ? { ...x, source: alias } : undefined));
}

/** WRAP_SINGLE_VALUE as given, else ksql.persistence.wrap.single.values for one-column values. */
function wrapSingleValue(props: SourceProperties, config: ReadonlyMap<string, string>, schema: LogicalSchema): { wrapSingleValue?: boolean } {
  if (props.wrapSingleValue !== undefined) return { wrapSingleValue: props.wrapSingleValue };
  const fallback = config.get('ksql.persistence.wrap.single.values');
  if (fallback === undefined || schema.columns.filter((c) => c.namespace === 'VALUE').length !== 1) return {};
  return { wrapSingleValue: fallback === 'true' };
}

/** Reserved and duplicate names among the value columns. */
function checkValueNames(values: readonly Projected[], query: Query, keyNames: readonly string[] = []): void {
  const names = new Set<string>(keyNames);
  for (const p of values) {
    if (RESERVED_COLUMN_NAMES.has(p.name)) {
      const aliased = query.select.some((s) => s.kind === 'SingleColumn' && s.alias === p.name);
      throw new PlanError(
        aliased
          ? `\`${p.name}\` is a reserved column name. You cannot use it as an alias for a column.`
          : `Reserved column name in select: \`${p.name}\`. Please remove or alias the column.`,
        query.pos,
      );
    }
    if (names.has(p.name)) throw new PlanError(`Duplicate column names: ${quoteIdentifierIfNeeded(p.name)}`, query.pos);
    names.add(p.name);
  }
}

/**
 * A join's key is its join expression: the projection must select one of the join columns (or
 * ROWKEY when the key is synthetic: FULL OUTER joins, joins on expressions). The selected item
 * then reads ROWKEY, so an outer join's missing side cannot null the key.
 */
function joinKeyItem(
  projected: readonly Projected[],
  joinKey: NonNullable<PlannedFrom['joinKey']>,
  sinkName: string,
  query: Query,
  joinOrder: readonly string[],
): { keyItem: number; rewritten: Projected[] } {
  const isKey = (e: Expression) =>
    e.kind === 'ColumnRef' &&
    (joinKey.synthetic
      ? e.name === joinKey.keyColumn && !e.source
      : joinKey.candidates.some((c) => c.name === e.name && (!e.source || e.source === c.source)));
  const items = projected.map((p, i) => (isKey(p.expression) ? i : -1)).filter((i) => i >= 0);
  if (!items.length && joinKey.foreignKey) {
    const missing = joinKey.candidates.map((c) => `\`${c.name}\``).join(', ');
    throw new PlanError(
      `Primary key columns missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (\`${joinKey.candidates[0]!.source}\`). Missing columns: ${missing}.`,
      query.pos,
    );
  }
  if (!items.length) {
    // listed in the order the sources are joined, as "A, B or C"
    const order = (c: ColumnRef) => joinOrder.indexOf(c.source ?? '');
    const what = joinKey.synthetic ? [joinKey.keyColumn] : [...joinKey.candidates].sort((a, b) => order(a) - order(b)).map((c) => `${c.source}.${c.name}`);
    const noun = what.length === 1 ? 'join expression' : 'join expressions';
    const listed = what.length > 1 ? `${what.slice(0, -1).join(', ')} or ${what.at(-1)}` : what[0];
    const message = `The query used to build \`${sinkName}\` must include the ${noun} ${listed} in its projection (eg, SELECT ${what[0]}...).`;
    throw new PlanError(
      joinKey.synthetic
        ? `Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n${message}\n${joinKey.keyColumn} was added as a synthetic key column because the join criteria did not match any source column.`
        : message,
      query.pos,
    );
  }
  // the key is the first join column in join order (left side first) that is projected; the same
  // column projected twice is an error
  const rank = (i: number) => {
    const e = projected[i]!.expression as ColumnRef;
    const r = joinKey.candidates.findIndex((c) => c.name === e.name && (!e.source || e.source === c.source));
    return r < 0 ? 0 : r;
  };
  items.sort((a, b) => rank(a) - rank(b) || a - b);
  const first = projected[items[0]!]!.expression as ColumnRef;
  const same = (e: Expression) => e.kind === 'ColumnRef' && e.name === first.name && (e.source ?? first.source) === (first.source ?? e.source);
  const dupes = items.filter((i) => same(projected[i]!.expression));
  if (dupes.length > 1) {
    const names = dupes.map((i) => projected[i]!.name).sort();
    // named as in the join's own schema: ALIAS_COLUMN
    const keySource = first.source ?? joinKey.candidates[rank(items[0]!)]?.source;
    const keyName = keySource ? `${keySource}_${first.name}` : projected[items[0]!]!.name;
    throw new PlanError(
      `The projection contains a key column (\`${keyName}\`) more than once, aliased as: ${names.slice(0, -1).join(', ')} and ${names.at(-1)}.`,
      query.pos,
    );
  }
  const keyItem = items[0]!;
  const rewritten = projected.map((p, i) => (i === keyItem ? { name: p.name, expression: column(joinKey.keyColumn) } : p));
  return { keyItem, rewritten };
}
