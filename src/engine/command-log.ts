/**
 * The durable command log: every statement that changes the catalog is appended, with the
 * session properties it ran under, to an internal single-partition topic. Reopening the data
 * directory replays it to rebuild the catalog and restart persistent queries where they left off.
 */
import type { DataSource } from '../catalog/data-source.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { Log } from '../log/log.js';
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

  constructor(private readonly log: Log) {}

  async open(): Promise<Command[]> {
    const topics = await this.log.listTopics();
    if (!topics.includes(COMMAND_TOPIC))
      await this.log.createTopic(COMMAND_TOPIC, { partitions: 1, config: { 'retention.ms': -1, 'retention.bytes': -1 } });
    const commands: Command[] = [];
    let offset = await this.log.earliestOffset(COMMAND_TOPIC, 0);
    for (;;) {
      const batch = await this.log.fetch(COMMAND_TOPIC, 0, offset, { maxRecords: 10_000 });
      for (const r of batch.records) if (r.value) commands.push(decodePlanJson<Command>(r.value.toString('utf8')));
      if (batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    }
    this.nextSequence = await this.log.latestOffset(COMMAND_TOPIC, 0);
    return commands;
  }

  /** The sequence number the next command will get: used to derive stable query ids. */
  peekSequence(): bigint {
    return this.nextSequence;
  }

  async append(command: Command): Promise<void> {
    await this.log.produce([{ topic: COMMAND_TOPIC, partition: 0, key: null, value: Buffer.from(encodePlanJson(command)) }]);
    this.nextSequence++;
  }
}
