/**
 * Pull queries. A table is answered from an index of its topic (the topic is committed in the
 * same transaction as the state that produced it, so the index holds committed state): the index
 * maps canonical key bytes to the latest record, and catches up to each partition's high
 * watermark when a pull query starts. Key lookups and IN lists read their keys (in the list's
 * order); anything else scans as ksqlDB does: partition by partition, each in key order. Either
 * way the rows go through the query's own planned Filter and Select operators, so any WHERE and
 * projection works. A stream is answered by a bounded scan of its topic up to the high watermark
 * at query start.
 */
import { PlanError, SluiceError } from '../common/errors.js';
import type { SourcePosition } from '../common/errors.js';
import { formatSqlType } from '../common/sql-types.js';
import type { RowColumn } from '../catalog/query-plan.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource } from '../catalog/data-source.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FetchedRecord, Log } from '../log/log.js';
import { keyColumns } from '../common/schema.js';
import { evaluateConstant, formatExpression, typeCheck } from '../expr/index.js';
import { operatorFactories } from '../operators/index.js';
import { planTransientQuery } from '../planner/plan-transient-query.js';
import { collectExpressions } from '../planner/rewrite-expression.js';
import { buildTopology } from '../runtime/processor.js';
import { partitionForKey } from '../log/murmur2-partitioner.js';
import type { Downstream, OperatorFactories, StreamRecord } from '../runtime/processor.js';
import { inertOperatorContext } from '../runtime/inert-context.js';
import { createSerde, splitWindowedKey, windowedKeyBytes } from '../serde/index.js';
import type { FormatName, RowSerde, SchemaRegistry } from '../serde/index.js';
import type { Expression, Query } from '../sql/ast.js';
import type { PullResult, ResultColumn } from './query-result.js';
import { toRow } from './query-result.js';
import { checkKeyConstraints } from './pull-key-constraints.js';

export interface PullHost {
  readonly log: Log;
  readonly catalog: Catalog;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  readonly schemaRegistry: SchemaRegistry;
  readonly indexes: TableIndexes;
}

const MORE_INFO = 'See https://cnfl.io/queries for more info.';
const PUSH_HINT = 'Add EMIT CHANGES if you intended to issue a push query.';

/** Pull-query result columns say which are key columns (as ksqlDB's header does). */
export type PullColumn = ResultColumn;

export async function runPullQuery(query: Query, host: PullHost): Promise<PullResult> {
  validateShape(query, host.config);
  const name = query.from.kind === 'SourceRelation' ? query.from.name : '';
  const source = host.catalog.getSource(name);
  if (!source) throw new PlanError(`${name} does not exist.`, query.from.pos);
  const queryId = `pull_${source.name}`;
  const planned = withWhereContext(query, () => planTransientQuery(query, queryId, '_sluice-pull', { catalog: host.catalog, registry: host.registry, config: host.config }, () => 1));
  checkNullComparisons(query, planned.from.node.schema, host.registry);
  const seen = new Set<string>();
  for (const c of planned.columns) {
    if (seen.has(c.name)) throw new PlanError(`Duplicate value columns found in schema: \`${c.name}\` ${formatSqlType(c.type)}`, query.pos);
    seen.add(c.name);
  }
  if (source.sourceType === 'TABLE' && !source.createdByQuery && !source.isSource)
    throw new PlanError(
      `The \`${source.name}\` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_${source.name} AS SELECT * FROM ${source.name}'. ${MORE_INFO}`,
      query.pos,
    );

  checkKeyConstraints(query, source, host.config);
  const alias = query.from.kind === 'SourceRelation' ? query.from.alias ?? source.name : source.name;
  const keyNames = new Set(keyColumns(source.schema).map((c) => c.name));
  const columns: PullColumn[] = planned.columns.map((c, i) => {
    const e = projectedExpression(planned, i);
    const isKey =
      source.sourceType === 'TABLE' &&
      e?.kind === 'ColumnRef' &&
      (!e.source || e.source === alias) &&
      (keyNames.has(e.name) || (!!source.window && (e.name === 'WINDOWSTART' || e.name === 'WINDOWEND')));
    return isKey ? { ...c, key: true } : c;
  });

  // the planned Filter and Select, with a sink that collects rows
  const collected: unknown[][] = [];
  const limit = query.limit;
  const collect: Downstream = (rec: StreamRecord) => {
    if (rec.tombstone) return;
    collected.push(planned.take.map((i) => rec.row[i] ?? null));
  };
  const sink = () => collect;
  const factories: OperatorFactories = { ...operatorFactories, StreamSink: sink, TableSink: sink };
  const ctx = inertOperatorContext({
    queryId,
    registry: host.registry,
    config: host.config,
    schemaRegistry: host.schemaRegistry,
    keyValueStore: () => {
      throw new PlanError('Pull queries do not keep state');
    },
  });
  const topology = buildTopology(planned.plan.sink, factories, ctx);
  const entry = topology.sources.get(source.topic)![0]!;
  const full = () => limit !== undefined && collected.length >= limit;

  if (source.sourceType === 'STREAM') {
    const desc = await host.log.describeTopic(source.topic);
    for (const p of desc.partitions) {
      let offset = p.logStartOffset;
      while (offset < p.highWatermark && !full()) {
        const batch = await host.log.fetch(source.topic, p.partition, offset, { maxRecords: 1000 });
        if (!batch.records.length) break;
        for (const rec of batch.records) {
          if (rec.offset >= p.highWatermark || full()) break;
          await entry(rec);
        }
        offset = batch.nextOffset;
      }
    }
  } else {
    const index = await host.indexes.caughtUp(host.log, source, host.schemaRegistry);
    const keys = lookupKeys(query, source, host.registry, index.keySerde);
    const records = keys ? index.lookup(keys) : index.scan();
    for (const rec of records) {
      if (full()) break;
      await entry(rec);
    }
  }
  const values = limit !== undefined ? collected.slice(0, limit) : collected;
  return { columns, values, rows: values.map((v) => toRow(columns, v)) };
}

