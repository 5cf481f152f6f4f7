/** The row layout a source step produces (the source operator lays rows out the same way). */
import { orderedSchemaColumns } from '../common/schema.js';
import { SqlTypes } from '../common/sql-types.js';
import type { DataSource } from '../catalog/data-source.js';
import type { RowColumn } from '../catalog/query-plan.js';

/** Key, value and header columns, then ROWTIME, ROWPARTITION, ROWOFFSET, then window bounds if windowed. */
export function sourceRowColumns(source: Pick<DataSource, 'schema' | 'window'>, alias: string): RowColumn[] {
  const cols: RowColumn[] = orderedSchemaColumns(source.schema.columns).map((c) => ({ name: c.name, type: c.type, source: alias }));
  cols.push(
    { name: 'ROWTIME', type: SqlTypes.BIGINT, source: alias },
    { name: 'ROWPARTITION', type: SqlTypes.INTEGER, source: alias },
    { name: 'ROWOFFSET', type: SqlTypes.BIGINT, source: alias },
  );
  if (source.window)
    cols.push({ name: 'WINDOWSTART', type: SqlTypes.BIGINT, source: alias }, { name: 'WINDOWEND', type: SqlTypes.BIGINT, source: alias });
  return cols;
}

