/**
 * Generic bottom-up rewriting and searching of expression trees. The replacer sees each node
 * before its children; returning a node replaces it (children are not visited further).
 */
import type { Expression, ExpressionKind } from '../sql/ast.js';

const EXPRESSION_KINDS: Record<ExpressionKind, true> = {
  NullLiteral: true, BooleanLiteral: true, IntegerLiteral: true, DecimalLiteral: true, DoubleLiteral: true,
  StringLiteral: true, ColumnRef: true, Dereference: true, Subscript: true, FunctionCall: true, IntervalUnit: true,
  Lambda: true, Negate: true, Not: true, Arithmetic: true, Concat: true, Comparison: true, DistinctFrom: true,
  Logical: true, IsNull: true, Like: true, Between: true, InList: true, SearchedCase: true, SimpleCase: true,
  Cast: true, ArrayConstructor: true, MapConstructor: true, StructConstructor: true,
};

export function isExpression(v: unknown): v is Expression {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind! in EXPRESSION_KINDS;
}

function mapValue(v: unknown, replace: (e: Expression) => Expression | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => mapValue(x, replace));
  if (isExpression(v)) return rewriteExpression(v, replace);
  if (typeof v === 'object' && v !== null && !('kind' in v)) {
    // helper records inside expressions: WHEN clauses, map entries, struct fields
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapValue(x, replace);
    return out;
  }
  return v;
}

export function rewriteExpression(e: Expression, replace: (e: Expression) => Expression | undefined): Expression {
  const replaced = replace(e);
  if (replaced) return replaced;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = k === 'pos' ? v : mapValue(v, replace);
  return out as unknown as Expression;
}

/** Every node in the tree, parents first. */
export function collectExpressions(e: Expression, pred: (e: Expression) => boolean): Expression[] {
  const found: Expression[] = [];
  rewriteExpression(e, (node) => {
    if (pred(node)) found.push(node);
    return undefined;
  });
  return found;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (k, x) => (k === 'pos' ? undefined : x));
}

/** Structural equality, ignoring source positions. */
export function sameExpression(a: Expression, b: Expression): boolean {
  return canonical(a) === canonical(b);
}
