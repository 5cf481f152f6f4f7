/**
 * The JDBC sink for PostgreSQL, under Confluent's class name and keys
 * (io.confluent.connect.jdbc.JdbcSinkConnector: connection.url/user/password, table.name.format,
 * insert.mode insert|upsert|update, pk.mode none|kafka|record_key|record_value, pk.fields,
 * auto.create, auto.evolve, delete.enabled, batch.size, max.retries, retry.backoff.ms).
 *
 * Exactly-once: every put is one PostgreSQL transaction that writes the rows AND the next offset of
 * each partition into `offsets.table.name` (a Sluice addition, default `__connect_offsets`). On open
 * the task rewinds consumption to the offsets stored there, and records below them are skipped, so
 * a crash, a lost connection or a retried batch never writes a record twice or loses one.
 */
import type pg from 'pg';
import { ConfigDef, ConnectConfigError } from '../../api/config-def.js';
import type { SinkRecord } from '../../api/connect-record.js';
import type { Connector, SinkTask, SinkTaskContext, TopicPartitionOffset, TopicSchemas } from '../../api/connector.js';
import { DataError, Schemas, Struct, type Schema } from '../../api/schema.js';
import { RetriableError } from '../../runtime/connect-errors.js';
import { asRetriable, connect, isBroken, isRetriable, parseJdbcUrl, quoteIdent, quoteTable, type PgConnectionSettings } from './pg-connection.js';
import { fieldOf, inferSchema, pgParam, pgType } from './pg-values.js';

const VERSION = '10.8.0';

const oneOf = (values: readonly string[]) => (name: string, v: unknown): void => {
  if (!values.includes(String(v).toLowerCase())) throw new ConnectConfigError(name, v, `String must be one of: ${values.join(', ')}`);
};

export function jdbcSinkConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'connection.url', type: 'STRING', importance: 'HIGH', documentation: 'JDBC connection URL (jdbc:postgresql://host:port/database)', group: 'Connection' })
    .define({ name: 'connection.user', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'JDBC connection user.', group: 'Connection' })
    .define({ name: 'connection.password', type: 'PASSWORD', defaultValue: null, importance: 'HIGH', documentation: 'JDBC connection password.', group: 'Connection' })
    .define({ name: 'insert.mode', type: 'STRING', defaultValue: 'insert', validator: oneOf(['insert', 'upsert', 'update']), importance: 'HIGH', documentation: 'The insertion mode to use.', group: 'Writes' })
    .define({ name: 'batch.size', type: 'INT', defaultValue: 3000, importance: 'MEDIUM', documentation: 'Specifies how many records to attempt to batch together for insertion into the destination table, when possible.', group: 'Writes' })
    .define({ name: 'delete.enabled', type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: 'Whether to treat null record values as deletes. Requires pk.mode to be record_key.', group: 'Writes' })
    .define({ name: 'table.name.format', type: 'STRING', defaultValue: '${topic}', importance: 'MEDIUM', documentation: 'A format string for the destination table name, which may contain ${topic} as a placeholder for the originating topic name.', group: 'Data Mapping' })
    .define({ name: 'pk.mode', type: 'STRING', defaultValue: 'none', validator: oneOf(['none', 'kafka', 'record_key', 'record_value']), importance: 'HIGH', documentation: 'The primary key mode.', group: 'Data Mapping' })
    .define({ name: 'pk.fields', type: 'LIST', defaultValue: '', importance: 'MEDIUM', documentation: 'List of comma-separated primary key field names.', group: 'Data Mapping' })
    .define({ name: 'fields.whitelist', type: 'LIST', defaultValue: '', importance: 'MEDIUM', documentation: 'List of comma-separated record value field names. If empty, all fields from the record value are utilized.', group: 'Data Mapping' })
    .define({ name: 'auto.create', type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: 'Whether to automatically create the destination table based on record schema if it is found to be missing by issuing CREATE.', group: 'DDL Support' })
    .define({ name: 'auto.evolve', type: 'BOOLEAN', defaultValue: false, importance: 'MEDIUM', documentation: 'Whether to automatically add columns in the table schema when found to be missing relative to the record schema by issuing ALTER.', group: 'DDL Support' })
    .define({ name: 'max.retries', type: 'INT', defaultValue: 10, importance: 'MEDIUM', documentation: 'The maximum number of times to retry on errors before failing the task.', group: 'Retries' })
    .define({ name: 'retry.backoff.ms', type: 'INT', defaultValue: 3000, importance: 'MEDIUM', documentation: 'The time in milliseconds to wait following an error before a retry attempt is made.', group: 'Retries' })
    .define({ name: 'offsets.table.name', type: 'STRING', defaultValue: '__connect_offsets', importance: 'LOW', documentation: '(Sluice) the table holding the consumed offsets, written in the same transaction as the rows (exactly-once)', group: 'Writes' });
}

