/**
 * The JDBC source for PostgreSQL, query-based, under Confluent's class name and keys
 * (io.confluent.connect.jdbc.JdbcSourceConnector): `mode` bulk | incrementing | timestamp |
 * timestamp+incrementing with `incrementing.column.name` / `timestamp.column.name`,
 * `table.whitelist` / `table.blacklist` or a custom `query`, `topic.prefix`, `poll.interval.ms`,
 * `batch.max.rows`, `timestamp.delay.interval.ms`. Offsets are Confluent's: partition
 * {"table": name} or {"query": "query"}, offset {"incrementing": n} and/or {"timestamp": ms,
 * "timestamp_nanos": ns}. Each row is a Struct named after its table.
 */
import type pg from 'pg';
import { ConfigDef, ConnectConfigError } from '../../api/config-def.js';
import type { SourceRecord } from '../../api/connect-record.js';
import type { Connector, SourceTask, SourceTaskContext } from '../../api/connector.js';
import { LogicalTypeNames, Schemas, Struct, type Schema } from '../../api/schema.js';
import { primitiveFromText } from './pg-values.js';
import { asRetriable, connect, isBroken, parseJdbcUrl, quoteIdent, quoteTable, type PgConnectionSettings } from './pg-connection.js';

const VERSION = '10.8.0';
const MODES = ['bulk', 'incrementing', 'timestamp', 'timestamp+incrementing'] as const;
type Mode = (typeof MODES)[number];

export function jdbcSourceConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'connection.url', type: 'STRING', importance: 'HIGH', documentation: 'JDBC connection URL (jdbc:postgresql://host:port/database)', group: 'Database' })
    .define({ name: 'connection.user', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'JDBC connection user.', group: 'Database' })
    .define({ name: 'connection.password', type: 'PASSWORD', defaultValue: null, importance: 'HIGH', documentation: 'JDBC connection password.', group: 'Database' })
    .define({ name: 'table.whitelist', type: 'LIST', defaultValue: '', importance: 'MEDIUM', documentation: 'List of tables to include in copying.', group: 'Database' })
    .define({ name: 'table.blacklist', type: 'LIST', defaultValue: '', importance: 'MEDIUM', documentation: 'List of tables to exclude from copying.', group: 'Database' })
    .define({ name: 'mode', type: 'STRING', importance: 'HIGH', documentation: 'The mode for updating a table each time it is polled.', group: 'Mode', validator: (n, v) => {
      if (!(MODES as readonly string[]).includes(String(v))) throw new ConnectConfigError(n, v, `String must be one of: ${MODES.join(', ')}`);
    } })
    .define({ name: 'incrementing.column.name', type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: 'The name of the strictly incrementing column to use to detect new rows.', group: 'Mode' })
    .define({ name: 'timestamp.column.name', type: 'LIST', defaultValue: '', importance: 'MEDIUM', documentation: 'Comma separated list of one or more timestamp columns to detect new or modified rows using the COALESCE SQL function.', group: 'Mode' })
    .define({ name: 'query', type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: 'If specified, the query to perform to select new or updated rows.', group: 'Mode' })
    .define({ name: 'topic.prefix', type: 'STRING', importance: 'HIGH', documentation: 'Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the case of a custom query, the full name of the topic to publish to.', group: 'Connector' })
    .define({ name: 'poll.interval.ms', type: 'INT', defaultValue: 5000, importance: 'HIGH', documentation: 'Frequency in ms to poll for new data in each table.', group: 'Connector' })
    .define({ name: 'batch.max.rows', type: 'INT', defaultValue: 100, importance: 'LOW', documentation: 'Maximum number of rows to include in a single batch when polling for new data.', group: 'Connector' })
    .define({ name: 'timestamp.delay.interval.ms', type: 'LONG', defaultValue: 0, importance: 'HIGH', documentation: 'How long to wait after a row with certain timestamp appears before we include it in the result.', group: 'Connector' })
    .define({ name: 'table.types', type: 'LIST', defaultValue: 'TABLE', importance: 'LOW', documentation: 'By default, the JDBC connector will only detect tables with type TABLE from the source Database.', group: 'Connector' });
}

