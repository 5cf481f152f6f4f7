/**
 * Rule: the parts of a WHERE over a stream-table join that read only the stream side's columns run
 * before the join, on the stream side, so a record they drop is never repartitioned, looked up or
 * joined (DataFusion's filter push-down). The WHERE is split at its top-level ANDs; each part moves
 * when:
 * - the join is a stream-table join (INNER or LEFT: the stream side is the preserved one, so a
 *   part over its columns alone keeps exactly the rows it kept above the join). Stream-stream joins
 *   keep their WHERE above them: every record moves the join's stream time, which decides what is
 *   late and when outer rows are emitted, so dropping records early would change results.
 * - every column it names resolves, in the join's row, to one column of the stream side, not a
 *   pseudo column (ROWTIME and the like may be read differently once repartitioned);
 * - it is made of parts that cannot fail at run time (column references, literals, comparisons,
 *   AND / OR / NOT, IS NULL, BETWEEN, IN, IS DISTINCT FROM), so records the join would have dropped
 *   raise no new processing errors; a string literal only next to STRING columns (no conversion).
 * The parts left, if any, stay above the join.
 */
import type { RowColumn } from '../../catalog/query-plan.js';
import { RESERVED_COLUMN_NAMES } from '../../common/schema.js';
import type { ColumnRef, Expression } from '../../sql/ast.js';
import type { FilterNode, JoinNode, LogicalPlan } from '../logical/logical-plan.js';
import { mapNodes } from '../logical/map-nodes.js';

/** the top-level AND-ed parts of a predicate, in order */
function conjuncts(e: Expression): Expression[] {
  return e.kind === 'Logical' && e.op === 'AND' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function allOf(parts: readonly Expression[]): Expression {
  return parts.reduce((left, right) => ({ kind: 'Logical', op: 'AND', left, right }));
}

/** the index in `schema` a reference resolves to (as the type checker resolves it), or undefined */
function resolve(ref: ColumnRef, schema: readonly RowColumn[]): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < schema.length; i++) {
    const c = schema[i]!;
    if (c.name !== ref.name || (ref.source !== undefined && c.source !== ref.source)) continue;
    if (found !== undefined) return undefined;
    found = i;
  }
  return found;
}

/**
 * whether `e` reads only the columns of `schema` from `from` on that are `side`'s, named as there
 * (a chain of joins renames its inner join key), with nothing that may fail
 */
function readsOnly(e: Expression, schema: readonly RowColumn[], from: number, side: readonly RowColumn[]): boolean {
  let strings = false;
  let allStringColumns = true;
  const ok = (x: Expression): boolean => {
    switch (x.kind) {
      case 'ColumnRef': {
        if (RESERVED_COLUMN_NAMES.has(x.name)) return false;
        const i = resolve(x, schema);
        if (i === undefined || i < from || i >= from + side.length || side[i - from]!.name !== x.name) return false;
        if (schema[i]!.type.kind !== 'STRING') allStringColumns = false;
        return true;
      }
      case 'NullLiteral':
      case 'BooleanLiteral':
      case 'IntegerLiteral':
      case 'DecimalLiteral':
      case 'DoubleLiteral':
        return true;
      case 'StringLiteral':
        strings = true;
        return true;
      case 'Comparison':
      case 'DistinctFrom':
      case 'Logical':
        return ok(x.left) && ok(x.right);
      case 'Not':
      case 'IsNull':
        return ok(x.operand);
      case 'Between':
        return ok(x.operand) && ok(x.low) && ok(x.high);
      case 'InList':
        return ok(x.operand) && x.list.every(ok);
      default:
        return false;
    }
  };
  return ok(e) && (!strings || allStringColumns);
}

function pushDown(filter: FilterNode): LogicalPlan {
  const join = filter.input;
  if (filter.clause !== 'WHERE' || join.kind !== 'Join') return filter;
  if (join.joinKind !== 'StreamTable' || (join.joinType !== 'INNER' && join.joinType !== 'LEFT')) return filter;
  // the join's row: the join key, the left (stream) columns, the right (table) columns
  const parts = conjuncts(filter.predicate);
  const moved = parts.filter((p) => readsOnly(p, join.schema, 1, join.left.schema));
  if (!moved.length) return filter;
  const left: FilterNode = { kind: 'Filter', schema: join.left.schema, clause: 'WHERE', input: join.left, predicate: allOf(moved) };
  const pushed: JoinNode = { ...join, left };
  const kept = parts.filter((p) => !moved.includes(p));
  return kept.length ? { ...filter, input: pushed, predicate: allOf(kept) } : pushed;
}

export function pushDownFilterRule(plan: LogicalPlan): LogicalPlan {
  return mapNodes(plan, 'Filter', pushDown);
}
