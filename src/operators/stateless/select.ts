/** StreamSelect / TableSelect: computes the projection; a tombstone computes only its key columns. */
import type { SelectStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildSelect(step: SelectStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const fns = step.expressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const n = fns.length;
  const k = step.keyCount;
  return (rec) => {
    const input = rec.row;
    const row = new Array<unknown>(n);
    if (rec.tombstone) {
      for (let i = 0; i < k; i++) row[i] = fns[i]!(input);
      for (let i = k; i < n; i++) row[i] = null;
    } else for (let i = 0; i < n; i++) row[i] = fns[i]!(input);
    return downstream({ ...rec, row });
  };
}
