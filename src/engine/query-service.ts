/**
 * The results API behind Engine.query / pull / insert, and SELECT statements run through
 * Engine.execute: push queries stream rows from a transient query, pull queries answer from an
 * index of the table's topic (or a bounded scan of a stream's topic).
 */
import { CatalogError, PlanError } from '../common/errors.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { castValue } from '../expr/index.js';
import { Decimal } from 'decimal.js';
import type { Query } from '../sql/ast.js';
import type { ParsedStatement } from '../sql/ast.js';
import { runPullQuery, TableIndexes } from './pull-query.js';
import type { PullResult, PushQuery, Row } from './query-result.js';
import type { QueryHost, PushQueryOptions } from './transient-query.js';
import { dropTransientQueryData, startPushQuery, transientQueryId, TRANSIENT_TOPIC_PREFIX } from './transient-query.js';
import { SHARED_BUFFER_ROWS, SharedPushScans, sharedScanKey } from './shared-push-scan.js';
import { writeRows } from './insert-values.js';
import type { SchemaRegistry } from '../serde/index.js';

export interface QueryServiceHost extends Omit<QueryHost, 'schemaRegistry'> {
  schemaRegistry(): SchemaRegistry;
  flushSchemaRegistrations(): Promise<void>;
  runUntilIdle(): Promise<void>;
  parse(sql: string): ParsedStatement[];
}

export class QueryService {
  private readonly running = new Set<PushQuery>();
  /** the sources each push query reads */
  private readonly sources = new WeakMap<PushQuery, string[]>();
  private readonly indexes = new TableIndexes();
  private readonly shared = new SharedPushScans();

  constructor(private readonly host: QueryServiceHost) {}

  private get queryHost(): QueryHost {
    const h = this.host;
    return {
      log: h.log,
      catalog: h.catalog,
      registry: h.registry,
      config: h.config,
      schemaRegistry: h.schemaRegistry(),
      startQuery: (p, props) => h.startQuery(p, props),
      stopQuery: (id) => h.stopQuery(id),
      ensureRunning: () => h.ensureRunning(),
      dropQueryState: (id) => h.dropQueryState(id),
      failure: (id) => h.failure(id),
      nextTransientId: (s, p) => h.nextTransientId(s, p),
    };
  }

  private single(sql: string): Query {
    const parsed = this.host.parse(sql);
    if (parsed.length !== 1) throw new PlanError(`Expected exactly one SELECT statement but got ${parsed.length} statements`);
    const stmt = parsed[0]!.statement;
    if (stmt.kind !== 'QueryStatement') throw new PlanError(`Expected a SELECT statement but got ${stmt.kind}`, stmt.pos);
    return stmt.query;
  }

  push(sql: string, options: PushQueryOptions = {}): Promise<PushQuery> {
    const query = this.single(sql);
    if (query.emit !== 'CHANGES') throw new PlanError('engine.query runs push queries (SELECT ... EMIT CHANGES); use engine.pull for pull queries', query.pos);
    return this.pushQuery(query, options);
  }

  async pushQuery(query: Query, options: PushQueryOptions = {}): Promise<PushQuery> {
    const q = await this.startOrShare(query, options);
    this.running.add(q);
    this.sources.set(q, relationNames(query.from));
    void q.ended.then(() => this.running.delete(q));
    return q;
  }

  /** identical stateless push queries from latest share one running query (shared-push-scan.ts) */
  private startOrShare(query: Query, options: PushQueryOptions): Promise<PushQuery> {
    const overrides = options.properties ?? {};
    const config = new Map([...this.host.config, ...Object.entries(overrides)]);
    const source = query.from.kind === 'SourceRelation' ? this.host.catalog.getSource(query.from.name) : undefined;
    const key = source && (query.limit ?? 0) >= 0 ? sharedScanKey(query, source.sourceType, config, overrides) : undefined;
    if (!key || !source) return startPushQuery(this.queryHost, query, options);
    const bufferRows = config.has(SHARED_BUFFER_ROWS) ? Number(config.get(SHARED_BUFFER_ROWS)) : undefined;
    const id = transientQueryId(this.host, query, source, config);
    return this.shared.subscribe(key, id, query.limit, options.signal, bufferRows, () => startPushQuery(this.queryHost, { ...query, limit: undefined }, { properties: overrides, queryId: id }));
  }

  pull(sql: string): Promise<PullResult> {
    const query = this.single(sql);
    if (query.emit === 'CHANGES') throw new PlanError('engine.pull runs pull queries; use engine.query for push queries (EMIT CHANGES)', query.pos);
    return this.pullQuery(query);
  }

