/** Persistent queries: CREATE ... AS SELECT, INSERT INTO ... SELECT, TERMINATE/PAUSE/RESUME, EXPLAIN. */
import { CatalogError, PlanError, isSluiceError } from '../common/errors.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import { operatorFactories } from '../operators/index.js';
import { readSourceProperties } from '../catalog/source-properties.js';
import { planPersistentQuery } from '../planner/plan-persistent-query.js';
import { explainPlan } from '../planner/explain-plan.js';
import type { CreateAsSelect, Explain, InsertIntoSelect, Query, QueryControl } from '../sql/ast.js';
import { PLAN_VERSION } from './command-log.js';
import type { StoredQuery } from './command-log.js';
import { checkPlanVersion, createPlannedTopic, planTopic, recreateTopic, storedTopic } from './ddl-handlers.js';
import { dryRunBuild } from './dry-run.js';
import { validateAggregateFormats, validateFormats, validateSinkSchemaIds } from './validate-formats.js';
import type { HandlerContext } from './handler-context.js';
import { partitionCounts } from './partition-counts.js';
import type { StatementResult } from './statement-result.js';

function planContext(ctx: HandlerContext) {
  return { catalog: ctx.engine.catalog(), registry: ctx.engine.registry(), config: ctx.engine.config() };
}


/** Builds the query's operators against an inert context: whatever would fail to build fails here. */
function validatePlan(plan: QueryPlan, queryId: string, ctx: HandlerContext): void {
  try {
    dryRunBuild(plan, operatorFactories, { queryId, registry: ctx.engine.registry(), config: ctx.engine.config(), schemaRegistry: ctx.engine.schemaRegistry() });
  } catch (e) {
    if (isSluiceError(e)) throw e;
    throw new PlanError(`Query ${queryId} cannot be built: ${e instanceof Error ? e.message : String(e)}`, undefined, undefined);
  }
}

/**
 * Puts a persistent query, as planned or as stored in the command log, into effect: the catalog
 * entries it creates and the running query. OR REPLACE keeps the query id and replaces the query.
 */
export async function applyStoredQuery(ctx: HandlerContext, stored: StoredQuery): Promise<void> {
  const catalog = ctx.engine.catalog();
  const queryId = stored.plan.queryId;
  if (catalog.queries.has(queryId)) await ctx.engine.stopQuery(queryId);
  if (stored.createsSource) catalog.putSource(stored.createsSource);
  catalog.queries.set(queryId, { id: queryId, sql: ctx.text, sink: stored.sink, sources: stored.inputSources, state: 'RUNNING' });
  ctx.engine.startQuery(stored.plan);
}

/** Replays a recorded query from its stored plan; the planner is not involved. */
export async function restoreStoredQuery(ctx: HandlerContext, stored: StoredQuery): Promise<void> {
  checkPlanVersion(`query ${stored.plan.queryId}`, stored.planVersion);
  validatePlan(stored.plan, stored.plan.queryId, ctx);
  // a sink topic deleted behind Sluice's back is created again as it first was
  const sink = stored.sinkTopic;
  if (sink) await recreateTopic(ctx, sink);
  await applyStoredQuery(ctx, stored);
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
  if (stmt.query.limit !== undefined) throw new PlanError(`CREATE ${stmt.sourceType} AS SELECT statements don't support LIMIT clause.`, stmt.pos);
  const prefix = stmt.sourceType === 'STREAM' ? 'CSAS' : 'CTAS';
  const queryId = existing?.createdByQuery ?? ctx.engine.nextQueryId(`${prefix}_${stmt.name}`);
  const properties = readSourceProperties(stmt.properties);
  const counts = await partitionCounts(ctx.engine.log(), ctx.engine.catalog(), stmt.query);
  const planned = planPersistentQuery(stmt.query, { name: stmt.name, sourceType: stmt.sourceType, properties }, queryId, planContext(ctx), (t) => counts.get(t) ?? 1);
  validateAggregateFormats(planned.plan, ctx.engine.registry());
  validateFormats(planned.sink.schema, planned.sink.keyFormat, planned.sink.valueFormat, properties.wrapSingleValue !== undefined);
  validateSinkSchemaIds(planned.sink.schema, planned.sink.keyFormat, planned.sink.valueFormat, planned.sink.topic, ctx.engine.schemaRegistry());
  if (existing) {
    // OR REPLACE keeps the query id (and so its offsets); the new plan must keep the schema compatible
    const oldValues = existing.schema.columns.map((c) => c.name);
    const missing = oldValues.filter((n) => !planned.sink.schema.columns.some((c) => c.name === n));
    if (missing.length) throw new CatalogError(`Cannot upgrade data source: DataSource '${stmt.name}' has schema changes that are not compatible: columns ${missing.join(', ')} were removed`, stmt.pos);
  }
  validatePlan(planned.plan, queryId, ctx);
  // an existing sink topic is used as it is unless PARTITIONS was given explicitly
  const topic = await planTopic(ctx, planned.sink.topic, properties.partitions, properties.replicas, stmt.sourceType === 'TABLE', undefined, properties.retentionMs, planned.sinkPartitions);
  // validated: from here on the statement takes effect
  await createPlannedTopic(ctx, topic);
  const stored: StoredQuery = {
    planVersion: PLAN_VERSION,
    plan: planned.plan,
    sink: stmt.name,
    inputSources: planned.inputSources,
    createsSource: { ...planned.sink, sql: ctx.text, createdByQuery: queryId },
    ...(topic.exists ? {} : { sinkTopic: storedTopic(topic) }),
  };
  await ctx.engine.record(ctx.text, { queryId, query: stored });
  await applyStoredQuery(ctx, stored);
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
  const counts = await partitionCounts(ctx.engine.log(), ctx.engine.catalog(), stmt.query);
  const planned = planPersistentQuery(
    stmt.query,
    { name: target.name, sourceType: target.sourceType, properties, existing: target },
    queryId,
    planContext(ctx),
    (t) => counts.get(t) ?? 1,
  );
  validatePlan(planned.plan, queryId, ctx);
  const stored: StoredQuery = { planVersion: PLAN_VERSION, plan: planned.plan, sink: target.name, inputSources: planned.inputSources };
  await ctx.engine.record(ctx.text, { queryId, query: stored });
  await applyStoredQuery(ctx, stored);
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
    } else if (stmt.action === 'RESUME' && ctx.engine.queryFailure(id)) {
      // Sluice extension: RESUME restarts a query stopped by an error, from its committed offsets
      ctx.engine.restartQuery(id);
      q.state = 'RUNNING';
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
    const failure = ctx.engine.queryFailure(stmt.target.queryId);
    return { ...base, message: `${info.sql}\n\n${explainPlan(plan)}${failure ? `\n\nStatus: ERROR\n${failure.message}` : ''}` };
  }
  const inner = stmt.target.statement;
  if (inner.kind !== 'CreateAsSelect' && inner.kind !== 'InsertIntoSelect')
    throw new PlanError('EXPLAIN supports CREATE ... AS SELECT, INSERT INTO ... SELECT and query ids', stmt.pos);
  const catalog = ctx.engine.catalog();
  const properties = readSourceProperties(inner.properties);
  const counts = await partitionCounts(ctx.engine.log(), ctx.engine.catalog(), inner.query);
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
