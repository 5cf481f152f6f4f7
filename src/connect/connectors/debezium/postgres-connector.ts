/**
 * Change data capture from PostgreSQL through logical replication (pgoutput), under Debezium's
 * class name and keys (io.debezium.connector.postgresql.PostgresConnector), writing Debezium's
 * change events: topics `<topic.prefix>.<schema>.<table>`, a key struct of the primary key, and a
 * value envelope {before, after, source, transaction, op, ts_ms} with op r (snapshot), c, u, d, and a
 * tombstone after each delete.
 *
 * How it keeps its place:
 * - the first start (snapshot.mode=initial) creates the replication slot with an exported snapshot
 *   and reads every table in that snapshot, so the snapshot and the stream meet exactly at the slot's
 *   consistent point;
 * - whole transactions are handed to the worker, and the worker writes them with their offsets
 *   (the transaction's commit LSN and the change's LSN) in one log transaction;
 * - only after that write does the task confirm the LSN to the slot (flush), so PostgreSQL keeps
 *   the WAL of anything not yet stored; after a restart, changes at or before the stored offset are
 *   skipped. A snapshot interrupted before its last row is taken again.
 * The replication stream is read with pg-logical-replication; values are taken as PostgreSQL's text.
 */
import pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { ConfigDef, ConnectConfigError } from '../../api/config-def.js';
import type { SourceRecord } from '../../api/connect-record.js';
import type { Connector, SourceTask, SourceTaskContext } from '../../api/connector.js';
import { Schemas, Struct, type Schema } from '../../api/schema.js';
import { Validators } from '../../transforms/util/validators.js';
import { asRetriable, connect, isBroken, quoteTable, type PgConnectionSettings } from '../jdbc/pg-connection.js';
import { columnSchema, columnValue, lsnToNumber, numberToLsn, type DecimalHandling, type PgColumn, type TimePrecision, type ValueSettings } from './pg-cdc-values.js';

const VERSION = '2.7.3.Final';
const SNAPSHOT_MODES = ['initial', 'always', 'initial_only', 'no_data', 'never'] as const;
type SnapshotMode = (typeof SNAPSHOT_MODES)[number];
const UNAVAILABLE = '__debezium_unavailable_value';

const oneOf = (values: readonly string[]) => Validators.validString(...values);