/**
 * ksqlDB's pull-query wording for WHERE errors: an unknown column is a "WHERE column", and a
 * type error names the whole WHERE clause as the statement.
 */
function withWhereContext<T>(query: Query, plan: () => T): T {
  try {
    return plan();
  } catch (e) {
    if (!(e instanceof SluiceError) || !query.where) throw e;
    // a window bound of a non-windowed table: the persistent planner's "Unknown column" wording
    const unresolved = /^Column '([^']+)' cannot be resolved\.?$/.exec(e.message) ?? /^Error in WHERE expression: Unknown column ([A-Z_]+)\.$/.exec(e.message);
    if (unresolved && columnsIn(query.where).includes(unresolved[1]!)) throw new PlanError(`WHERE column '${unresolved[1]}' cannot be resolved.`, (e as { position?: SourcePosition }).position ?? query.pos);
    if (e.message.startsWith('Error in WHERE expression:') && !e.message.includes('\nStatement: '))
      throw new PlanError(`${e.message}\nStatement: ${formatExpression(query.where)}`, (e as { position?: SourcePosition }).position ?? query.pos);
    throw e;
  }
}

/** `key = NULL` is never true: ksqlDB rejects it in pull queries. */
function checkNullComparisons(query: Query, columns: readonly RowColumn[], registry: FunctionRegistry): void {
  if (!query.where) return;
  for (const c of collectExpressions(query.where, (x) => x.kind === 'Comparison')) {
    if (c.kind !== 'Comparison') continue;
    const other = c.left.kind === 'NullLiteral' ? c.right : c.right.kind === 'NullLiteral' ? c.left : undefined;
    if (!other || other.kind === 'NullLiteral') continue;
    const type = formatSqlType(typeCheck(other, columns, registry).type);
    const text = c.left === other ? `${type} ${c.op} NULL` : `NULL ${c.op} ${type}`;
    throw new PlanError(
      `Error in WHERE expression: Comparison with NULL not supported: ${text}\nUse 'IS NULL' or 'IS NOT NULL' instead.\nStatement: ${formatExpression(query.where)}`,
      c.pos ?? query.pos,
    );
  }
}

/** The select item behind a result column, for deciding whether it is a key column. */
function projectedExpression(planned: ReturnType<typeof planTransientQuery>, i: number): Expression | undefined {
  const sink = planned.plan.sink;
  const select = sink.input;
  if (select.kind !== 'StreamSelect' && select.kind !== 'TableSelect') return undefined;
  const expression = select.expressions[planned.take[i]!];
  return expression;
}

function columnsIn(e: Expression | undefined): string[] {
  if (!e) return [];
  return collectExpressions(e, (x) => x.kind === 'ColumnRef').map((x) => (x as { name: string }).name);
}

