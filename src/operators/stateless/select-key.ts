/** StreamSelectKey (PARTITION BY): computes the new key and re-lays out the row. */
import type { SelectKeyStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildSelectKey(step: SelectKeyStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const keyFns = step.keyExpressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const layout = step.layout.map((l) => (typeof l === 'number' ? l : -1 - Number(l.slice(4))));
  return (rec) => {
    // a tombstone is re-keyed too: its key expressions see the key columns and NULL values
    const input = rec.row;
    const keys = keyFns.map((f) => f(input));
    const row = layout.map((l) => (l >= 0 ? input[l] : keys[-1 - l]));
    return downstream({ ...rec, row, nullKey: false });
  };
}