export class JdbcSourceConnector implements Connector {
  readonly type = 'source' as const;
  private props: Readonly<Record<string, string>> = {};
  private tables: string[] = [];
  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return jdbcSourceConfigDef();
  }
  validate(props: Readonly<Record<string, string>>): { name: string; errors: string[] }[] {
    const out: { name: string; errors: string[] }[] = [];
    const mode = props['mode'];
    if ((mode === 'incrementing' || mode === 'timestamp+incrementing') && !props['incrementing.column.name']?.trim()) out.push({ name: 'incrementing.column.name', errors: [`mode ${mode} needs incrementing.column.name`] });
    if ((mode === 'timestamp' || mode === 'timestamp+incrementing') && !props['timestamp.column.name']?.trim()) out.push({ name: 'timestamp.column.name', errors: [`mode ${mode} needs timestamp.column.name`] });
    if (props['query']?.trim() && (props['table.whitelist']?.trim() || props['table.blacklist']?.trim())) out.push({ name: 'query', errors: ['Do not specify table filtering when using a custom query'] });
    return out;
  }
  async start(props: Readonly<Record<string, string>>): Promise<void> {
    const c = jdbcSourceConfigDef().parse(props);
    this.props = props;
    if (String(c['query']).trim()) {
      this.tables = [];
      return;
    }
    const settings = parseJdbcUrl(String(c['connection.url']), (c['connection.user'] as string | null) ?? undefined, (c['connection.password'] as string | null) ?? undefined);
    const client = await connect(settings);
    try {
      const rows = (await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)).rows;
      const include = c['table.whitelist'] as string[];
      const exclude = new Set(c['table.blacklist'] as string[]);
      this.tables = rows.map((r) => r.table_name).filter((t) => (include.length === 0 || include.includes(t)) && !exclude.has(t) && !t.startsWith('__connect'));
    } finally {
      await client.end().catch(() => {});
    }
  }
  taskConfigs(maxTasks: number): Record<string, string>[] {
    if (String(this.props['query'] ?? '').trim()) return [{ ...this.props }];
    const n = Math.min(maxTasks, this.tables.length);
    return Array.from({ length: n }, (_, i) => ({ ...this.props, tables: this.tables.filter((_, j) => j % n === i).join(',') }));
  }
  stop(): void {}
  taskFactory(): () => SourceTask {
    return () => new JdbcSourceTask();
  }
}

interface TableState {
  readonly table: string | null;
  readonly query: string | null;
  readonly topic: string;
  readonly partition: Record<string, unknown>;
  incrementing: bigint | null;
  /** exact timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) */
  timestamp: string | null;
  nextPoll: number;
}

/** PostgreSQL type ids -> Connect schemas (optional: any column may be null) */
function schemaForType(oid: number): Schema {
  switch (oid) {
    case 16:
      return Schemas.primitive('BOOLEAN', true);
    case 21:
      return Schemas.primitive('INT16', true);
    case 23:
      return Schemas.primitive('INT32', true);
    case 20:
      return Schemas.primitive('INT64', true);
    case 700:
      return Schemas.primitive('FLOAT32', true);
    case 701:
    case 1700:
      return Schemas.primitive('FLOAT64', true);
    case 17:
      return Schemas.primitive('BYTES', true);
    case 1082:
      return { type: 'INT32', optional: true, name: LogicalTypeNames.date, version: 1 };
    case 1083:
      return { type: 'INT32', optional: true, name: LogicalTypeNames.time, version: 1 };
    case 1114:
    case 1184:
      return { type: 'INT64', optional: true, name: LogicalTypeNames.timestamp, version: 1 };
    default:
      return Schemas.primitive('STRING', true);
  }
}

