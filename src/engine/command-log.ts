/**
 * The durable command log: every statement that changes the catalog is appended, with the
 * session properties it ran under, to an internal single-partition topic. Reopening the data
 * directory replays it to rebuild the catalog and restart persistent queries where they left off.
 */
import type { DataSource } from '../catalog/data-source.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { Log } from '../log/log.js';
import { LogError } from '../common/errors.js';
import { decodePlanJson, encodePlanJson } from './plan-codec.js';

export const COMMAND_TOPIC = '_sluice_commands';

export interface Command {
  readonly sql: string;
  /** session properties in force when it ran */
  readonly properties: Readonly<Record<string, string>>;
  /** the query id a persistent query got, so replays keep its offsets */
  readonly queryId?: string;
  /** a persistent query's plan as it first ran: replay runs it instead of re-planning the SQL */
  readonly query?: StoredQuery;
  /** CREATE STREAM/TABLE: the stream or table as defined, put back as it is on replay */
  readonly source?: StoredSource;
  /**
   * the command topic offset the statement was validated at (the next offset then). Several
   * processes sharing the topic append concurrently: a command that landed elsewhere lost a race
   * with a command before it and is skipped by every process (the executing one retries it)
   */
  readonly expectedOffset?: string;
}

/** A command as read from the topic, with its offset. */
export interface LoggedCommand {
  readonly offset: bigint;
  readonly command: Command;
}

/** A command appended after another process's: the statement must be validated again. */
export class CommandConflict extends Error {
  constructor(readonly offset: bigint) {
    super(`Another statement was applied first (command topic offset ${offset}); validating again`);
  }
}

/** Whether every process applies the command: false when it lost a race (see expectedOffset). */
export function commandApplies(logged: LoggedCommand): boolean {
  return logged.command.expectedOffset === undefined || BigInt(logged.command.expectedOffset) === logged.offset;
}

/** What a statement recorded besides its text. */
export type CommandEffects = Pick<Command, 'queryId' | 'query' | 'source'>;

/** A topic as a statement created it, so a restore can create it again if it is missing. */
export interface StoredTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly config: Readonly<Record<string, string | number>>;
}

export interface StoredSource {
  readonly planVersion: number;
  readonly source: DataSource;
  readonly createdTopic?: StoredTopic;
}

/**
 * The stored plans this Sluice can run. Bump it when a plan's meaning changes (a step's fields, an
 * operator's state layout), keeping the code that runs older versions, so running queries keep
 * the topology and state they were started with.
 */
export const PLAN_VERSION = 1;

/** What a persistent query needs to be restored without the planner: plain data. */
export interface StoredQuery {
  readonly planVersion: number;
  readonly plan: QueryPlan;
  /** the stream or table the query writes */
  readonly sink: string;
  /** the sources it reads (for DROP's dependency checks) */
  readonly inputSources: readonly string[];
  /** CREATE ... AS SELECT: the catalog entry it creates, as created */
  readonly createsSource?: DataSource;
  /** the sink topic as created, so a restore can create it again if it is missing */
  readonly sinkTopic?: StoredTopic;
}

export class CommandLog {
  private nextSequence = 0n;
  /** where reading the topic goes on (everything before it has been read) */
  private readOffset = 0n;
  /** offsets this process appended (and applied as it executed them) */
  private readonly own = new Set<bigint>();

  constructor(private readonly log: Log) {}

  /** Creates the topic if missing; returns every command in it (those that lost a race included: see commandApplies). */
  async open(): Promise<LoggedCommand[]> {
    const topics = await this.log.listTopics();
    if (!topics.includes(COMMAND_TOPIC)) {
      try {
        await this.log.createTopic(COMMAND_TOPIC, { partitions: 1, config: { 'retention.ms': -1, 'retention.bytes': -1 } });
      } catch (e) {
        // another process sharing the topic created it first
        if (!(e instanceof LogError) || e.code !== 'TOPIC_EXISTS') throw e;
      }
    }
    this.readOffset = await this.log.earliestOffset(COMMAND_TOPIC, 0);
    return this.readNew();
  }

  /**
   * The commands appended since the last read, by any process (the command runner of processes
   * sharing the topic applies those that are not its own).
   */
  async readNew(): Promise<LoggedCommand[]> {
    const commands: LoggedCommand[] = [];
    for (;;) {
      const batch = await this.log.fetch(COMMAND_TOPIC, 0, this.readOffset, { maxRecords: 10_000 });
      for (const r of batch.records) if (r.value) commands.push({ offset: r.offset, command: decodePlanJson<Command>(r.value.toString('utf8')) });
      if (batch.nextOffset <= this.readOffset) break;
      this.readOffset = batch.nextOffset;
      if (this.readOffset >= batch.highWatermark) break;
    }
    if (this.readOffset > this.nextSequence) this.nextSequence = this.readOffset;
    return commands;
  }

  /** whether this process appended the command at `offset` */
  isOwn(offset: bigint): boolean {
    return this.own.has(offset);
  }

  /** The sequence number the next command will get: used to derive stable query ids. */
  peekSequence(): bigint {
    return this.nextSequence;
  }

  /**
   * Appends a command validated against everything before peekSequence(). CommandConflict when
   * another process appended first: the command is in the topic but no process applies it.
   */
  async append(command: Command): Promise<void> {
    const expected = this.nextSequence;
    const [result] = await this.log.produce([{ topic: COMMAND_TOPIC, partition: 0, key: null, value: Buffer.from(encodePlanJson({ ...command, expectedOffset: expected.toString() })) }]);
    const offset = result?.baseOffset ?? expected;
    this.own.add(offset);
    if (offset !== expected) throw new CommandConflict(offset);
    this.nextSequence = offset + 1n;
  }
}
