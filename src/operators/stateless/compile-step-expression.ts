/** Compiles an expression of a step against its input's row layout, logging per-record failures. */
import type { RowColumn } from '../../catalog/query-plan.js';
import { compileExpression, formatExpression, typeCheck } from '../../expr/index.js';
import type { Expression } from '../../sql/ast.js';
import type { OperatorContext } from '../../runtime/processor.js';

export type RowFunction = (row: readonly unknown[]) => unknown;

export function compileStepExpression(expr: Expression, columns: readonly RowColumn[], ctx: OperatorContext, stepId: string): RowFunction {
  const typed = typeCheck(expr, columns, ctx.registry);
  return compileExpression(typed, { text: formatExpression(expr), onError: (error: unknown) => ctx.logError(stepId, error) });
}