/** values as text (exact), converted here by column schema */
const rawTypes = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

function toUtcDate(text: string): Date {
  // 'YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]': without a zone the value is taken as UTC
  const iso = text.replace(' ', 'T');
  return new Date(/[+-]\d\d(:?\d\d)?$|Z$/.test(iso) ? iso : `${iso}Z`);
}

function convert(schema: Schema, text: string | null): unknown {
  if (text === null) return null;
  switch (schema.name) {
    case LogicalTypeNames.timestamp:
      return toUtcDate(text);
    case LogicalTypeNames.date:
      return new Date(`${text}T00:00:00Z`);
    case LogicalTypeNames.time:
      return new Date(`1970-01-01T${text}Z`);
  }
  return primitiveFromText(schema, text);
}

/** microsecond-exact UTC text of a timestamp offset, and back */
function timestampText(ms: number, nanos: number): string {
  const d = new Date(ms - (ms % 1000));
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}`;
}

export class JdbcSourceTask implements SourceTask {
  readonly kind = 'source' as const;
  private settings!: PgConnectionSettings;
  private config!: Record<string, unknown>;
  private mode: Mode = 'bulk';
  private states: TableState[] = [];
  private client: pg.Client | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  version(): string {
    return VERSION;
  }

  start(props: Readonly<Record<string, string>>, context: SourceTaskContext): void {
    this.config = jdbcSourceConfigDef().parse(props);
    this.settings = parseJdbcUrl(String(this.config['connection.url']), (this.config['connection.user'] as string | null) ?? undefined, (this.config['connection.password'] as string | null) ?? undefined);
    this.mode = this.config['mode'] as Mode;
    const query = String(this.config['query']).trim();
    const prefix = String(this.config['topic.prefix']);
    const targets = query ? [{ table: null, query, topic: prefix, partition: { query: 'query' } }] : (props['tables'] ?? '').split(',').filter(Boolean).map((t) => ({ table: t, query: null, topic: prefix + t, partition: { table: t } }));
    this.states = targets.map((t) => {
      const last = context.offsetStorageReader.offset(t.partition);
      const inc = last?.['incrementing'];
      const ts = last?.['timestamp'];
      return {
        ...t,
        incrementing: inc === undefined || inc === null ? null : BigInt(inc as number),
        timestamp: typeof ts === 'number' ? timestampText(ts, Number(last?.['timestamp_nanos'] ?? (ts % 1000) * 1e6)) : null,
        nextPoll: 0,
      };
    });
  }

  private async db(): Promise<pg.Client> {
    if (this.client && isBroken(this.client)) this.dropClient();
    if (!this.client) {
      this.client = await connect(this.settings);
      // exact text for every value, and UTC for `now()`
      await this.client.query(`SET TIME ZONE 'UTC'`);
    }
    return this.client;
  }

  private dropClient(): void {
    const c = this.client;
    this.client = undefined;
    void c?.end().catch(() => {});
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.states.length === 0 || this.stopped) return null;
    const due = this.states.reduce((a, b) => (b.nextPoll < a.nextPoll ? b : a));
    const wait = due.nextPoll - Date.now();
    // Connect's poll may block a while; never past a stop
    if (wait > 0) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(wait, 1000));
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      return null;
    }
    try {
      const records = await this.pollTable(due);
      if (records.length < Number(this.config['batch.max.rows']) || this.mode === 'bulk') due.nextPoll = Date.now() + Number(this.config['poll.interval.ms']);
      return records.length ? records : null;
    } catch (e) {
      this.dropClient();
      throw asRetriable(e);
    }
  }

  private async pollTable(s: TableState): Promise<SourceRecord[]> {
    const c = await this.db();
    const from = s.table ? quoteTable(s.table) : `(${s.query}) AS sluice_query`;
    const inc = String(this.config['incrementing.column.name']);
    const tsCols = this.config['timestamp.column.name'] as string[];
    const tsExpr = tsCols.length > 1 ? `COALESCE(${tsCols.map(quoteIdent).join(', ')})` : tsCols.length ? quoteIdent(tsCols[0]!) : '';
    const params: unknown[] = [];
    const p = (v: unknown): string => (params.push(v), `$${params.length}`);
    let where = '';
    let order = '';
    const delay = Number(this.config['timestamp.delay.interval.ms']);
    const end = `(now() AT TIME ZONE 'UTC') - ${p(`${delay} milliseconds`)}::interval`;
    switch (this.mode) {
      case 'bulk':
        params.length = 0;
        break;
      case 'incrementing':
        params.length = 0;
        where = `WHERE ${quoteIdent(inc)} > ${p(s.incrementing === null ? '-1' : s.incrementing.toString())}`;
        order = `ORDER BY ${quoteIdent(inc)} ASC`;
        break;
      case 'timestamp':
        where = `WHERE ${tsExpr} > ${p(s.timestamp ?? '1970-01-01 00:00:00')}::timestamp AND ${tsExpr} < ${end}`;
        order = `ORDER BY ${tsExpr} ASC`;
        break;
      case 'timestamp+incrementing': {
        const ts = p(s.timestamp ?? '1970-01-01 00:00:00');
        const id = p(s.incrementing === null ? '-1' : s.incrementing.toString());
        where = `WHERE ${tsExpr} < ${end} AND ((${tsExpr} = ${ts}::timestamp AND ${quoteIdent(inc)} > ${id}) OR ${tsExpr} > ${ts}::timestamp)`;
        order = `ORDER BY ${tsExpr}, ${quoteIdent(inc)} ASC`;
        break;
      }
    }
    // timestamp-only mode reads all rows up to `end` at once, so rows sharing the last timestamp are never split
    const limit = this.mode === 'incrementing' || this.mode === 'timestamp+incrementing' ? ` LIMIT ${Number(this.config['batch.max.rows'])}` : '';
    const tsSelect = tsExpr ? `, to_char(${tsExpr}, 'YYYY-MM-DD HH24:MI:SS.US') AS "__sluice_ts"` : '';
    const result = await c.query({ text: `SELECT *${tsSelect} FROM ${from} ${where} ${order}${limit}`, values: params, types: rawTypes });
    const fields = result.fields.filter((f) => f.name !== '__sluice_ts');
    const schema = Schemas.struct(fields.map((f) => ({ name: f.name, schema: schemaForType(f.dataTypeID) })), { name: s.table ?? undefined, optional: false } as { name?: string; optional?: boolean });
    const out: SourceRecord[] = [];
    for (const row of result.rows as Record<string, string | null>[]) {
      const value = new Struct(schema);
      for (const f of schema.fields ?? []) value.put(f.name, convert(f.schema, row[f.name] ?? null));
      if (inc && row[inc] !== undefined && row[inc] !== null) s.incrementing = BigInt(row[inc]!);
      if (row['__sluice_ts']) s.timestamp = row['__sluice_ts'];
      const offset: Record<string, unknown> = {};
      if (this.mode === 'incrementing' || this.mode === 'timestamp+incrementing') offset['incrementing'] = Number(s.incrementing);
      if ((this.mode === 'timestamp' || this.mode === 'timestamp+incrementing') && s.timestamp) {
        const d = toUtcDate(s.timestamp);
        offset['timestamp'] = d.getTime();
        offset['timestamp_nanos'] = Number(s.timestamp.slice(20).padEnd(6, '0')) * 1000;
      }
      out.push({ topic: s.topic, kafkaPartition: null, keySchema: null, key: null, valueSchema: schema, value, timestamp: null, headers: [], sourcePartition: s.partition, sourceOffset: offset });
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
    this.dropClient();
  }
}