/** ksqlDB's errors for the shapes pull queries do not support. */
function validateShape(query: Query, config: ReadonlyMap<string, string>): void {
  const unsupported = (what: string) => new PlanError(`Pull queries don't support ${what} clauses. ${MORE_INFO}\n${PUSH_HINT}`, query.pos);
  if (query.from.kind !== 'SourceRelation') throw unsupported('JOIN');
  if (query.window) throw unsupported('WINDOW');
  if (query.groupBy?.length) throw unsupported('GROUP BY');
  if (query.partitionBy?.length) throw unsupported('PARTITION BY');
  if (query.having) throw unsupported('HAVING');
  if (query.limit !== undefined) {
    if (query.limit < 0) throw new PlanError(`Pull queries don't support negative integers in the LIMIT clause. ${MORE_INFO}`, query.pos);
    if (config.get('ksql.query.pull.limit.clause.enabled') === 'false')
      throw new PlanError(
        `LIMIT clause in pull queries is currently disabled. You can enable them by setting ksql.query.pull.limit.clause.enabled=true. ${MORE_INFO}\n${PUSH_HINT}`,
        query.pos,
      );
  }
  const disallowed = (names: string[]) => [...new Set(names.filter((n) => n === 'ROWPARTITION' || n === 'ROWOFFSET'))];
  const inSelect = disallowed(query.select.flatMap((s) => (s.kind === 'SingleColumn' ? columnsIn(s.expression) : [])));
  if (inSelect.length) throw new PlanError(`Pull queries don't support the following columns in SELECT clauses: ${inSelect.map((n) => `\`${n}\``).join(', ')}`, query.pos);
  const inWhere = disallowed(columnsIn(query.where));
  if (inWhere.length) throw new PlanError(`Pull queries don't support the following columns in WHERE clauses: ${inWhere.map((n) => `\`${n}\``).join(', ')}`, query.pos);
}

/**
 * The keys a WHERE clause pins down: every key column compared with `=` to a constant, or the
 * single key column with IN (constants), in a top-level conjunction. Undefined means scan.
 */
function lookupKeys(query: Query, source: DataSource, registry: FunctionRegistry, keySerde: RowSerde | undefined): Buffer[] | undefined {
  if (!query.where || !keySerde) return undefined;
  const keys = keyColumns(source.schema);
  const conjuncts: Expression[] = [];
  const split = (e: Expression): void => {
    if (e.kind === 'Logical' && e.op === 'AND') {
      split(e.left);
      split(e.right);
    } else conjuncts.push(e);
  };
  split(query.where);
  const constant = (e: Expression) => collectExpressions(e, (y) => y.kind === 'ColumnRef').length === 0;
  const isKey = (e: Expression): e is Expression & { kind: 'ColumnRef'; name: string } => e.kind === 'ColumnRef' && keys.some((k) => k.name === e.name);
  // the expressions one term pins one key column to: `=`, IN, or an OR of those on one column
  const pinned = (c: Expression): { key: string; values: readonly Expression[]; ordered?: boolean } | undefined => {
    if (c.kind === 'Comparison' && c.op === '=') {
      const [col, lit] = isKey(c.left) ? [c.left, c.right] : [c.right, c.left];
      return isKey(col) && constant(lit) ? { key: col.name, values: [lit] } : undefined;
    }
    if (c.kind === 'InList' && !c.not && isKey(c.operand) && c.list.every(constant)) return { key: c.operand.name, values: c.list };
    if (c.kind === 'Logical' && c.op === 'OR') {
      const l = pinned(c.left);
      const r = pinned(c.right);
      // ksqlDB answers a disjunction of lookups in key order (an IN list in its own order)
      return l && r && l.key === r.key ? { key: l.key, values: [...l.values, ...r.values], ordered: true } : undefined;
    }
    return undefined;
  };
  const candidates = new Map<string, readonly Expression[]>();
  let inKeyOrder = false;
  // several terms on one column: the first one's values, in its order (the filter keeps the rest honest)
  for (const c of conjuncts) {
    const p = pinned(c);
    if (p && !candidates.has(p.key)) {
      candidates.set(p.key, p.values);
      inKeyOrder ||= !!p.ordered;
    }
  }
  if (!keys.every((k) => candidates.has(k.name))) return undefined;
  try {
    // the cross product of each key column's candidates
    let tuples: unknown[][] = [[]];
    for (const k of keys) {
      const values = candidates.get(k.name)!.map((e) => evaluateConstant(e, registry, k.type));
      tuples = tuples.flatMap((t) => values.map((v) => [...t, v]));
    }
    const out = new Map<string, Buffer>();
    for (const t of tuples) {
      if (t.some((v) => v === null)) continue;
      const b = keySerde.serialize(t);
      if (b) out.set(b.toString('latin1'), b);
    }
    const found = [...out.values()];
    return inKeyOrder ? found.sort(Buffer.compare) : found;
  } catch {
    return undefined; // a value the key type cannot hold: the filter decides on a scan
  }
}

interface IndexedRecord {
  readonly record: FetchedRecord;
  /** canonical key bytes (without the window) */
  readonly key: string;
  readonly keyBytes: Buffer;
  readonly windowStart: number;
  /** the partition whose store holds the row: a windowed key is partitioned by its key alone */
  readonly partition: number;
}

