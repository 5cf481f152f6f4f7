/**
 * Transient push queries. The SELECT is planned by the persistent-query planner into a plan whose
 * sink is an internal topic (`_sluice-transient-<queryId>`, JSON key and value: JSON round-trips
 * every SQL type through the sink's schema), started through the engine's ordinary query
 * internals without being recorded in the command log or the catalog, and read back row by row.
 * When the query ends (LIMIT, close(), return(), the abort signal, or a failure) its task stops
 * and its topic, consumer group, state keyspace and changelog topics are deleted.
 */
import { ExecutionError, PlanError, TypeCheckError } from '../common/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { partitionCounts } from './partition-counts.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Log } from '../log/log.js';
import { planTransientQuery } from '../planner/plan-transient-query.js';
import type { PlannedTransientQuery } from '../planner/plan-transient-query.js';
import { createSerde, splitWindowedKey } from '../serde/index.js';
import type { FormatName, SchemaRegistry } from '../serde/index.js';
import type { Query } from '../sql/ast.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { PushQuery, ResultColumn, Row, RowChange } from './query-result.js';
import { pushIterators } from './query-result.js';

/** What a transient query needs of the engine. */
export interface QueryHost {
  readonly log: Log;
  readonly catalog: Catalog;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  readonly schemaRegistry: SchemaRegistry;
  /** starts the plan's task, positioned at its start offsets (so later input is not missed) */
  startQuery(plan: QueryPlan, properties?: ReadonlyMap<string, string>): Promise<void>;
  /** stops the task and waits until no pass of the loop is still running it */
  stopQuery(queryId: string): Promise<void>;
  /** makes sure queries are being processed in the background */
  ensureRunning(): void;
  /** the task's failure, if it failed */
  failure(queryId: string): Error | undefined;
  /** a transient query id: `${prefix}_<SOURCE>_<n>` */
  nextTransientId(source: string, prefix?: string): string;
  /** drops the state stores of a query that ended */
  dropQueryState(queryId: string): Promise<void>;
}

export const TRANSIENT_TOPIC_PREFIX = '_sluice-transient-';

export interface PushQueryOptions {
  readonly signal?: AbortSignal;
  /** this query's own properties over the session's, e.g. { 'auto.offset.reset': 'latest' } */
  readonly properties?: Readonly<Record<string, string>>;
  /** the id to run under (a shared scan runs under its first subscriber's id) */
  readonly queryId?: string;
}

/** Plans and starts a push query; the caller iterates the result. */
export async function startPushQuery(host: QueryHost, query: Query, options: PushQueryOptions = {}): Promise<PushQuery> {
  if (query.limit !== undefined && query.limit < 0) throw new PlanError('Push queries do not support negative integers in the LIMIT clause.', query.pos);
  const first = firstSourceName(query.from);
  const source = host.catalog.getSource(first);
  if (!source) throw new PlanError(`${first} does not exist.`, query.pos);
  const overrides = new Map(Object.entries(options.properties ?? {}));
  const config = new Map([...host.config, ...overrides]);
  const queryId = options.queryId ?? transientQueryId(host, query, source, config);
  const topic = `${TRANSIENT_TOPIC_PREFIX}${queryId}`;
  const counts = await partitionCounts(host.log, host.catalog, query);
  let planned: PlannedTransientQuery;
  try {
    planned = planTransientQuery(query, queryId, topic, { catalog: host.catalog, registry: host.registry, config }, (t) => counts.get(t) ?? 1);
  } catch (e) {
    // window bounds exist only after a windowed aggregation: ksqlDB's words for them in its WHERE
    const unknown = e instanceof PlanError || e instanceof TypeCheckError ? /^Column '(WINDOWSTART|WINDOWEND)' cannot be resolved\.?$/.exec(e.message) : null;
    if (unknown && query.window && query.where) throw new PlanError(`Error in WHERE expression: Unknown column ${unknown[1]}.`, query.where.pos ?? query.pos);
    throw e;
  }
  await host.log.createTopic(topic, { partitions: 1, config: { 'retention.ms': -1 } });
  try {
    await host.startQuery(planned.plan, overrides);
  } catch (e) {
    await dropTransientQueryData(host, queryId, topic);
    throw e;
  }
  // constructed after the start: LIMIT 0 or an aborted signal end it at once
  const running = new RunningPushQuery(host, planned, queryId, topic, query.limit, options.signal, isScalablePushQuery(query, source, config) && keyColumns(source.schema).length > 0);
  host.ensureRunning();
  return running;
}