export function postgresCdcConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'database.hostname', type: 'STRING', importance: 'HIGH', documentation: 'Resolvable hostname or IP address of the database server.', group: 'Connection' })
    .define({ name: 'database.port', type: 'INT', defaultValue: 5432, importance: 'HIGH', documentation: 'Port of the database server.', group: 'Connection' })
    .define({ name: 'database.user', type: 'STRING', importance: 'HIGH', documentation: 'Name of the database user to be used when connecting to the database.', group: 'Connection' })
    .define({ name: 'database.password', type: 'PASSWORD', defaultValue: null, importance: 'HIGH', documentation: 'Password of the database user to be used when connecting to the database.', group: 'Connection' })
    .define({ name: 'database.dbname', type: 'STRING', importance: 'HIGH', documentation: 'The name of the database from which the connector should capture changes.', group: 'Connection' })
    .define({ name: 'topic.prefix', type: 'STRING', importance: 'HIGH', documentation: 'Topic prefix that identifies and provides a namespace for the particular database server/cluster.', group: 'Connection' })
    .define({ name: 'plugin.name', type: 'STRING', defaultValue: 'pgoutput', importance: 'MEDIUM', documentation: 'The name of the Postgres logical decoding plugin installed on the server (only pgoutput, which ships with PostgreSQL, is supported).', group: 'Connection', validator: oneOf(['pgoutput']) })
    .define({ name: 'slot.name', type: 'STRING', defaultValue: 'debezium', importance: 'MEDIUM', documentation: 'The name of the Postgres logical decoding slot created for streaming changes from a plugin.', group: 'Connection' })
    .define({ name: 'slot.drop.on.stop', type: 'BOOLEAN', defaultValue: false, importance: 'LOW', documentation: 'Whether or not to drop the logical replication slot when the connector finishes orderly.', group: 'Connection' })
    .define({ name: 'publication.name', type: 'STRING', defaultValue: 'dbz_publication', importance: 'LOW', documentation: 'The name of the Postgres 10+ publication used for streaming changes from a plugin.', group: 'Connection' })
    .define({ name: 'publication.autocreate.mode', type: 'STRING', defaultValue: 'all_tables', importance: 'LOW', documentation: 'Applies only when streaming changes using pgoutput: all_tables, disabled or filtered.', group: 'Connection', validator: oneOf(['all_tables', 'disabled', 'filtered']) })
    .define({ name: 'schema.include.list', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'The schemas for which events should be captured (regular expressions).', group: 'Filters' })
    .define({ name: 'schema.exclude.list', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'The schemas for which events must not be captured (regular expressions).', group: 'Filters' })
    .define({ name: 'table.include.list', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'The tables for which changes are to be captured (regular expressions over schema.table).', group: 'Filters' })
    .define({ name: 'table.exclude.list', type: 'LIST', defaultValue: [], importance: 'MEDIUM', documentation: 'A comma-separated list of regular expressions that match the fully-qualified names of tables to be excluded from monitoring.', group: 'Filters' })
    .define({ name: 'snapshot.mode', type: 'STRING', defaultValue: 'initial', importance: 'LOW', documentation: "The criteria for running a snapshot upon startup of the connector: 'initial', 'always', 'initial_only', 'no_data' ('never').", group: 'Snapshot', validator: oneOf(SNAPSHOT_MODES) })
    .define({ name: 'snapshot.fetch.size', type: 'INT', defaultValue: 10240, importance: 'MEDIUM', documentation: 'The maximum number of records that should be loaded into memory while performing a snapshot.', group: 'Snapshot' })
    .define({ name: 'decimal.handling.mode', type: 'STRING', defaultValue: 'precise', importance: 'MEDIUM', documentation: "Specify how DECIMAL and NUMERIC columns should be represented in change events: 'precise', 'string' or 'double'.", group: 'Events', validator: oneOf(['precise', 'string', 'double']) })
    .define({ name: 'time.precision.mode', type: 'STRING', defaultValue: 'adaptive', importance: 'MEDIUM', documentation: "Time, date, and timestamps can be represented with different kinds of precisions: 'adaptive', 'adaptive_time_microseconds' or 'connect'.", group: 'Events', validator: oneOf(['adaptive', 'adaptive_time_microseconds', 'connect']) })
    .define({ name: 'tombstones.on.delete', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether delete operations should be represented by a delete event and a subsequent tombstone event (true) or only by a delete event (false).', group: 'Events' })
    .define({ name: 'max.batch.size', type: 'INT', defaultValue: 2048, importance: 'MEDIUM', documentation: 'Maximum size of each batch of source records.', group: 'Connector' })
    .define({ name: 'max.queue.size', type: 'INT', defaultValue: 8192, importance: 'MEDIUM', documentation: 'Maximum size of the queue for change events read from the database log but not yet recorded or forwarded.', group: 'Connector' })
    .define({ name: 'poll.interval.ms', type: 'INT', defaultValue: 500, importance: 'MEDIUM', documentation: 'Time to wait for new change events to appear after receiving no events, given in milliseconds.', group: 'Connector' });
}

export class PostgresConnector implements Connector {
  readonly type = 'source' as const;
  private props: Readonly<Record<string, string>> = {};
  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return postgresCdcConfigDef();
  }
  validate(props: Readonly<Record<string, string>>): { name: string; errors: string[] }[] {
    const max = Number(props['tasks.max'] ?? 1);
    return max > 1 ? [{ name: 'tasks.max', errors: ['Only a single connector task may be started'] }] : [];
  }
  start(props: Readonly<Record<string, string>>): void {
    postgresCdcConfigDef().parse(props);
    this.props = props;
  }
  /** one task: a replication slot has one reader */
  taskConfigs(): Record<string, string>[] {
    return [{ ...this.props }];
  }
  stop(): void {}
  taskFactory(): () => SourceTask {
    return () => new PostgresConnectorTask();
  }
}

/** a table's schemas and topic, from pgoutput's relation message or the catalog */
interface CapturedTable {
  readonly schema: string;
  readonly table: string;
  readonly topic: string;
  readonly columns: readonly PgColumn[];
  readonly keyColumns: readonly string[];
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema;
  readonly envelopeSchema: Schema;
}

type Row = Readonly<Record<string, string | null | undefined>>;