/** ksqlDB's scan order: partition by partition, each in key order (windows by start time). */
const scanOrder = (a: IndexedRecord, b: IndexedRecord) => a.partition - b.partition || Buffer.compare(a.keyBytes, b.keyBytes) || a.windowStart - b.windowStart;

/** One table's index: canonical key bytes (+ window) -> the latest record. */
class TableIndex {
  readonly keySerde: RowSerde | undefined;
  private readonly rows = new Map<string, IndexedRecord>();
  /** key -> the full keys of its windows */
  private readonly windows = new Map<string, Set<string>>();
  private readonly offsets = new Map<number, bigint>();
  private sorted: IndexedRecord[] | undefined;

  constructor(readonly source: DataSource, schemaRegistry: SchemaRegistry) {
    const keys = keyColumns(source.schema);
    this.keySerde = keys.length
      ? createSerde(source.keyFormat.format as FormatName, 'KEY', keys, { ...source.keyFormat, topic: source.topic, schemaRegistry })
      : undefined;
  }

  private partitions = 1;

  async catchUp(log: Log): Promise<void> {
    const desc = await log.describeTopic(this.source.topic);
    this.partitions = desc.partitions.length;
    for (const p of desc.partitions) {
      let offset = this.offsets.get(p.partition) ?? p.logStartOffset;
      if (offset < p.logStartOffset) offset = p.logStartOffset;
      while (offset < p.highWatermark) {
        const batch = await log.fetch(this.source.topic, p.partition, offset, { maxRecords: 5000 });
        if (!batch.records.length) break;
        for (const rec of batch.records) if (rec.offset < p.highWatermark) this.apply(rec);
        offset = batch.nextOffset;
      }
      this.offsets.set(p.partition, offset < p.highWatermark ? offset : p.highWatermark);
    }
  }

  private canonical(keyBytes: Buffer | null): Buffer | undefined {
    if (!keyBytes || !this.keySerde) return keyBytes ?? undefined;
    try {
      const values = this.keySerde.deserialize(keyBytes);
      return values ? this.keySerde.serialize(values) ?? undefined : undefined;
    } catch {
      return undefined; // unreadable keys are skipped, as the source operator skips them
    }
  }

  private apply(rec: FetchedRecord): void {
    let keyBytes = rec.key;
    let window: { start: number; end: number } | undefined;
    if (this.source.window && keyBytes) {
      try {
        const split = splitWindowedKey(keyBytes, this.source.window);
        keyBytes = split.keyBytes;
        window = split.window;
      } catch {
        return;
      }
    }
    const key = this.canonical(keyBytes);
    if (!key) return;
    const full = (window && this.source.window ? windowedKeyBytes(key, window, this.source.window.type) : key).toString('latin1');
    const k = key.toString('latin1');
    this.sorted = undefined;
    if (rec.value === null) {
      this.rows.delete(full);
      this.windows.get(k)?.delete(full);
      return;
    }
    this.rows.set(full, { record: rec, key: k, keyBytes: key, windowStart: window?.start ?? 0, partition: window ? partitionForKey(key, this.partitions) : rec.partition });
    if (window) {
      let set = this.windows.get(k);
      if (!set) this.windows.set(k, (set = new Set()));
      set.add(full);
    }
  }

  scan(): FetchedRecord[] {
    this.sorted ??= [...this.rows.values()].sort(scanOrder);
    return this.sorted.map((r) => r.record);
  }

  /** the keys' rows in the order the keys are given (an IN list's order), windows ascending */
  lookup(keys: readonly Buffer[]): FetchedRecord[] {
    const found: FetchedRecord[] = [];
    for (const key of keys) {
      const k = key.toString('latin1');
      if (this.source.window) {
        const windows = [...(this.windows.get(k) ?? [])].flatMap((full) => this.rows.get(full) ?? []);
        found.push(...windows.sort((a, b) => a.windowStart - b.windowStart).map((r) => r.record));
      } else {
        const r = this.rows.get(k);
        if (r) found.push(r.record);
      }
    }
    return found;
  }
}

/** The engine's table indexes, by source; rebuilt when the source is re-created. */
export class TableIndexes {
  private readonly byName = new Map<string, TableIndex>();

  async caughtUp(log: Log, source: DataSource, schemaRegistry: SchemaRegistry): Promise<TableIndex> {
    let index = this.byName.get(source.name);
    if (!index || index.source !== source) {
      index = new TableIndex(source, schemaRegistry);
      this.byName.set(source.name, index);
    }
    await index.catchUp(log);
    return index;
  }
}
