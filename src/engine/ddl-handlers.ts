/** CREATE/DROP/ALTER of streams, tables and types. */
import { CatalogError, ExecutionError, LogError, isSluiceError } from '../common/errors.js';
import { PLAN_VERSION } from './command-log.js';
import type { StoredSource, StoredTopic } from './command-log.js';
import { formatSchema } from '../common/schema.js';
import { formatSqlType } from '../common/sql-types.js';
import type { DataSource } from '../catalog/data-source.js';
import { resolveType } from '../catalog/resolve-type.js';
import type { AlterSource, CreateSource, CreateType, DropSource, DropType } from '../sql/ast.js';
import { defineSource } from './create-source.js';
import { dryRunSerdes } from './dry-run.js';
import type { HandlerContext } from './handler-context.js';
import type { StatementResult } from './statement-result.js';

const noun = (t: 'STREAM' | 'TABLE') => (t === 'STREAM' ? 'stream' : 'table');
const Noun = (t: 'STREAM' | 'TABLE') => (t === 'STREAM' ? 'Stream' : 'Table');

/** A topic a statement needs: already there (with its partition count), or to be created. */
export type TopicPlan =
  | { readonly exists: true; readonly topic: string; readonly partitions: number }
  | { readonly exists: false; readonly topic: string; readonly partitions: number; readonly replicas: number; readonly config: Record<string, string | number> };

/**
 * Checks the topic a statement needs without changing anything: an existing one must match the
 * PARTITIONS given explicitly; a missing one is created only if PARTITIONS was given (or, for
 * queries, with `defaultPartitions`). Apply the result with `createPlannedTopic`.
 */
export async function planTopic(
  ctx: HandlerContext,
  topic: string,
  partitions: number | undefined,
  replicas: number | undefined,
  compact: boolean,
  mustExistUnlessPartitions: { kind: 'stream' | 'table' } | undefined,
  retentionMs?: number,
  defaultPartitions?: number,
): Promise<TopicPlan> {
  const log = ctx.engine.log();
  try {
    const desc = await log.describeTopic(topic);
    if (partitions !== undefined && desc.partitions.length !== partitions && !ctx.engine.replaying())
      throw new CatalogError(
        `A Kafka topic with the name '${topic}' already exists, with different partition/replica configuration than required by KSQL.\nKSQL expects ${partitions} partitions (topic has ${desc.partitions.length}), ${replicas ?? 1} replication factor (topic has ${desc.replicationFactor}).`,
      );
    return { exists: true, topic, partitions: desc.partitions.length };
  } catch (e) {
    if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
  }
  if (partitions === undefined && mustExistUnlessPartitions)
    throw new CatalogError(
      `Topic '${topic}' does not exist. If you want to create a new topic for the ${mustExistUnlessPartitions.kind} please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS'). For example: CREATE ${mustExistUnlessPartitions.kind.toUpperCase()} FOO (ID INT KEY, NAME STRING) WITH (KAFKA_TOPIC='${topic}', PARTITIONS=2, REPLICAS=1, FORMAT='JSON');`,
    );
  return {
    exists: false,
    topic,
    partitions: partitions ?? defaultPartitions ?? 1,
    replicas: replicas ?? 1,
    config: { ...(compact ? { 'cleanup.policy': 'compact' } : {}), ...(retentionMs !== undefined ? { 'retention.ms': retentionMs } : {}) },
  };
}

/** Creates the topic `planTopic` found missing (a no-op for an existing one). */
export async function createPlannedTopic(ctx: HandlerContext, plan: TopicPlan): Promise<void> {
  if (plan.exists) return;
  await ctx.engine.log().createTopic(plan.topic, { partitions: plan.partitions, replicationFactor: plan.replicas, config: plan.config });
}

