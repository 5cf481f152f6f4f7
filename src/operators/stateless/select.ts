/** StreamSelect / TableSelect: computes the projection; a tombstone computes only its key columns. */
import type { SelectStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
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
    return downstream(withRow(rec, row));
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
