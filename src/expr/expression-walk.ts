/** Generic traversal of AST expressions, and detection of aggregate calls (which the planner extracts). */
import type { Expression, ExpressionKind, FunctionCall } from '../sql/ast.js';
import type { FunctionRegistry } from '../functions/registry.js';

const children: { [K in ExpressionKind]: (e: Extract<Expression, { kind: K }>) => readonly Expression[] } = {
  NullLiteral: () => [],
  BooleanLiteral: () => [],
  IntegerLiteral: () => [],
  DecimalLiteral: () => [],
  DoubleLiteral: () => [],
  StringLiteral: () => [],
  ColumnRef: () => [],
  Dereference: (e) => [e.base],
  Subscript: (e) => [e.base, e.index],
  FunctionCall: (e) => e.args,
  IntervalUnit: () => [],
  Lambda: (e) => [e.body],
  Negate: (e) => [e.operand],
  Not: (e) => [e.operand],
  Arithmetic: (e) => [e.left, e.right],
  Concat: (e) => [e.left, e.right],
  Comparison: (e) => [e.left, e.right],
  DistinctFrom: (e) => [e.left, e.right],
  Logical: (e) => [e.left, e.right],
  IsNull: (e) => [e.operand],
  Like: (e) => [e.operand, e.pattern],
  Between: (e) => [e.operand, e.low, e.high],
  InList: (e) => [e.operand, ...e.list],
  SearchedCase: (e) => [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])],
  SimpleCase: (e) => [e.operand, ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])],
  Cast: (e) => [e.operand],
  ArrayConstructor: (e) => e.elements,
  MapConstructor: (e) => e.entries.flatMap((x) => [x.key, x.value]),
  StructConstructor: (e) => e.fields.map((f) => f.value),
};

export function expressionChildren(e: Expression): readonly Expression[] {
  return (children[e.kind] as (x: Expression) => readonly Expression[])(e);
}

/** `e` with each direct child replaced by `f(child)` (the same object when nothing changed). */
export function mapChildren(e: Expression, f: (child: Expression) => Expression): Expression {
  switch (e.kind) {
    case 'Dereference':
      return { ...e, base: f(e.base) };
    case 'Subscript':
      return { ...e, base: f(e.base), index: f(e.index) };
    case 'FunctionCall':
      return { ...e, args: e.args.map(f) };
    case 'Lambda':
      return { ...e, body: f(e.body) };
    case 'Negate':
    case 'Not':
    case 'IsNull':
    case 'Cast':
      return { ...e, operand: f(e.operand) } as Expression;
    case 'Arithmetic':
    case 'Concat':
    case 'Comparison':
    case 'DistinctFrom':
    case 'Logical':
      return { ...e, left: f(e.left), right: f(e.right) } as Expression;
    case 'Like':
      return { ...e, operand: f(e.operand), pattern: f(e.pattern) };
    case 'Between':
      return { ...e, operand: f(e.operand), low: f(e.low), high: f(e.high) };
    case 'InList':
      return { ...e, operand: f(e.operand), list: e.list.map(f) };
    case 'SearchedCase':
      return { ...e, whens: e.whens.map((w) => ({ ...w, when: f(w.when), then: f(w.then) })), ...(e.else ? { else: f(e.else) } : {}) };
    case 'SimpleCase':
      return {
        ...e,
        operand: f(e.operand),
        whens: e.whens.map((w) => ({ ...w, when: f(w.when), then: f(w.then) })),
        ...(e.else ? { else: f(e.else) } : {}),
      };
    case 'ArrayConstructor':
      return { ...e, elements: e.elements.map(f) };
    case 'MapConstructor':
      return { ...e, entries: e.entries.map((x) => ({ ...x, key: f(x.key), value: f(x.value) })) };
    case 'StructConstructor':
      return { ...e, fields: e.fields.map((x) => ({ ...x, value: f(x.value) })) };
    default:
      return e;
  }
}

/** Outermost aggregate calls in `e`, left to right (arguments of an aggregate are not searched). */
export function findAggregateCalls(e: Expression, registry: FunctionRegistry): FunctionCall[] {
  const out: FunctionCall[] = [];
  const visit = (x: Expression) => {
    if (x.kind === 'FunctionCall' && registry.isAggregate(x.name)) out.push(x);
    else expressionChildren(x).forEach(visit);
  };
  visit(e);
  return out;
}

export function containsAggregateCall(e: Expression, registry: FunctionRegistry): boolean {
  return findAggregateCalls(e, registry).length > 0;
}

/** Outermost table function calls (EXPLODE, ...) in `e`. */
export function findTableFunctionCalls(e: Expression, registry: FunctionRegistry): FunctionCall[] {
  const out: FunctionCall[] = [];
  const visit = (x: Expression) => {
    if (x.kind === 'FunctionCall' && registry.isTable(x.name)) out.push(x);
    else expressionChildren(x).forEach(visit);
  };
  visit(e);
  return out;
}
