/**
 * Aggregate calls (COUNT, SUM, TOPK, user aggregates): resolved against the registry with their
 * per-record arguments typed in the input scope and their trailing literal (init) arguments
 * evaluated once. Used by the planner for types and checks and by the aggregate operator.
 */
import { TypeCheckError } from '../common/errors.js';
import type { SqlType } from '../common/sql-types.js';
import type { AggregateOverload, Aggregator } from '../functions/function-types.js';
import { initArgCount } from '../functions/resolve-overload.js';
import type { ArgShape, Resolution } from '../functions/resolve-overload.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Expression, FunctionCall } from '../sql/ast.js';
import { compileExpression } from './compile-expression.js';
import type { ErrorHandler } from './compile-expression.js';
import { evaluateConstant } from './evaluate-constant.js';
import { formatExpression } from './format-expression.js';
import { coerceTo, typeCheck } from './type-check.js';
import type { Scope, TypedExpression } from './typed-expression.js';

const LITERALS = new Set(['IntegerLiteral', 'DecimalLiteral', 'DoubleLiteral', 'StringLiteral', 'BooleanLiteral', 'NullLiteral']);

function isLiteral(e: Expression): boolean {
  return LITERALS.has(e.kind) || (e.kind === 'Negate' && LITERALS.has(e.operand.kind));
}

export interface ResolvedAggregateCall {
  readonly resolution: Resolution<AggregateOverload>;
  readonly returnType: SqlType;
  /** how many leading arguments are evaluated per record */
  readonly argCount: number;
  readonly initArgs: readonly unknown[];
  /** a fresh aggregator for this call */
  create(): Aggregator;
  /** evaluators for the per-record arguments */
  compileArgs(onError?: ErrorHandler): ((row: readonly unknown[]) => unknown)[];
}

export function resolveAggregateCall(call: FunctionCall, scope: Scope, registry: FunctionRegistry): ResolvedAggregateCall {
  const fn = registry.getAggregate(call.name);
  if (!fn) throw new TypeCheckError(`Can't find any functions with the name '${call.name}'`, call.pos);
  // trailing literals may be init arguments; the overload decides how many
  const typed: (TypedExpression | undefined)[] = call.args.map((a) => (a.kind === 'NullLiteral' ? undefined : typeCheck(a, scope, registry)));
  const shapes: ArgShape[] = typed.map((t) => (t ? { kind: 'type', type: t.type } : { kind: 'null' }));
  const resolution = registry.resolveAggregate(call.name, shapes);
  const initCount = initArgCount(resolution.overload, call.args.length);
  const argCount = call.args.length - initCount;
  const initArgs = call.args.slice(argCount).map((a, i) => {
    if (!isLiteral(a))
      throw new TypeCheckError(`Parameter ${i + argCount + 1} passed to function ${call.name} must be a literal constant, but was expression: '${formatExpression(a)}'`, a.pos);
    return evaluateConstant(a, registry, resolution.argTypes[argCount + i]);
  });
  const argTypes = resolution.argTypes.slice(0, argCount);
  return {
    resolution,
    returnType: resolution.returnType,
    argCount,
    initArgs,
    create: () => resolution.overload.create({ argTypes, returnType: resolution.returnType, initArgs }),
    compileArgs: (onError) =>
      typed.slice(0, argCount).map((t, i) =>
        compileExpression(t ? coerceTo(t, argTypes[i]!) : { kind: 'Literal', type: argTypes[i]!, value: null }, {
          text: formatExpression(call.args[i]!),
          ...(onError ? { onError } : {}),
        }),
      ),
  };
}