export class JdbcSinkConnector implements Connector {
  readonly type = 'sink' as const;
  private props: Readonly<Record<string, string>> = {};
  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return jdbcSinkConfigDef();
  }
  validate(props: Readonly<Record<string, string>>): { name: string; errors: string[] }[] {
    const out: { name: string; errors: string[] }[] = [];
    if (props['connection.url'] !== undefined) {
      try {
        parseJdbcUrl(props['connection.url']);
      } catch (e) {
        out.push({ name: 'connection.url', errors: [(e as Error).message] });
      }
    }
    if ((props['delete.enabled'] ?? '').trim().toLowerCase() === 'true' && (props['pk.mode'] ?? 'none').trim().toLowerCase() !== 'record_key') out.push({ name: 'delete.enabled', errors: ['Deletes are only supported for pk.mode record_key'] });
    if ((props['insert.mode'] ?? 'insert').trim().toLowerCase() !== 'insert' && (props['pk.mode'] ?? 'none').trim().toLowerCase() === 'none') out.push({ name: 'pk.mode', errors: [`insert.mode ${props['insert.mode']} needs a primary key: set pk.mode`] });
    return out;
  }
  start(props: Readonly<Record<string, string>>): void {
    jdbcSinkConfigDef().parse(props);
    this.props = props;
  }
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }
  stop(): void {}
  taskFactory(): () => SinkTask {
    return () => new JdbcSinkTask();
  }
}

interface Column {
  readonly name: string;
  readonly schema: Schema;
}

interface Row {
  readonly table: string;
  readonly op: 'insert' | 'upsert' | 'update' | 'delete';
  readonly pk: readonly Column[];
  /** non-key columns */
  readonly cols: readonly Column[];
  readonly values: ReadonlyMap<string, unknown>;
}

const MAX_PARAMS = 65_000;

export class JdbcSinkTask implements SinkTask {
  readonly kind = 'sink' as const;
  private settings!: PgConnectionSettings;
  private config!: Record<string, unknown>;
  private connector = '';
  private context!: SinkTaskContext;
  private client: pg.Client | undefined;
  /** table -> column names (lower-cased lookups are not done: identifiers are quoted) */
  private readonly tables = new Map<string, Set<string>>();
  private offsetsReady = false;
  private stopped = false;

  version(): string {
    return VERSION;
  }

  start(props: Readonly<Record<string, string>>, context: SinkTaskContext): void {
    this.config = jdbcSinkConfigDef().parse(props);
    this.settings = parseJdbcUrl(String(this.config['connection.url']), (this.config['connection.user'] as string | null) ?? undefined, (this.config['connection.password'] as string | null) ?? undefined);
    this.connector = props['name'] ?? 'jdbc-sink';
    this.context = context;
  }

  private get offsetsTable(): string {
    return quoteTable(String(this.config['offsets.table.name']));
  }

