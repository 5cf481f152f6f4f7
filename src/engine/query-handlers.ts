/** Persistent queries: CREATE ... AS SELECT, INSERT INTO ... SELECT, TERMINATE/PAUSE/RESUME, EXPLAIN. */
import { CatalogError, PlanError } from '../common/errors.js';
import { readSourceProperties } from '../catalog/source-properties.js';
import { planPersistentQuery } from '../planner/plan-persistent-query.js';
import { explainPlan } from '../planner/explain-plan.js';
import type { CreateAsSelect, Explain, InsertIntoSelect, Query, QueryControl } from '../sql/ast.js';
import { ensureTopic } from './ddl-handlers.js';
import { validateAggregateFormats, validateFormats } from './validate-formats.js';
import type { HandlerContext } from './handler-context.js';
import type { StatementResult } from './statement-result.js';

function planContext(ctx: HandlerContext) {
  return { catalog: ctx.engine.catalog(), registry: ctx.engine.registry(), config: ctx.engine.config() };
}

async function partitionCounts(ctx: HandlerContext, query: Query): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const catalog = ctx.engine.catalog();
  const names: string[] = [];
  const walk = (r: Query['from']): void => {
    if (r.kind === 'SourceRelation') names.push(r.name);
    else {
      walk(r.left);
      walk(r.right);
    }
  };
  walk(query.from);
  for (const n of names) {
    const s = catalog.getSource(n);
    if (!s) continue;
    try {
      counts.set(s.topic, (await ctx.engine.log().describeTopic(s.topic)).partitions.length);
    } catch {
      counts.set(s.topic, 1);
    }
  }
  return counts;
}

export async function createAsSelect(stmt: CreateAsSelect, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const base = { kind: stmt.kind, statement: ctx.text };
  const existing = catalog.getSource(stmt.name);
  if (existing) {
    if (existing.sql === ctx.text) return { ...base, message: `${stmt.name} already exists (unchanged); its query keeps running`, unchanged: true };
    if (stmt.ifNotExists) return { ...base, message: `${stmt.name} already exists`, unchanged: true };
    if (!stmt.orReplace)
      throw new CatalogError(
        `Cannot add ${stmt.sourceType.toLowerCase()} '${stmt.name}': A ${existing.sourceType.toLowerCase()} with the same name already exists`,
        stmt.pos,
      );
  }
  const prefix = stmt.sourceType === 'STREAM' ? 'CSAS' : 'CTAS';
  const queryId = existing?.createdByQuery ?? ctx.engine.nextQueryId(`${prefix}_${stmt.name}`);
  const properties = readSourceProperties(stmt.properties);
  const counts = await partitionCounts(ctx, stmt.query);
  const planned = planPersistentQuery(stmt.query, { name: stmt.name, sourceType: stmt.sourceType, properties }, queryId, planContext(ctx), (t) => counts.get(t) ?? 1);
  validateAggregateFormats(planned.plan, ctx.engine.registry());
  validateFormats(planned.sink.schema, planned.sink.keyFormat, planned.sink.valueFormat, properties.wrapSingleValue !== undefined);
  if (existing) {
    // OR REPLACE keeps the query id (and so its offsets); the new plan must keep the schema compatible
    const oldValues = existing.schema.columns.map((c) => c.name);
    const missing = oldValues.filter((n) => !planned.sink.schema.columns.some((c) => c.name === n));
    if (missing.length) throw new CatalogError(`Cannot upgrade data source: DataSource '${stmt.name}' has schema changes that are not compatible: columns ${missing.join(', ')} were removed`, stmt.pos);
  }
  // an existing sink topic is used as it is unless PARTITIONS was given explicitly
  await ensureTopic(ctx, planned.sink.topic, properties.partitions, properties.replicas, stmt.sourceType === 'TABLE', undefined, properties.retentionMs, planned.sinkPartitions);
  await ctx.engine.record(ctx.text, queryId);
  if (existing) await ctx.engine.stopQuery(queryId);
  catalog.putSource({ ...planned.sink, sql: ctx.text });
  catalog.queries.set(queryId, { id: queryId, sql: ctx.text, sink: stmt.name, sources: planned.inputSources, state: 'RUNNING' });
  ctx.engine.startQuery(planned.plan);
  return { ...base, queryId, message: `Created query with ID ${queryId}` };
}

