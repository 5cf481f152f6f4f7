/**
 * Push-query rows as response text, encoded once per row: subscribers of a shared scan receive the
 * same RowChange object, so 200 clients of one query cost one encoding per row, not 200.
 */
import type { RowChange } from '../index.js';
import { jsonText, rowJson } from './json-body.js';

const columnsJson = new WeakMap<RowChange, string>();

/** `[v1, v2, ...]`: a /query-stream row */
export function rowColumnsJson(change: RowChange): string {
  let text = columnsJson.get(change);
  if (text === undefined) columnsJson.set(change, (text = jsonText(rowJson(change.values))));
  return text;
}

/** `{"row":{"columns":[...]}}` (and `"tombstone":true` where one is shown): a /query and websocket row */
export function rowObjectJson(change: RowChange, showTombstone: boolean): string {
  const columns = rowColumnsJson(change);
  return showTombstone && change.tombstone ? `{"row":{"columns":${columns},"tombstone":true}}` : `{"row":{"columns":${columns}}}`;
}

/** how many ready rows a push response writes together */
export const ROWS_PER_WRITE = 500;

/**
 * The text of consecutive rows, each as `row(change)` behind `separator`. Subscribers of a shared
 * scan that take the same run of rows (same first row, same count) share one text.
 */
const runs = new WeakMap<RowChange, Map<string, string>>();

export function encodeRun(rows: readonly RowChange[], variant: string, row: (change: RowChange) => string, separator: string, terminator = ''): string {
  const first = rows[0];
  if (!first) return '';
  const key = `${variant}\u0000${rows.length}`;
  let byKey = runs.get(first);
  const cached = byKey?.get(key);
  if (cached !== undefined) return cached;
  let text = '';
  for (const change of rows) text += `${separator}${row(change)}${terminator}`;
  if (!byKey) runs.set(first, (byKey = new Map()));
  byKey.set(key, text);
  return text;
}
