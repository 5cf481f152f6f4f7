/**
 * One handler per statement kind: a missing kind fails to compile. Handlers validate fully
 * before they change anything, so a failing statement leaves nothing half-applied.
 */
import { readFile } from 'node:fs/promises';
import { PlanError } from '../common/errors.js';
import type { Statement, StatementKind } from '../sql/ast.js';
import { alterSource, createSource, createType, dropSource, dropType } from './ddl-handlers.js';
import type { HandlerContext } from './handler-context.js';
import { insertValues } from './insert-values.js';
import { createConnector, describeConnector, dropConnector } from './connector-handlers.js';
import { printTopic } from './print-topic.js';
import { queryStatement } from './query-statement.js';
import { createAsSelect, explain, insertIntoSelect, queryControl } from './query-handlers.js';
import { describe, describeFunction, show } from './show-handlers.js';
import type { StatementResult } from './statement-result.js';

export type { EngineInternals, HandlerContext } from './handler-context.js';

type Handler<K extends StatementKind> = (stmt: Extract<Statement, { kind: K }>, ctx: HandlerContext) => Promise<StatementResult>;

const notSupported =
  (what: string) =>
  async (stmt: Statement): Promise<StatementResult> => {
    throw new PlanError(`${what} is not supported yet`, stmt.pos);
  };

const done = (stmt: Statement, ctx: HandlerContext, message: string): StatementResult => ({ kind: stmt.kind, statement: ctx.text, message });

export const statementHandlers: { readonly [K in StatementKind]: Handler<K> } = {
  CreateSource: createSource,
  CreateAsSelect: createAsSelect,
  InsertIntoSelect: insertIntoSelect,
  InsertValues: insertValues,
  DropSource: dropSource,
  AlterSource: alterSource,
  CreateType: createType,
  DropType: dropType,
  Show: show,
  Describe: describe,
  DescribeFunction: describeFunction,
  Explain: explain,
  QueryControl: queryControl,
  SetProperty: async (stmt, ctx) => {
    ctx.engine.config().set(stmt.name, stmt.value);
    return done(stmt, ctx, `Successfully changed local property '${stmt.name}' to '${stmt.value}'.`);
  },
  UnsetProperty: async (stmt, ctx) => {
    ctx.engine.config().delete(stmt.name);
    return done(stmt, ctx, `Successfully unset local property '${stmt.name}'.`);
  },
  AlterSystem: async (stmt, ctx) => {
    ctx.engine.config().set(stmt.name, stmt.value);
    return done(stmt, ctx, `Successfully changed system property '${stmt.name}' to '${stmt.value}'.`);
  },
  DefineVariable: async (stmt, ctx) => {
    ctx.engine.variables().set(stmt.name, stmt.value);
    return done(stmt, ctx, `Defined variable ${stmt.name}`);
  },
  UndefineVariable: async (stmt, ctx) => {
    ctx.engine.variables().delete(stmt.name);
    return done(stmt, ctx, `Undefined variable ${stmt.name}`);
  },
  RunScript: async (stmt, ctx) => {
    const text = await readFile(stmt.path, 'utf8');
    const results = await ctx.engine.execute(text);
    return { ...done(stmt, ctx, results.map((r) => r.message).join('\n')), results };
  },
  // CLI commands: a client (the REPL, `sluice run`) applies them; the engine only acknowledges them
  OutputFormat: async (stmt, ctx) => done(stmt, ctx, stmt.format ? `Output format set to ${stmt.format}` : 'Output format unchanged'),
  Spool: async (stmt, ctx) => done(stmt, ctx, stmt.path === undefined ? 'Spool off' : `Spooling to ${stmt.path}`),
  CreateSink: notSupported('CREATE SINK'),
  CreateConnector: createConnector,
  DropConnector: dropConnector,
  DescribeConnector: describeConnector,
  Print: printTopic,
  AssertTopic: async (stmt, ctx) => {
    const exists = (await ctx.engine.log().listTopics()).includes(stmt.topic);
    if (exists !== stmt.exists) throw new PlanError(`Topic ${stmt.topic} ${exists ? 'exists' : 'does not exist'}`, stmt.pos);
    return done(stmt, ctx, `Topic ${stmt.topic} ${exists ? 'exists' : 'does not exist'}`);
  },
  AssertSchema: notSupported('ASSERT SCHEMA (no schema registry)'),
  AssertValues: notSupported('ASSERT VALUES'),
  AssertNullValues: notSupported('ASSERT NULL VALUES'),
  AssertSource: notSupported('ASSERT STREAM/TABLE'),
  QueryStatement: queryStatement,
};
