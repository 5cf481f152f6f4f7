/**
 * The floor of a query: the same work written by hand, the way one would without an engine. For
 * every partition of the input topic: fetch a batch (the engine's batch size), JSON.parse each
 * value, run the query's logic, JSON.stringify the result, and commit the outputs together with
 * the consumed offset in one transaction of the same log (the engine's exactly-once step).
 */
import type { FetchedRecord, Log, ProduceRecord } from '../../src/log/log.js';
import type { BidJson, NexmarkQuery } from './queries.js';

export interface FloorOptions {
  readonly log: Log;
  readonly query: NexmarkQuery;
  readonly inputTopic: string;
  readonly outputTopic: string;
  /** consumer group for the committed offsets */
  readonly group: string;
  readonly batchSize: number;
}

export class FloorLoop {
  private readonly logic: (bid: BidJson) => object | undefined;
  private offsets: bigint[] = [];

  constructor(private readonly options: FloorOptions) {
    if (!options.query.floor) throw new Error(`${options.query.name} has no floor`);
    this.logic = options.query.floor;
  }

  async init(fromEarliest: boolean): Promise<void> {
    const desc = await this.options.log.describeTopic(this.options.inputTopic);
    this.offsets = desc.partitions.map((p) => (fromEarliest ? p.logStartOffset : p.highWatermark));
  }

  /** One batch from every partition; returns the records consumed. */
  async step(): Promise<number> {
    const { log, inputTopic, outputTopic, group, batchSize } = this.options;
    const logic = this.logic;
    let consumed = 0;
    for (let p = 0; p < this.offsets.length; p++) {
      const from = this.offsets[p]!;
      const f = await log.fetch(inputTopic, p, from, { maxRecords: batchSize });
      if (f.nextOffset === from) continue;
      const records: FetchedRecord[] = f.records;
      const out: ProduceRecord[] = [];
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        if (r.value === null) continue;
        const result = logic(JSON.parse(r.value.toString('utf8')) as BidJson);
        if (result !== undefined) out.push({ topic: outputTopic, key: null, value: Buffer.from(JSON.stringify(result), 'utf8'), timestamp: r.timestamp });
      }
      await log.commitTransaction({ produce: out, offsets: { group, offsets: [{ topic: inputTopic, partition: p, offset: f.nextOffset }] } });
      this.offsets[p] = f.nextOffset;
      consumed += records.length;
    }
    return consumed;
  }

  /** Until every partition is read up to its high watermark; returns the records consumed. */
  async runUntilIdle(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      total += n;
      if (n === 0 && (await this.caughtUp())) return total;
    }
  }

  async caughtUp(): Promise<boolean> {
    for (let p = 0; p < this.offsets.length; p++) {
      if ((await this.options.log.latestOffset(this.options.inputTopic, p)) > this.offsets[p]!) return false;
    }
    return true;
  }

  /** Runs continuously (paced runs) until `stop()` resolves the returned promise's loop. */
  runContinuously(): { stop: () => Promise<void> } {
    let stopping = false;
    const loop = (async () => {
      while (!stopping) {
        if ((await this.step()) > 0) continue;
        const positions = this.offsets.map((offset, partition) => ({ topic: this.options.inputTopic, partition, offset }));
        await this.options.log.waitForAnyData(positions, 200);
      }
    })();
    return {
      stop: async () => {
        stopping = true;
        await loop;
      },
    };
  }
}
