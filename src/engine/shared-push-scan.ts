/**
 * Push queries that many clients run at once (a dashboard's 200 browsers all asking for
 * `SELECT ... FROM s EMIT CHANGES`) share one running query: the first subscriber starts it, later
 * identical ones attach to it, and each row is computed and decoded once, then handed to every
 * subscriber (the same RowChange object, so a server can encode it once too).
 *
 * Only queries whose answer does not depend on when they started are shared: stateless queries
 * over a single stream, reading from `latest`. A subscriber that joins sees the rows produced
 * after it joined, as its own query started then would. Each subscriber has its own LIMIT.
 *
 * Rows wait for slow subscribers in a bounded buffer (`sluice.push.shared.buffer.rows`); a
 * subscriber that falls further behind than that ends with an error instead of holding memory or
 * slowing the others, as ksqlDB's scalable push queries end a client whose queue overflows.
 */
import { ExecutionError } from '../common/errors.js';
import type { Query } from '../sql/ast.js';
import { formatStatement } from '../sql/printer.js';
import type { PushQuery, ResultColumn, Row, RowChange } from './query-result.js';
import { pushIterators } from './query-result.js';

export const SHARED_BUFFER_ROWS = 'sluice.push.shared.buffer.rows';
const DEFAULT_BUFFER_ROWS = 50_000;

/** The sharing key of a push query, or undefined when it must run on its own. */
export function sharedScanKey(query: Query, sourceType: 'STREAM' | 'TABLE' | undefined, config: ReadonlyMap<string, string>, overrides: Readonly<Record<string, string>>): string | undefined {
  const reset = config.get('auto.offset.reset') ?? config.get('ksql.streams.auto.offset.reset') ?? 'latest';
  if (reset !== 'latest' || sourceType !== 'STREAM' || config.get('sluice.push.shared') === 'false') return undefined;
  const stateless = query.from.kind === 'SourceRelation' && !query.groupBy?.length && !query.window && !query.having && !query.partitionBy?.length;
  if (!stateless) return undefined;
  const text = formatStatement({ kind: 'QueryStatement', query: { ...query, limit: undefined } } as never);
  const props = Object.entries(overrides).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([text, props]);
}

export class SharedPushScans {
  private readonly scans = new Map<string, Promise<SharedScan>>();

  /**
   * A subscriber of the scan for `key`, starting the scan's query with `start` when none runs.
   * `id` names the subscriber (its own query id).
   */
  async subscribe(key: string, id: string, limit: number | undefined, signal: AbortSignal | undefined, bufferRows: number | undefined, start: () => Promise<PushQuery>): Promise<PushQuery> {
    for (;;) {
      let pending = this.scans.get(key);
      if (!pending) {
        pending = start().then((query) => new SharedScan(query, bufferRows ?? DEFAULT_BUFFER_ROWS, () => this.scans.delete(key)));
        this.scans.set(key, pending);
        pending.catch(() => this.scans.delete(key));
      }
      const scan = await pending;
      const subscriber = scan.attach(id, limit, signal);
      if (subscriber) return subscriber;
      // the scan ended between lookup and attach: start another
      if (this.scans.get(key) === pending) this.scans.delete(key);
    }
  }

  /** running scans (for tests and metrics) */
  get size(): number {
    return this.scans.size;
  }
}

class SharedScan {
  /** rows not yet taken by every subscriber; `base` is the sequence number of buffer[0] */
  private buffer: RowChange[] = [];
  private base = 0;
  private readonly subscribers = new Set<Subscriber>();
  private ended = false;
  private failure: unknown;
  private sinceTrim = 0;
  private readonly pump: Promise<void>;

  constructor(
    private readonly query: PushQuery,
    private readonly bufferRows: number,
    private readonly onEnd: () => void,
  ) {
    this.pump = this.run();
  }

  get columns(): readonly ResultColumn[] {
    return this.query.columns;
  }

  get end(): number {
    return this.base + this.buffer.length;
  }

  attach(id: string, limit: number | undefined, signal: AbortSignal | undefined): Subscriber | undefined {
    if (this.ended) return undefined;
    const s = new Subscriber(this, id, this.end, limit, signal);
    // LIMIT 0 or an aborted signal: it ended before it began
    if (!s.isFinished) this.subscribers.add(s);
    return s;
  }

  rowAt(seq: number): RowChange | undefined {
    return this.buffer[seq - this.base];
  }

  get oldest(): number {
    return this.base;
  }

  get done(): { ended: boolean; failure: unknown } {
    return { ended: this.ended, failure: this.failure };
  }

  /** resolves once the scan's query has stopped, if this was its last subscriber */
  detach(s: Subscriber): Promise<void> {
    if (!this.subscribers.delete(s)) return Promise.resolve();
    this.trim();
    return this.subscribers.size === 0 ? this.stop() : Promise.resolve();
  }

  private stopping: Promise<void> | undefined;

