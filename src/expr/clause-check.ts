/**
 * Type checking of whole clauses, with ksqlDB's error wording for each:
 *
 * - WHERE / HAVING conditions: the condition is first rewritten for "magic timestamps" (a string
 *   literal compared with ROWTIME, WINDOWSTART or WINDOWEND is read as a timestamp, see
 *   magic-timestamps.ts); errors found while typing it read "Error in WHERE expression: ...",
 *   a non-boolean condition "Type error in WHERE expression: Should evaluate to boolean but is
 *   <expr> (<type>) instead.", and errors ksqlDB finds only when generating code (IN lists, casts)
 *   "Invalid Predicate: ...".
 * - SELECT expressions: code-generation errors read "Invalid Select: ...".
 *
 * Unknown columns are reported unchanged: ksqlDB finds them before typing, and callers name the
 * clause ("WHERE column 'X' cannot be resolved.").
 */
import type { SqlType } from '../common/sql-types.js';
import { formatSqlType } from '../common/sql-types.js';
import { TypeCheckError } from '../common/errors.js';
import type { Expression } from '../sql/ast.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Scope, TypedExpression } from './typed-expression.js';
import { typeCheck, type TypeCheckOptions } from './type-check.js';
import { CodegenError } from './codegen-error.js';
import { formatExpression } from './format-expression.js';
import { rewriteMagicTimestamps } from './magic-timestamps.js';

export type FilterClause = 'WHERE' | 'HAVING';

const UNKNOWN_COLUMN = /^Column '[^']*' cannot be resolved/;

function rethrow(err: unknown, prefixFor: (e: TypeCheckError) => string | undefined): never {
  if (err instanceof TypeCheckError && !UNKNOWN_COLUMN.test(err.message)) {
    const prefix = prefixFor(err);
    if (prefix !== undefined) {
      const Ctor = err instanceof CodegenError ? CodegenError : TypeCheckError;
      throw new Ctor(prefix + err.message, err.position, err.expression);
    }
  }
  throw err;
}

export interface CheckedFilter {
  /** the condition as it must be evaluated (magic timestamps rewritten); store this one */
  readonly expression: Expression;
  readonly typed: TypedExpression;
}

/** Type-checks a WHERE / HAVING condition as ksqlDB does (see the module comment). */
export function typeCheckFilter(
  expr: Expression,
  scope: Scope,
  registry: FunctionRegistry,
  clause: FilterClause,
  options: TypeCheckOptions = {},
): CheckedFilter {
  const expression = rewriteMagicTimestamps(expr);
  let typed: TypedExpression;
  try {
    typed = typeCheck(expression, scope, registry, options);
  } catch (err) {
    rethrow(err, (e) => (e instanceof CodegenError ? 'Invalid Predicate: ' : `Error in ${clause} expression: `));
  }
  if (typed.type.kind !== 'BOOLEAN') throw notBoolean(expr, typed.type, clause);
  return { expression, typed };
}

function notBoolean(expr: Expression, type: SqlType, clause: FilterClause): TypeCheckError {
  return new TypeCheckError(
    `Type error in ${clause} expression: Should evaluate to boolean but is ${formatExpression(expr)} (${formatSqlType(type)}) instead.`,
    expr.pos,
    formatExpression(expr),
  );
}

/** Type-checks a projected expression: errors ksqlDB finds while generating code read "Invalid Select: ...". */
export function typeCheckSelect(expr: Expression, scope: Scope, registry: FunctionRegistry, options: TypeCheckOptions = {}): TypedExpression {
  try {
    return typeCheck(expr, scope, registry, options);
  } catch (err) {
    rethrow(err, (e) => (e instanceof CodegenError ? 'Invalid Select: ' : undefined));
  }
}
