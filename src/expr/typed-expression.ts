/**
 * The typed expression tree the type checker produces and the compiler consumes. Every node has its
 * resolved SQL type; implicit conversions are explicit Cast nodes; columns are resolved to their
 * index in the scope. It is recomputable from the AST and the scope, so plans can ship the AST.
 */
import type { SourcePosition } from '../common/errors.js';
import type { SqlType } from '../common/sql-types.js';
import type { ArithmeticOperator, ComparisonOperator, TimeUnit } from '../sql/ast.js';
import type { ScalarOverload } from '../functions/function-types.js';

interface TypedBase {
  readonly type: SqlType;
  readonly pos?: SourcePosition;
}

export type TypedExpression =
  | TypedLiteral
  | TypedColumn
  | TypedLambdaParam
  | TypedDereference
  | TypedSubscript
  | TypedCall
  | TypedLambda
  | TypedIntervalUnit
  | TypedNegate
  | TypedNot
  | TypedArithmetic
  | TypedConcat
  | TypedComparison
  | TypedDistinctFrom
  | TypedLogical
  | TypedIsNull
  | TypedLike
  | TypedBetween
  | TypedInList
  | TypedCase
  | TypedSimpleCase
  | TypedCast
  | TypedArray
  | TypedMap
  | TypedStruct;

export type TypedKind = TypedExpression['kind'];

/** A constant: its runtime value (null for a typed NULL). */
export interface TypedLiteral extends TypedBase { readonly kind: 'Literal'; readonly value: unknown }
/** Column `index` of the scope. */
export interface TypedColumn extends TypedBase {
  readonly kind: 'Column';
  readonly index: number;
  readonly name: string;
  readonly source?: string;
}
/** A parameter of the innermost enclosing lambda that declares `name`. */
export interface TypedLambdaParam extends TypedBase { readonly kind: 'LambdaParam'; readonly name: string }
export interface TypedDereference extends TypedBase { readonly kind: 'Dereference'; readonly base: TypedExpression; readonly field: string }
/** ARRAY (1-based, negative from the end) or MAP subscript. */
export interface TypedSubscript extends TypedBase {
  readonly kind: 'Subscript';
  readonly base: TypedExpression;
  readonly index: TypedExpression;
}
/** A scalar function call; args are already cast to the overload's parameter types. */
export interface TypedCall extends TypedBase {
  readonly kind: 'Call';
  readonly name: string;
  readonly args: readonly TypedExpression[];
  readonly argTypes: readonly SqlType[];
  readonly overload: ScalarOverload;
  /** the call as written, for processing-log messages */
  readonly text: string;
}
/** `type` is the type of the body. */
export interface TypedLambda extends TypedBase {
  readonly kind: 'Lambda';
  readonly params: readonly { readonly name: string; readonly type: SqlType }[];
  readonly body: TypedExpression;
}
/** A time unit argument; its value is the unit name (STRING). */
export interface TypedIntervalUnit extends TypedBase { readonly kind: 'IntervalUnit'; readonly unit: TimeUnit }
export interface TypedNegate extends TypedBase { readonly kind: 'Negate'; readonly operand: TypedExpression }
export interface TypedNot extends TypedBase { readonly kind: 'Not'; readonly operand: TypedExpression }
/**
 * Numeric arithmetic. Operands have the result type, except for DECIMAL where each operand is
 * some DECIMAL and the result is rounded to the result type.
 */
export interface TypedArithmetic extends TypedBase {
  readonly kind: 'Arithmetic';
  readonly op: ArithmeticOperator;
  readonly left: TypedExpression;
  readonly right: TypedExpression;
}
/** STRING or BYTES concatenation (`||`, or `+` on strings). */
export interface TypedConcat extends TypedBase { readonly kind: 'Concat'; readonly left: TypedExpression; readonly right: TypedExpression }
/** Both operands have the same type. */
export interface TypedComparison extends TypedBase {
  readonly kind: 'Comparison';
  readonly op: ComparisonOperator;
  readonly left: TypedExpression;
  readonly right: TypedExpression;
}
export interface TypedDistinctFrom extends TypedBase {
  readonly kind: 'DistinctFrom';
  readonly not: boolean;
  readonly left: TypedExpression;
  readonly right: TypedExpression;
}
export interface TypedLogical extends TypedBase {
  readonly kind: 'Logical';
  readonly op: 'AND' | 'OR';
  readonly left: TypedExpression;
  readonly right: TypedExpression;
}
export interface TypedIsNull extends TypedBase { readonly kind: 'IsNull'; readonly not: boolean; readonly operand: TypedExpression }
export interface TypedLike extends TypedBase {
  readonly kind: 'Like';
  readonly not: boolean;
  readonly operand: TypedExpression;
  readonly pattern: TypedExpression;
  readonly escape?: string;
}
/** operand, low and high share one type. */
export interface TypedBetween extends TypedBase {
  readonly kind: 'Between';
  readonly not: boolean;
  readonly operand: TypedExpression;
  readonly low: TypedExpression;
  readonly high: TypedExpression;
}
/** operand and list share one type. */
export interface TypedInList extends TypedBase {
  readonly kind: 'InList';
  readonly not: boolean;
  readonly operand: TypedExpression;
  readonly list: readonly TypedExpression[];
}
export interface TypedWhen { readonly when: TypedExpression; readonly then: TypedExpression }
/** Searched CASE; a missing ELSE is NULL. */
export interface TypedCase extends TypedBase {
  readonly kind: 'Case';
  readonly whens: readonly TypedWhen[];
  readonly else?: TypedExpression;
}
/** Simple CASE: operand and WHEN values share one type. */
export interface TypedSimpleCase extends TypedBase {
  readonly kind: 'SimpleCase';
  readonly operand: TypedExpression;
  readonly whens: readonly TypedWhen[];
  readonly else?: TypedExpression;
}
export interface TypedCast extends TypedBase { readonly kind: 'Cast'; readonly operand: TypedExpression }
export interface TypedArray extends TypedBase { readonly kind: 'Array'; readonly elements: readonly TypedExpression[] }
export interface TypedMap extends TypedBase {
  readonly kind: 'Map';
  readonly entries: readonly { readonly key: TypedExpression; readonly value: TypedExpression }[];
}
export interface TypedStruct extends TypedBase {
  readonly kind: 'Struct';
  readonly fields: readonly { readonly name: string; readonly value: TypedExpression }[];
}

/** A column visible to an expression; `source` is the relation name or alias that may qualify it. */
export interface ScopeColumn {
  readonly name: string;
  readonly source?: string;
  readonly type: SqlType;
}
export type Scope = readonly ScopeColumn[];