interface StreamPosition {
  /** commit LSN of the transaction of the last stored change */
  readonly commit: number;
  /** LSN of the last stored change */
  readonly change: number;
}

interface ReadyTransaction {
  readonly records: SourceRecord[];
  /** confirmed to the slot once these records are stored */
  readonly endLsn: string;
}

interface Snapshot {
  readonly client: pg.Client;
  readonly tables: readonly CapturedTable[];
  readonly consistentPoint: number;
  readonly txId: number;
  index: number;
  cursorOpen: boolean;
  /** held back so that the snapshot's last row can be marked last_snapshot_record */
  pending: { table: CapturedTable; row: Row } | undefined;
}

const SOURCE_SCHEMA: Schema = Schemas.struct(
  [
    { name: 'version', schema: Schemas.primitive('STRING') },
    { name: 'connector', schema: Schemas.primitive('STRING') },
    { name: 'name', schema: Schemas.primitive('STRING') },
    { name: 'ts_ms', schema: Schemas.primitive('INT64') },
    { name: 'snapshot', schema: { type: 'STRING', optional: true, name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'true,last,false,incremental' }, defaultValue: 'false' } },
    { name: 'db', schema: Schemas.primitive('STRING') },
    { name: 'sequence', schema: Schemas.primitive('STRING', true) },
    { name: 'schema', schema: Schemas.primitive('STRING') },
    { name: 'table', schema: Schemas.primitive('STRING') },
    { name: 'txId', schema: Schemas.primitive('INT64', true) },
    { name: 'lsn', schema: Schemas.primitive('INT64', true) },
    { name: 'xmin', schema: Schemas.primitive('INT64', true) },
  ],
  { name: 'io.debezium.connector.postgresql.Source' },
);

const TRANSACTION_SCHEMA: Schema = Schemas.struct(
  [
    { name: 'id', schema: Schemas.primitive('STRING') },
    { name: 'total_order', schema: Schemas.primitive('INT64') },
    { name: 'data_collection_order', schema: Schemas.primitive('INT64') },
  ],
  { name: 'event.block', version: 1, optional: true },
);

function patterns(list: readonly string[]): RegExp[] {
  return list.filter((p) => p.trim()).map((p) => new RegExp(`^(?:${p.trim()})$`));
}

/** a key tuple as a row: the other columns are null (not unchanged TOAST values) */
function keyOnly(t: CapturedTable, key: Row | null): Row {
  return Object.fromEntries(t.columns.map((c) => [c.name, key?.[c.name] ?? null]));
}

/** pgoutput's relation messages with every column's value kept as PostgreSQL's text */
class TextPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): Pgoutput.Message {
    const message = super.parse(buffer);
    if (message.tag === 'relation') for (const column of message.columns) column.parser = (text: unknown) => text;
    return message;
  }
}

export class PostgresConnectorTask implements SourceTask {
  readonly kind = 'source' as const;
  private config!: Record<string, unknown>;
  private settings!: PgConnectionSettings;
  private values!: ValueSettings;
  private prefix = '';
  private partition: Record<string, unknown> = {};
  private includeSchemas: RegExp[] = [];
  private excludeSchemas: RegExp[] = [];
  private includeTables: RegExp[] = [];
  private excludeTables: RegExp[] = [];
  private snapshotMode: SnapshotMode = 'initial';
  private stored: Record<string, unknown> | null = null;
  private skipThrough: StreamPosition | null = null;

  private snapshot: Snapshot | undefined;
  private streamFrom: string | undefined;
  private service: LogicalReplicationService | undefined;
  private readonly relations = new Map<number, CapturedTable | null>();
  private transaction: { xid: number; commitLsn: number; commitTime: bigint; records: SourceRecord[] } | undefined;
  private readonly ready: ReadyTransaction[] = [];
  private readyCount = 0;
  /** the LSN PostgreSQL may forget WAL up to: everything before it is stored */
  private confirmed = '0/0';
  private awaitingStore: string | undefined;
  private failure: unknown;
  private stopped = false;
  private wake: (() => void) | undefined;
  private drained: (() => void) | undefined;

  version(): string {
    return VERSION;
  }

