/**
 * The processing log as ksqlDB has it: every processing-log entry is also written, as JSON in
 * ksqlDB's record layout, to the `<service id>ksql_processing_log` topic, read by the
 * KSQL_PROCESSING_LOG stream, so users can PRINT the topic and query the stream.
 *
 * Settings (ksqlDB's names; Sluice creates the topic and the stream by default, as ksqlDB's
 * standard deployments do):
 *   ksql.service.id (default_) | ksql.logging.processing.topic.name | .topic.auto.create (true) |
 *   .topic.partitions (1) | .topic.replication.factor (1) | .stream.auto.create (true) |
 *   .stream.name (KSQL_PROCESSING_LOG) | .rows.include (false)
 */
import { LogError } from '../common/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Log, ProduceRecord } from '../log/log.js';
import type { ProcessingErrorType, ProcessingLogEntry } from '../runtime/processor.js';
import type { SchemaRegistry } from '../serde/index.js';
import { parseStatement } from '../sql/parse.js';
import { defineSource } from './create-source.js';

export interface ProcessingLogSettings {
  readonly topic: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly topicAutoCreate: boolean;
  readonly streamAutoCreate: boolean;
  readonly streamName: string;
}

export function processingLogSettings(config: ReadonlyMap<string, string>): ProcessingLogSettings {
  const get = (name: string) => config.get(`ksql.logging.processing.${name}`);
  const bool = (name: string, fallback: boolean) => (get(name) === undefined ? fallback : get(name)!.trim().toLowerCase() === 'true');
  const serviceId = config.get('ksql.service.id') ?? 'default_';
  return {
    topic: get('topic.name') ?? `${serviceId}ksql_processing_log`,
    partitions: Number(get('topic.partitions') ?? 1),
    replicas: Number(get('topic.replication.factor') ?? 1),
    topicAutoCreate: bool('topic.auto.create', true),
    streamAutoCreate: bool('stream.auto.create', true),
    streamName: (get('stream.name') ?? 'KSQL_PROCESSING_LOG').toUpperCase(),
  };
}

/** ksqlDB's processing-log record schema. */
const streamSql = (name: string, topic: string) =>
  `CREATE SOURCE STREAM ${name} (LOGGER STRING, LEVEL STRING, TIME BIGINT, MESSAGE STRUCT<` +
  'TYPE INT, ' +
  'DESERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORDB64 STRING, CAUSE ARRAY<STRING>, `topic` STRING>, ' +
  'RECORDPROCESSINGERROR STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>>, ' +
  'PRODUCTIONERROR STRUCT<ERRORMESSAGE STRING>, ' +
  'SERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, `topic` STRING>, ' +
  'KAFKASTREAMSTHREADERROR STRUCT<ERRORMESSAGE STRING, THREADNAME STRING, CAUSE ARRAY<STRING>>' +
  `>) WITH (KAFKA_TOPIC='${topic}', VALUE_FORMAT='JSON');`;

const MESSAGE_TYPES: Record<ProcessingErrorType, { readonly type: number; readonly field: string }> = {
  DESERIALIZATION_ERROR: { type: 0, field: 'DESERIALIZATIONERROR' },
  RECORD_PROCESSING_ERROR: { type: 1, field: 'RECORDPROCESSINGERROR' },
  PRODUCTION_ERROR: { type: 2, field: 'PRODUCTIONERROR' },
  SERIALIZATION_ERROR: { type: 3, field: 'SERIALIZATIONERROR' },
  // ksqlDB logs a query's fatal error as its Streams thread's error
  QUERY_ERROR: { type: 4, field: 'KAFKASTREAMSTHREADERROR' },
};

/** An entry as ksqlDB writes it to the processing-log topic. */
export function processingLogRecord(entry: ProcessingLogEntry): Record<string, unknown> {
  const { type, field } = MESSAGE_TYPES[entry.type];
  const detail: Record<ProcessingErrorType, Record<string, unknown>> = {
    DESERIALIZATION_ERROR: { TARGET: entry.target ?? null, ERRORMESSAGE: entry.message, RECORDB64: entry.recordBase64 ?? null, CAUSE: entry.cause, topic: entry.topic ?? null },
    RECORD_PROCESSING_ERROR: { ERRORMESSAGE: entry.message, RECORD: null, CAUSE: entry.cause },
    PRODUCTION_ERROR: { ERRORMESSAGE: entry.message },
    SERIALIZATION_ERROR: { TARGET: entry.target ?? null, ERRORMESSAGE: entry.message, RECORD: null, CAUSE: entry.cause, topic: entry.topic ?? null },
    QUERY_ERROR: { ERRORMESSAGE: entry.message, THREADNAME: entry.queryId, CAUSE: entry.cause },
  };
  const message: Record<string, unknown> = { TYPE: type };
  for (const m of Object.values(MESSAGE_TYPES)) message[m.field] = m.field === field ? detail[entry.type] : null;
  return { LOGGER: `processing.${entry.queryId}.${entry.step}`, LEVEL: 'ERROR', TIME: entry.time, MESSAGE: message };
}

/** Buffers entries (reported synchronously from inside operators) and appends them to the topic. */
export class ProcessingLogWriter {
  private pending: ProduceRecord[] = [];
  private topicExists = false;

  constructor(
    private readonly log: Log,
    readonly settings: ProcessingLogSettings,
  ) {}

  /** Creates the topic (if configured to) and registers the stream in the catalog (if configured to). */
  async open(catalog: Catalog, config: ReadonlyMap<string, string>, schemaRegistry: SchemaRegistry): Promise<void> {
    const { topic } = this.settings;
    try {
      await this.log.describeTopic(topic);
      this.topicExists = true;
    } catch (e) {
      if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
    }
    if (!this.topicExists && this.settings.topicAutoCreate) {
      await this.log.createTopic(topic, { partitions: this.settings.partitions, replicationFactor: this.settings.replicas });
      this.topicExists = true;
    }
    if (this.topicExists && this.settings.streamAutoCreate && !catalog.getSource(this.settings.streamName)) {
      const sql = streamSql(this.settings.streamName, topic);
      const stmt = parseStatement(sql);
      if (stmt.kind !== 'CreateSource') throw new Error('unreachable: the processing-log stream is a CREATE STREAM');
      catalog.putSource(defineSource(stmt, sql, catalog, config, schemaRegistry).source);
    }
  }

  push(entry: ProcessingLogEntry): void {
    if (!this.topicExists) return;
    this.pending.push({ topic: this.settings.topic, key: null, value: Buffer.from(JSON.stringify(processingLogRecord(entry))), timestamp: entry.time });
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const records = this.pending;
    this.pending = [];
    try {
      await this.log.produce(records);
    } catch (e) {
      // the topic was deleted: stop writing to it rather than failing the queries that log
      if (e instanceof LogError && e.code === 'UNKNOWN_TOPIC') this.topicExists = false;
      // the log takes no writes now (its disk is full): keep the entries for a later flush
      else if (e instanceof LogError && (e.code === 'DISK_FULL' || e.code === 'IO')) this.pending = records.concat(this.pending);
      else throw e;
    }
  }
}
