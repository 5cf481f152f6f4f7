/**
 * The durable command log: every statement that changes the catalog is appended, with the
 * session properties it ran under, to an internal single-partition topic. Reopening the data
 * directory replays it to rebuild the catalog and restart persistent queries where they left off.
 */
import type { Log } from '../log/log.js';

export const COMMAND_TOPIC = '_sluice_commands';

export interface Command {
  readonly sql: string;
  /** session properties in force when it ran */
  readonly properties: Readonly<Record<string, string>>;
  /** the query id a persistent query got, so replays keep its offsets */
  readonly queryId?: string;
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
      for (const r of batch.records) if (r.value) commands.push(JSON.parse(r.value.toString('utf8')) as Command);
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
    await this.log.produce([{ topic: COMMAND_TOPIC, partition: 0, key: null, value: Buffer.from(JSON.stringify(command)) }]);
    this.nextSequence++;
  }
}
