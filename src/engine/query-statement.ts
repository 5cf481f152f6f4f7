/**
 * SELECT through Engine.execute: a pull query answers with its rows as a result table; a push
 * query (EMIT CHANGES) streams, so it is pointed at Engine.query.
 */
import { PlanError } from '../common/errors.js';
import type { QueryStatement } from '../sql/ast.js';
import type { HandlerContext } from './handler-context.js';
import { formatResultValue } from './result-values.js';
import type { StatementResult } from './statement-result.js';

export async function queryStatement(stmt: QueryStatement, ctx: HandlerContext): Promise<StatementResult> {
  if (stmt.query.emit === 'CHANGES')
    throw new PlanError('Push queries (EMIT CHANGES) stream their rows: run them with engine.query(sql), which returns an async iterable of rows', stmt.pos);
  const result = await ctx.engine.queries().pullQuery(stmt.query);
  const n = result.values.length;
  return {
    kind: stmt.kind,
    statement: ctx.text,
    message: `${n} row${n === 1 ? '' : 's'}`,
    table: { columns: result.columns.map((c) => c.name), rows: result.values.map((r) => r.map(formatResultValue)) },
  };
}
