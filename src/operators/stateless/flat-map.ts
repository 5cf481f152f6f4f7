/**
 * StreamFlatMap: evaluates the table functions of a projection. Like ksqlDB, several table
 * functions are zipped: as many rows as the longest result, shorter ones padded with NULL.
 */
import type { FlatMapStep } from '../../catalog/query-plan.js';
import { resolveTableCall } from '../../expr/table-function-call.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';

export function buildFlatMap(step: FlatMapStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const fns = step.tableFunctions.map((call) => resolveTableCall(call, step.input.columns, ctx.registry, (e) => ctx.logError(step.id, e)).evaluate);
  const width = step.input.columns.length;
  const emit = async (rows: unknown[][], from: number, rec: StreamRecord, first: Promise<void>) => {
    await first;
    for (let i = from; i < rows.length; i++) await downstream({ ...rec, row: rows[i]! });
  };
  return (rec) => {
    if (rec.tombstone) return;
    const results = fns.map((f) => f(rec.row) ?? []);
    const n = Math.max(0, ...results.map((r) => r.length));
    const rows: unknown[][] = [];
    for (let i = 0; i < n; i++) {
      const row = rec.row.slice(0, width);
      for (const r of results) row.push(i < r.length ? r[i] : null);
      rows.push(row);
    }
    // stay synchronous until a downstream operator has to wait
    for (let i = 0; i < rows.length; i++) {
      const waiting = downstream({ ...rec, row: rows[i]! });
      if (waiting) return emit(rows, i + 1, rec, waiting);
    }
  };
}