export async function insertIntoSelect(stmt: InsertIntoSelect, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const base = { kind: stmt.kind, statement: ctx.text };
  const running = [...catalog.queries.values()].find((q) => q.sql === ctx.text);
  if (running) return { ...base, queryId: running.id, message: `Query ${running.id} is already running (unchanged)`, unchanged: true };
  const target = catalog.getSource(stmt.target);
  if (!target) throw new CatalogError(`${stmt.target} does not exist.`, stmt.pos);
  const queryId = ctx.engine.nextQueryId('INSERTQUERY');
  const properties = readSourceProperties(stmt.properties);
  const counts = await partitionCounts(ctx, stmt.query);
  const planned = planPersistentQuery(
    stmt.query,
    { name: target.name, sourceType: target.sourceType, properties, existing: target },
    queryId,
    planContext(ctx),
    (t) => counts.get(t) ?? 1,
  );
  await ctx.engine.record(ctx.text, queryId);
  catalog.queries.set(queryId, { id: queryId, sql: ctx.text, sink: target.name, sources: planned.inputSources, state: 'RUNNING' });
  ctx.engine.startQuery(planned.plan);
  return { ...base, queryId, message: `Created query with ID ${queryId}` };
}

export async function queryControl(stmt: QueryControl, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const ids = stmt.queryId === undefined ? [...catalog.queries.keys()] : [stmt.queryId];
  for (const id of ids) if (!catalog.queries.has(id)) throw new PlanError(`Unknown queryId: ${id}`, stmt.pos);
  await ctx.engine.record(ctx.text);
  for (const id of ids) {
    const q = catalog.queries.get(id)!;
    if (stmt.action === 'TERMINATE') {
      await ctx.engine.stopQuery(id);
      catalog.queries.delete(id);
    } else {
      ctx.engine.pauseQuery(id, stmt.action === 'PAUSE');
      q.state = stmt.action === 'PAUSE' ? 'PAUSED' : 'RUNNING';
    }
  }
  const verb = { TERMINATE: 'terminated', PAUSE: 'paused', RESUME: 'resumed' }[stmt.action];
  return { kind: stmt.kind, statement: ctx.text, message: ids.length ? `Query ${ids.join(', ')} ${verb}.` : 'No queries.' };
}

export async function explain(stmt: Explain, ctx: HandlerContext): Promise<StatementResult> {
  const base = { kind: stmt.kind, statement: ctx.text };
  if (stmt.target.kind === 'QueryId') {
    const plan = ctx.engine.plan(stmt.target.queryId);
    const info = ctx.engine.catalog().queries.get(stmt.target.queryId);
    if (!plan || !info) throw new PlanError(`Query with id:${stmt.target.queryId} does not exist, use SHOW QUERIES to view the full set of queries.`, stmt.pos);
    return { ...base, message: `${info.sql}\n\n${explainPlan(plan)}` };
  }
  const inner = stmt.target.statement;
  if (inner.kind !== 'CreateAsSelect' && inner.kind !== 'InsertIntoSelect')
    throw new PlanError('EXPLAIN supports CREATE ... AS SELECT, INSERT INTO ... SELECT and query ids', stmt.pos);
  const catalog = ctx.engine.catalog();
  const properties = readSourceProperties(inner.properties);
  const counts = await partitionCounts(ctx, inner.query);
  const planned =
    inner.kind === 'CreateAsSelect'
      ? planPersistentQuery(inner.query, { name: inner.name, sourceType: inner.sourceType, properties }, 'EXPLAIN', planContext(ctx), (t) => counts.get(t) ?? 1)
      : planPersistentQuery(
          inner.query,
          { name: inner.target, sourceType: 'STREAM', properties, existing: catalog.requireSource(inner.target, inner.pos) },
          'EXPLAIN',
          planContext(ctx),
          (t) => counts.get(t) ?? 1,
        );
  return { ...base, message: explainPlan(planned.plan) };
}