  private stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ended = true;
      this.onEnd();
      await this.query.close();
      await this.pump.catch(() => {});
    })();
    return this.stopping;
  }

  private async run(): Promise<void> {
    try {
      const changes = this.query.changes();
      for (let next = await changes.next(); !next.done && !this.ended; next = await changes.next()) {
        // whatever else is ready comes along, so subscribers wake once per batch, not per row
        const batch = [next.value, ...this.query.takeReady(Math.min(10_000, this.bufferRows) - 1)];
        // a subscriber is too slow when rows it had time to take still wait as the next batch comes
        if (this.buffer.length > this.bufferRows) this.dropSlowest();
        for (const change of batch) this.buffer.push(change);
        this.sinceTrim += batch.length;
        if (this.sinceTrim >= 1024) {
          this.sinceTrim = 0;
          this.trim();
        }
        for (const s of this.subscribers) s.wake();
        // subscribers take what is ready in microtasks; the next batch waits until they have
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (e) {
      this.failure = e;
    }
    this.ended = true;
    this.onEnd();
    for (const s of this.subscribers) s.wake();
    // the query ended by itself (a failure, its source dropped): nothing else will close it
    if (!this.stopping) void this.query.close();
  }

  /** keep only rows some subscriber still needs */
  private trim(): void {
    let min = this.end;
    for (const s of this.subscribers) min = Math.min(min, s.position);
    if (min > this.base) {
      this.buffer = this.buffer.slice(min - this.base);
      this.base = min;
    }
  }

  private dropSlowest(): void {
    this.trim();
    if (this.buffer.length <= this.bufferRows) return;
    const cutoff = this.end - this.bufferRows;
    for (const s of [...this.subscribers]) if (s.position < cutoff) s.overflow(this.bufferRows);
    this.trim();
  }
}

class Subscriber implements PushQuery {
  readonly ended: Promise<'limit' | 'closed' | 'failed'>;
  private endedAs!: (why: 'limit' | 'closed' | 'failed') => void;
  private finished: 'limit' | 'closed' | 'failed' | undefined;
  private delivered = 0;
  private overflowed: number | undefined;
  private waiting: (() => void) | undefined;
  private detached: Promise<void> | undefined;
  private readonly abort = () => void this.close();

  constructor(
    private readonly scan: SharedScan,
    readonly queryId: string,
    public position: number,
    private readonly limit: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.ended = new Promise((resolve) => (this.endedAs = resolve));
    signal?.addEventListener('abort', this.abort, { once: true });
    if (signal?.aborted) this.finish('closed');
    if (limit === 0) this.finish('limit');
  }

  get columns(): readonly ResultColumn[] {
    return this.scan.columns;
  }

  get isFinished(): boolean {
    return this.finished !== undefined;
  }

  wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  overflow(bufferRows: number): void {
    this.overflowed = bufferRows;
    this.detached = this.scan.detach(this);
    this.wake();
  }

  private readonly iterators = pushIterators(() => this.columns, () => this.next(), () => this.close());

  [Symbol.asyncIterator](): AsyncIterator<Row> {
    return this.iterators[Symbol.asyncIterator]();
  }

  changes(): AsyncIterableIterator<RowChange> {
    return this.iterators.changes();
  }

  takeReady(max: number): RowChange[] {
    const out: RowChange[] = [];
    while (out.length < max && !this.finished && this.overflowed === undefined) {
      const row = this.scan.rowAt(this.position);
      if (!row) break;
      this.position++;
      this.delivered++;
      out.push(row);
      if (this.limit !== undefined && this.delivered >= this.limit) this.finish('limit');
    }
    return out;
  }

  private async next(): Promise<RowChange | undefined> {
    for (;;) {
      if (this.finished) return undefined;
      if (this.overflowed !== undefined) {
        this.finish('failed');
        throw new ExecutionError(`Push query ${this.queryId} fell more than ${this.overflowed} rows behind its shared scan and was ended (raise ${SHARED_BUFFER_ROWS} or read faster)`, { queryId: this.queryId });
      }
      const row = this.scan.rowAt(this.position);
      if (row) {
        this.position++;
        this.delivered++;
        if (this.limit !== undefined && this.delivered >= this.limit) this.finish('limit');
        return row;
      }
      const { ended, failure } = this.scan.done;
      if (ended) {
        if (failure) {
          this.finish('failed');
          throw failure;
        }
        this.finish('closed');
        return undefined;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  close(): Promise<void> {
    this.finish('closed');
    return this.detached ?? Promise.resolve();
  }

  private finish(why: 'limit' | 'closed' | 'failed'): void {
    if (this.finished) return;
    this.finished = why;
    this.signal?.removeEventListener('abort', this.abort);
    this.detached ??= this.scan.detach(this);
    this.wake();
    // 'ended' settles once the shared query no longer needs stopping on this subscriber's behalf
    void this.detached.then(() => this.endedAs(why));
  }
}
