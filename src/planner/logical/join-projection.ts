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
import type { LogicalPlan, ProjectNode } from './logical-plan.js';

export function joinProjection(qc: QueryContext, projected: readonly Projected[], joinKey: JoinKey, input: LogicalPlan): ProjectNode {
  const keyItem = joinKeyItem(projected, joinKey, qc.sinkRequest.name, qc.query);
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
function joinKeyItem(projected: readonly Projected[], joinKey: JoinKey, sinkName: string, query: Query): number {
  const isKey = (e: Expression) =>
    e.kind === 'ColumnRef' &&
    (joinKey.synthetic ? e.name === joinKey.keyColumn && !e.source : joinKey.candidates.some((c) => c.name === e.name && (!e.source || e.source === c.source)));
  const items = projected.map((p, i) => (isKey(p.expression) ? i : -1)).filter((i) => i >= 0);
  if (!items.length) throw missingJoinKey(joinKey, sinkName, query);
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
    throw new PlanError(
      `The projection contains a key column (\`${projected[items[0]!]!.name}\`) more than once, aliased as: ${names.slice(0, -1).join(', ')} and ${names.at(-1)}.`,
      query.pos,
    );
  }
  return items[0]!;
}

function missingJoinKey(joinKey: JoinKey, sinkName: string, query: Query): PlanError {
  if (joinKey.foreignKey) {
    const missing = joinKey.candidates.map((c) => `\`${c.name}\``).join(', ');
    return new PlanError(
      `Primary key columns missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (\`${joinKey.candidates[0]!.source}\`). Missing columns: ${missing}.`,
      query.pos,
    );
  }
  const what = joinKey.synthetic ? [joinKey.keyColumn] : joinKey.candidates.map((c) => `${c.source}.${c.name}`);
  const noun = what.length === 1 ? 'join expression' : 'join expressions';
  const message = `The query used to build \`${sinkName}\` must include the ${noun} ${what.join(' or ')} in its projection (eg, SELECT ${what[0]}...).`;
  return new PlanError(
    joinKey.synthetic
      ? `Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n${message}\n${joinKey.keyColumn} was added as a synthetic key column because the join criteria did not match any source column.`
      : message,
    query.pos,
  );
}