  async start(props: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    this.config = postgresCdcConfigDef().parse(props);
    const password = this.config['database.password'] as string | null;
    this.settings = { host: String(this.config['database.hostname']), port: Number(this.config['database.port']), database: String(this.config['database.dbname']), user: String(this.config['database.user']), ...(password ? { password } : {}) };
    this.values = { decimalHandling: this.config['decimal.handling.mode'] as DecimalHandling, timePrecision: this.config['time.precision.mode'] as TimePrecision };
    this.prefix = String(this.config['topic.prefix']);
    this.partition = { server: this.prefix };
    this.includeSchemas = patterns(this.config['schema.include.list'] as string[]);
    this.excludeSchemas = patterns(this.config['schema.exclude.list'] as string[]);
    this.includeTables = patterns(this.config['table.include.list'] as string[]);
    this.excludeTables = patterns(this.config['table.exclude.list'] as string[]);
    this.snapshotMode = this.config['snapshot.mode'] as SnapshotMode;
    this.stored = context.offsetStorageReader.offset(this.partition);
    const storedCommit = this.stored?.['lsn_commit'];
    if (typeof storedCommit === 'number') this.skipThrough = { commit: storedCommit, change: Number(this.stored?.['lsn'] ?? storedCommit) };
    try {
      await this.prepare();
    } catch (e) {
      await this.stop();
      throw asRetriable(e);
    }
  }

  private captured(schema: string, table: string): boolean {
    const full = `${schema}.${table}`;
    if (this.includeSchemas.length && !this.includeSchemas.some((p) => p.test(schema))) return false;
    if (this.excludeSchemas.some((p) => p.test(schema))) return false;
    if (this.includeTables.length && !this.includeTables.some((p) => p.test(full))) return false;
    return !this.excludeTables.some((p) => p.test(full));
  }

  private snapshotWanted(): boolean {
    switch (this.snapshotMode) {
      case 'always':
        return true;
      case 'no_data':
      case 'never':
        return false;
      case 'initial':
      case 'initial_only':
        return !this.stored || (this.stored['snapshot'] === true && this.stored['last_snapshot_record'] !== true);
    }
  }