export async function createSource(stmt: CreateSource, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const existing = catalog.getSource(stmt.name);
  const base = { kind: stmt.kind, statement: ctx.text };
  if (existing) {
    if (existing.sql === ctx.text) return { ...base, message: `${Noun(existing.sourceType)} ${stmt.name} already exists (unchanged)`, unchanged: true };
    if (stmt.ifNotExists) return { ...base, message: `${Noun(existing.sourceType)} ${stmt.name} already exists`, unchanged: true };
    if (!stmt.orReplace)
      throw new CatalogError(`Cannot add ${noun(stmt.sourceType)} '${stmt.name}': A ${noun(existing.sourceType)} with the same name already exists`, stmt.pos);
    if (existing.sourceType !== stmt.sourceType)
      throw new CatalogError(`Cannot add ${noun(stmt.sourceType)} '${stmt.name}': A ${noun(existing.sourceType)} with the same name already exists`, stmt.pos);
    if (existing.isSource)
      throw new CatalogError(`Cannot add ${noun(stmt.sourceType)} '${stmt.name}': CREATE OR REPLACE is not supported on source ${noun(stmt.sourceType)}s.`, stmt.pos);
  }
  const { source, properties } = defineSource(stmt, ctx.text, catalog, ctx.engine.config(), ctx.engine.schemaRegistry());
  buildSerdes(source, ctx);
  const topic = await planTopic(ctx, source.topic, properties.partitions, properties.replicas, stmt.sourceType === 'TABLE', { kind: noun(stmt.sourceType) }, properties.retentionMs);
  // validated: from here on the statement takes effect
  await createPlannedTopic(ctx, topic);
  const stored: StoredSource = { planVersion: PLAN_VERSION, source, ...(topic.exists ? {} : { createdTopic: storedTopic(topic) }) };
  await ctx.engine.record(ctx.text, { source: stored });
  putDefinedSource(ctx, stored.source);
  return { ...base, message: `${Noun(stmt.sourceType)} ${stmt.name} ${existing ? 'replaced' : 'created'}` };
}

/** OR REPLACE keeps the query that writes the stream or table. */
function putDefinedSource(ctx: HandlerContext, source: DataSource): void {
  const catalog = ctx.engine.catalog();
  const existing = catalog.getSource(source.name);
  catalog.putSource(existing?.createdByQuery ? { ...source, createdByQuery: existing.createdByQuery } : source);
}

/** Replays a recorded CREATE STREAM/TABLE from its stored definition, not from its SQL. */
export async function restoreStoredSource(ctx: HandlerContext, stored: StoredSource): Promise<void> {
  checkPlanVersion(`${stored.source.sourceType.toLowerCase()} ${stored.source.name}`, stored.planVersion);
  if (stored.createdTopic) await recreateTopic(ctx, stored.createdTopic);
  putDefinedSource(ctx, stored.source);
}

export function checkPlanVersion(what: string, version: number): void {
  if (version !== PLAN_VERSION)
    throw new ExecutionError(
      `Cannot restore ${what}: its stored plan has version ${version}, and this version of Sluice runs plan version ${PLAN_VERSION} only. Open the data directory with the Sluice version that created it.`,
    );
}

export function storedTopic(plan: Extract<TopicPlan, { exists: false }>): StoredTopic {
  return { name: plan.topic, partitions: plan.partitions, replicas: plan.replicas, config: plan.config };
}

/** A topic a recorded statement created, created again if it was deleted behind Sluice's back. */
export async function recreateTopic(ctx: HandlerContext, topic: StoredTopic): Promise<void> {
  if ((await planTopic(ctx, topic.name, undefined, undefined, false, undefined)).exists) return;
  await createPlannedTopic(ctx, { exists: false, topic: topic.name, partitions: topic.partitions, replicas: topic.replicas, config: { ...topic.config } });
}

/** The serdes the source will be read and written with, built against the real registry. */
function buildSerdes(source: DataSource, ctx: HandlerContext): void {
  try {
    dryRunSerdes(source, ctx.engine.schemaRegistry());
  } catch (e) {
    if (isSluiceError(e)) throw new CatalogError(e.message);
    throw e;
  }
}

