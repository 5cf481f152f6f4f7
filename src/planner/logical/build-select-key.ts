/** PARTITION BY: new key columns; the old key moves into the value. PARTITION BY NULL drops the key. */
import { PlanError, TypeCheckError } from '../../common/errors.js';
import { RESERVED_COLUMN_NAMES, keyColumns } from '../../common/schema.js';
import type { SqlType } from '../../common/sql-types.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import type { Expression } from '../../sql/ast.js';
import type { QueryContext } from '../plan-context.js';
import type { FromPlan } from './build-from.js';
import { assertNoAggregates } from './build-filter.js';
import type { LogicalPlan, SelectKeyNode } from './logical-plan.js';

export function buildSelectKey(qc: QueryContext, partitionBy: readonly Expression[], input: LogicalPlan, from: FromPlan): SelectKeyNode {
  const alias = from.sources[0]!.alias;
  let generated = 0;
  const keyCols: RowColumn[] = partitionBy.map((e) => {
    assertNoAggregates(qc, e, 'PARTITION BY');
    const name = e.kind === 'ColumnRef' ? e.name : e.kind === 'Dereference' ? e.field : `KSQL_COL_${generated++}`;
    return { name, type: partitionKeyType(qc, e, input.schema), source: alias };
  });
  const keyNames = new Set(keyCols.map((c) => c.name));
  const oldKeys = new Set(keyColumns(from.sources[0]!.source.schema).map((c) => c.name));
  const layout: (number | `key:${number}`)[] = keyCols.map((_, i) => `key:${i}` as const);
  const schema: RowColumn[] = [...keyCols];
  // value columns first (minus those moved into the key), then the old key columns, then pseudo columns
  const pseudo = (c: RowColumn) => RESERVED_COLUMN_NAMES.has(c.name) || c.name.startsWith('KSQL_SYNTH_');
  const rest = input.schema.map((c, i) => ({ c, i })).filter(({ c }) => !keyNames.has(c.name));
  const ordered = [
    ...rest.filter(({ c }) => !oldKeys.has(c.name) && !pseudo(c)),
    ...rest.filter(({ c }) => oldKeys.has(c.name)),
    ...rest.filter(({ c }) => pseudo(c)),
  ];
  for (const { c, i } of ordered) {
    schema.push(c);
    layout.push(i);
  }
  return { kind: 'SelectKey', schema, input, keyExpressions: partitionBy, layout };
}

/** An unknown column is reported as ksqlDB words it for PARTITION BY. */
function partitionKeyType(qc: QueryContext, e: Expression, columns: readonly RowColumn[]): SqlType {
  try {
    return qc.typeOf(e, columns);
  } catch (err) {
    const unresolved = err instanceof TypeCheckError ? /^Column '([^']+)' cannot be resolved/.exec(err.detail) : null;
    if (!unresolved) throw err;
    throw new PlanError(
      `PARTITION BY column '${unresolved[1]}' cannot be resolved. '${unresolved[1]}' must be a column in the source schema since PARTITION BY is applied on the input.`,
      e.pos,
    );
  }
}
