/** Which join a pair of inputs makes (stream-stream, stream-table, table-table, foreign key), or why none. */
import { PlanError } from '../../common/errors.js';
import type { Expression, JoinRelation } from '../../sql/ast.js';
import type { FromPlan } from './build-from.js';
import { JOIN_TEXT, describeSide, isPrimaryKey, keySide, requirePrimaryKey } from './join-condition.js';
import type { JoinKind, SourceNode } from './logical-plan.js';

export function joinKindOf(left: FromPlan, right: SourceNode, leftKey: Expression, rightKey: Expression, rel: JoinRelation): JoinKind {
  const rightIsTable = right.source.sourceType === 'TABLE';
  if (!left.isTable && !rightIsTable) {
    if (!rel.within)
      throw new PlanError(
        'Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select',
        rel.pos,
      );
    return 'StreamStream';
  }
  const columns = [...left.node.schema, ...right.schema];
  if (!left.isTable) {
    if (rel.within)
      throw new PlanError(
        'A window definition was provided for a Stream-Table join. These joins are not windowed. Please drop the window definition (ie. the WITHIN clause) and try to execute your Stream-Table join again.',
        rel.within.pos,
      );
    if (rel.joinType === 'FULL' || rel.joinType === 'RIGHT')
      throw new PlanError(
        `Invalid join type: ${rel.joinType === 'FULL' ? 'full-outer' : 'right'} join not supported for stream-table join. Got ${describeSide(rel.left)} ${JOIN_TEXT[rel.joinType]} ${rel.right.name}.`,
        rel.pos,
      );
    requirePrimaryKey(rightKey, right, "stream-table joins require to join on the table's primary key", columns, rel);
    return 'StreamTable';
  }
  if (!rightIsTable)
    throw new PlanError(
      `Invalid join order: table-stream joins are not supported; only stream-table joins. Got ${keySide(leftKey, left.node.schema, rel.left)} ${JOIN_TEXT[rel.joinType]} ${rel.right.name}.`,
      rel.pos,
    );
  if (rel.within)
    throw new PlanError(
      'A window definition was provided for a Table-Table join. These joins are not windowed. Please drop the window definition (i.e. the WITHIN clause) and try to execute your Table-Table join again.',
      rel.within.pos,
    );
  requirePrimaryKey(rightKey, right, 'table-table joins require to join on the primary key of the right input table', columns, rel);
  if (left.node.kind !== 'Source' || isPrimaryKey(leftKey, left.sources[0]!)) return 'TableTable';
  // a foreign key: the left table's column(s) name the right table's primary key
  if (rel.joinType === 'RIGHT' || rel.joinType === 'FULL')
    throw new PlanError(`${rel.joinType === 'RIGHT' ? 'RIGHT' : 'FULL'} OUTER JOIN on a foreign key is not supported`, rel.pos);
  return 'ForeignKey';
}
