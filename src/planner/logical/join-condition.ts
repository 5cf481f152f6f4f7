/**
 * A join's `ON left = right`: which side each operand reads, whether it names a primary key, and
 * how ksqlDB prints conditions and join types in its errors.
 */
import { PlanError } from '../../common/errors.js';
import { keyColumns } from '../../common/schema.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import { formatExpression } from '../../expr/index.js';
import type { ColumnRef, Expression, JoinRelation, Relation } from '../../sql/ast.js';
import { collectExpressions, rewriteExpression } from '../rewrite-expression.js';
import type { SourceNode } from './logical-plan.js';

/** how ksqlDB spells join types in errors */
export const JOIN_TEXT: Record<JoinRelation['joinType'], string> = {
  INNER: '[INNER] JOIN',
  LEFT: 'LEFT [OUTER] JOIN',
  RIGHT: 'RIGHT [OUTER] JOIN',
  FULL: '[FULL] OUTER JOIN',
};

/** the right-most source of a relation: what ksqlDB names as the left side in join errors */
export function describeSide(r: Relation): string {
  return r.kind === 'SourceRelation' ? r.name : r.right.name;
}

/** The left side of a join as ksqlDB names it in errors: the source its join column comes from. */
export function keySide(leftKey: Expression, cols: readonly RowColumn[], left: Relation): string {
  const qualified = qualifyAll(leftKey, cols);
  return (qualified.kind === 'ColumnRef' ? qualified.source : undefined) ?? describeSide(left);
}

/** every column reference qualified by its source, as ksqlDB prints join conditions */
export function qualifyAll(e: Expression, cols: readonly RowColumn[]): Expression {
  return rewriteExpression(e, (x) => (x.kind === 'ColumnRef' && !x.source ? qualify(x, cols, []) : undefined));
}

export function sameColumn(a: ColumnRef, b: ColumnRef): boolean {
  return a.name === b.name && a.source === b.source;
}

export function isPrimaryKey(e: Expression, side: SourceNode): boolean {
  const keys = keyColumns(side.source.schema);
  return e.kind === 'ColumnRef' && keys.length === 1 && keys[0]!.name === e.name && (!e.source || e.source === side.alias);
}

export function requirePrimaryKey(rightKey: Expression, right: SourceNode, what: string, columns: readonly RowColumn[], rel: JoinRelation): void {
  if (isPrimaryKey(rightKey, right)) return;
  // the condition as written, every column qualified
  const on = rel.on.kind === 'Comparison' ? rel.on : undefined;
  const shown = on ? `${formatExpression(qualifyAll(on.left, columns))} = ${formatExpression(qualifyAll(on.right, columns))}` : formatExpression(rel.on);
  throw new PlanError(`Invalid join condition: ${what}. Got ${shown}.`, rel.on.pos);
}

/** The column's qualified form, resolving an unqualified name against the side it belongs to. */
export function qualify(e: ColumnRef, left: readonly RowColumn[], right: readonly RowColumn[]): ColumnRef {
  if (e.source) return e;
  const c = [...left, ...right].find((x) => x.name === e.name && x.source);
  return c ? { ...e, source: c.source! } : e;
}

type Side = 'left' | 'right' | 'none' | 'both';

/** Splits `ON a = b` into the left input's expression and the right input's. */
export function splitCondition(rel: JoinRelation, left: readonly RowColumn[], right: readonly RowColumn[]): { leftKey: Expression; rightKey: Expression } {
  const on = rel.on;
  const text = formatExpression(on);
  if (on.kind === 'Logical' && on.op === 'AND') throw new PlanError(`Invalid join condition: joins on multiple conditions are not yet supported. Got ${text}.`, on.pos);
  if (on.kind !== 'Comparison' || on.op !== '=')
    throw new PlanError(`Unsupported join expression: ${text}. Only equi-joins (a = b) are supported.`, on.pos);
  const a = sideOf(on.left, left, right);
  const b = sideOf(on.right, left, right);
  const invalid = (e: Expression) =>
    new PlanError(
      `Invalid comparison expression '${formatExpression(e)}' in join '${text}'. Each side of the join comparision must contain references from exactly one source.`,
      on.pos,
    );
  if (a === 'none' || a === 'both') throw invalid(on.left);
  if (b === 'none' || b === 'both') throw invalid(on.right);
  if (a === b) throw new PlanError(`Invalid join criteria ${text}. Could not find a join criteria operand for ${rel.right.alias ?? rel.right.name}.`, on.pos);
  return a === 'left' ? { leftKey: on.left, rightKey: on.right } : { leftKey: on.right, rightKey: on.left };
}

/** Which input an operand's columns come from (unknown columns are errors). */
function sideOf(e: Expression, left: readonly RowColumn[], right: readonly RowColumn[]): Side {
  const refs = collectExpressions(e, (x) => x.kind === 'ColumnRef') as ColumnRef[];
  if (!refs.length) return 'none';
  let inLeft = false;
  let inRight = false;
  for (const r of refs) {
    const l = resolves(r, left);
    const rr = resolves(r, right);
    if (!l && !rr) {
      if (r.source && ![...left, ...right].some((c) => c.source === r.source))
        throw new PlanError(`Failed to prepare statement: '${r.source}' is not a valid stream/table name or alias.`, r.pos);
      throw new PlanError(`JOIN ON column '${r.source ? `${r.source}.` : ''}${r.name}' cannot be resolved.`, r.pos);
    }
    inLeft ||= l;
    inRight ||= rr && !l;
  }
  return inLeft && inRight ? 'both' : inLeft ? 'left' : 'right';
}

function resolves(r: ColumnRef, cols: readonly RowColumn[]): boolean {
  return cols.some((c) => c.name === r.name && (!r.source || c.source === r.source));
}
