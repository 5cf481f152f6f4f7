/**
 * What source and sink task runners share: the task's lifecycle (start, pause, resume, stop) and
 * its restarts. A task that fails is stopped and started again after an exponential backoff for as
 * long as `errors.retry.timeout` allows since the first failure in a row (-1: forever; 0, the
 * default: it is FAILED at once, as in Connect); a failed task stays FAILED until restarted.
 */
import type { Log } from '../../log/log.js';
import type { PluginRegistry } from '../plugins.js';
import type { ConnectStore } from './connect-store.js';
import { traceOf } from './connect-errors.js';
import { backoffMs, ErrorReporter, errorSettings, type ErrorSettings } from './error-handling.js';
import { converterFor, headerConverterFor, transformChainFor, type HeaderConverter, type TransformChain } from './task-plugins.js';
import type { Converter } from '../api/converter.js';
import type { TopicSchemas } from '../api/connector.js';

export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING';

export interface TaskHost {
  readonly log: Log;
  readonly store: ConnectStore;
  readonly plugins: PluginRegistry;
  readonly workerProps: Readonly<Record<string, string>>;
  readonly connector: string;
  readonly taskId: number;
  /** the connector's configuration (converters, transforms, errors.*, topics) */
  readonly connectorProps: Readonly<Record<string, string>>;
  /** the task's own configuration, from Connector.taskConfigs */
  readonly taskProps: Readonly<Record<string, string>>;
  readonly offsetFlushIntervalMs: number;
  readonly logLine: (line: string) => void;
  readonly onState: (state: TaskState, trace: string | null) => void;
  /** the topics a task wrote or read, for GET /connectors/{name}/topics */
  readonly onTopic: (topic: string) => void;
  readonly topicSchema?: (topic: string) => TopicSchemas | undefined;
  /**
   * distributed mode: a source task's transactions go under this name (on Kafka, one transactional
   * id per task), so the worker a task moves to fences the transaction a killed worker left open
   */
  readonly transactionGroup?: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export abstract class TaskRunner {
  state: TaskState = 'UNASSIGNED';
  trace: string | null = null;
  protected stopped = false;
  protected paused = false;
  protected readonly errorSettings: ErrorSettings;
  protected reporter!: ErrorReporter;
  protected keyConverter!: Converter;
  protected valueConverter!: Converter;
  protected headerConverter!: HeaderConverter;
  protected chain!: TransformChain;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** records handled since the start (read for sinks, written for sources) */
  records = 0;

  constructor(protected readonly host: TaskHost) {
    this.errorSettings = errorSettings(host.connectorProps);
  }

  get id(): { connector: string; task: number } {
    return { connector: this.host.connector, task: this.host.taskId };
  }

  start(startPaused: boolean): void {
    this.paused = startPaused;
    this.loop = this.runWithRestarts();
  }

  pause(): void {
    this.paused = true;
    if (this.state === 'RUNNING') this.setState('PAUSED');
  }

  resume(): void {
    this.paused = false;
    if (this.state === 'PAUSED') this.setState('RUNNING');
    this.wake?.();
  }

  /**
   * Stops the task: waits for its loop up to `task.shutdown.graceful.timeout.ms` (5 s, as Connect),
   * then stops the task anyway and leaves the loop behind (e.g. a put retrying against a database
   * that is down: a sink that commits its offsets with its writes stays exactly-once)
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const timeout = Number(this.host.workerProps['task.shutdown.graceful.timeout.ms'] ?? 5000);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([this.loop?.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeout)))]);
    clearTimeout(timer);
    if (finished === false) {
      this.host.logLine(`Graceful stop of task ${this.host.connector}-${this.host.taskId} failed (still busy after ${timeout} ms): stopping it anyway`);
      await this.abandon();
    }
  }

  /** stops the task object while its loop may still be inside a call */
  protected abstract abandon(): Promise<void>;

  /** true when the task has nothing left to do now (all read and committed, or failed/paused) */
  abstract isIdle(): Promise<boolean>;

  protected abstract startTask(): Promise<void>;
  /** runs until stopped; throws to fail (then restarted per errors.retry.timeout) */
  protected abstract runLoop(): Promise<void>;
  protected abstract stopTask(): Promise<void>;

  protected setState(state: TaskState, trace: string | null = null): void {
    this.state = state;
    this.trace = trace;
    this.host.onState(state, trace);
  }

  /** waits for resume() or stop(), or at most ms */
  protected async waitWhile(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }

  /** the last successful work: a later failure starts a new retry window */
  protected succeeded(): void {
    this.firstFailure = undefined;
    this.attempt = 0;
  }

  private firstFailure: number | undefined;
  private attempt = 0;

  private async runWithRestarts(): Promise<void> {
    while (!this.stopped) {
      try {
        const p = this.host.connectorProps;
        this.keyConverter = converterFor(this.host.plugins, this.host.workerProps, p, 'key');
        this.valueConverter = converterFor(this.host.plugins, this.host.workerProps, p, 'value');
        this.headerConverter = headerConverterFor(this.host.plugins, this.host.workerProps, p);
        this.chain = transformChainFor(this.host.plugins, p);
        this.reporter = new ErrorReporter(this.errorSettings, this.host.log, this.host.connector, this.host.taskId, this.kind, this.host.logLine);
        await this.startTask();
        this.setState(this.paused ? 'PAUSED' : 'RUNNING');
        await this.runLoop();
        await this.stopTask().catch(() => {});
        this.chain.close();
        return;
      } catch (e) {
        await this.stopTask().catch(() => {});
        this.chain?.close();
        if (this.stopped) return;
        const now = Date.now();
        this.firstFailure ??= now;
        const timeout = this.errorSettings.retryTimeoutMs;
        const trace = traceOf(e);
        if (timeout !== -1 && now - this.firstFailure >= timeout) {
          this.host.logLine(`Task ${this.host.connector}-${this.host.taskId} failed: ${e instanceof Error ? e.message : String(e)}`);
          this.setState('FAILED', trace);
          return;
        }
        const delay = backoffMs(++this.attempt, this.errorSettings.retryDelayMaxMs);
        this.host.logLine(`Task ${this.host.connector}-${this.host.taskId} failed, restarting in ${delay} ms: ${e instanceof Error ? e.message : String(e)}`);
        this.setState('RESTARTING', trace);
        await this.waitWhile(delay);
      }
    }
  }

  protected abstract readonly kind: 'source' | 'sink';
}
