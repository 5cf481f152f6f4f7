/**
 * How the CLI shows processing-log entries on stderr without flooding it: the first few entries of
 * each query and error type are printed in full (with their position), later ones are counted and
 * summarised at most once per interval, and what is still counted is summarised when the engine
 * closes. A query stopping (QUERY_ERROR) is always printed. Every entry stays in the
 * KSQL_PROCESSING_LOG stream, which the summary points to.
 */
import type { ProcessingErrorType, ProcessingLogEntry } from '../index.js';

const WHAT: Record<ProcessingErrorType, string> = {
  DESERIALIZATION_ERROR: 'records skipped (deserialization errors)',
  RECORD_PROCESSING_ERROR: 'record processing errors',
  SERIALIZATION_ERROR: 'records not written (serialization errors)',
  PRODUCTION_ERROR: 'records not produced (production errors)',
  QUERY_ERROR: 'query errors',
};

export interface SummaryOptions {
  /** entries printed in full per query and error type before summarising */
  readonly firstEntries?: number;
  /** least time between two summary lines for one query and error type */
  readonly intervalMs?: number;
  /** the processing-log stream named in summaries */
  readonly streamName?: string;
  readonly now?: () => number;
}

interface Tally {
  readonly queryId: string;
  readonly type: ProcessingErrorType;
  printed: number;
  /** counted but not yet summarised */
  pending: number;
  total: number;
  lastSummary: number;
}

export function describeEntry(e: ProcessingLogEntry): string {
  const where = e.topic !== undefined ? ` ${e.topic}/${e.partition}@${e.offset}` : '';
  return `processing error in ${e.queryId} (${e.step}${where}): ${e.message}`;
}

export class ProcessingLogSummary {
  private readonly tallies = new Map<string, Tally>();
  private readonly firstEntries: number;
  private readonly intervalMs: number;
  private readonly streamName: string;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly print: (line: string) => void,
    options: SummaryOptions = {},
  ) {
    this.firstEntries = options.firstEntries ?? 3;
    this.intervalMs = options.intervalMs ?? 5000;
    this.streamName = options.streamName ?? 'KSQL_PROCESSING_LOG';
    this.now = options.now ?? Date.now;
  }

  report(entry: ProcessingLogEntry): void {
    if (entry.type === 'QUERY_ERROR') {
      this.print(describeEntry(entry));
      return;
    }
    const key = `${entry.queryId}\u0000${entry.type}`;
    let t = this.tallies.get(key);
    if (!t) {
      t = { queryId: entry.queryId, type: entry.type, printed: 0, pending: 0, total: 0, lastSummary: this.now() };
      this.tallies.set(key, t);
    }
    t.total++;
    if (t.printed < this.firstEntries) {
      t.printed++;
      this.print(describeEntry(entry));
      if (t.printed === this.firstEntries) this.print(`(further ${WHAT[t.type]} in ${t.queryId} are summarised; see ${this.streamName})`);
      return;
    }
    t.pending++;
    if (this.now() - t.lastSummary >= this.intervalMs) this.summarise(t);
    else this.schedule();
  }

  /** Prints every pending count (the engine is closing, or the interval passed). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.tallies.values()) if (t.pending) this.summarise(t);
  }

  private summarise(t: Tally): void {
    this.print(`${t.pending} ${WHAT[t.type]} in query ${t.queryId} (${t.total} in all); see ${this.streamName}`);
    t.pending = 0;
    t.lastSummary = this.now();
  }

  /** a quiet stretch after a burst still gets its summary */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }
}
