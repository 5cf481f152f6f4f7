/**
 * Type errors over a join's columns, worded as ksqlDB's: it names a join's columns ALIAS_COLUMN,
 * so its type errors do (`Cannot compare I1_BAR (INTEGER) to I2_BAR (STRING)`).
 */
import { TypeCheckError } from '../../common/errors.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import type { ColumnRef, Expression } from '../../sql/ast.js';
import { rewriteExpression } from '../rewrite-expression.js';

/** Runs `check`; on a type error, runs it again with the join's names to report it the same way. */
export function inJoinSchema<T>(e: Expression, cols: readonly RowColumn[], check: (e: Expression, cols: readonly RowColumn[]) => T): T {
  try {
    return check(e, cols);
  } catch (err) {
    if (!(err instanceof TypeCheckError) || /cannot be resolved/.test(err.message)) throw err;
    const renamedCols = cols.map((c) => (c.source ? { name: `${c.source}_${c.name}`, type: c.type } : c));
    try {
      check(renamed(e, cols), renamedCols);
    } catch (again) {
      if (again instanceof TypeCheckError) throw again;
    }
    throw err;
  }
}

/** Every column reference to a source's column, as ALIAS_COLUMN. */
function renamed(e: Expression, cols: readonly RowColumn[]): Expression {
  const joinName = (ref: ColumnRef): string | undefined => {
    const col = cols.find((c) => c.name === ref.name && c.source !== undefined && (!ref.source || c.source === ref.source));
    return col ? `${col.source}_${col.name}` : undefined;
  };
  return rewriteExpression(e, (x) => {
    if (x.kind !== 'ColumnRef') return undefined;
    const name = joinName(x);
    return name ? { kind: 'ColumnRef', name, ...(x.pos ? { pos: x.pos } : {}) } : undefined;
  });
}
