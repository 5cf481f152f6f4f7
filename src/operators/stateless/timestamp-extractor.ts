/** The TIMESTAMP (and TIMESTAMP_FORMAT) source property: event time from a column. */
import type { RowColumn } from '../../catalog/query-plan.js';
import type { TimestampColumn } from '../../catalog/data-source.js';
import { ExecutionError } from '../../common/errors.js';
import { parseTimestamp } from '../../functions/scalar/datetime/java-date-format.js';

export function timestampExtractor(ts: TimestampColumn, columns: readonly RowColumn[]): (row: readonly unknown[]) => number {
  const index = columns.findIndex((c) => c.name === ts.column);
  if (index < 0) throw new ExecutionError(`Timestamp column ${ts.column} not found`);
  const type = columns[index]!.type.kind;
  const check = (ms: number): number => {
    if (!Number.isFinite(ms) || ms < 0) throw new ExecutionError(`Invalid timestamp ${ms} in column ${ts.column}: timestamps must be >= 0`);
    return ms;
  };
  if (type === 'STRING') {
    const pattern = ts.format ?? "yyyy-MM-dd'T'HH:mm:ss.SSS";
    return (row) => {
      const v = row[index];
      if (v === null || v === undefined) throw new ExecutionError(`Timestamp column ${ts.column} is null`);
      return check(parseTimestamp(v as string, pattern, 'UTC'));
    };
  }
  return (row) => {
    const v = row[index];
    if (v === null || v === undefined) throw new ExecutionError(`Timestamp column ${ts.column} is null`);
    return check(Number(v));
  };
}
