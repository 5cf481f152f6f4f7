/** StreamFilter drops rows whose predicate is not true; TableFilter turns them into deletes. */
import type { FilterStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildFilter(step: FilterStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const predicate = compileStepExpression(step.predicate, step.input.columns, ctx, step.id);
  if (step.kind === 'StreamFilter') {
    return (rec) => {
      if (rec.row && predicate(rec.row) === true) downstream(rec);
    };
  }
  const keyWidth = keyWidthOf(step);
  return (rec: StreamRecord) => {
    if (!rec.row || predicate(rec.row) === true) return downstream(rec);
    downstream({ ...rec, row: null, deletedKey: rec.row.slice(0, keyWidth) });
  };
}

/** Tables keep their key columns first in every row layout. */
function keyWidthOf(step: FilterStep): number {
  let s = step.input;
  while ('input' in s) s = s.input;
  return s.kind === 'TableSource' || s.kind === 'StreamSource' ? s.schema.columns.filter((c) => c.namespace === 'KEY').length : 0;
}
