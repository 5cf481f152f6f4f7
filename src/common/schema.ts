/**
 * A source's logical schema: key columns, value columns (some of which may be read from record
 * headers) in declaration order. Pseudo columns (ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART,
 * WINDOWEND) are not stored here; the planner adds them to expression scopes.
 */
import type { SqlType } from './sql-types.js';
import { formatSqlType } from './sql-types.js';

export type ColumnNamespace = 'KEY' | 'VALUE' | 'HEADERS' | 'HEADER';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  /** KEY, VALUE, HEADERS (all headers as ARRAY<STRUCT<KEY STRING, VALUE BYTES>>) or HEADER (one header's bytes) */
  readonly namespace: ColumnNamespace;
  readonly headerKey?: string;
}

export interface LogicalSchema {
  /** key columns, then value and header columns, in declaration order within each group */
  readonly columns: readonly Column[];
}

export function keyColumns(schema: LogicalSchema): Column[] {
  return schema.columns.filter((c) => c.namespace === 'KEY');
}

/** Key columns first, then the rest in declaration order: the order rows are laid out in. */
export function orderedSchemaColumns(columns: readonly Column[]): Column[] {
  return [...columns.filter((c) => c.namespace === 'KEY'), ...columns.filter((c) => c.namespace !== 'KEY')];
}

/** Columns stored in the record value (excludes key and header columns). */
export function valueColumns(schema: LogicalSchema): Column[] {
  return schema.columns.filter((c) => c.namespace === 'VALUE');
}

export function headerColumns(schema: LogicalSchema): Column[] {
  return schema.columns.filter((c) => c.namespace === 'HEADERS' || c.namespace === 'HEADER');
}

export function findColumn(schema: LogicalSchema, name: string): Column | undefined {
  return schema.columns.find((c) => c.name === name);
}

/** Quotes a name the way ksqlDB prints it in schemas: backquoted unless a plain upper-case identifier. */
export function quoteIdentifierIfNeeded(name: string): string {
  return /^[A-Z_][A-Z0-9_@]*$/.test(name) ? name : '`' + name.replace(/`/g, '``') + '`';
}

/** ksqlDB's schema text: `ID INTEGER KEY, NAME STRING` (tables say PRIMARY KEY), as in DESCRIBE and test `post` blocks. */
export function formatSchema(schema: LogicalSchema, options: { table?: boolean } = {}): string {
  return schema.columns
    .map((c) => {
      const suffix =
        c.namespace === 'KEY' ? (options.table ? ' PRIMARY KEY' : ' KEY') : c.namespace === 'HEADERS' ? ' HEADERS' : c.namespace === 'HEADER' ? ` HEADER('${c.headerKey}')` : '';
      return `${quoteIdentifierIfNeeded(c.name)} ${formatSqlType(c.type)}${suffix}`;
    })
    .join(', ');
}

/** The pseudo columns every source offers to expressions. */
export const PSEUDO_COLUMNS = ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET'] as const;
export const WINDOW_BOUNDS_COLUMNS = ['WINDOWSTART', 'WINDOWEND'] as const;
export const RESERVED_COLUMN_NAMES: ReadonlySet<string> = new Set([...PSEUDO_COLUMNS, ...WINDOW_BOUNDS_COLUMNS]);
