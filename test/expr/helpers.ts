/** Hand-built ASTs for expression tests (the parser is developed separately). */
import type { Expression, TypeNode, ComparisonOperator, ArithmeticOperator } from '../../src/sql/ast.js';
import type { SqlType } from '../../src/common/sql-types.js';
import { SqlTypes } from '../../src/common/sql-types.js';
import { FunctionRegistry } from '../../src/functions/registry.js';
import { p } from '../../src/functions/param-types.js';
import type { Scope } from '../../src/expr/index.js';
import { typeCheck, compileExpression, formatExpression } from '../../src/expr/index.js';

export const at = (column: number) => ({ pos: { line: 1, column, offset: column - 1 } });
export const int = (n: number | string): Expression => ({ kind: 'IntegerLiteral', text: String(n) });
export const dec = (text: string): Expression => ({ kind: 'DecimalLiteral', text });
export const dbl = (text: string): Expression => ({ kind: 'DoubleLiteral', text });
export const str = (value: string): Expression => ({ kind: 'StringLiteral', value });
export const bool = (value: boolean): Expression => ({ kind: 'BooleanLiteral', value });
export const nul: Expression = { kind: 'NullLiteral' };
export const col = (name: string, source?: string): Expression => ({ kind: 'ColumnRef', name, ...(source ? { source } : {}) });
export const arith = (op: ArithmeticOperator, left: Expression, right: Expression): Expression => ({ kind: 'Arithmetic', op, left, right });
export const cmp = (op: ComparisonOperator, left: Expression, right: Expression): Expression => ({ kind: 'Comparison', op, left, right });
export const and = (left: Expression, right: Expression): Expression => ({ kind: 'Logical', op: 'AND', left, right });
export const or = (left: Expression, right: Expression): Expression => ({ kind: 'Logical', op: 'OR', left, right });
export const not = (operand: Expression): Expression => ({ kind: 'Not', operand });
export const neg = (operand: Expression): Expression => ({ kind: 'Negate', operand });
export const call = (name: string, ...args: Expression[]): Expression => ({ kind: 'FunctionCall', name, args, distinct: false, star: false });
export const lambda = (params: string[], body: Expression): Expression => ({ kind: 'Lambda', params, body });
export const cast = (operand: Expression, type: TypeNode): Expression => ({ kind: 'Cast', operand, type });
export const arr = (...elements: Expression[]): Expression => ({ kind: 'ArrayConstructor', elements });
export const prim = (name: 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'STRING' | 'DATE' | 'TIME' | 'TIMESTAMP' | 'BYTES'): TypeNode => ({
  kind: 'PrimitiveType',
  name,
});
export const decType = (precision: number, scale: number): TypeNode => ({ kind: 'DecimalType', precision, scale });

