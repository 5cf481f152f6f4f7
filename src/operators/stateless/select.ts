/** StreamSelect / TableSelect: computes the projection; deletes pass through with their key. */
import type { SelectStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildSelect(step: SelectStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const fns = step.expressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const n = fns.length;
  return (rec) => {
    const input = rec.row;
    if (!input) return downstream(rec);
    const row = new Array<unknown>(n);
    for (let i = 0; i < n; i++) row[i] = fns[i]!(input);
    downstream({ ...rec, row });
  };
}
