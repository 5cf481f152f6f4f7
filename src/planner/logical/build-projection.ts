/**
 * The projection of a query without GROUP BY: [PARTITION BY ->] Project. Its key columns are the
 * items that select the input's key (the source's key, the PARTITION BY expressions, or the join key).
 */
import { PlanError, TypeCheckError } from '../../common/errors.js';
import { keyColumns } from '../../common/schema.js';
import type { WindowSpec } from '../../catalog/query-plan.js';
import { formatExpression, typeCheckSelect } from '../../expr/index.js';
import type { Expression, FunctionCall } from '../../sql/ast.js';
import { collectExpressions, rewriteExpression } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import { readPartitionKeys, type PartitionKey } from '../rules/read-partition-keys.js';
import type { FromPlan } from './build-from.js';
import { buildSelectKey } from './build-select-key.js';
import { timestampColumnName } from './build-sink.js';
import { checkValueNames, expandSelect, type Projected, type SelectItem } from './expand-select.js';
import { joinProjection } from './join-projection.js';
import type { LogicalPlan, ProjectNode } from './logical-plan.js';

export interface PlannedProjection {
  readonly project: ProjectNode;
  readonly window?: WindowSpec;
}

export function buildProjection(qc: QueryContext, items: readonly SelectItem[], input: LogicalPlan, from: FromPlan, declared: readonly string[]): PlannedProjection {
  const { query } = qc;
  const source = from.sources[0]!.source;
  let node = input;
  let keyNames = keyColumns(source.schema).map((c) => c.name);
  const partitionBy = query.partitionBy?.filter((e) => e.kind !== 'NullLiteral') ?? [];
  if (query.partitionBy?.length) {
    if (from.isTable) throw new PlanError('PARTITION BY is not supported on tables', query.partitionBy[0]!.pos);
    node = buildSelectKey(qc, partitionBy, node, from);
    keyNames = node.schema.slice(0, partitionBy.length).map((c) => c.name);
  }
  const joinKey = partitionBy.length ? undefined : from.joinKey;
  // a join's columns are named as a join's (ALIAS_COLUMN) whether or not PARTITION BY re-keys it
  const windowedKeys = new Map(
    from.joinKey ? from.sources.filter((s) => s.source.window).map((s) => [s.alias, keyColumns(s.source.schema).map((c) => c.name)] as const) : [],
  );
  const projected = expandSelect(items, node.schema, keyNames, qc.typeOf, from.joinKey, declared, partitionBy.length > 0 && from.joinKey !== undefined, windowedKeys);
  for (const p of projected) checkProjected(qc, p.expression, node);
  // the sink's TIMESTAMP column is checked before the key rules, as ksqlDB does
  const timestampName = timestampColumnName(qc.sinkRequest.properties.timestamp);
  if (timestampName && !projected.some((p) => p.name === timestampName))
    throw new PlanError(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${timestampName}'`);
  // a windowed source keeps its windowed keys (joined windowed sources have the same windows)
  const window = source.window ? { window: { ...source.window, graceMs: 0 } } : {};
  if (joinKey) return { project: joinProjection(qc, projected, joinKey, node), ...window };
  const partitionKeys = partitionBy.map((expression, i) => ({ expression, column: keyNames[i]! }));
  const project = keyedProjection(qc, projected, node, keyNames, partitionKeys, from);
  return { project, ...window };
}

/** No aggregates without GROUP BY; unknown columns and type errors before the projection rules. */
function checkProjected(qc: QueryContext, e: Expression, input: LogicalPlan): void {
  const agg = collectExpressions(e, (x) => x.kind === 'FunctionCall' && qc.registry.isAggregate(x.name))[0] as FunctionCall | undefined;
  if (agg) throw new PlanError(`Use of aggregate function ${agg.name} requires a GROUP BY clause (and CREATE TABLE AS SELECT).`, agg.pos);
  inClause('SELECT', () => typeCheckSelect(e, input.schema, qc.registry));
}

/** Key columns first (in PARTITION BY or source order), then the value columns in projection order. */
function keyedProjection(
  qc: QueryContext,
  projected: readonly Projected[],
  input: LogicalPlan,
  keyNames: readonly string[],
  partitionKeys: readonly PartitionKey[],
  from: FromPlan,
): ProjectNode {
  const keyItemIndex = keyItems(qc, projected, keyNames, partitionKeys, from.sources[0]!.alias);
  if (keyNames.some((k) => !keyItemIndex.has(k))) throw missingKey(qc, keyNames, partitionKeys.map((k) => k.expression), from.sources[0]!.alias);
  // key columns keep the PARTITION BY (or source) order; ksqlDB's new planner uses projection order
  const projectionOrder = !partitionKeys.length && qc.config.get('ksql.new.query.planner.enabled') === 'true';
  const keyIndexes = projectionOrder ? [...keyItemIndex.values()].sort((a, b) => a - b) : keyNames.map((k) => keyItemIndex.get(k)!);
  const keyItemsInOrder = keyIndexes.map((i) => projected[i]!);
  const valueItems = projected.filter((_, i) => !keyIndexes.includes(i));
  checkValueNames(valueItems, qc.query, keyItemsInOrder.map((p) => p.name));
  if (qc.sinkRequest.sourceType === 'TABLE' && valueItems.length === 0) throw new PlanError('The projection contains no value columns.', qc.query.pos);
  const ordered = [...keyItemsInOrder, ...valueItems];
  return {
    kind: 'Project',
    schema: ordered.map((p) => ({ name: p.name, type: qc.typeOf(readPartitionKeys(p.expression, partitionKeys), input.schema) })),
    input,
    expressions: ordered.map((p) => p.expression),
    keyCount: keyItemsInOrder.length,
    ...(partitionKeys.length ? { partitionKeys } : {}),
  };
}

/** Which projected item selects each key column: bare references to it (or to its PARTITION BY expression). */
function keyItems(qc: QueryContext, projected: readonly Projected[], keyNames: readonly string[], partitionKeys: readonly PartitionKey[], alias: string): Map<string, number> {
  const keyItemIndex = new Map<string, number>();
  projected.forEach((p, i) => {
    const e = readPartitionKeys(p.expression, partitionKeys);
    if (e.kind !== 'ColumnRef' || !keyNames.includes(e.name)) return;
    if (e.source && e.source !== alias) return;
    const first = keyItemIndex.get(e.name);
    if (first !== undefined)
      throw new PlanError(`The projection contains a key column (\`${e.name}\`) more than once, aliased as: ${projected[first]!.name} and ${p.name}.`, qc.query.pos);
    keyItemIndex.set(e.name, i);
  });
  return keyItemIndex;
}

function missingKey(qc: QueryContext, keyNames: readonly string[], partitionBy: readonly Expression[], alias: string): PlanError {
  const what = partitionBy.length ? partitionBy.map((e) => formatExpression(qualifyColumns(e, alias))) : keyNames;
  const noun = partitionBy.length ? (what.length === 1 ? 'partitioning expression' : 'partitioning expressions') : what.length === 1 ? 'key column' : 'key columns';
  const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
  return new PlanError(
    `The query used to build \`${qc.sinkRequest.name}\` must include the ${noun} ${list} in its projection (eg, SELECT ${what.join(', ')}...).`,
    qc.query.pos,
  );
}

/** `ID` -> `INPUT.ID`: how ksqlDB prints expressions in projection errors. */
function qualifyColumns(e: Expression, alias: string): Expression {
  return rewriteExpression(e, (x) => (x.kind === 'ColumnRef' && !x.source ? { ...x, source: alias } : undefined));
}

/** Runs a type check, naming the clause in "cannot be resolved" errors as ksqlDB does. */
export function inClause<T>(clause: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TypeCheckError && /^Column '[^']+' cannot be resolved/.test(e.detail))
      throw new TypeCheckError(`${clause} column${e.detail.slice('Column'.length)}`, e.position, e.expression);
    throw e;
  }
}
