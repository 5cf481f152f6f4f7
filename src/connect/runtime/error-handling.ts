/**
 * Connect's error handling for one task (RetryWithToleranceOperator + reporters): a failing stage
 * (conversion, transform, put) either fails the task (`errors.tolerance=none`) or the record is
 * skipped (`all`), logged when `errors.log.enable`, and, for sinks, sent with its original bytes to
 * `errors.deadletterqueue.topic.name` with the `__connect.errors.*` context headers when
 * `errors.deadletterqueue.context.headers.enable`.
 */
import { ensureTopic } from './ensure-topic.js';
import type { Log, RecordHeader } from '../../log/log.js';
import { ToleranceExceededError } from './connect-errors.js';

export type Stage = 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT' | 'TASK_POLL' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

/** the record as read from (or about to be written to) the log */
export interface OriginalRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset?: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: readonly RecordHeader[];
}

export interface ErrorSettings {
  readonly tolerance: 'none' | 'all';
  /** -1: forever */
  readonly retryTimeoutMs: number;
  readonly retryDelayMaxMs: number;
  readonly dlqTopic: string;
  readonly contextHeaders: boolean;
  readonly logEnable: boolean;
  readonly logIncludeMessages: boolean;
}

export function errorSettings(props: Readonly<Record<string, string>>): ErrorSettings {
  return {
    tolerance: props['errors.tolerance']?.trim().toLowerCase() === 'all' ? 'all' : 'none',
    retryTimeoutMs: Number(props['errors.retry.timeout'] ?? 0),
    retryDelayMaxMs: Number(props['errors.retry.delay.max.ms'] ?? 60000),
    dlqTopic: (props['errors.deadletterqueue.topic.name'] ?? '').trim(),
    contextHeaders: props['errors.deadletterqueue.context.headers.enable']?.trim().toLowerCase() === 'true',
    logEnable: props['errors.log.enable']?.trim().toLowerCase() === 'true',
    logIncludeMessages: props['errors.log.include.messages']?.trim().toLowerCase() === 'true',
  };
}

const ERROR_HEADER_PREFIX = '__connect.errors.';

export class ErrorReporter {
  /** records tolerated so far (skipped, logged, sent to the DLQ) */
  errors = 0;
  private dlqReady = false;

  constructor(
    readonly settings: ErrorSettings,
    private readonly log: Log,
    private readonly connector: string,
    private readonly taskId: number,
    private readonly kind: 'source' | 'sink',
    private readonly logLine: (line: string) => void,
  ) {}

  /**
   * runs one stage for one record: its result, or `undefined` when it failed and the failure is
   * tolerated (the caller skips the record); throws ToleranceExceededError otherwise
   */
  async run<T>(stage: Stage, original: OriginalRecord | undefined, work: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      return { ok: true, value: await work() };
    } catch (e) {
      await this.tolerate(stage, original, e);
      return { ok: false };
    }
  }

  /** run() for synchronous stages (converters, transforms): no await per record unless it fails */
  runSync<T>(stage: Stage, original: OriginalRecord | undefined, work: () => T): { ok: true; value: T } | Promise<{ ok: false }> {
    try {
      return { ok: true, value: work() };
    } catch (e) {
      return this.tolerate(stage, original, e).then(() => ({ ok: false as const }));
    }
  }

  /** reports a failed stage; throws when errors are not tolerated */
  async tolerate(stage: Stage, original: OriginalRecord | undefined, e: unknown): Promise<void> {
    const error = e instanceof Error ? e : new Error(String(e));
    if (this.settings.tolerance === 'none') throw new ToleranceExceededError('Tolerance exceeded in error handler', { cause: error });
    this.errors++;
    if (this.settings.logEnable) {
      const where = original ? ` for record in topic '${original.topic}' partition ${original.partition}${original.offset !== undefined ? ` offset ${original.offset}` : ''}` : '';
      const msg = this.settings.logIncludeMessages && original ? ` (key: ${original.key?.toString('utf8') ?? 'null'}, value: ${original.value?.toString('utf8') ?? 'null'})` : '';
      this.logLine(`Error encountered in task ${this.connector}-${this.taskId}. Executing stage '${stage}' with class '${error.name}'${where}${msg}: ${error.message}`);
    }
    if (this.kind === 'sink' && this.settings.dlqTopic && original) await this.sendToDlq(stage, original, error);
  }

  private async sendToDlq(stage: Stage, original: OriginalRecord, error: Error): Promise<void> {
    const topic = this.settings.dlqTopic;
    if (!this.dlqReady) {
      await ensureTopic(this.log, topic, { partitions: 1 });
      this.dlqReady = true;
    }
    const headers: RecordHeader[] = [...original.headers];
    if (this.settings.contextHeaders) {
      const h = (name: string, value: string | null): void => void headers.push({ key: ERROR_HEADER_PREFIX + name, value: value === null ? null : Buffer.from(value) });
      h('topic', original.topic);
      h('partition', String(original.partition));
      if (original.offset !== undefined) h('offset', String(original.offset));
      h('connector.name', this.connector);
      h('task.id', String(this.taskId));
      h('stage', stage);
      h('class.name', stageClass(stage));
      h('exception.class.name', javaExceptionName(error));
      h('exception.message', error.message);
      h('exception.stacktrace', error.stack ?? `${error.name}: ${error.message}`);
    }
    await this.log.produce([{ topic, key: original.key, value: original.value, timestamp: original.timestamp, headers }]);
  }
}

function stageClass(stage: Stage): string {
  switch (stage) {
    case 'KEY_CONVERTER':
    case 'VALUE_CONVERTER':
      return 'org.apache.kafka.connect.storage.Converter';
    case 'HEADER_CONVERTER':
      return 'org.apache.kafka.connect.storage.HeaderConverter';
    case 'TRANSFORMATION':
      return 'org.apache.kafka.connect.transforms.Transformation';
    case 'TASK_PUT':
      return 'org.apache.kafka.connect.sink.SinkTask';
    case 'TASK_POLL':
      return 'org.apache.kafka.connect.source.SourceTask';
    default:
      return 'org.apache.kafka.clients.producer.KafkaProducer';
  }
}

/** the Java class Connect would name for this error */
function javaExceptionName(error: Error): string {
  if (error.name === 'DataError') return 'org.apache.kafka.connect.errors.DataException';
  if (error.name === 'RetriableError') return 'org.apache.kafka.connect.errors.RetriableException';
  if (error.name === 'ConnectConfigError') return 'org.apache.kafka.common.config.ConfigException';
  return 'org.apache.kafka.connect.errors.ConnectException';
}

/** Connect's exponential backoff between retries: 300 ms doubling, capped at errors.retry.delay.max.ms */
export function backoffMs(attempt: number, maxMs: number): number {
  return Math.min(300 * 2 ** Math.max(0, attempt - 1), Math.max(0, maxMs));
}
