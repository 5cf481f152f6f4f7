/**
 * Per-query progress for `sluice run --until-idle` on a terminal: records consumed, the lag still
 * to go and the rate, as progress bars that end in a one-line summary. Lag is read through the Log
 * API (committed offsets of the query's consumer group against the log end offsets), so it does
 * not depend on the runtime's internals.
 */
import type { Engine } from '../index.js';
import type { ChangelogRestore } from './changelog-reads.js';

export interface QueryLag {
  readonly queryId: string;
  /** sum over its input partitions of committed offsets */
  readonly position: bigint;
  /** records still to consume */
  readonly lag: bigint;
  /** where the query starts without committed offsets (auto.offset.reset) */
  readonly resetPosition: bigint;
}

/** Where each running query stands: taken before a run's statements, it is where the run began. */
export async function queryPositions(engine: Engine, reset: 'earliest' | 'latest'): Promise<Map<string, bigint>> {
  return new Map((await queryLags(engine, reset)).map((l) => [l.queryId, l.position]));
}

export async function queryLags(engine: Engine, reset: 'earliest' | 'latest'): Promise<QueryLag[]> {
  const lags: QueryLag[] = [];
  for (const queryId of engine.queryIds()) {
    const info = engine.catalog.queries.get(queryId);
    const topics = new Set((info?.sources ?? []).map((name) => engine.catalog.getSource(name)?.topic).filter((t): t is string => !!t));
    const committed = new Map<string, bigint>();
    for (const o of await engine.log.committedOffsets(queryId)) committed.set(`${o.topic}/${o.partition}`, o.offset);
    let position = 0n;
    let lag = 0n;
    let resetPosition = 0n;
    for (const topic of topics) {
      const desc = await engine.log.describeTopic(topic).catch(() => undefined);
      for (const p of desc?.partitions ?? []) {
        const fromReset = reset === 'earliest' ? p.logStartOffset : p.highWatermark;
        const at = committed.get(`${topic}/${p.partition}`) ?? fromReset;
        position += at;
        resetPosition += fromReset;
        if (p.highWatermark > at) lag += p.highWatermark - at;
      }
    }
    lags.push({ queryId, position, lag, resetPosition });
  }
  return lags;
}

/** Where a run began: its start time and the positions of the queries running then (queryPositions). */
export interface RunStart {
  readonly startedAt: number;
  readonly positions: ReadonlyMap<string, bigint>;
}

/**
 * Shows bars on `stream` while `work` runs; returns the summary line. Counts are from `since`:
 * queries run while a script's statements are still executing, so what they consumed then counts
 * too (a query the run created counts from where auto.offset.reset starts it with earliest).
 */
export async function withProgress(
  engine: Engine,
  reset: 'earliest' | 'latest',
  stream: NodeJS.WriteStream,
  work: Promise<void>,
  restores: () => readonly ChangelogRestore[] = () => [],
  since?: RunStart,
): Promise<string> {
  const { default: cliProgress } = await import('cli-progress');
  const started = since?.startedAt ?? Date.now();
  const first = new Map(
    (await queryLags(engine, reset)).map((l) => [
      l.queryId,
      since?.positions.get(l.queryId) ?? (since && reset === 'earliest' ? l.resetPosition : l.position),
    ]),
  );
  const width = Math.max(10, ...[...first.keys()].map((q) => q.length));
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: `{query} {bar} {consumed} consumed | lag {lag} | {rate}/s`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  const byQuery = new Map<string, ReturnType<typeof bars.create>>();
  let consumedTotal = 0n;
  let lagTotal = 0n;
  const restoreBars = new Map<string, ReturnType<typeof bars.create>>();
  let restoredTotal = 0n;
  const refresh = async () => {
    const elapsed = Math.max(0.001, (Date.now() - started) / 1000);
    restoredTotal = 0n;
    for (const r of restores()) {
      restoredTotal += r.restored;
      // restoring state shows the same figures: records read, records still to read, rate
      const payload = { query: `restore ${r.topic}`.padEnd(width), consumed: String(r.restored), lag: String(r.total - r.restored), rate: Math.round(Number(r.restored) / elapsed) };
      const bar = restoreBars.get(r.topic);
      if (bar) bar.update(Number(r.restored), payload);
      else restoreBars.set(r.topic, bars.create(Math.max(1, Number(r.total)), Number(r.restored), payload));
    }
    consumedTotal = 0n;
    lagTotal = 0n;
    for (const l of await queryLags(engine, reset)) {
      const start = first.get(l.queryId) ?? l.position;
      const consumed = l.position > start ? l.position - start : 0n;
      consumedTotal += consumed;
      lagTotal += l.lag;
      const payload = { query: l.queryId.padEnd(width), consumed: String(consumed), lag: String(l.lag), rate: Math.round(Number(consumed) / elapsed) };
      const total = Math.max(1, Number(consumed + l.lag));
      const bar = byQuery.get(l.queryId);
      if (bar) {
        bar.setTotal(total);
        bar.update(Number(consumed), payload);
      } else byQuery.set(l.queryId, bars.create(total, Number(consumed), payload));
    }
  };
  let done = false;
  const loop = (async () => {
    while (!done) {
      await refresh().catch(() => {});
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  try {
    await work;
  } finally {
    done = true;
    await loop;
    await refresh().catch(() => {});
    bars.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const rate = Math.round(Number(consumedTotal) / Math.max(0.001, seconds));
  const restored = restoreBars.size ? `restored ${restoredTotal} changelog records of ${restoreBars.size} ${restoreBars.size === 1 ? 'store' : 'stores'}; ` : '';
  return `${restored}${byQuery.size} ${byQuery.size === 1 ? 'query' : 'queries'} consumed ${consumedTotal} records in ${seconds.toFixed(1)} s (${rate} records/s), lag ${lagTotal}`;
}
