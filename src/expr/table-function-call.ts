/**
 * Table function calls (EXPLODE, CUBE_EXPLODE, user table functions): resolved against the
 * registry like scalar calls, but producing a list of values per row. Used by the planner for
 * the output column type and by the flat-map operator to evaluate.
 */
import { formatExpression } from './format-expression.js';
import type { SqlType } from '../common/sql-types.js';
import type { ArgShape } from '../functions/resolve-overload.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FunctionCall } from '../sql/ast.js';
import { compileExpression } from './compile-expression.js';
import type { ErrorHandler } from './compile-expression.js';
import { coerceTo, typeCheck } from './type-check.js';
import type { Scope } from './typed-expression.js';

export interface ResolvedTableCall {
  /** the type of one produced value */
  readonly returnType: SqlType;
  readonly evaluate: (row: readonly unknown[]) => readonly unknown[] | null;
}

export function resolveTableCall(call: FunctionCall, scope: Scope, registry: FunctionRegistry, onError?: ErrorHandler): ResolvedTableCall {
  const typedArgs = call.args.map((a) => (a.kind === 'NullLiteral' ? undefined : typeCheck(a, scope, registry)));
  const shapes: ArgShape[] = typedArgs.map((t) => (t ? { kind: 'type', type: t.type } : { kind: 'null' }));
  const resolution = registry.resolveTable(call.name, shapes);
  const args = typedArgs.map((t, i) =>
    compileExpression(t ? coerceTo(t, resolution.argTypes[i]!) : { kind: 'Literal', type: resolution.argTypes[i]!, value: null }, {
      text: formatExpression(call.args[i]!),
      ...(onError ? { onError } : {}),
    }),
  );
  const impl = resolution.overload.bind({ argTypes: resolution.argTypes, returnType: resolution.returnType });
  return {
    returnType: resolution.returnType,
    evaluate: (row) => {
      const values = args.map((a) => a(row));
      try {
        return impl(...values);
      } catch (e) {
        onError?.(e instanceof Error ? e : new Error(String(e)), call.name);
        return null;
      }
    },
  };
}
