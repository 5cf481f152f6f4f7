/**
 * Per-query counters kept by the runtime: records into and out of every operator (by step id, so
 * names are stable across restarts), the time operators spend on records, and commit latency.
 * Never per key. The engine keeps one per query id, shared by the query's tasks, so figures
 * survive a restart of the query (RESUME of a failed query).
 *
 * Time is sampled (one source record in SAMPLE_EVERY) to keep the cost of the clock off the hot
 * path; an operator's own time is its time with the record less the time its downstream took, so
 * the slow operator is the one doing the work, not the ones waiting on it.
 */
import type { Downstream, SourceEntry } from './processor.js';

/** one source record in this many is timed; a timed record's times count this many times */
export const SAMPLE_EVERY = 16;

export interface OperatorCounters {
  recordsIn: number;
  recordsOut: number;
  /** estimated seconds spent in this operator's own code (sampled, scaled up) */
  selfSeconds: number;
}

export interface CommitCounters {
  count: number;
  totalSeconds: number;
  maxSeconds: number;
}

export class QueryMetrics {
  readonly operators = new Map<string, OperatorCounters>();
  readonly commits: CommitCounters = { count: 0, totalSeconds: 0, maxSeconds: 0 };
  /** whether the record in flight is timed (decided by the source's meterIn) */
  private timing = false;
  private sampleTick = 0;

  constructor(readonly queryId: string) {}

  /** the counters of one operator (created at zero) */
  operator(stepId: string): OperatorCounters {
    let c = this.operators.get(stepId);
    if (!c) {
      c = { recordsIn: 0, recordsOut: 0, selfSeconds: 0 };
      this.operators.set(stepId, c);
    }
    return c;
  }

  /**
   * Wraps an operator's entry point: counts records in, and (sampled) the time spent with them. A
   * source entry starts a record (and decides whether it is timed); `countIn` false: the read side
   * of a repartition topic, whose records were counted in when written.
   */
  meterIn<T>(stepId: string, entry: Downstream<T>, isSource: boolean, countIn = true): Downstream<T> {
    const c = this.operator(stepId);
    const wrapped: Downstream<T> = (record) => {
      if (countIn) c.recordsIn++;
      if (isSource) this.startRecord();
      if (!this.timing) return entry(record);
      const start = performance.now();
      const result = entry(record);
      if (result) return result.then(() => void (c.selfSeconds += ((performance.now() - start) / 1000) * SAMPLE_EVERY));
      c.selfSeconds += ((performance.now() - start) / 1000) * SAMPLE_EVERY;
      return undefined;
    };
    const timestampOf = (entry as SourceEntry).timestampOf;
    if (timestampOf) Object.assign(wrapped, { timestampOf });
    return wrapped;
  }

  /** Wraps what an operator calls downstream: counts records out, and takes downstream time off its own. */
  meterOut<T>(stepId: string, downstream: Downstream<T>): Downstream<T> {
    const c = this.operator(stepId);
    return (record) => {
      c.recordsOut++;
      if (!this.timing) return downstream(record);
      const start = performance.now();
      const result = downstream(record);
      if (result) return result.then(() => void (c.selfSeconds -= ((performance.now() - start) / 1000) * SAMPLE_EVERY));
      c.selfSeconds -= ((performance.now() - start) / 1000) * SAMPLE_EVERY;
      return undefined;
    };
  }

  /** a source record starts: returns whether it is timed (one in SAMPLE_EVERY) */
  startRecord(): boolean {
    this.timing = ++this.sampleTick % SAMPLE_EVERY === 0;
    return this.timing;
  }

  /** whether the record in flight is timed: a fused chain times its steps itself then */
  get timingRecord(): boolean {
    return this.timing;
  }

  recordCommit(seconds: number): void {
    this.commits.count++;
    this.commits.totalSeconds += seconds;
    if (seconds > this.commits.maxSeconds) this.commits.maxSeconds = seconds;
  }
}