export async function dropSource(stmt: DropSource, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const base = { kind: stmt.kind, statement: ctx.text };
  const source = catalog.getSource(stmt.name);
  if (!source) {
    if (stmt.ifExists) return { ...base, message: `${Noun(stmt.sourceType)} ${stmt.name} does not exist`, unchanged: true };
    throw new CatalogError(`${noun(stmt.sourceType) === 'stream' ? 'Stream' : 'Table'} ${stmt.name} does not exist.`, stmt.pos);
  }
  if (source.sourceType !== stmt.sourceType)
    throw new CatalogError(`Incompatible data source type is ${source.sourceType}, but statement was DROP ${stmt.sourceType}`, stmt.pos);
  if (stmt.deleteTopic && source.isSource) throw new CatalogError(`Cannot delete topic for read-only source: ${source.name}`, stmt.pos);
  const readers = catalog.readersOf(source.name).filter((q) => q.sink !== source.name);
  if (readers.length)
    throw new CatalogError(
      `Cannot drop ${source.name}.\nThe following streams and/or tables read from this source: [${[...new Set(readers.map((q) => q.sink))].sort().join(', ')}].\nYou need to drop them before dropping ${source.name}.`,
      stmt.pos,
    );
  await ctx.engine.record(ctx.text);
  // the query writing this source goes with it, as in ksqlDB
  for (const q of catalog.writersOf(source.name)) {
    await ctx.engine.stopQuery(q.id);
    catalog.queries.delete(q.id);
  }
  catalog.removeSource(source.name);
  if (stmt.deleteTopic && !ctx.engine.replaying()) await ctx.engine.log().deleteTopic(source.topic).catch(() => {});
  return { ...base, message: `Source \`${source.name}\` (topic: ${source.topic}) was dropped.` };
}

export async function alterSource(stmt: AlterSource, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const source = catalog.requireSource(stmt.name, stmt.pos);
  if (source.sourceType !== stmt.sourceType)
    throw new CatalogError(`Incompatible data source type is ${source.sourceType}, but statement was ALTER ${stmt.sourceType}`, stmt.pos);
  if (source.isSource)
    throw new CatalogError(`Cannot alter ${noun(source.sourceType)} '${source.name}': ALTER operations are not supported on source ${noun(source.sourceType)}s.`, stmt.pos);
  if (source.createdByQuery) throw new CatalogError(`ALTER command is not supported for CREATE ... AS statements.`, stmt.pos);
  const columns = [...source.schema.columns];
  for (const c of stmt.addColumns) {
    if (columns.some((x) => x.name === c.name))
      throw new CatalogError(`Cannot add column \`${c.name}\` to schema. A column with the same name already exists.`, c.pos);
    if (c.constraint !== 'NONE') throw new CatalogError(`ALTER does not support adding key or header columns: ${c.name}`, c.pos);
    columns.push({ name: c.name, type: resolveType(c.type, catalog.lookupType), namespace: 'VALUE' });
  }
  await ctx.engine.record(ctx.text);
  const altered: DataSource = { ...source, schema: { columns } };
  catalog.putSource(altered);
  return { kind: stmt.kind, statement: ctx.text, message: `${Noun(source.sourceType)} ${source.name} altered: ${formatSchema(altered.schema)}` };
}

export async function createType(stmt: CreateType, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const base = { kind: stmt.kind, statement: ctx.text };
  const existing = catalog.getType(stmt.name);
  if (existing) {
    if (stmt.ifNotExists) return { ...base, message: `Type ${stmt.name} already exists`, unchanged: true };
    throw new CatalogError(`Cannot register custom type '${stmt.name}' since it is already registered with type: ${formatSqlType(existing)}`, stmt.pos);
  }
  const type = resolveType(stmt.type, catalog.lookupType);
  await ctx.engine.record(ctx.text);
  catalog.putType(stmt.name, type);
  return { ...base, message: `Registered custom type ${stmt.name.toUpperCase()}: ${formatSqlType(type)}` };
}

export async function dropType(stmt: DropType, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const base = { kind: stmt.kind, statement: ctx.text };
  if (!catalog.getType(stmt.name)) {
    if (stmt.ifExists) return { ...base, message: `Type ${stmt.name} does not exist`, unchanged: true };
    throw new CatalogError(`Type ${stmt.name} does not exist.`, stmt.pos);
  }
  await ctx.engine.record(ctx.text);
  catalog.removeType(stmt.name);
  return { ...base, message: `Dropped type ${stmt.name.toUpperCase()}` };
}
