/**
 * The results API's shapes. A row is a plain object keyed by column name; values use the
 * engine's runtime representation (see README "Results API"): BIGINT -> bigint, DECIMAL ->
 * Decimal (decimal.js), BYTES -> Buffer, DATE -> days since epoch, TIME -> ms since midnight,
 * TIMESTAMP -> ms since epoch (number), ARRAY -> array, MAP -> Map, STRUCT -> plain object,
 * NULL -> null.
 */
import type { SqlType } from '../common/sql-types.js';

export interface ResultColumn {
  readonly name: string;
  readonly type: SqlType;
  /** pull queries on tables: the column is (part of) the table's key, window bounds included */
  readonly key?: boolean;
}

export type Row = Record<string, unknown>;

/** One result row with its values in column order; `tombstone` marks a table row's deletion. */
export interface RowChange {
  readonly values: readonly unknown[];
  readonly tombstone: boolean;
}

/**
 * A running push query: `columns` is known before the first row; iterate it for rows (as plain
 * objects) or `changes()` for values in column order with tombstones marked. Breaking out of the
 * loop (`return()`), `close()`, the abort signal or reaching LIMIT ends the query and frees its
 * task, topic and state.
 */
export interface PushQuery extends AsyncIterable<Row> {
  readonly queryId: string;
  readonly columns: readonly ResultColumn[];
  changes(): AsyncIterableIterator<RowChange>;
  /**
   * up to `max` further changes that are ready now, without waiting (they count toward LIMIT as
   * if taken by changes()), so a consumer can write them in one piece
   */
  takeReady(max: number): RowChange[];
  close(): Promise<void>;
  /** why the query ended: 'limit', 'closed' (return/close/abort) or 'failed' */
  readonly ended: Promise<'limit' | 'closed' | 'failed'>;
}

/** A pull query's complete answer. */
export interface PullResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly Row[];
  /** the rows' values in column order */
  readonly values: readonly (readonly unknown[])[];
}

export function toRow(columns: readonly ResultColumn[], values: readonly unknown[]): Row {
  const row: Row = {};
  columns.forEach((c, i) => (row[c.name] = values[i] ?? null));
  return row;
}

/**
 * The two iterators every push query offers, from its `next` (undefined at the end) and `close`:
 * changes() gives RowChanges, [Symbol.asyncIterator] gives Rows; leaving either early closes it.
 */
export function pushIterators(columns: () => readonly ResultColumn[], next: () => Promise<RowChange | undefined>, close: () => Promise<void>): Pick<PushQuery, 'changes' | typeof Symbol.asyncIterator> {
  const done = async (): Promise<IteratorResult<never>> => {
    await close();
    return { done: true, value: undefined };
  };
  const changes = (): AsyncIterableIterator<RowChange> => {
    const it: AsyncIterableIterator<RowChange> = {
      [Symbol.asyncIterator]: () => it,
      next: async () => {
        const r = await next();
        return r ? { done: false, value: r } : { done: true, value: undefined };
      },
      return: done,
    };
    return it;
  };
  return {
    changes,
    [Symbol.asyncIterator]: (): AsyncIterator<Row> => {
      const it = changes();
      return {
        next: async () => {
          const r = await it.next();
          return r.done ? { done: true, value: undefined } : { done: false, value: toRow(columns(), r.value.values) };
        },
        return: done,
      };
    },
  };
}