/** A few functions in the style of the built-ins, for resolution tests. */
export function testRegistry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerScalar({
    name: 'ABS',
    category: 'MATHEMATICAL',
    description: 'absolute value',
    overloads: [
      { params: [p('INT')], returns: p('INT'), bind: () => (x: number | null) => (x === null ? null : Math.abs(x)) },
      { params: [p('BIGINT')], returns: p('BIGINT'), bind: () => (x: bigint | null) => (x === null ? null : x < 0n ? -x : x) },
      { params: [p('DOUBLE')], returns: p('DOUBLE'), bind: () => (x: number | null) => (x === null ? null : Math.abs(x)) },
      { params: [p('DECIMAL')], returns: (t) => t[0]!, bind: () => (x: any) => (x === null ? null : x.abs()) },
    ],
  });
  r.registerScalar({
    name: 'LEN',
    category: 'STRING',
    description: 'length',
    overloads: [{ params: [p('STRING')], returns: p('INT'), bind: () => (s: string | null) => (s === null ? null : s.length) }],
  });
  r.registerScalar({
    name: 'ROUNDISH',
    category: 'MATHEMATICAL',
    description: 'widening target test',
    overloads: [
      { params: [p('BIGINT')], returns: p('STRING'), bind: () => () => 'bigint' },
      { params: [p('DOUBLE')], returns: p('STRING'), bind: () => () => 'double' },
    ],
  });
  r.registerScalar({
    name: 'COALESCE',
    category: 'CONDITIONAL',
    description: 'first non-null',
    overloads: [{ params: [p('T')], variadic: true, returns: p('T'), bind: () => (...xs: unknown[]) => xs.find((x) => x !== null) ?? null }],
  });
  r.registerScalar({
    name: 'ARRAY_CONTAINS',
    category: 'ARRAY',
    description: 'contains',
    overloads: [
      {
        params: [p('ARRAY<T>'), p('T')],
        returns: p('BOOLEAN'),
        bind: () => (a: unknown[] | null, x: unknown) => (a === null ? false : a.some((y) => y === x)),
      },
    ],
  });
  r.registerScalar({
    name: 'TRANSFORM',
    category: 'LAMBDA',
    description: 'map elements',
    overloads: [
      {
        params: [p('ARRAY<T>'), p('LAMBDA<(T) => U>')],
        returns: p('ARRAY<U>'),
        bind: () => (a: unknown[] | null, f: (x: unknown) => unknown) => (a === null ? null : a.map((x) => f(x))),
      },
    ],
  });
  r.registerScalar({
    name: 'REDUCE',
    category: 'LAMBDA',
    description: 'fold',
    overloads: [
      {
        params: [p('ARRAY<T>'), p('S'), p('LAMBDA<(S, T) => S>')],
        returns: p('S'),
        bind: () => (a: unknown[] | null, s: unknown, f: (acc: unknown, x: unknown) => unknown) => (a === null ? null : a.reduce(f, s)),
      },
    ],
  });
  r.registerScalar({
    name: 'BOOM',
    category: 'OTHER',
    description: 'always throws',
    overloads: [{ params: [p('STRING')], returns: p('STRING'), bind: () => () => { throw new Error('boom'); } }],
  });
  r.registerScalar({
    name: 'PICK',
    category: 'OTHER',
    description: 'ambiguity test',
    overloads: [
      { params: [p('INT'), p('DOUBLE')], returns: p('STRING'), bind: () => () => 'a' },
      { params: [p('DOUBLE'), p('INT')], returns: p('STRING'), bind: () => () => 'b' },
    ],
  });
  r.registerScalar({
    name: 'VAR',
    category: 'OTHER',
    description: 'variadic vs fixed',
    overloads: [
      { params: [p('STRING')], variadic: true, returns: p('STRING'), bind: () => () => 'variadic' },
      { params: [p('STRING'), p('STRING')], returns: p('STRING'), bind: () => () => 'fixed' },
    ],
  });
  r.registerAggregate({
    name: 'SUM',
    description: 'sum',
    overloads: [{ params: [p('INT')], returns: p('INT'), create: () => ({ initial: () => 0, add: (a: any, x: any) => a + x[0], result: (a: any) => a }) }],
  });
  return r;
}

export const SCOPE: Scope = [
  { name: 'I', source: 'S', type: SqlTypes.INTEGER },
  { name: 'L', source: 'S', type: SqlTypes.BIGINT },
  { name: 'D', source: 'S', type: SqlTypes.DOUBLE },
  { name: 'S', source: 'S', type: SqlTypes.STRING },
  { name: 'B', source: 'S', type: SqlTypes.BOOLEAN },
  { name: 'M', source: 'S', type: SqlTypes.decimal(4, 2) },
  { name: 'A', source: 'S', type: SqlTypes.array(SqlTypes.INTEGER) },
  { name: 'MP', source: 'S', type: SqlTypes.map(SqlTypes.STRING, SqlTypes.INTEGER) },
  {
    name: 'ST',
    source: 'S',
    type: SqlTypes.struct([
      { name: 'F0', type: SqlTypes.INTEGER },
      { name: 'Inner', type: SqlTypes.struct([{ name: 'X', type: SqlTypes.STRING }]) },
    ]),
  },
  { name: 'TS', source: 'S', type: SqlTypes.TIMESTAMP },
];

export function evaluate(expr: Expression, row: readonly unknown[] = [], scope: Scope = SCOPE, errors: string[] = []): unknown {
  const typed = typeCheck(expr, scope, testRegistry());
  return compileExpression(typed, { text: formatExpression(expr), onError: (e, text) => errors.push(`${text}: ${e.message}`) })(row);
}

export function typeOf(expr: Expression, scope: Scope = SCOPE): SqlType {
  return typeCheck(expr, scope, testRegistry()).type;
}
