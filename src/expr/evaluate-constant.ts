/** Evaluates an expression that references no columns (INSERT VALUES, ASSERT VALUES). */
import type { SqlType } from '../common/sql-types.js';
import { formatSqlType } from '../common/sql-types.js';
import { ExecutionError, TypeCheckError } from '../common/errors.js';
import type { Expression } from '../sql/ast.js';
import { FunctionRegistry } from '../functions/registry.js';
import { typeCheck, type TypeCheckOptions } from './type-check.js';
import { compileExpression } from './compile-expression.js';
import { castValue, isCastSupported } from './cast-value.js';

const EMPTY_REGISTRY = new FunctionRegistry();

/**
 * The value of a constant expression, converted to `target` when given (a NULL literal is fine
 * then). Failures throw (TypeCheckError / ExecutionError) instead of yielding NULL.
 */
export function evaluateConstant(
  expr: Expression,
  registry: FunctionRegistry = EMPTY_REGISTRY,
  target?: SqlType,
  options?: TypeCheckOptions,
): unknown {
  if (expr.kind === 'NullLiteral' && target) return null;
  const typed = typeCheck(expr, [], registry, options);
  let failure: Error | undefined;
  const fn = compileExpression(typed, { onError: (e) => (failure ??= e) });
  const value = fn([]);
  if (failure) throw failure instanceof ExecutionError || failure instanceof TypeCheckError ? failure : new ExecutionError(failure.message, {}, { cause: failure });
  if (!target) return value;
  if (!isCastSupported(typed.type, target)) {
    throw new TypeCheckError(`Expected type ${formatSqlType(target)} but got ${formatSqlType(typed.type)}`, expr.pos);
  }
  return castValue(value, typed.type, target);
}
