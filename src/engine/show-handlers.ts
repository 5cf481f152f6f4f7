/** SHOW / LIST / DESCRIBE: catalog listings as result tables. */
import { CatalogError } from '../common/errors.js';
import { formatSchema, quoteIdentifierIfNeeded } from '../common/schema.js';
import { formatSqlType } from '../common/sql-types.js';
import type { DataSource } from '../catalog/data-source.js';
import { showConnectors } from './connector-handlers.js';
import type { Describe, DescribeFunction, Show, ShowTarget } from '../sql/ast.js';
import type { HandlerContext } from './handler-context.js';
import type { ResultTable, StatementResult } from './statement-result.js';

/** The properties the engine reads, with the value in force when a session does not SET them. */
export const KNOWN_PROPERTIES: Readonly<Record<string, string>> = {
  'auto.offset.reset': 'latest',
  'ksql.persistence.default.format.key': 'KAFKA',
  'ksql.persistence.default.format.value': '',
  'ksql.persistence.wrap.single.values': '',
  'ksql.output.topic.name.prefix': '',
  'ksql.new.query.planner.enabled': 'false',
};

const sourceRow = (s: DataSource) => [s.name, s.topic, s.keyFormat.format, s.valueFormat.format, s.window ? 'true' : 'false'];

const shows: Record<ShowTarget, (stmt: Show, ctx: HandlerContext) => Promise<ResultTable>> = {
  STREAMS: async (_s, ctx) => ({
    columns: ['Stream Name', 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'],
    rows: ctx.engine.catalog().listSources().filter((s) => s.sourceType === 'STREAM').map(sourceRow),
  }),
  TABLES: async (_s, ctx) => ({
    columns: ['Table Name', 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'],
    rows: ctx.engine.catalog().listSources().filter((s) => s.sourceType === 'TABLE').map(sourceRow),
  }),
  TOPICS: async (s, ctx) => {
    const log = ctx.engine.log();
    const names = (await log.listTopics()).filter((t) => s.all || !t.startsWith('_')).sort();
    const rows: string[][] = [];
    for (const t of names) rows.push([t, String((await log.describeTopic(t)).partitions.length)]);
    return { columns: ['Kafka Topic', 'Partitions'], rows };
  },
  QUERIES: async (_s, ctx) => ({
    columns: ['Query ID', 'Status', 'Sink Name', 'Query String', 'Error'],
    rows: [...ctx.engine.catalog().queries.values()].map((q) => {
      // a query stopped by a failure is in ERROR, with the error, until restarted (RESUME) or terminated
      const failure = ctx.engine.queryFailure(q.id);
      return [q.id, failure ? 'ERROR' : q.state, q.sink, q.sql, failure?.message ?? ''];
    }),
  }),
  FUNCTIONS: async (_s, ctx) => ({
    columns: ['Function Name', 'Category'],
    rows: ctx.engine.registry().list().map((f) => [f.name, f.category]),
  }),
  PROPERTIES: async (_s, ctx) => {
    const session = ctx.engine.config();
    const names = [...new Set([...Object.keys(KNOWN_PROPERTIES), ...session.keys()])].sort();
    return {
      columns: ['Property', 'Scope', 'Default override', 'Effective Value'],
      rows: names.map((n) => [n, n.startsWith('ksql.') && !n.startsWith('ksql.streams.') ? 'KSQL' : 'STREAMS', session.has(n) ? 'SESSION' : '', session.get(n) ?? KNOWN_PROPERTIES[n] ?? '']),
    };
  },
  TYPES: async (_s, ctx) => ({
    columns: ['Type Name', 'Schema'],
    rows: ctx.engine.catalog().listTypes().map(([n, t]) => [n, formatSqlType(t)]),
  }),
  VARIABLES: async (_s, ctx) => ({
    columns: ['Variable Name', 'Value'],
    rows: [...ctx.engine.variables().entries()].sort(([a], [b]) => a.localeCompare(b)),
  }),
  CONNECTORS: async (stmt, ctx) => (await showConnectors(stmt, ctx)).table,
};

export async function show(stmt: Show, ctx: HandlerContext): Promise<StatementResult> {
  if (stmt.target === 'CONNECTORS') {
    const { table, entity } = await showConnectors(stmt, ctx);
    return { kind: stmt.kind, statement: ctx.text, message: `${table.rows.length} connectors`, table, entity };
  }
  const table = await shows[stmt.target](stmt, ctx);
  return { kind: stmt.kind, statement: ctx.text, message: `${table.rows.length} ${stmt.target.toLowerCase()}`, table };
}

export async function describe(stmt: Describe, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  if (stmt.target.kind === 'All') {
    const type = stmt.target.sourceType;
    const lines = catalog.listSources().filter((s) => s.sourceType === type).map((s) => describeSource(s, stmt.extended, ctx));
    return { kind: stmt.kind, statement: ctx.text, message: lines.join('\n\n') };
  }
  const source = catalog.getSource(stmt.target.name);
  if (!source) throw new CatalogError(`Could not find STREAM/TABLE '${stmt.target.name}' in the Metastore`, stmt.pos);
  // the schema is in the message (ksqlDB's layout); no table, so a client shows it once
  return { kind: stmt.kind, statement: ctx.text, message: describeSource(source, stmt.extended, ctx) };
}

function describeSource(s: DataSource, extended: boolean, ctx: HandlerContext): string {
  const width = Math.max(5, ...s.schema.columns.map((c) => quoteIdentifierIfNeeded(c.name).length));
  // ksqlDB's CLI marks the key columns of a windowed source with the window type
  const windowNote = s.window ? ` (Window type: ${s.window.type})` : '';
  const lines = [
    `Name                 : ${s.name}`,
    ` Field${' '.repeat(width - 4)}| Type`,
    '-'.repeat(width + 30),
    ...s.schema.columns.map(
      (c) =>
        ` ${quoteIdentifierIfNeeded(c.name).padEnd(width)} | ${formatSqlType(c.type)}${c.namespace === 'KEY' ? (s.sourceType === 'TABLE' ? '          (primary key)' : '          (key)') + windowNote : c.namespace === 'HEADERS' ? '          (headers)' : c.namespace === 'HEADER' ? `          (header('${c.headerKey}'))` : ''}`,
    ),
    '-'.repeat(width + 30),
  ];
  if (!extended) lines.push('For runtime statistics and query details run: DESCRIBE <Stream,Table> EXTENDED;');
  if (extended) {
    const writers = ctx.engine.catalog().writersOf(s.name);
    const readers = ctx.engine.catalog().readersOf(s.name);
    lines.push(
      `Type                 : ${s.sourceType}`,
      `Timestamp field      : ${s.timestamp?.column ?? 'Not set - using <ROWTIME>'}`,
      `Key format           : ${s.keyFormat.format}`,
      ...(s.window ? [`Window type          : ${s.window.type}${s.window.sizeMs !== undefined ? ` (size ${s.window.sizeMs} ms)` : ''}`] : []),
      `Value format         : ${s.valueFormat.format}`,
      `Kafka topic          : ${s.topic}`,
      `Schema               : ${formatSchema(s.schema)}`,
      `Queries that write   : ${writers.map((q) => q.id).join(', ') || '-'}`,
      `Queries that read    : ${readers.map((q) => q.id).join(', ') || '-'}`,
      `Statement            : ${s.sql}`,
    );
  }
  return lines.join('\n');
}

export async function describeFunction(stmt: DescribeFunction, ctx: HandlerContext): Promise<StatementResult> {
  const info = ctx.engine.registry().describe(stmt.name);
  if (!info) throw new CatalogError(`Can't find any functions with the name '${stmt.name}'`, stmt.pos);
  const lines = [
    `Name        : ${info.name}`,
    `Type        : ${info.kind}`,
    `Category    : ${info.category}`,
    `Description : ${info.description}`,
    '',
    ...info.signatures.map((s) => `  ${s}`),
  ];
  return { kind: stmt.kind, statement: ctx.text, message: lines.join('\n') };
}
