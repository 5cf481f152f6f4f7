/**
 * The floor of a query: the same work written by hand, the way one would without an engine, in
 * the loop the engine's query task runs. Every step takes one batch (the engine's batch size)
 * from each input partition in turn; each record goes through the query's hand-written logic
 * (JSON.parse, the logic, JSON.stringify); then the outputs, the state changes of the batch (for
 * stateful queries: a LevelDB write and a changelog record per changed key, as the engine's
 * state stores do) and the consumed offset are committed in one transaction of the same log.
 */
import type { ExtraWrite, LocalLog } from '../../src/log/local/index.js';
import type { FetchedRecord, Log, ProduceRecord } from '../../src/log/log.js';

/** What a query's hand-written logic sees and produces. */
export interface FloorProgram {
  /** one input record, in fetch order; push outputs to `out` (their topic is filled in) */
  onRecord(topic: string, record: FetchedRecord, out: FloorOutput[]): void;
  /** moves the state changes since the last call into the batch's transaction */
  flush?(extraWrites: ExtraWrite[], produce: ProduceRecord[]): void;
}

export interface FloorOutput {
  /** the query's output topic when absent */
  topic?: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
}

export interface FloorOptions {
  /** the embedded log: the floor writes its state in the log's batch, as the engine's backend does */
  readonly log: LocalLog;
  readonly program: FloorProgram;
  readonly inputTopics: readonly string[];
  readonly outputTopic: string;
  /** consumer group for the committed offsets */
  readonly group: string;
  readonly batchSize: number;
}

interface Cursor {
  topic: string;
  partition: number;
  /** where the next fetch starts */
  offset: bigint;
  buffer: FetchedRecord[];
  head: number;
}

export class FloorLoop {
  private cursors: Cursor[] = [];

  constructor(private readonly options: FloorOptions) {}

  async init(fromEarliest: boolean): Promise<void> {
    this.cursors = [];
    for (const topic of this.options.inputTopics) {
      const desc = await this.options.log.describeTopic(topic);
      for (const p of desc.partitions)
        this.cursors.push({ topic, partition: p.partition, offset: fromEarliest ? p.logStartOffset : p.highWatermark, buffer: [], head: 0 });
    }
  }

  private async fill(c: Cursor): Promise<void> {
    const f = await this.options.log.fetch(c.topic, c.partition, c.offset, { maxRecords: this.options.batchSize });
    c.buffer = f.records;
    c.head = 0;
    c.offset = f.nextOffset;
  }

  /**
   * One batch, as the engine's task takes it: up to batchSize records from the inputs in
   * timestamp order (ties to the input listed first, a drained input fetched again before the
   * next pick), then one commit. Returns the records consumed.
   */
  async step(): Promise<number> {
    const { log, program, outputTopic, group, batchSize } = this.options;
    const cursors = this.cursors;
    for (const c of cursors) if (c.head >= c.buffer.length) await this.fill(c);
    const outputs: FloorOutput[] = [];
    let consumed = 0;
    while (consumed < batchSize) {
      let best: Cursor | undefined;
      let bestTs = Number.POSITIVE_INFINITY;
      for (const c of cursors) {
        if (c.head < c.buffer.length) {
          const ts = c.buffer[c.head]!.timestamp;
          if (ts < bestTs) {
            best = c;
            bestTs = ts;
          }
        }
      }
      if (!best) break;
      program.onRecord(best.topic, best.buffer[best.head++]!, outputs);
      consumed++;
      if (best.head >= best.buffer.length) await this.fill(best);
    }
    if (consumed === 0) return 0;
    const produce: ProduceRecord[] = new Array(outputs.length);
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i]!;
      produce[i] = { topic: o.topic ?? outputTopic, key: o.key, value: o.value, timestamp: o.timestamp };
    }
    const extraWrites: ExtraWrite[] = [];
    program.flush?.(extraWrites, produce);
    const offsets = cursors.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.head < c.buffer.length ? c.buffer[c.head]!.offset : c.offset }));
    await log.commitTransaction({ produce, extraWrites, offsets: { group, offsets } });
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
    for (const c of this.cursors) if (c.head < c.buffer.length || (await this.options.log.latestOffset(c.topic, c.partition)) > c.offset) return false;
    return true;
  }

  /** Runs continuously (paced runs) until the returned stop() is called. */
  runContinuously(): { stop: () => Promise<void> } {
    let stopping = false;
    const loop = (async () => {
      while (!stopping) {
        if ((await this.step()) > 0) continue;
        await this.options.log.waitForAnyData(this.cursors, 200);
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

/** A stateless query's floor: parse the value, apply `logic`, stringify the result. */
export function statelessFloor<T>(logic: (event: T) => object | undefined): () => FloorProgram {
  return () => ({
    onRecord(_topic, r, out) {
      if (r.value === null) return;
      const result = logic(JSON.parse(r.value.toString('utf8')) as T);
      if (result !== undefined) out.push({ key: null, value: Buffer.from(JSON.stringify(result), 'utf8'), timestamp: r.timestamp });
    },
  });
}
