/**
 * StreamFilter drops rows whose predicate is not true; TableFilter turns them into deletes.
 * A materialized TableFilter (HAVING) remembers which keys it let through, so it deletes only
 * rows that exist downstream, as Kafka Streams does for materialized tables.
 */
import type { FilterStep } from '../../catalog/query-plan.js';
import { encodeValue } from '../../common/value-codec.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildFilter(step: FilterStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  if (step.kind === 'StreamFilter') {
    const passes = streamFilterTest(step, ctx);
    return (rec) => {
      if (passes(rec.row, rec.tombstone === true)) return downstream(rec);
    };
  }
  const predicate = compileStepExpression(step.predicate, step.input.columns, ctx, step.id);
  if (!step.materialized) {
    return (rec) => {
      if (rec.tombstone || predicate(rec.row) === true) return downstream(rec);
      return downstream({ ...rec, tombstone: true });
    };
  }
  const k = step.materialized.keyCount;
  const present = ctx.keyValueStore<true>(step.id);
  const keyOf = (rec: StreamRecord) => encodeValue(rec.window ? [...rec.row.slice(0, k), rec.window.start, rec.window.end] : rec.row.slice(0, k));
  return async (rec) => {
    const key = keyOf(rec);
    if (!rec.tombstone && predicate(rec.row) === true) {
      present.put(key, true);
      return downstream(rec);
    }
    if (!(await present.get(key))) return;
    present.put(key, undefined);
    return downstream({ ...rec, tombstone: true });
  };
}

/** Whether StreamFilter passes a row on: a tombstone never, a row when its predicate is true. */
export function streamFilterTest(step: FilterStep, ctx: OperatorContext): (row: readonly unknown[], tombstone: boolean) => boolean {
  const predicate = compileStepExpression(step.predicate, step.input.columns, ctx, step.id);
  return (row, tombstone) => !tombstone && predicate(row) === true;
}
