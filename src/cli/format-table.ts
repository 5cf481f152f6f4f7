/** Renders a result table as aligned text lines. */
import type { ResultTable } from '../index.js';

export function formatTable(table: ResultTable): string[] {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => ' ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  const rule = '-'.repeat(widths.reduce((a, w) => a + w + 3, 0));
  return [rule, line(table.columns), rule, ...table.rows.map(line), rule];
}