  pullQuery(query: Query): Promise<PullResult> {
    return runPullQuery(query, { ...this.queryHost, schemaRegistry: this.host.schemaRegistry(), indexes: this.indexes });
  }

  async insert(sourceName: string, rows: readonly Row[]): Promise<void> {
    const source = this.host.catalog.getSource(sourceName) ?? this.host.catalog.getSource(sourceName.toUpperCase());
    if (!source) throw new CatalogError(`Cannot insert values into an unknown stream/table: ${sourceName}`);
    if (source.isSource) throw new CatalogError(`Cannot insert values into read-only ${source.sourceType.toLowerCase()}: ${source.name}`);
    if (source.createdByQuery && source.sourceType === 'TABLE') throw new CatalogError(`Cannot insert values into table ${source.name}: it is the output of a query`);
    const columns = new Map([...keyColumns(source.schema), ...valueColumns(source.schema)].map((c) => [c.name, c.type]));
    const converted = rows.map((row) => {
      const values = new Map<string, unknown>();
      let rowtime: number | undefined;
      for (const [name, raw] of Object.entries(row)) {
        const upper = columns.has(name) ? name : name.toUpperCase();
        if (upper === 'ROWTIME') {
          rowtime = raw === null || raw === undefined ? undefined : raw instanceof Date ? raw.getTime() : Number(raw);
          continue;
        }
        const type = columns.get(upper);
        if (!type) throw new CatalogError(`Column name ${name} does not exist in ${source.name}.`);
        values.set(upper, fromJs(raw, type, name));
      }
      return { values, ...(rowtime !== undefined ? { rowtime } : {}) };
    });
    await writeRows({ log: () => this.host.log, schemaRegistry: () => this.host.schemaRegistry(), flushSchemaRegistrations: () => this.host.flushSchemaRegistrations() }, source, converted);
  }

  /**
   * Ends the push queries reading a source that is about to be dropped, unless persistent queries
   * still use it (then the DROP fails and they keep running).
   */
  async closeReading(sourceName: string): Promise<void> {
    const source = this.host.catalog.getSource(sourceName);
    if (!source) return;
    const used = [...this.host.catalog.queries.values()].some((q) => q.sink === source.name || q.sources.includes(source.name));
    if (used) return;
    await Promise.all([...this.running].filter((q) => this.sources.get(q)?.includes(source.name)).map((q) => q.close()));
  }

  /** Ends every running push query (engine close). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.running].map((q) => q.close()));
  }

  /** Transient topics and state a crash left behind. */
  async dropLeftovers(): Promise<void> {
    for (const t of await this.host.log.listTopics()) {
      if (!t.startsWith(TRANSIENT_TOPIC_PREFIX)) continue;
      await dropTransientQueryData(this.host, t.slice(TRANSIENT_TOPIC_PREFIX.length), t);
    }
  }
}

function relationNames(r: Query['from']): string[] {
  return r.kind === 'SourceRelation' ? [r.name] : [...relationNames(r.left), ...relationNames(r.right)];
}

/** A JS value from an embedder to the runtime representation of `type` (lenient where it is safe). */
function fromJs(v: unknown, type: SqlType, name: string): unknown {
  if (v === null || v === undefined) return null;
  try {
    switch (type.kind) {
      case 'BIGINT':
        return typeof v === 'bigint' ? v : BigInt(v as number | string);
      case 'INTEGER':
      case 'DOUBLE':
        return typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? castValue(v, { kind: 'STRING' }, type) : v;
      case 'DECIMAL':
        return castValue(v instanceof Decimal ? v : new Decimal(String(v)), { kind: 'DECIMAL', precision: 38, scale: type.scale }, type);
      case 'TIMESTAMP':
        return v instanceof Date ? v.getTime() : v;
      case 'DATE':
        return v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : v;
      case 'BYTES':
        return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
      case 'ARRAY':
        return (v as unknown[]).map((x) => fromJs(x, type.element, name));
      case 'MAP': {
        const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
        return new Map(entries.map(([k, x]) => [k, fromJs(x, type.value, name)]));
      }
      case 'STRUCT': {
        const o = v as Record<string, unknown>;
        return Object.fromEntries(type.fields.map((f) => [f.name, fromJs(o[f.name] ?? o[f.name.toLowerCase()] ?? null, f.type, name)]));
      }
      default:
        return v;
    }
  } catch (e) {
    throw new CatalogError(`Cannot convert the value of ${name} to ${type.kind}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
