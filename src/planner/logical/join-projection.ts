/**
 * A join's projection. The key is the join expression: the projection must select one of the join
 * columns (or ROWKEY when the key is synthetic: FULL OUTER joins, joins on expressions). That item
 * then reads the join key column (rules/read-join-key.ts), so an outer join's missing side cannot
 * null the key.
 */
import { PlanError } from '../../common/errors.js';
import type { ColumnRef, Expression, Query } from '../../sql/ast.js';
import type { QueryContext } from '../plan-context.js';
import type { JoinKey } from './build-from.js';
import { checkValueNames, columnRef, type Projected } from './expand-select.js';
import { sourceNodes, type LogicalPlan, type ProjectNode } from './logical-plan.js';

export function joinProjection(qc: QueryContext, projected: readonly Projected[], joinKey: JoinKey, input: LogicalPlan): ProjectNode {
  const joinOrder = sourceNodes(input).map((s) => s.alias);
  const keyItem = joinKeyItem(projected, joinKey, qc.sinkRequest.name, qc.query, joinOrder);
  const ordered = [projected[keyItem]!, ...projected.filter((_, i) => i !== keyItem)];
  checkValueNames(ordered.slice(1), qc.query);
  if (qc.sinkRequest.sourceType === 'TABLE' && ordered.length === 1) throw new PlanError('The projection contains no value columns.', qc.query.pos);
  const keyType = qc.typeOf(columnRef(joinKey.keyColumn), input.schema);
  return {
    kind: 'Project',
    schema: ordered.map((p, i) => ({ name: p.name, type: i === 0 ? keyType : qc.typeOf(p.expression, input.schema) })),
    input,
    expressions: ordered.map((p) => p.expression),
    keyCount: 1,
    joinKeyColumn: joinKey.keyColumn,
  };
}

/** Which projected item is the key: the first join column in join order (left side first) that is projected. */
function joinKeyItem(projected: readonly Projected[], joinKey: JoinKey, sinkName: string, query: Query, joinOrder: readonly string[]): number {
  const isKey = (e: Expression) =>
    e.kind === 'ColumnRef' &&
    (joinKey.synthetic ? e.name === joinKey.keyColumn && !e.source : joinKey.candidates.some((c) => c.name === e.name && (!e.source || e.source === c.source)));
  const items = projected.map((p, i) => (isKey(p.expression) ? i : -1)).filter((i) => i >= 0);
  if (!items.length) throw missingJoinKey(joinKey, sinkName, query, joinOrder);
  const rank = (i: number) => {
    const e = projected[i]!.expression as ColumnRef;
    const r = joinKey.candidates.findIndex((c) => c.name === e.name && (!e.source || e.source === c.source));
    return r < 0 ? 0 : r;
  };
  items.sort((a, b) => rank(a) - rank(b) || a - b);
  // the same column projected twice is an error
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
  return items[0]!;
}

function missingJoinKey(joinKey: JoinKey, sinkName: string, query: Query, joinOrder: readonly string[]): PlanError {
  if (joinKey.foreignKey) {
    const missing = joinKey.candidates.map((c) => `\`${c.name}\``).join(', ');
    return new PlanError(
      `Primary key columns missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (\`${joinKey.candidates[0]!.source}\`). Missing columns: ${missing}.`,
      query.pos,
    );
  }
  // listed in the order the sources are joined, as "A, B or C"
  const order = (c: ColumnRef) => joinOrder.indexOf(c.source ?? '');
  const what = joinKey.synthetic ? [joinKey.keyColumn] : [...joinKey.candidates].sort((a, b) => order(a) - order(b)).map((c) => `${c.source}.${c.name}`);
  const noun = what.length === 1 ? 'join expression' : 'join expressions';
  const listed = what.length > 1 ? `${what.slice(0, -1).join(', ')} or ${what.at(-1)}` : what[0];
  const message = `The query used to build \`${sinkName}\` must include the ${noun} ${listed} in its projection (eg, SELECT ${what[0]}...).`;
  return new PlanError(
    joinKey.synthetic
      ? `Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n${message}\n${joinKey.keyColumn} was added as a synthetic key column because the join criteria did not match any source column.`
      : message,
    query.pos,
  );
}
