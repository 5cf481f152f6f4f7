/** StreamSelect / TableSelect: computes the projection; a tombstone computes only its key columns. */
import type { SelectStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildSelect(step: SelectStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const project = projection(step, ctx);
  return (rec) => downstream(withRow(rec, project(rec.row, rec.tombstone === true)));
}

/** The select's output row for an input row (of a tombstone: only its key columns). */
export function projection(step: SelectStep, ctx: OperatorContext): (input: readonly unknown[], tombstone: boolean) => unknown[] {
  const fns = step.expressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const n = fns.length;
  const k = step.keyCount;
  return (input, tombstone) => {
    const row = new Array<unknown>(n);
    if (tombstone) {
      for (let i = 0; i < k; i++) row[i] = fns[i]!(input);
      for (let i = k; i < n; i++) row[i] = null;
    } else for (let i = 0; i < n; i++) row[i] = fns[i]!(input);
    return row;
  };
}

/** the record with another row; built field by field (an object spread is slow on this path) */
export function withRow(rec: StreamRecord, row: unknown[]): StreamRecord {
  const out: { -readonly [K in keyof StreamRecord]: StreamRecord[K] } = { row, timestamp: rec.timestamp, partition: rec.partition, offset: rec.offset, headers: rec.headers };
  if (rec.tombstone !== undefined) out.tombstone = rec.tombstone;
  if (rec.nullKey !== undefined) out.nullKey = rec.nullKey;
  if (rec.window !== undefined) out.window = rec.window;
  return out;
}