/**
 * ksqlDB's scalable push queries (ksql.query.push.v2.enabled, reading from latest) tap a
 * persistent query's output instead of running a topology of their own. Here every push query
 * runs its own; such queries are named as ksqlDB names them.
 */
/** `transient_<SOURCE>_<n>`, or ksqlDB's SCALABLE_PUSH_QUERY prefix for such queries */
export function transientQueryId(host: Pick<QueryHost, 'nextTransientId'>, query: Query, source: { name: string; createdByQuery?: string }, config: ReadonlyMap<string, string>): string {
  return host.nextTransientId(source.name, isScalablePushQuery(query, source, config) ? 'SCALABLE_PUSH_QUERY' : 'transient');
}

function isScalablePushQuery(query: Query, source: { createdByQuery?: string }, config: ReadonlyMap<string, string>): boolean {
  const reset = config.get('auto.offset.reset') ?? config.get('ksql.streams.auto.offset.reset') ?? 'latest';
  return (
    config.get('ksql.query.push.v2.enabled') === 'true' &&
    reset === 'latest' &&
    !!source.createdByQuery &&
    query.from.kind === 'SourceRelation' &&
    !query.groupBy?.length &&
    !query.window &&
    !query.having &&
    !query.partitionBy?.length
  );
}

function firstSourceName(r: Query['from']): string {
  return r.kind === 'SourceRelation' ? r.name : firstSourceName(r.left);
}

/** Deletes what a stopped transient query left: its topic, group, state and changelogs. */
export async function dropTransientQueryData(host: Pick<QueryHost, 'log' | 'dropQueryState'>, queryId: string, topic: string): Promise<void> {
  const { log } = host;
  const owned = (await log.listTopics()).filter((t) => t === topic || t.startsWith(`_sluice-${queryId}-`));
  for (const t of owned) await log.deleteTopic(t).catch(() => {});
  if ((await log.listGroups()).includes(queryId)) await log.deleteGroup(queryId).catch(() => {});
  await host.dropQueryState(queryId);
}

class RunningPushQuery implements PushQuery {
  readonly columns: readonly ResultColumn[];
  readonly ended: Promise<'limit' | 'closed' | 'failed'>;
  private endedAs: ((why: 'limit' | 'closed' | 'failed') => void) | undefined;
  private offset = 0n;
  private delivered = 0;
  private closing: Promise<void> | undefined;
  private readonly buffered: RowChange[] = [];
  private readonly decode: (key: Buffer | null, value: Buffer | null) => RowChange | undefined;
  private readonly abort: () => void;
  private wake: (() => void) | undefined;

  constructor(
    private readonly host: QueryHost,
    planned: PlannedTransientQuery,
    readonly queryId: string,
    private readonly topic: string,
    private readonly limit: number | undefined,
    private readonly signal: AbortSignal | undefined,
    /** ksqlDB's scalable push queries leave out records without a key */
    private readonly skipNullKeys = false,
  ) {
    this.columns = planned.columns;
    this.ended = new Promise((resolve) => (this.endedAs = resolve));
    this.decode = rowDecoder(planned, topic, host.schemaRegistry);
    this.abort = () => void this.close();
    signal?.addEventListener('abort', this.abort, { once: true });
    if (signal?.aborted) void this.close();
    if (limit === 0) void this.finish('limit');
  }

  private readonly iterators = pushIterators(() => this.columns, () => this.nextChange(), () => this.close());

  [Symbol.asyncIterator](): AsyncIterator<Row> {
    return this.iterators[Symbol.asyncIterator]();
  }

  changes(): AsyncIterableIterator<RowChange> {
    return this.iterators.changes();
  }

