/** Table functions in the projection become synthetic columns (KSQL_SYNTH_n) produced by a flat-map. */
import { PlanError } from '../../common/errors.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import { resolveTableCall } from '../../expr/table-function-call.js';
import type { FunctionCall } from '../../sql/ast.js';
import { rewriteExpression } from '../rewrite-expression.js';
import type { QueryContext } from '../plan-context.js';
import type { FromPlan } from './build-from.js';
import { columnRef, type SelectItem } from './expand-select.js';
import type { LogicalPlan } from './logical-plan.js';

export interface WithTableFunctions {
  readonly node: LogicalPlan;
  /** the projection, table-function calls replaced by their synthetic columns */
  readonly items: readonly SelectItem[];
}

export function buildFlatMap(qc: QueryContext, from: FromPlan): WithTableFunctions {
  const tableCalls: FunctionCall[] = [];
  const items: SelectItem[] = qc.query.select.map((item) => {
    if (item.kind !== 'SingleColumn') return item;
    const expression = rewriteExpression(item.expression, (e) => {
      if (e.kind !== 'FunctionCall' || !qc.registry.isTable(e.name)) return undefined;
      tableCalls.push(e);
      return columnRef(`KSQL_SYNTH_${tableCalls.length - 1}`);
    });
    // a bare table function call is named like the call itself would be
    return expression === item.expression || item.alias || item.expression.kind !== 'FunctionCall' ? { ...item, expression } : { ...item, expression, generatedName: true };
  });
  if (!tableCalls.length) return { node: from.node, items };
  if (from.isTable) throw new PlanError('Table source is not supported with table functions', tableCalls[0]!.pos);
  const input = from.node;
  const synth: RowColumn[] = tableCalls.map((call, i) => ({ name: `KSQL_SYNTH_${i}`, type: resolveTableCall(call, input.schema, qc.registry).returnType }));
  return { node: { kind: 'FlatMap', schema: [...input.schema, ...synth], input, tableFunctions: tableCalls }, items };
}
