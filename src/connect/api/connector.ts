/**
 * Connectors and tasks, as Kafka Connect defines them. A connector validates its configuration and
 * splits the work into task configurations (at most `tasks.max`); a worker runs the tasks. Plugins
 * (built in, npm packages or modules found through `plugin.path`) implement these interfaces.
 */
import type { ConfigDef } from './config-def.js';
import type { SinkRecord, SourceRecord } from './connect-record.js';
import type { Schema } from './schema.js';

export type ConnectorType = 'source' | 'sink';

export interface ConnectorContext {
  /** asks the worker to call taskConfigs() again and reconfigure the tasks */
  requestTaskReconfiguration(): void;
  /** fails the connector with this error */
  raiseError(error: Error): void;
}

export interface Connector {
  readonly type: ConnectorType;
  version(): string;
  config(): ConfigDef;
  /** extra checks beyond config().validateAll, as Connector.validate may add */
  validate?(props: Readonly<Record<string, string>>): readonly { name: string; errors: readonly string[] }[];
  start(props: Readonly<Record<string, string>>, context: ConnectorContext): void | Promise<void>;
  taskConfigs(maxTasks: number): Record<string, string>[];
  stop(): void | Promise<void>;
  /** the task implementation this connector's tasks run */
  taskFactory(): () => SourceTask | SinkTask;
  /** the task's class name, which the worker adds to each task's configuration as `task.class` (Connector.taskClass) */
  readonly taskClass?: string;
}

/** Reads committed source offsets from the offsets topic (Connect's OffsetStorageReader). */
export interface OffsetStorageReader {
  offset(partition: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | null;
}

export interface SourceTaskContext {
  readonly offsetStorageReader: OffsetStorageReader;
  readonly configs: Readonly<Record<string, string>>;
}

export interface SourceTask {
  readonly kind: 'source';
  version(): string;
  start(props: Readonly<Record<string, string>>, context: SourceTaskContext): void | Promise<void>;
  /** records to send, or null/[] when there is nothing now; may wait a little, never forever */
  poll(): Promise<SourceRecord[] | null>;
  /** the worker committed offsets up to the records sent so far */
  commit?(): void | Promise<void>;
  /** a record was written to Kafka (acked) */
  commitRecord?(record: SourceRecord): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** the next offset to consume */
  readonly offset: bigint;
}

export interface SinkTaskContext {
  readonly configs: Readonly<Record<string, string>>;
  /** rewind or skip: consumption resumes from these offsets (Connect's SinkTaskContext.offset) */
  offset(offsets: readonly TopicPartitionOffset[]): void;
  /** ask for an offset commit soon */
  requestCommit(): void;
  /** the error reporter for the dead-letter queue (errors.tolerance=all); resolves once reported */
  errantRecordReporter?: (record: SinkRecord, error: Error) => Promise<void>;
  /**
   * (Sluice) the schemas the host knows for a topic's records, for records that arrive without one
   * (schemaless JSON): Sluice answers for the topics of its streams and tables from its catalog
   */
  topicSchema?(topic: string): TopicSchemas | undefined;
}

/** a topic's key and value schemas, as the host's catalog knows them */
export interface TopicSchemas {
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema | null;
  /** the column name of a primitive key (a struct key names its fields itself) */
  readonly keyName?: string;
}

export interface SinkTask {
  readonly kind: 'sink';
  version(): string;
  start(props: Readonly<Record<string, string>>, context: SinkTaskContext): void | Promise<void>;
  /** the task's partitions; a task that stores offsets itself (exactly-once sinks) rewinds here */
  open?(partitions: readonly { topic: string; partition: number }[]): void | Promise<void>;
  put(records: readonly SinkRecord[]): void | Promise<void>;
  /**
   * Connect's preCommit/flush: make everything put so far durable and return the offsets that are
   * safe to commit (by default those of the records put); a task that commits offsets in its own
   * store atomically with its writes may return [] and rely on open() to rewind
   */
  preCommit?(currentOffsets: readonly TopicPartitionOffset[]): Promise<readonly TopicPartitionOffset[]>;
  close?(partitions: readonly { topic: string; partition: number }[]): void | Promise<void>;
  stop(): void | Promise<void>;
}