  takeReady(max: number): RowChange[] {
    const out: RowChange[] = [];
    while (out.length < max && !this.closing && this.buffered.length) {
      out.push(this.buffered.shift()!);
      this.delivered++;
      if (this.limit !== undefined && this.delivered >= this.limit) void this.finish('limit');
    }
    return out;
  }

  private async nextChange(): Promise<RowChange | undefined> {
    for (;;) {
      if (this.closing) return undefined;
      const next = this.buffered.shift();
      if (next) {
        this.delivered++;
        if (this.limit !== undefined && this.delivered >= this.limit) void this.finish('limit');
        return next;
      }
      const failure = this.host.failure(this.queryId);
      if (failure) {
        void this.finish('failed');
        throw new ExecutionError(`Push query ${this.queryId} failed: ${failure.message}`, { queryId: this.queryId }, { cause: failure });
      }
      const batch = await this.host.log.fetch(this.topic, 0, this.offset, { maxRecords: 500 });
      if (batch.records.length) {
        for (const rec of batch.records) {
          if (this.skipNullKeys && rec.key === null) continue;
          const change = this.decode(rec.key, rec.value);
          if (change) this.buffered.push(change);
        }
        this.offset = batch.nextOffset;
        continue;
      }
      this.offset = batch.nextOffset;
      await Promise.race([this.host.log.waitForData(this.topic, 0, this.offset, 200), new Promise<void>((r) => (this.wake = r))]);
      this.wake = undefined;
    }
  }

  close(): Promise<void> {
    return this.finish('closed');
  }

  private finish(why: 'limit' | 'closed' | 'failed'): Promise<void> {
    if (!this.closing) {
      this.signal?.removeEventListener('abort', this.abort);
      this.wake?.();
      this.closing = (async () => {
        await this.host.stopQuery(this.queryId);
        await dropTransientQueryData(this.host, this.queryId, this.topic);
        this.endedAs?.(why);
      })();
    }
    return this.closing;
  }
}

/** Sink records (JSON key and value with the plan's sink schema) back to result values. */
/**
 * Returns undefined for records the result leaves out: a stream's records without a value, and a
 * table's deletes of keys this query never showed (a filtered-out row is not a delete to the reader,
 * as in Kafka Streams, which forwards a filter's delete only when there was an old row).
 */
export function rowDecoder(planned: PlannedTransientQuery, topic: string, schemaRegistry: SchemaRegistry): (key: Buffer | null, value: Buffer | null) => RowChange | undefined {
  const keys = keyColumns(planned.sinkSchema);
  const values = valueColumns(planned.sinkSchema);
  const keySerde = keys.length ? createSerde(planned.keyFormat.format as FormatName, 'KEY', keys, { ...planned.keyFormat, topic, schemaRegistry }) : undefined;
  const valueSerde = createSerde(planned.valueFormat.format as FormatName, 'VALUE', values, { ...planned.valueFormat, topic, schemaRegistry });
  const window = planned.window;
  const shown = new Set<string>();
  return (keyBytes, valueBytes) => {
    if (valueBytes === null) {
      if (!planned.isTable || !keyBytes || !shown.delete(keyBytes.toString('latin1'))) return undefined;
    } else if (planned.isTable && keyBytes) shown.add(keyBytes.toString('latin1'));
    let bounds: { start: number; end: number } | undefined;
    if (window && keyBytes) {
      const split = splitWindowedKey(keyBytes, window);
      keyBytes = split.keyBytes;
      bounds = split.window;
    }
    const k = keySerde?.deserialize(keyBytes) ?? keys.map(() => null);
    const v = valueSerde.deserialize(valueBytes);
    const tombstone = v === null;
    const row = [...k, ...(v ?? values.map(() => null))];
    const out = planned.take.map((i, c) => {
      const bound = planned.windowBounds[c];
      if (tombstone && bound && bounds) return BigInt(bound === 'WINDOWSTART' ? bounds.start : bounds.end);
      return row[i] ?? null;
    });
    return { values: out, tombstone };
  };
}
