/**
 * A statement's result as ksqlDB's /ksql response entity. DDL, TERMINATE and persistent queries
 * answer `currentStatus` (commandId `stream/\`NAME\`/create` ...); SHOW STREAMS/TABLES/TOPICS/
 * QUERIES and DESCRIBE answer their own shapes from the catalog. Every entity also carries a
 * `sluice` field with the engine's own result (kind, message, table), which the remote REPL
 * prints so its output matches the embedded one; the server sends it only to clients that ask
 * for it (rest-server's DETAIL_HEADER), so ksqlDB's clients see ksqlDB's objects field for field.
 */
import type { Engine, StatementResult, ast, SqlType, DataSource } from '../index.js';
import { formatSqlType } from '../index.js';

type Entity = Record<string, unknown>;

export interface CommandRecord {
  readonly commandId: string;
  readonly status: 'SUCCESS';
  readonly message: string;
}

function quoted(name: string): string {
  return `\`${name}\``;
}

/** ksqlDB's commandId for a statement that is recorded as a command, else undefined */
export function commandIdFor(stmt: ast.Statement): string | undefined {
  switch (stmt.kind) {
    case 'CreateSource':
    case 'CreateAsSelect':
      return `${stmt.sourceType.toLowerCase()}/${quoted(stmt.name)}/create`;
    case 'DropSource':
      return `${stmt.sourceType.toLowerCase()}/${quoted(stmt.name)}/drop`;
    case 'QueryControl':
      return `${stmt.action.toLowerCase()}/${stmt.queryId ?? 'ALL'}/execute`;
    case 'InsertIntoSelect':
    case 'CreateSink':
    case 'CreateType':
    case 'DropType':
    case 'AlterSource':
    case 'AlterSystem':
      return `${stmt.kind.toLowerCase()}/${(stmt as { name?: string }).name ?? 'statement'}/execute`;
    default:
      return undefined;
  }
}

/** ksqlDB's schema object for a field type */
function schemaOf(type: SqlType): Entity {
  switch (type.kind) {
    case 'ARRAY':
      return { type: 'ARRAY', fields: null, memberSchema: schemaOf(type.element) };
    case 'MAP':
      return { type: 'MAP', fields: null, memberSchema: schemaOf(type.value) };
    case 'STRUCT':
      return { type: 'STRUCT', fields: type.fields.map((f) => ({ name: f.name, schema: schemaOf(f.type) })), memberSchema: null };
    default:
      return { type: formatSqlType(type).replace(/\(.*/, ''), fields: null, memberSchema: null };
  }
}

function sourceInfo(s: DataSource): Entity {
  return { type: s.sourceType, name: s.name, topic: s.topic, keyFormat: s.keyFormat.format, valueFormat: s.valueFormat.format, isWindowed: !!s.window };
}

function sourceDescription(engine: Engine, s: DataSource, extended: boolean): Entity {
  const readers: Entity[] = [];
  const writers: Entity[] = [];
  if (s.createdByQuery) writers.push({ queryString: s.sql, sinks: [s.name], sinkKafkaTopics: [s.topic], id: s.createdByQuery, state: 'RUNNING', queryType: 'PERSISTENT' });
  return {
    name: s.name,
    windowType: s.window ? (s.window as { type?: string }).type ?? null : null,
    readQueries: readers,
    writeQueries: writers,
    fields: s.schema.columns
      .filter((c) => c.namespace === 'KEY' || c.namespace === 'VALUE')
      .map((c) => ({ name: c.name, schema: schemaOf(c.type), ...(c.namespace === 'KEY' ? { type: 'KEY' } : {}) })),
    type: s.sourceType,
    timestamp: s.timestamp ? (s.timestamp as { column?: string }).column ?? '' : '',
    statistics: '',
    errorStats: '',
    extended,
    keyFormat: s.keyFormat.format,
    valueFormat: s.valueFormat.format,
    topic: s.topic,
    partitions: 0,
    replication: 1,
    statement: s.sql,
    queryOffsetSummaries: [],
    sourceConstraints: [],
    clusterStatistics: [],
    clusterErrorStats: [],
  };
}

/** a push query the server is running for a client, listed by SHOW QUERIES as ksqlDB lists them */
export interface RunningPushQuery {
  readonly id: string;
  readonly sql: string;
}

export async function toEntity(engine: Engine, stmt: ast.Statement, result: StatementResult, commandSequenceNumber: number, pushQueries: readonly RunningPushQuery[] = []): Promise<Entity> {
  const base: Entity = { statementText: result.statement, warnings: [] };
  const sluice = { kind: result.kind, message: result.message, ...(result.queryId ? { queryId: result.queryId } : {}), ...(result.table ? { table: result.table } : {}), ...(result.unchanged ? { unchanged: true } : {}) };
  // a handler that knows its ksqlDB entity (connectors) gives it
  if (result.entity) return { ...result.entity, ...base, sluice };
  const commandId = commandIdFor(stmt);
  if (commandId)
    return {
      '@type': 'currentStatus',
      ...base,
      commandId,
      commandStatus: { status: 'SUCCESS', message: result.message, queryId: result.queryId ?? null },
      commandSequenceNumber,
      sluice,
    };
  if (stmt.kind === 'Show') {
    const sources = engine.catalog.listSources();
    switch (stmt.target) {
      case 'STREAMS':
      case 'TABLES': {
        const type = stmt.target === 'STREAMS' ? 'STREAM' : 'TABLE';
        const list = sources.filter((s) => s.sourceType === type);
        if (stmt.extended) return { '@type': 'source_descriptions', ...base, sourceDescriptions: list.map((s) => sourceDescription(engine, s, true)), sluice };
        return { '@type': stmt.target.toLowerCase(), ...base, [stmt.target.toLowerCase()]: list.map(sourceInfo), sluice };
      }
      case 'TOPICS': {
        const topics = await engine.log.listTopics();
        const shown = stmt.all ? topics : topics.filter((t) => !t.startsWith('_'));
        const described = await Promise.all(shown.map(async (name) => ({ name, replicaInfo: (await engine.log.describeTopic(name)).partitions.map(() => 1) })));
        return { '@type': 'kafka_topics', ...base, topics: described, sluice };
      }
      case 'QUERIES':
        return {
          '@type': 'queries',
          ...base,
          queries: engine.queryIds().map((id) => {
            const sink = sources.find((s) => s.createdByQuery === id);
            return { queryString: sink?.sql ?? '', sinks: sink ? [sink.name] : [], sinkKafkaTopics: sink ? [sink.topic] : [], id, queryType: 'PERSISTENT', state: 'RUNNING', statusCount: { RUNNING: 1 } };
          }).concat(pushQueries.map((q) => ({ queryString: q.sql, sinks: [], sinkKafkaTopics: [], id: q.id, queryType: 'PUSH', state: 'RUNNING', statusCount: { RUNNING: 1 } }))),
          sluice,
        };
      default:
        break;
    }
  }
  if (stmt.kind === 'Describe' && stmt.target.kind !== 'All') {
    const s = engine.catalog.getSource(stmt.target.name);
    if (s) return { '@type': 'sourceDescription', ...base, sourceDescription: sourceDescription(engine, s, (stmt as { extended?: boolean }).extended ?? false), sluice };
  }
  // everything else: ksqlDB answers a status or a table of its own; ours carries the engine's table
  return { '@type': result.table ? 'sluice_table' : 'currentStatus', ...base, ...(result.table ? {} : { commandStatus: { status: 'SUCCESS', message: result.message, queryId: result.queryId ?? null } }), sluice };
}