  /** the publication, the slot, and the snapshot when one is due */
  private async prepare(): Promise<void> {
    const slot = String(this.config['slot.name']);
    const client = await connect(this.settings);
    try {
      await this.ensurePublication(client);
      const existing = (await client.query<{ confirmed_flush_lsn: string | null }>('SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0];
      if (this.snapshotWanted()) {
        if (existing) await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
        await this.beginSnapshot(slot);
        return;
      }
      if (this.snapshotMode === 'initial_only') return;
      if (existing) {
        this.confirmed = existing.confirmed_flush_lsn ?? '0/0';
      } else {
        // no slot (first start without a snapshot, or a slot dropped): changes from now on
        this.confirmed = (await client.query<{ lsn: string }>(`SELECT lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')`, [slot])).rows[0]!.lsn;
      }
      this.streamFrom = this.confirmed;
    } finally {
      await client.end().catch(() => {});
    }
  }

  private async ensurePublication(client: pg.Client): Promise<void> {
    const name = String(this.config['publication.name']);
    const mode = String(this.config['publication.autocreate.mode']);
    const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount! > 0;
    if (mode === 'disabled') {
      if (!exists) throw new ConnectConfigError('publication.name', name, `Publication ${name} does not exist and publication.autocreate.mode is disabled`);
      return;
    }
    if (mode === 'all_tables') {
      if (!exists) await client.query(`CREATE PUBLICATION "${name.replace(/"/g, '""')}" FOR ALL TABLES`);
      return;
    }
    const tables = (await this.listTables(client)).map((t) => `${quoteTable(`${t.schema}.${t.table}`)}`);
    if (tables.length === 0) throw new ConnectConfigError('table.include.list', String(this.config['table.include.list']), 'No table matches the filters, so a filtered publication cannot be created');
    await client.query(`${exists ? 'ALTER' : 'CREATE'} PUBLICATION "${name.replace(/"/g, '""')}" ${exists ? 'SET TABLE' : 'FOR TABLE'} ${tables.join(', ')}`);
  }

  private async listTables(client: pg.Client): Promise<{ schema: string; table: string }[]> {
    const rows = (await client.query<{ schemaname: string; tablename: string }>(`SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename`)).rows;
    return rows.map((r) => ({ schema: r.schemaname, table: r.tablename })).filter((t) => this.captured(t.schema, t.table) && !t.table.startsWith('__connect'));
  }

  /** the slot created with an exported snapshot, and a REPEATABLE READ transaction reading in it */
  private async beginSnapshot(slot: string): Promise<void> {
    const replication = new pg.Client({ ...this.settings, replication: 'database' } as pg.ClientConfig);
    await replication.connect();
    try {
      const created = (await replication.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT "${slot.replace(/"/g, '""')}" LOGICAL pgoutput EXPORT_SNAPSHOT`)).rows[0]!;
      const reader = await connect(this.settings);
      await reader.query(`SET TIME ZONE 'UTC'`);
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await reader.query(`SET TRANSACTION SNAPSHOT '${created.snapshot_name.replace(/'/g, "''")}'`);
      const txId = Number((await reader.query<{ x: string }>('SELECT txid_current_if_assigned() AS x')).rows[0]?.x ?? 0);
      const tables: CapturedTable[] = [];
      for (const t of await this.listTables(reader)) tables.push(await this.describeTable(reader, t.schema, t.table));
      this.snapshot = { client: reader, tables, consistentPoint: lsnToNumber(created.consistent_point), txId, index: 0, cursorOpen: false, pending: undefined };
      this.confirmed = created.consistent_point;
      this.streamFrom = created.consistent_point;
    } finally {
      // the snapshot stays valid in the reader's transaction once imported
      await replication.end().catch(() => {});
    }
  }

  private async describeTable(client: pg.Client, schema: string, table: string): Promise<CapturedTable> {
    const name = quoteTable(`${schema}.${table}`);
    const columns = (await client.query<{ attname: string; atttypid: number; atttypmod: number }>(`SELECT attname, atttypid::int, atttypmod FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [name])).rows;
    const keys = (await client.query<{ attname: string }>(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`, [name])).rows;
    return this.capturedTable(
      schema,
      table,
      columns.map((c) => ({ name: c.attname, typeOid: c.atttypid, typeMod: c.atttypmod })),
      keys.map((k) => k.attname),
    );
  }

  private capturedTable(schema: string, table: string, columns: readonly PgColumn[], keyColumns: readonly string[]): CapturedTable {
    const topic = `${this.prefix}.${schema}.${table}`;
    const keySet = new Set(keyColumns);
    const fieldSchema = (c: PgColumn): Schema => {
      const s = columnSchema(c, this.values);
      return keySet.has(c.name) ? { ...s, optional: false } : s;
    };
    const valueSchema = Schemas.struct(columns.map((c) => ({ name: c.name, schema: fieldSchema(c) })), { name: `${topic}.Value`, optional: true });
    const keySchema = keyColumns.length ? Schemas.struct(columns.filter((c) => keySet.has(c.name)).map((c) => ({ name: c.name, schema: fieldSchema(c) })), { name: `${topic}.Key` }) : null;
    const envelopeSchema = Schemas.struct(
      [
        { name: 'before', schema: valueSchema },
        { name: 'after', schema: valueSchema },
        { name: 'source', schema: SOURCE_SCHEMA },
        { name: 'transaction', schema: TRANSACTION_SCHEMA },
        { name: 'op', schema: Schemas.primitive('STRING') },
        { name: 'ts_ms', schema: Schemas.primitive('INT64', true) },
      ],
      { name: `${topic}.Envelope`, version: 1 },
    );
    return { schema, table, topic, columns, keyColumns, keySchema, valueSchema, envelopeSchema };
  }

  private rowStruct(schema: Schema, row: Row): Struct {
    const struct = new Struct(schema);
    for (const field of schema.fields ?? []) {
      const text = row[field.name];
      // pgoutput leaves an unchanged TOASTed value out; Debezium writes a placeholder for it
      struct.put(field.name, text === undefined && field.schema.type === 'STRING' ? UNAVAILABLE : columnValue(field.schema, text));
    }
    return struct;
  }

  private changeRecords(t: CapturedTable, op: 'r' | 'c' | 'u' | 'd', before: Row | null, after: Row | null, source: Record<string, unknown>, offset: Record<string, unknown>, keyRow: Row): SourceRecord[] {
    const src = new Struct(SOURCE_SCHEMA);
    src.put('version', VERSION).put('connector', 'postgresql').put('name', this.prefix).put('db', this.settings.database).put('schema', t.schema).put('table', t.table);
    for (const [k, v] of Object.entries(source)) src.put(k, v);
    const envelope = new Struct(t.envelopeSchema)
      .put('before', before ? this.rowStruct(t.valueSchema, before) : null)
      .put('after', after ? this.rowStruct(t.valueSchema, after) : null)
      .put('source', src)
      .put('op', op)
      .put('ts_ms', BigInt(Date.now()));
    const key = t.keySchema ? this.rowStruct(t.keySchema, keyRow) : null;
    const base = { topic: t.topic, kafkaPartition: null, keySchema: t.keySchema, key, timestamp: null, headers: [], sourcePartition: this.partition, sourceOffset: offset };
    const out: SourceRecord[] = [{ ...base, valueSchema: t.envelopeSchema, value: envelope }];
    if (op === 'd' && this.config['tombstones.on.delete'] && key) out.push({ ...base, valueSchema: null, value: null });
    return out;
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    if (this.snapshot) return this.pollSnapshot();
    if (!this.streamFrom) {
      // initial_only: the snapshot was all there is to do
      await this.sleep(Number(this.config['poll.interval.ms']));
      return null;
    }
    if (!this.service) this.startStreaming();
    if (this.failure) {
      const e = this.failure;
      throw asRetriable(e);
    }
    if (this.ready.length === 0) {
      await this.sleep(Number(this.config['poll.interval.ms']));
      if (this.ready.length === 0) return null;
    }
    const max = Number(this.config['max.batch.size']);
    const out: SourceRecord[] = [];
    // whole transactions only, so a stored offset always ends one
    while (this.ready.length && (out.length === 0 || out.length + this.ready[0]!.records.length <= max)) {
      const next = this.ready.shift()!;
      this.readyCount -= next.records.length;
      out.push(...next.records);
      this.awaitingStore = next.endLsn;
    }
    this.drained?.();
    return out;
  }

  /** the worker stored the records polled so far with their offsets: the slot may let their WAL go */
  async commit(): Promise<void> {
    if (!this.awaitingStore) return;
    this.confirmed = this.awaitingStore;
    this.awaitingStore = undefined;
    await this.service?.acknowledge(this.confirmed).catch(() => false);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async pollSnapshot(): Promise<SourceRecord[] | null> {
    const s = this.snapshot!;
    const fetchSize = Math.min(Number(this.config['snapshot.fetch.size']), Number(this.config['max.batch.size']));
    const rows: { table: CapturedTable; row: Row }[] = [];
    try {
      while (rows.length < fetchSize && s.index < s.tables.length) {
        const t = s.tables[s.index]!;
        if (!s.cursorOpen) {
          await s.client.query(`DECLARE snapshot_cursor NO SCROLL CURSOR FOR SELECT * FROM ${quoteTable(`${t.schema}.${t.table}`)}`);
          s.cursorOpen = true;
        }
        const fetched = await s.client.query({ text: `FETCH ${fetchSize - rows.length} FROM snapshot_cursor`, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
        for (const row of fetched.rows as Row[]) rows.push({ table: t, row });
        if (fetched.rows.length === 0) {
          await s.client.query('CLOSE snapshot_cursor');
          s.cursorOpen = false;
          s.index++;
        }
      }
    } catch (e) {
      throw asRetriable(e);
    }
    const done = s.index >= s.tables.length;
    if (s.pending) rows.unshift(s.pending);
    s.pending = done ? undefined : rows.pop();
    const ts = BigInt(Date.now());
    const records = rows.flatMap(({ table, row }, i) => {
      const last = done && i === rows.length - 1;
      const offset = { last_snapshot_record: last, lsn: s.consistentPoint, txId: s.txId, ts_usec: Number(ts) * 1000, snapshot: true };
      return this.changeRecords(table, 'r', null, row, { ts_ms: ts, snapshot: last ? 'last' : 'true', lsn: BigInt(s.consistentPoint), txId: BigInt(s.txId) }, offset, row);
    });
    if (done) {
      this.snapshot = undefined;
      await s.client.query('COMMIT').catch(() => {});
      await s.client.end().catch(() => {});
      this.skipThrough = null;
    }
    return records.length ? records : null;
  }

  private startStreaming(): void {
    const service = new LogicalReplicationService({ ...this.settings, options: '-c TimeZone=UTC -c DateStyle=ISO' } as pg.ClientConfig, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });
    this.service = service;
    service.on('data', (lsn: string, message: Pgoutput.Message) => this.onMessage(lsn, message));
    service.on('heartbeat', async (_lsn: string, _ts: number, shouldRespond: boolean) => {
      if (shouldRespond) await service.acknowledge(this.confirmed).catch(() => false);
    });
    service.on('error', (e: Error) => {
      this.failure ??= e;
      this.wake?.();
    });
    const plugin = new TextPgoutputPlugin({ protoVersion: 1, publicationNames: [String(this.config['publication.name'])] });
    service.subscribe(plugin, String(this.config["slot.name"]), this.streamFrom!).catch((e: unknown) => {
      if (!this.stopped) this.failure ??= e;
      this.wake?.();
    });
  }

  private skipped(commitLsn: number, changeLsn: number): boolean {
    const s = this.skipThrough;
    return !!s && (commitLsn < s.commit || (commitLsn === s.commit && changeLsn <= s.change));
  }

  private async onMessage(lsn: string, message: Pgoutput.Message): Promise<void> {
    switch (message.tag) {
      case 'relation': {
        const captured = this.captured(message.schema, message.name);
        this.relations.set(
          message.relationOid,
          captured
            ? this.capturedTable(
                message.schema,
                message.name,
                message.columns.map((c) => ({ name: c.name, typeOid: c.typeOid, typeMod: c.typeMod })),
                message.keyColumns,
              )
            : null,
        );
        return;
      }
      case 'begin':
        this.transaction = { xid: message.xid, commitLsn: lsnToNumber(message.commitLsn ?? '0/0'), commitTime: message.commitTime as bigint, records: [] };
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const txn = this.transaction;
        const t = this.relations.get(message.relation.relationOid);
        if (!txn || !t) return;
        const changeLsn = lsnToNumber(lsn);
        if (this.skipped(txn.commitLsn, changeLsn)) return;
        const offset = { lsn_proc: changeLsn, lsn_commit: txn.commitLsn, lsn: changeLsn, txId: txn.xid, ts_usec: Number(txn.commitTime) };
        const source = { ts_ms: txn.commitTime / 1000n, snapshot: 'false', txId: BigInt(txn.xid), lsn: BigInt(changeLsn), sequence: JSON.stringify([String(txn.commitLsn), String(changeLsn)]) };
        if (message.tag === 'insert') {
          txn.records.push(...this.changeRecords(t, 'c', null, message.new, source, offset, message.new));
        } else if (message.tag === 'delete') {
          const before = message.old ?? keyOnly(t, message.key);
          txn.records.push(...this.changeRecords(t, 'd', before, null, source, offset, before));
        } else if (message.key && t.keyColumns.some((k) => message.key![k] !== message.new[k])) {
          // a changed primary key: a delete (and tombstone) for the old key, then a create for the new one
          const oldKey = keyOnly(t, message.key);
          txn.records.push(...this.changeRecords(t, 'd', oldKey, null, source, offset, oldKey));
          txn.records.push(...this.changeRecords(t, 'c', null, message.new, source, offset, message.new));
        } else {
          txn.records.push(...this.changeRecords(t, 'u', (message.old as Row | null) ?? null, message.new, source, offset, message.new));
        }
        return;
      }
      case 'commit': {
        const txn = this.transaction;
        this.transaction = undefined;
        const end = message.commitEndLsn ?? lsn;
        if (!txn || txn.records.length === 0) {
          // nothing of ours in it: once everything before it is stored, its WAL may go too
          if (this.ready.length === 0 && !this.awaitingStore) this.confirmed = end;
          return;
        }
        this.ready.push({ records: txn.records, endLsn: end });
        this.readyCount += txn.records.length;
        this.wake?.();
        // backpressure: the replication stream stays paused while the queue is full
        while (this.readyCount > Number(this.config['max.queue.size']) && !this.stopped) {
          await new Promise<void>((resolve) => {
            this.drained = resolve;
          });
        }
        return;
      }
      default:
        return;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    this.drained?.();
    const service = this.service;
    this.service = undefined;
    await service?.stop().catch(() => {});
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    await snapshot?.client.end().catch(() => {});
    if (this.config?.['slot.drop.on.stop']) {
      const client = await connect(this.settings).catch(() => undefined);
      if (client && !isBroken(client)) {
        await client.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1', [String(this.config['slot.name'])]).catch(() => {});
        await client.end().catch(() => {});
      }
    }
  }
}
