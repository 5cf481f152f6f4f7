/**
 * StreamFlatMap: evaluates the table functions of a projection. Like ksqlDB, several table
 * functions are zipped: as many rows as the longest result, shorter ones padded with NULL.
 */
import type { FlatMapStep } from '../../catalog/query-plan.js';
import { resolveTableCall } from '../../expr/table-function-call.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';

export function buildFlatMap(step: FlatMapStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const fns = step.tableFunctions.map((call) => resolveTableCall(call, step.input.columns, ctx.registry, (e) => ctx.logError(step.id, e)).evaluate);
  const width = step.input.columns.length;
  return (rec) => {
    if (rec.tombstone) return;
    const results = fns.map((f) => f(rec.row) ?? []);
    const n = Math.max(0, ...results.map((r) => r.length));
    for (let i = 0; i < n; i++) {
      const row = rec.row.slice(0, width);
      for (const r of results) row.push(i < r.length ? r[i] : null);
      downstream({ ...rec, row });
    }
  };
}
