/** StreamFilter drops rows whose predicate is not true; TableFilter turns them into deletes. */
import type { FilterStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildFilter(step: FilterStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const predicate = compileStepExpression(step.predicate, step.input.columns, ctx, step.id);
  if (step.kind === 'StreamFilter') {
    return (rec) => {
      if (!rec.tombstone && predicate(rec.row) === true) return downstream(rec);
    };
  }
  // a table row that stops matching must be deleted downstream, so it becomes a tombstone
  return (rec) => {
    if (rec.tombstone || predicate(rec.row) === true) return downstream(rec);
    return downstream({ ...rec, tombstone: true });
  };
}
