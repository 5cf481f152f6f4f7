/**
 * The console's short memory: an Engine.metrics() snapshot every second, the last few minutes
 * kept in memory, from which it answers rates (records per second in and out of every operator,
 * the share of time each spends busy), the operator that holds a query back, and consumer lag
 * per partition with its recent history (the sparklines). No Prometheus needed to see them.
 * Sampling starts with the first console request and stops when the server closes.
 */
import type { Engine, EngineMetrics, QueryMetricsSnapshot } from '../index.js';

const KEEP = 300;
/** rates are taken over this many samples (seconds) */
const RATE_WINDOW = 5;

export interface OperatorRates {
  readonly id: string;
  readonly kind: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly inPerSecond: number;
  readonly outPerSecond: number;
  /** share of wall time spent in the operator's own code, 0..1 */
  readonly busy: number;
  /** the operator holding the query back: the busiest one while the query lags or is busy */
  readonly bottleneck: boolean;
}

export interface QueryRates {
  readonly queryId: string;
  readonly inPerSecond: number;
  readonly outPerSecond: number;
  readonly lag: number;
  readonly operators: readonly OperatorRates[];
}

export interface LagHistory {
  readonly queryId: string;
  readonly topic: string;
  readonly partition: number;
  readonly internal: boolean;
  readonly lag: number;
  readonly position: string;
  readonly end: string;
  /** one value per sample, oldest first */
  readonly history: readonly number[];
}

export class ConsoleHistory {
  private readonly samples: EngineMetrics[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly intervalMs = 1000,
  ) {}

  /** Starts sampling (idempotent); resolves once there is at least one sample. */
  async ensureStarted(): Promise<void> {
    if (this.stopped) return;
    if (!this.timer) {
      this.timer = setInterval(() => void this.sample(), this.intervalMs);
      this.timer.unref();
    }
    if (!this.samples.length) await this.sample();
  }

  private sample(): Promise<void> {
    // one at a time: a slow snapshot is not stacked on
    this.sampling ??= this.engine
      .metrics()
      .then((m) => {
        this.samples.push(m);
        if (this.samples.length > KEEP) this.samples.splice(0, this.samples.length - KEEP);
      })
      .catch(() => {})
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  latest(): EngineMetrics | undefined {
    return this.samples.at(-1);
  }

  /** Rates of one query over the last few seconds. */
  rates(queryId: string): QueryRates | undefined {
    const last = this.samples.at(-1);
    const now = last?.queries.find((q) => q.queryId === queryId);
    if (!last || !now) return undefined;
    let before: QueryMetricsSnapshot | undefined;
    let beforeTime = last.time;
    for (let i = this.samples.length - 1 - RATE_WINDOW; i < this.samples.length - 1; i++) {
      const s = this.samples[Math.max(0, i)]!;
      const q = s.queries.find((x) => x.queryId === queryId);
      if (q && s.time < last.time) {
        before = q;
        beforeTime = s.time;
        break;
      }
    }
    const seconds = before ? (last.time - beforeTime) / 1000 : 0;
    const per = (a: number, b: number | undefined) => (seconds > 0 && b !== undefined ? Math.max(0, (a - b) / seconds) : 0);
    const lag = now.partitions.reduce((n, p) => n + p.lag, 0);
    const operators = now.operators.map((o) => {
      const prev = before?.operators.find((x) => x.id === o.id);
      return {
        id: o.id,
        kind: o.kind,
        recordsIn: o.recordsIn,
        recordsOut: o.recordsOut,
        inPerSecond: per(o.recordsIn, prev?.recordsIn ?? (before ? 0 : undefined)),
        outPerSecond: per(o.recordsOut, prev?.recordsOut ?? (before ? 0 : undefined)),
        busy: Math.min(1, per(o.busySeconds, prev?.busySeconds ?? (before ? 0 : undefined))),
        bottleneck: false,
      };
    });
    const busiest = operators.reduce<(typeof operators)[number] | undefined>((b, o) => (!b || o.busy > b.busy ? o : b), undefined);
    // lag that lasts (not one batch in flight): every sample of the rate window shows some
    const recent = this.samples.slice(-RATE_WINDOW).map((s) => s.queries.find((x) => x.queryId === queryId)?.partitions.reduce((n, p) => n + p.lag, 0) ?? 0);
    const lagging = recent.length >= RATE_WINDOW && recent.every((n) => n > 0);
    // the slow operator is the one doing the work while the query lags (or is busy most of the time)
    if (busiest && busiest.busy > 0 && (lagging || busiest.busy >= 0.25)) busiest.bottleneck = true;
    return {
      queryId,
      inPerSecond: per(now.recordsIn, before?.recordsIn),
      outPerSecond: per(now.recordsOut, before?.recordsOut),
      lag,
      operators,
    };
  }

  /** Lag per query and partition now, with its history over the samples kept. */
  lag(queryId?: string): LagHistory[] {
    const last = this.samples.at(-1);
    if (!last) return [];
    const out: LagHistory[] = [];
    for (const q of last.queries) {
      if (queryId !== undefined && q.queryId !== queryId) continue;
      for (const p of q.partitions) {
        const history = this.samples.map((s) => s.queries.find((x) => x.queryId === q.queryId)?.partitions.find((x) => x.topic === p.topic && x.partition === p.partition)?.lag ?? 0);
        out.push({ queryId: q.queryId, topic: p.topic, partition: p.partition, internal: p.internal, lag: p.lag, position: p.position, end: p.end, history });
      }
    }
    return out;
  }
}
