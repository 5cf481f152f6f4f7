/** A one-line description of a statement (`CREATE STREAM PAGEVIEWS`), for listings and logs. */
import type * as A from './ast.js';
import { quoteIdentifier, quoteString } from './printer.js';

const q = quoteIdentifier;

function sourceOf(r: A.Relation): string {
  return r.kind === 'SourceRelation' ? q(r.name) : sourceOf(r.left);
}

const summaries: { [K in A.StatementKind]: (s: Extract<A.Statement, { kind: K }>) => string } = {
  CreateSource: (s) => `CREATE ${s.isSource ? 'SOURCE ' : ''}${s.sourceType} ${q(s.name)}`,
  CreateAsSelect: (s) => `CREATE ${s.sourceType} ${q(s.name)} AS SELECT`,
  CreateSink: (s) => `CREATE SINK ${q(s.name)} FROM ${q(s.from)}`,
  InsertIntoSelect: (s) => `INSERT INTO ${q(s.target)} SELECT`,
  InsertValues: (s) => `INSERT INTO ${q(s.target)} VALUES`,
  CreateConnector: (s) => `CREATE ${s.connectorType} CONNECTOR ${q(s.name)}`,
  DropSource: (s) => `DROP ${s.sourceType} ${q(s.name)}`,
  DropType: (s) => `DROP TYPE ${q(s.name)}`,
  DropConnector: (s) => `DROP CONNECTOR ${q(s.name)}`,
  AlterSource: (s) => `ALTER ${s.sourceType} ${q(s.name)}`,
  CreateType: (s) => `CREATE TYPE ${q(s.name)}`,
  Show: (s) => `SHOW ${s.target}`,
  Describe: (s) => (s.target.kind === 'All' ? `DESCRIBE ${s.target.sourceType}S` : `DESCRIBE ${q(s.target.name)}`),
  DescribeFunction: (s) => `DESCRIBE FUNCTION ${q(s.name)}`,
  DescribeConnector: (s) => `DESCRIBE CONNECTOR ${q(s.name)}`,
  Explain: (s) => (s.target.kind === 'QueryId' ? `EXPLAIN ${q(s.target.queryId)}` : `EXPLAIN ${summarizeStatement(s.target.statement)}`),
  Print: (s) => `PRINT ${quoteString(s.topic)}`,
  QueryControl: (s) => `${s.action} ${s.queryId === undefined ? 'ALL' : q(s.queryId)}`,
  SetProperty: (s) => `SET ${quoteString(s.name)}`,
  UnsetProperty: (s) => `UNSET ${quoteString(s.name)}`,
  AlterSystem: (s) => `ALTER SYSTEM ${quoteString(s.name)}`,
  DefineVariable: (s) => `DEFINE ${s.name}`,
  UndefineVariable: (s) => `UNDEFINE ${s.name}`,
  RunScript: (s) => `RUN SCRIPT ${quoteString(s.path)}`,
  OutputFormat: (s) => `OUTPUT${s.format ? ` FORMAT ${s.format}` : ''}`,
  Spool: (s) => `SPOOL ${s.path === undefined ? 'OFF' : quoteString(s.path)}`,
  AssertTopic: (s) => `ASSERT ${s.exists ? '' : 'NOT EXISTS '}TOPIC ${quoteString(s.topic)}`,
  AssertSchema: (s) => `ASSERT ${s.exists ? '' : 'NOT EXISTS '}SCHEMA`,
  AssertValues: (s) => `ASSERT VALUES ${q(s.source)}`,
  AssertNullValues: (s) => `ASSERT NULL VALUES ${q(s.source)}`,
  AssertSource: (s) => `ASSERT ${s.sourceType} ${q(s.name)}`,
  QueryStatement: (s) => `SELECT FROM ${sourceOf(s.query.from)}${s.query.emit ? ` EMIT ${s.query.emit}` : ''}`,
};

export function summarizeStatement(s: A.Statement): string {
  return (summaries[s.kind] as (s: A.Statement) => string)(s);
}
