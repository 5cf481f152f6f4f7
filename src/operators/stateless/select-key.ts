/** StreamSelectKey (PARTITION BY): computes the new key and re-lays out the row. */
import type { SelectKeyStep } from '../../catalog/query-plan.js';
import { keyColumns } from '../../common/schema.js';
import { expressionChildren } from '../../expr/expression-walk.js';
import type { ColumnRef, Expression } from '../../sql/ast.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildSelectKey(step: SelectKeyStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const keyFns = step.keyExpressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const layout = step.layout.map((l) => (typeof l === 'number' ? l : -1 - Number(l.slice(4))));
  const keyOnly = step.keyExpressions.map((e) => readsOnlyKey(e, step));
  return (rec) => {
    const input = rec.row;
    // a tombstone has only its key, as in ksqlDB: a key expression reading any other column
    // (value, pseudo or header) fails there, and that new key column is NULL
    const keys = keyFns.map((f, i) => (rec.tombstone && !keyOnly[i] ? null : f(input)));
    const row = layout.map((l) => (l >= 0 ? input[l] : keys[-1 - l]));
    return downstream({ ...rec, row, nullKey: false });
  };
}

/** Whether `e` reads only the input's key columns (known when the input is a source, which alone passes tombstones on). */
function readsOnlyKey(e: Expression, step: SelectKeyStep): boolean {
  const input = step.input;
  if (input.kind !== 'StreamSource' && input.kind !== 'TableSource') return true;
  // a source's rows start with its key columns
  const keyCount = keyColumns(input.schema).length;
  const refs: ColumnRef[] = [];
  const walk = (x: Expression, lambdaParams: readonly string[]): void => {
    // a lambda's parameters are not columns
    if (x.kind === 'ColumnRef' && !(lambdaParams.includes(x.name) && !x.source)) refs.push(x);
    const inner = x.kind === 'Lambda' ? [...lambdaParams, ...x.params] : lambdaParams;
    for (const c of expressionChildren(x)) walk(c, inner);
  };
  walk(e, []);
  return refs.every((r) => {
    const i = input.columns.findIndex((c) => c.name === r.name && (!r.source || !c.source || c.source === r.source));
    return i >= 0 && i < keyCount;
  });
}
