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
  // the columns moved into the key: in a join, `PARTITION BY L.K` moves L's K, not R's
  const movedIntoKey = (c: RowColumn) =>
    partitionBy.some((e, i) => keyCols[i]!.name === c.name && !(e.kind === 'ColumnRef' && e.source && c.source && e.source !== c.source));
  const oldKeys = new Set(keyColumns(from.sources[0]!.source.schema).map((c) => c.name));
  const layout: (number | `key:${number}`)[] = keyCols.map((_, i) => `key:${i}` as const);
  const schema: RowColumn[] = [...keyCols];
  // value columns first (minus those moved into the key), then the old key columns, then pseudo columns
  const pseudo = (c: RowColumn) => RESERVED_COLUMN_NAMES.has(c.name) || c.name.startsWith('KSQL_SYNTH_');
  const rest = input.schema.map((c, i) => ({ c, i })).filter(({ c }) => !movedIntoKey(c));
  const ordered = from.joinKey
    ? joinedOrder(rest, from)
    : [...rest.filter(({ c }) => !oldKeys.has(c.name) && !pseudo(c)), ...rest.filter(({ c }) => oldKeys.has(c.name)), ...rest.filter(({ c }) => pseudo(c))];
  for (const { c, i } of ordered) {
    schema.push(c);
    layout.push(i);
  }
  return { kind: 'SelectKey', schema, input, keyExpressions: partitionBy, layout };
}

/**
 * A join re-keyed by PARTITION BY: ksqlDB's join rows hold each source's value columns, then its
 * pseudo columns (which become value columns here), then its key columns, source by source
 */
function joinedOrder<T extends { c: RowColumn }>(rest: readonly T[], from: FromPlan): T[] {
  const ordered: T[] = [];
  for (const s of from.sources) {
    const own = rest.filter(({ c }) => c.source === s.alias);
    const keys = new Set(keyColumns(s.source.schema).map((c) => c.name));
    const isPseudo = (c: RowColumn) => RESERVED_COLUMN_NAMES.has(c.name) && !keys.has(c.name);
    ordered.push(...own.filter(({ c }) => !keys.has(c.name) && !isPseudo(c)), ...own.filter(({ c }) => isPseudo(c)), ...own.filter(({ c }) => keys.has(c.name) && !isPseudo(c)));
  }
  // columns of no one source (a synthetic join key, KSQL_SYNTH_ columns) keep their place after
  ordered.push(...rest.filter(({ c }) => !from.sources.some((s) => s.alias === c.source)));
  return ordered;
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
