/**
 * Kafka's FileStreamSource and FileStreamSink (connect-file): a line of the file per record.
 * The source stores {"filename": file} -> {"position": bytes read} and resumes there; a partial last
 * line waits for its newline. The sink appends each record's value and a newline, and fsyncs before
 * its offsets are committed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigDef, ConnectConfigError } from '../api/config-def.js';
import type { SinkRecord, SourceRecord } from '../api/connect-record.js';
import type { Connector, SinkTask, SourceTask, SourceTaskContext, TopicPartitionOffset } from '../api/connector.js';
import { Schemas, Struct } from '../api/schema.js';

const VERSION = '4.0.0';

const required = (name: string) => (_n: string, v: unknown): void => {
  if (typeof v === 'string' && v.trim() === '') throw new ConnectConfigError(name, v, 'String must be non-empty');
};

function sourceConfigDef(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'file', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'Source filename. If not specified, the standard input will be used' })
    .define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'The topic to publish data to', validator: (n, v) => {
      if (typeof v === 'string' && v.trim() === '') throw new ConnectConfigError(n, v, 'String must be non-empty');
    } })
    .define({ name: 'batch.size', type: 'INT', defaultValue: 2000, importance: 'LOW', documentation: 'The maximum number of records the source task can read from the file each time it is polled' });
}

export class FileStreamSourceConnector implements Connector {
  readonly type = 'source' as const;
  readonly taskClass = 'org.apache.kafka.connect.file.FileStreamSourceTask';
  private props: Readonly<Record<string, string>> = {};
  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return sourceConfigDef();
  }
  start(props: Readonly<Record<string, string>>): void {
    sourceConfigDef().parse(props);
    this.props = props;
  }
  /** one task with the connector's configuration, as Kafka's: a file is read in order */
  taskConfigs(): Record<string, string>[] {
    return [{ ...this.props }];
  }
  stop(): void {}
  taskFactory(): () => SourceTask {
    return () => new FileStreamSourceTask();
  }
}

const STRING = Schemas.primitive('STRING');

export class FileStreamSourceTask implements SourceTask {
  readonly kind = 'source' as const;
  private file = '';
  private topic = '';
  private batchSize = 2000;
  private handle: FileHandle | undefined;
  private position = 0;
  private pending = Buffer.alloc(0);
  version(): string {
    return VERSION;
  }
  async start(props: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    if (!props['file']) throw new Error('FileStreamSourceTask reads a file: set `file` (standard input is not read by the embedded worker)');
    this.file = props['file'];
    this.topic = props['topic']!.trim();
    this.batchSize = Number(props['batch.size'] ?? 2000);
    const last = context.offsetStorageReader.offset({ filename: this.file });
    const pos = last?.['position'];
    this.position = typeof pos === 'number' ? pos : typeof pos === 'bigint' ? Number(pos) : 0;
  }
  async poll(): Promise<SourceRecord[] | null> {
    if (!this.handle) {
      try {
        this.handle = await open(this.file, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null; // Connect waits for the file to appear
        throw e;
      }
    }
    const records: SourceRecord[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    // the bytes after `position` that are not yet a whole line stay in `pending`
    while (records.length < this.batchSize) {
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, this.position + this.pending.length);
      if (bytesRead === 0 && this.pending.indexOf(0x0a) < 0) break;
      this.pending = Buffer.concat([this.pending, chunk.subarray(0, bytesRead)]);
      let nl: number;
      while (records.length < this.batchSize && (nl = this.pending.indexOf(0x0a)) >= 0) {
        let line = this.pending.subarray(0, nl).toString('utf8');
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.position += nl + 1;
        this.pending = this.pending.subarray(nl + 1);
        records.push({
          topic: this.topic,
          kafkaPartition: null,
          keySchema: null,
          key: null,
          valueSchema: STRING,
          value: line,
          timestamp: null,
          headers: [],
          sourcePartition: { filename: this.file },
          sourceOffset: { position: this.position },
        });
      }
      if (bytesRead === 0) break;
    }
    return records.length ? records : null;
  }
  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

function sinkConfigDef(): ConfigDef {
  return new ConfigDef().define({ name: 'file', type: 'STRING', defaultValue: null, importance: 'HIGH', documentation: 'Destination filename. If not specified, the standard output will be used', validator: required('file') });
}

export class FileStreamSinkConnector implements Connector {
  readonly type = 'sink' as const;
  readonly taskClass = 'org.apache.kafka.connect.file.FileStreamSinkTask';
  private props: Readonly<Record<string, string>> = {};
  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return sinkConfigDef();
  }
  start(props: Readonly<Record<string, string>>): void {
    sinkConfigDef().parse(props);
    this.props = props;
  }
  /** `tasks.max` tasks with the connector's configuration, as Kafka's: each appends whole lines to the file */
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }
  stop(): void {}
  taskFactory(): () => SinkTask {
    return () => new FileStreamSinkTask();
  }
}

/** what PrintStream.println(value) shows for the value, with JSON for structured values */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value !== 'object') return String(value);
  return JSON.stringify(toPlain(value));
}

function toPlain(value: unknown): unknown {
  if (value instanceof Struct) return Object.fromEntries((value.schema.fields ?? []).map((f) => [f.name, toPlain(value.get(f.name))]));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlain(v)]));
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

export class FileStreamSinkTask implements SinkTask {
  readonly kind = 'sink' as const;
  private handle: FileHandle | undefined;
  private file: string | undefined;
  version(): string {
    return VERSION;
  }
  async start(props: Readonly<Record<string, string>>): Promise<void> {
    this.file = props['file'];
    if (this.file) this.handle = await open(this.file, 'a');
  }
  async put(records: readonly SinkRecord[]): Promise<void> {
    const text = records.map((r) => `${displayValue(r.value)}\n`).join('');
    if (this.handle) await this.handle.write(text);
    else process.stdout.write(text);
  }
  async preCommit(current: readonly TopicPartitionOffset[]): Promise<readonly TopicPartitionOffset[]> {
    await this.handle?.sync();
    return current;
  }
  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}