  private async db(): Promise<pg.Client> {
    if (this.client && isBroken(this.client)) this.dropClient();
    if (!this.client) {
      this.client = await connect(this.settings);
      this.tables.clear();
      this.offsetsReady = false;
    }
    if (!this.offsetsReady) {
      // one task at a time creates it (see lockDdl)
      const c = this.client;
      await c.query('BEGIN');
      try {
        await this.lockDdl(c, String(this.config['offsets.table.name']));
        await c.query(`CREATE TABLE IF NOT EXISTS ${this.offsetsTable} (connector TEXT NOT NULL, topic TEXT NOT NULL, "partition" INT NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (connector, topic, "partition"))`);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
      this.offsetsReady = true;
    }
    return this.client;
  }

  private dropClient(): void {
    const c = this.client;
    this.client = undefined;
    void c?.end().catch(() => {});
  }

  /** consumption resumes from the offsets committed with the rows */
  async open(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const stored = await this.withRetries(async () => {
      const c = await this.db();
      return (await c.query<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, "partition", next_offset FROM ${this.offsetsTable} WHERE connector = $1`, [this.connector])).rows;
    });
    const wanted = new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
    this.context.offset(stored.filter((r) => wanted.has(`${r.topic}\u0000${r.partition}`)).map((r) => ({ topic: r.topic, partition: r.partition, offset: BigInt(r.next_offset) })));
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.known.clear();
    this.inferTypes(records);
    // schema problems are the records' fault: found before any retry, they go to the error handler
    const rows = records.map((r) => ({ record: r, row: this.rowOf(r) }));
    await this.withRetries(async () => {
      const c = await this.db();
      await c.query('BEGIN');
      try {
        await this.writeInTransaction(c, rows);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  /** max.retries attempts retry.backoff.ms apart for what may pass (connection lost, server restarting); then a RetriableError for the worker */
  private async withRetries<T>(work: () => Promise<T>): Promise<T> {
    const max = Number(this.config['max.retries']);
    const backoff = Number(this.config['retry.backoff.ms']);
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (e) {
        if (!isRetriable(e)) throw e;
        this.dropClient();
        if (attempt >= max || this.stopped) throw asRetriable(e) instanceof RetriableError ? asRetriable(e) : new RetriableError(String(e), { cause: e });
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  private async writeInTransaction(c: pg.Client, rows: readonly { record: SinkRecord; row: Row | null }[]): Promise<void> {
    const stored = new Map<string, bigint>();
    // lock only this batch's partitions: tasks of one connector write their own partitions side by side
    const pairs = [...new Map(rows.map(({ record }) => [`${record.originalTopic}\u0000${record.originalKafkaPartition}`, record] as const)).values()];
    const lockSql = `SELECT topic, "partition", next_offset FROM ${this.offsetsTable} WHERE connector = $1 AND (topic, "partition") IN (SELECT * FROM unnest($2::text[], $3::int[])) ORDER BY topic, "partition" FOR UPDATE`;
    const locked = await c.query<{ topic: string; partition: number; next_offset: string }>(lockSql, [this.connector, pairs.map((r) => r.originalTopic), pairs.map((r) => r.originalKafkaPartition)]);
    for (const r of locked.rows) stored.set(`${r.topic}\u0000${r.partition}`, BigInt(r.next_offset));
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    const todo: Row[] = [];
    for (const { record, row } of rows) {
      const k = `${record.originalTopic}\u0000${record.originalKafkaPartition}`;
      // already written by an earlier transaction (a retry after a commit whose answer was lost, a replay)
      if ((stored.get(k) ?? -1n) > record.originalKafkaOffset) continue;
      const n = record.originalKafkaOffset + 1n;
      if ((next.get(k)?.offset ?? -1n) < n) next.set(k, { topic: record.originalTopic, partition: record.originalKafkaPartition, offset: n });
      if (row) todo.push(row);
    }
    for (const table of new Set(todo.filter((r) => r.op !== 'delete').map((r) => r.table))) await this.ensureTable(c, table, todo.filter((r) => r.table === table && r.op !== 'delete'));
    const batchSize = Math.max(1, Number(this.config['batch.size']));
    let group: Row[] = [];
    const groupKey = (r: Row): string => `${r.table}\u0000${r.op}\u0000${[...r.pk, ...r.cols].map((x) => x.name).join('\u0001')}`;
    for (const row of todo) {
      if (group.length && (groupKey(group[0]!) !== groupKey(row) || group.length >= batchSize)) {
        await this.flushGroup(c, group);
        group = [];
      }
      group.push(row);
    }
    if (group.length) await this.flushGroup(c, group);
    if (next.size) {
      const entries = [...next.values()];
      const params: unknown[] = [];
      const values = entries.map((e, i) => {
        params.push(this.connector, e.topic, e.partition, e.offset.toString());
        return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
      });
      await c.query(`INSERT INTO ${this.offsetsTable} (connector, topic, "partition", next_offset) VALUES ${values.join(', ')} ON CONFLICT (connector, topic, "partition") DO UPDATE SET next_offset = EXCLUDED.next_offset`, params);
    }
  }

  private async ensureTable(c: pg.Client, table: string, rows: readonly Row[]): Promise<void> {
    let columns = this.tables.get(table);
    if (!columns) {
      const parts = table.split('.');
      const name = parts.at(-1)!;
      const schema = parts.length > 1 ? parts[0]! : null;
      const found = await c.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND ${schema ? 'table_schema = $2' : 'table_schema = current_schema()'}`,
        schema ? [name, schema] : [name],
      );
      if (found.rows.length) columns = new Set(found.rows.map((r) => r.column_name));
    }
    const first = rows[0]!;
    if (!columns) {
      if (!this.config['auto.create']) throw new DataError(`Table ${quoteTable(table)} is missing and auto-creation is disabled`);
      const defs = [...first.pk.map((col) => `${quoteIdent(col.name)} ${pgType(col.schema)} NOT NULL`), ...first.cols.map((col) => `${quoteIdent(col.name)} ${pgType(col.schema)}${col.schema.optional ? '' : ' NOT NULL'}`)];
      const pk = first.pk.length ? `, PRIMARY KEY (${first.pk.map((p) => quoteIdent(p.name)).join(', ')})` : '';
      await this.lockDdl(c, table);
      await c.query(`CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (${defs.join(', ')}${pk})`);
      columns = new Set([...first.pk, ...first.cols].map((x) => x.name));
    }
    const missing = new Map<string, Column>();
    for (const r of rows) for (const col of [...r.pk, ...r.cols]) if (!columns.has(col.name)) missing.set(col.name, col);
    if (missing.size) {
      if (!this.config['auto.evolve']) throw new DataError(`Table ${quoteTable(table)} is missing fields (${[...missing.keys()].join(', ')}) and auto-evolution is disabled`);
      await this.lockDdl(c, table);
      for (const col of missing.values()) {
        // Connect's rule: only optional fields can be added to an existing table
        if (!col.schema.optional && col.schema.defaultValue === undefined) throw new DataError(`Cannot ALTER TABLE ${quoteTable(table)} to add missing field ${col.name}, as the field is not optional and does not have a default value`);
        await c.query(`ALTER TABLE ${quoteTable(table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(col.name)} ${pgType(col.schema)}`);
        columns.add(col.name);
      }
    }
    this.tables.set(table, columns);
  }

  /**
   * Tasks creating or altering one table at once (tasks.max > 1, on one worker or several) would
   * race in PostgreSQL's catalog (CREATE TABLE IF NOT EXISTS fails with a unique violation on
   * pg_type): the first takes this lock until its transaction ends; the next then finds the table
   * (IF NOT EXISTS reads the catalog afresh) and goes on.
   */
  private async lockDdl(c: pg.Client, table: string): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice-jdbc-sink-ddl:${table}`]);
  }

  private async flushGroup(c: pg.Client, rows: Row[]): Promise<void> {
    const first = rows[0]!;
    const table = quoteTable(first.table);
    const all = [...first.pk, ...first.cols];
    if (first.op === 'delete' || first.op === 'update') {
      for (const r of rows) {
        const where = r.pk.map((p, i) => `${quoteIdent(p.name)} = $${i + 1}`).join(' AND ');
        const keyParams = r.pk.map((p) => pgParam(p.schema, r.values.get(p.name)));
        if (r.op === 'delete') await c.query(`DELETE FROM ${table} WHERE ${where}`, keyParams);
        else if (r.cols.length) {
          const set = r.cols.map((col, i) => `${quoteIdent(col.name)} = $${r.pk.length + i + 1}`).join(', ');
          await c.query(`UPDATE ${table} SET ${set} WHERE ${where}`, [...keyParams, ...r.cols.map((col) => pgParam(col.schema, r.values.get(col.name)))]);
        }
      }
      return;
    }
    let batch = rows;
    if (first.op === 'upsert') {
      // one statement may not touch a row twice: the last record for a key wins, as it would in sequence
      const last = new Map<string, Row>();
      for (const r of rows) {
        const k = JSON.stringify(r.pk.map((p) => String(pgParam(p.schema, r.values.get(p.name)))));
        last.delete(k);
        last.set(k, r);
      }
      batch = [...last.values()];
    }
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, all.length)));
    for (let i = 0; i < batch.length; i += perStatement) {
      const chunk = batch.slice(i, i + perStatement);
      const params: unknown[] = [];
      const tuples = chunk.map((r) => `(${all.map((col) => (params.push(pgParam(col.schema, r.values.get(col.name))), `$${params.length}`)).join(', ')})`);
      let sql = `INSERT INTO ${table} (${all.map((x) => quoteIdent(x.name)).join(', ')}) VALUES ${tuples.join(', ')}`;
      if (first.op === 'upsert') {
        const conflict = first.pk.map((p) => quoteIdent(p.name)).join(', ');
        sql += first.cols.length ? ` ON CONFLICT (${conflict}) DO UPDATE SET ${first.cols.map((col) => `${quoteIdent(col.name)} = EXCLUDED.${quoteIdent(col.name)}`).join(', ')}` : ` ON CONFLICT (${conflict}) DO NOTHING`;
      }
      await c.query(sql, params);
    }
  }

  /** the host's schemas per topic, looked up once per put (the catalog may change between puts) */
  private readonly known = new Map<string, TopicSchemas | undefined>();

  private knownSchema(topic: string): TopicSchemas | undefined {
    if (!this.known.has(topic)) this.known.set(topic, this.context.topicSchema?.(topic));
    return this.known.get(topic);
  }

  /** field types of schemaless values no catalog knows: a number column is BIGINT unless some value in it has a fraction */
  private readonly inferred = new Map<string, Map<string, Schema>>();

  private inferTypes(records: readonly SinkRecord[]): void {
    for (const r of records) {
      const v = r.value;
      if (!v || typeof v !== 'object' || v instanceof Struct || Array.isArray(v) || Buffer.isBuffer(v) || v instanceof Map) continue;
      if (this.knownSchema(r.topic)?.valueSchema) continue;
      let fields = this.inferred.get(r.topic);
      if (!fields) this.inferred.set(r.topic, (fields = new Map()));
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === null || x === undefined) continue;
        const s = inferSchema(x);
        const had = fields.get(k);
        if (!had || (had.type === 'INT64' && s.type === 'FLOAT64')) fields.set(k, s);
      }
    }
  }

  /** the row a record becomes, or null when it writes nothing (a tombstone without delete.enabled) */
  private rowOf(record: SinkRecord): Row | null {
    const table = String(this.config['table.name.format']).replace(/\$\{topic\}/g, record.topic);
    const pkMode = String(this.config['pk.mode']).toLowerCase();
    const pkFields = this.config['pk.fields'] as string[];
    const known = this.knownSchema(record.topic);
    const whitelist = new Set(this.config['fields.whitelist'] as string[]);

    const value = record.value;
    if (value === null || value === undefined) {
      if (!this.config['delete.enabled']) return null;
      const pk = this.keyColumns(record, pkFields, known);
      return { table, op: 'delete', pk: pk.columns, cols: [], values: pk.values };
    }
    const fields = this.valueFields(record, known);
    const values = new Map<string, unknown>();
    let pk: Column[] = [];
    let cols: Column[] = [];
    switch (pkMode) {
      case 'none':
        cols = fields.columns;
        break;
      case 'kafka': {
        const names = pkFields.length ? pkFields : ['__connect_topic', '__connect_partition', '__connect_offset'];
        if (names.length !== 3) throw new ConnectConfigError('pk.fields', pkFields.join(','), 'pk.mode kafka needs exactly 3 pk.fields (topic, partition, offset)');
        pk = [
          { name: names[0]!, schema: Schemas.primitive('STRING') },
          { name: names[1]!, schema: Schemas.primitive('INT32') },
          { name: names[2]!, schema: Schemas.primitive('INT64') },
        ];
        values.set(names[0]!, record.topic).set(names[1]!, record.kafkaPartition).set(names[2]!, record.kafkaOffset);
        cols = fields.columns;
        break;
      }
      case 'record_key': {
        const key = this.keyColumns(record, pkFields, known);
        pk = key.columns;
        for (const [k, v] of key.values) values.set(k, v);
        const pkNames = new Set(pk.map((p) => p.name));
        cols = fields.columns.filter((f) => !pkNames.has(f.name));
        break;
      }
      case 'record_value': {
        const names = pkFields.length ? pkFields : fields.columns.map((f) => f.name);
        pk = names.map((n) => {
          const f = fields.columns.find((x) => x.name === n);
          if (!f) throw new DataError(`PK field not in value schema: ${n}`);
          return { name: f.name, schema: { ...f.schema, optional: false } };
        });
        cols = fields.columns.filter((f) => !names.includes(f.name));
        break;
      }
    }
    if (whitelist.size) cols = cols.filter((c) => whitelist.has(c.name));
    for (const [k, v] of fields.values) if (!values.has(k)) values.set(k, v);
    for (const p of pk) if (values.get(p.name) === null || values.get(p.name) === undefined) throw new DataError(`Primary key field ${p.name} of a record of ${record.topic} is null`);
    const mode = String(this.config['insert.mode']).toLowerCase() as Row['op'];
    return { table, op: mode, pk, cols, values };
  }

  private valueFields(record: SinkRecord, known: ReturnType<NonNullable<SinkTaskContext['topicSchema']>>): { columns: Column[]; values: Map<string, unknown> } {
    const v = record.value;
    const values = new Map<string, unknown>();
    if (v instanceof Struct) {
      const columns = (v.schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema }));
      for (const f of columns) values.set(f.name, v.get(f.name));
      return { columns, values };
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Map)) {
      const obj = v as Record<string, unknown>;
      const schema = known?.valueSchema?.type === 'STRUCT' ? known.valueSchema : undefined;
      const inferred = this.inferred.get(record.topic);
      const columns = schema ? (schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema })) : Object.keys(obj).map((k) => ({ name: k, schema: inferred?.get(k) ?? inferSchema(obj[k]) }));
      for (const col of columns) values.set(col.name, fieldOf(obj, col.name));
      return { columns, values };
    }
    // a primitive value of a single-column Sluice stream (or any primitive): one column
    const single = known?.valueSchema?.fields?.length === 1 ? known.valueSchema.fields[0]! : undefined;
    if (single) {
      values.set(single.name, v);
      return { columns: [{ name: single.name, schema: single.schema }], values };
    }
    throw new DataError(`Sink connector '${this.connector}' requires records with a non-null Struct value and non-null Struct schema (or a JSON object), but found record at (topic='${record.topic}',partition=${record.kafkaPartition},offset=${record.kafkaOffset}) with a ${record.valueSchema?.type ?? typeof v} value.`);
  }

  private keyColumns(record: SinkRecord, pkFields: readonly string[], known: ReturnType<NonNullable<SinkTaskContext['topicSchema']>>): { columns: Column[]; values: Map<string, unknown> } {
    const k = record.key;
    if (k === null || k === undefined) throw new DataError(`pk.mode record_key needs a key, but the record at (topic='${record.topic}',partition=${record.kafkaPartition},offset=${record.kafkaOffset}) has none`);
    const values = new Map<string, unknown>();
    if (k instanceof Struct || (typeof k === 'object' && !Buffer.isBuffer(k) && !Array.isArray(k))) {
      const get = (n: string): unknown => (k instanceof Struct ? k.get(n) : fieldOf(k as Record<string, unknown>, n));
      const schemaFields = k instanceof Struct ? (k.schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema })) : known?.keySchema?.type === 'STRUCT' ? (known.keySchema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema })) : Object.keys(k as object).map((n) => ({ name: n, schema: inferSchema((k as Record<string, unknown>)[n]) }));
      const names = pkFields.length ? pkFields : schemaFields.map((f) => f.name);
      const columns = names.map((n) => {
        const f = schemaFields.find((x) => x.name === n);
        if (!f) throw new DataError(`PK field not in key schema: ${n}`);
        return { name: n, schema: { ...f.schema, optional: false } };
      });
      for (const c of columns) values.set(c.name, get(c.name));
      return { columns, values };
    }
    const name = pkFields[0] ?? known?.keyName;
    if (!name || pkFields.length > 1) throw new ConnectConfigError('pk.fields', pkFields.join(','), 'Need exactly one PK column defined since the key schema for records is a primitive type');
    const primitive = record.keySchema && record.keySchema.type !== 'STRUCT' && !(known?.keySchema && record.keySchema.type === 'STRING' && known.keySchema.type !== 'STRING') ? record.keySchema : (known?.keySchema ?? inferSchema(k));
    let value: unknown = k;
    // a string key (StringConverter) of a numeric column: the column's type decides
    if (typeof k === 'string' && ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64'].includes(primitive.type)) value = primitive.type === 'INT64' ? BigInt(k) : Number(k);
    values.set(name, value);
    return { columns: [{ name, schema: { ...primitive, optional: false } }], values };
  }

  async preCommit(current: readonly TopicPartitionOffset[]): Promise<readonly TopicPartitionOffset[]> {
    // every put committed its rows and offsets together; the group offsets only mirror them
    return current;
  }

  close(): void {}

  stop(): void {
    this.stopped = true;
    this.dropClient();
  }
}
