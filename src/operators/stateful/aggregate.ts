/**
 * StreamAggregate / TableAggregate: GROUP BY with optional TUMBLING, HOPPING or SESSION windows.
 *
 * State (one store per operator, named by the step id): per group key, the accumulators of every
 * aggregate and the newest contributing timestamp; windowed, one such entry per live window.
 * Table aggregations also remember each input row's group and arguments, so an update or delete
 * can be undone from the group it left. Every change emits the group's new row (EMIT CHANGES),
 * or, with EMIT FINAL, a window's row once the task's stream time passes its end plus the grace
 * period (a stream-time punctuation, so any record of the task can close it).
 */
import type { AggregateStep } from '../../catalog/query-plan.js';
import { encodeValue } from '../../common/value-codec.js';
import { resolveAggregateCall } from '../../expr/aggregate-call.js';
import type { AggregateRecordContext, Aggregator } from '../../functions/function-types.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { compileStepExpression } from '../stateless/compile-step-expression.js';

/** accumulators plus the newest timestamp that contributed */
interface GroupState {
  accs: unknown[];
  ts: number;
}
/** a window's state: [start, end, accumulators, newest timestamp] */
type WindowState = [number, number, unknown[], number];
/** a table row's contribution: its group key and per-aggregate arguments */
interface Contribution {
  group: unknown[];
  args: unknown[][];
}

const STREAM_TIME_KEY = Buffer.from([0xff, 0x73, 0x74]);
const FINAL_PENDING_KEY = Buffer.from([0xff, 0x66, 0x70]);
/** what a punctuation's output carries instead of an input record's position */
const PUNCTUATED = { partition: -1, offset: -1n, headers: [] } as const;

export function buildAggregate(step: AggregateStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const scope = step.input.columns;
  const keyFns = step.groupBy.map((e) => compileStepExpression(e, scope, ctx, step.id));
  const onError = (e: Error) => ctx.logError(step.id, e);
  const calls = step.aggregates.map((a) =>
    resolveAggregateCall({ kind: 'FunctionCall', name: a.name, args: [...a.args, ...a.initArgs], distinct: false, star: a.args.length + a.initArgs.length === 0 }, scope, ctx.registry),
  );
  const aggregators: Aggregator[] = calls.map((c) => c.create());
  const argFns = calls.map((c) => c.compileArgs(onError));
  const store = ctx.keyValueStore<unknown>(step.id);
  const sources = step.kind === 'TableAggregate' ? ctx.keyValueStore<Contribution>(`${step.id}/input`) : undefined;
  const window = step.window;
  const width = step.columns.length;
  const k = step.groupBy.length;
  let streamTime: number | undefined;

  /**
   * A time window's bounds as an output carries them (its window and its WINDOWSTART / WINDOWEND
   * values), shared by every output of that window: a hopping window's five outputs per record
   * would otherwise allocate them each time. Only the few windows still open are kept.
   */
  interface Bounds {
    readonly window: { readonly start: number; readonly end: number };
    readonly start: bigint;
    readonly end: bigint;
  }
  /** by window number (start / stride) modulo its length: a record's windows are consecutive numbers */
  const boundsRing = new Array<Bounds | undefined>(64).fill(undefined);
  const ringStride = window === undefined || window.type === 'SESSION' ? 0 : window.type === 'TUMBLING' ? window.sizeMs! : window.advanceMs!;
  const boundsOf = (start: number, end: number, shared: boolean): Bounds => {
    if (!shared) return { window: { start, end }, start: BigInt(start), end: BigInt(end) };
    const slot = Math.floor(start / ringStride) & 63;
    let b = boundsRing[slot];
    if (b === undefined || b.window.start !== start || b.window.end !== end)
      boundsRing[slot] = b = { window: { start, end }, start: BigInt(start), end: BigInt(end) };
    return b;
  };
  const sharedBounds = ringStride > 0;
  const rowOf = (group: unknown[], accs: unknown[] | null, bounds?: Bounds): unknown[] => {
    const row = new Array<unknown>(width);
    for (let i = 0; i < k; i++) row[i] = group[i];
    for (let i = 0; i < aggregators.length; i++) row[k + i] = accs ? aggregators[i]!.result(accs[i]) : null;
    if (bounds) {
      row[width - 2] = bounds.start;
      row[width - 1] = bounds.end;
    }
    return row;
  };
  const emit = (rec: Pick<StreamRecord, 'partition' | 'offset' | 'headers'>, group: unknown[], accs: unknown[] | null, ts: number, start?: number, end?: number) => {
    // one object shape per kind of output (no spreads): this runs for every window of every record
    if (start !== undefined) {
      const bounds = boundsOf(start, end!, sharedBounds);
      const row = rowOf(group, accs, bounds);
      const window = bounds.window;
      return downstream(
        accs
          ? { row, timestamp: ts, partition: rec.partition, offset: rec.offset, headers: rec.headers, window }
          : { row, timestamp: ts, partition: rec.partition, offset: rec.offset, headers: rec.headers, tombstone: true, window },
      );
    }
    const row = rowOf(group, accs);
    return downstream(
      accs
        ? { row, timestamp: ts, partition: rec.partition, offset: rec.offset, headers: rec.headers }
        : { row, timestamp: ts, partition: rec.partition, offset: rec.offset, headers: rec.headers, tombstone: true },
    );
  };
  // aggregates without arguments (COUNT(*)) share one empty argument list: aggregators only read it
  const noArgs = argFns.every((fns) => fns.length === 0);
  const emptyArgs: unknown[][] = argFns.map(() => []);
  const evalArgs = (row: readonly unknown[]) => (noArgs ? emptyArgs : argFns.map((fns) => fns.map((f) => f(row))));
  const groupOf = (row: readonly unknown[]): unknown[] | undefined => {
    const group = new Array<unknown>(k);
    let anyNull = false;
    // every grouping expression is evaluated (each may report its own error), then
    // ksqlDB drops a record when any of its grouping values is NULL
    for (let i = 0; i < k; i++) if ((group[i] = keyFns[i]!(row)) === null) anyNull = true;
    return anyNull ? undefined : group;
  };
  /**
   * The state key of a group: a single-column group's bytes are kept for its last (primitive)
   * value, as consecutive records often share it (a time bucket, a busy key), so neither the
   * encoding nor the record cache's key text is redone. The bytes are only read.
   */
  let lastGroupValue: unknown;
  let lastGroupKey: Buffer | undefined;
  const stateKeyOf = (group: unknown[]): Buffer => {
    if (k !== 1) return encodeValue(group);
    const v = group[0];
    if (Object.is(v, lastGroupValue) && lastGroupKey !== undefined) return lastGroupKey;
    const key = encodeValue(group);
    const t = typeof v;
    if (t === 'number' || t === 'string' || t === 'bigint' || t === 'boolean') {
      lastGroupValue = v;
      lastGroupKey = key;
    }
    return key;
  };
  const loadStreamTime = async (): Promise<number> => {
    if (streamTime === undefined) streamTime = ((await store.get(STREAM_TIME_KEY)) as number | undefined) ?? Number.NEGATIVE_INFINITY;
    return streamTime;
  };
  /** once stream time is loaded: no await */
  const advanceLoaded = (ts: number): number => {
    const now = Math.max(streamTime!, ts);
    if (now !== streamTime) {
      streamTime = now;
      store.put(STREAM_TIME_KEY, now);
    }
    return now;
  };
  const advance = async (ts: number): Promise<number> => {
    await loadStreamTime();
    return advanceLoaded(ts);
  };

  // ---------------------------------------------------------------------------- unwindowed
  if (!window) {
    const apply = (rec: StreamRecord, group: unknown[], key: Buffer, found: GroupState | undefined, undoArgs: unknown[][] | undefined, addArgs: unknown[][] | undefined, rctx: AggregateRecordContext) => {
      const state = found ?? { accs: aggregators.map((a) => a.initial()), ts: rec.timestamp };
      // the state object is the cache's: updated in place and put back
      const accs = state.accs;
      if (undoArgs) for (let i = 0; i < accs.length; i++) accs[i] = aggregators[i]!.undo!(accs[i], undoArgs[i]!, rctx);
      if (addArgs) for (let i = 0; i < accs.length; i++) accs[i] = aggregators[i]!.add(accs[i], addArgs[i]!, rctx);
      if (rec.timestamp > state.ts) state.ts = rec.timestamp;
      store.put(key, state);
      return emit(rec, group, accs, state.ts);
    };
    /**
     * applies an undo and/or an add to one group, then emits its row once; synchronous (no promise,
     * no await for the task) when the group is cached and downstream does not wait
     */
    const update = (rec: StreamRecord, group: unknown[], undoArgs: unknown[][] | undefined, addArgs: unknown[][] | undefined, rctx: AggregateRecordContext): void | Promise<void> => {
      const key = stateKeyOf(group);
      const read = store.get(key);
      if (read instanceof Promise) return read.then((found) => apply(rec, group, key, found as GroupState | undefined, undoArgs, addArgs, rctx));
      return apply(rec, group, key, read as GroupState | undefined, undoArgs, addArgs, rctx);
    };
    if (!sources) {
      return (rec) => {
        if (rec.tombstone) return;
        const group = groupOf(rec.row);
        if (!group) return;
        return update(rec, group, undefined, evalArgs(rec.row), rec);
      };
    }
    return async (rec) => {
      const inputKey = encodeValue(rec.row.slice(0, step.inputKeyCount));
      const previous = await sources.get(inputKey);
      const group = rec.tombstone ? undefined : groupOf(rec.row);
      const args = group ? evalArgs(rec.row) : undefined;
      sources.put(inputKey, group ? { group, args: args! } : undefined);
      // a row that stays in its group is one change; one that moves leaves the old group first
      if (previous && group && encodeValue(previous.group).equals(encodeValue(group))) return update(rec, group, previous.args, args, rec);
      if (previous) await update(rec, previous.group, previous.args, undefined, rec);
      if (group) await update(rec, group, undefined, args, rec);
    };
  }

  // ---------------------------------------------------------------------------- windowed
  const grace = window.graceMs;


  // EMIT FINAL: windows waiting for the task's stream time to pass their end plus grace, emitted by
  // a stream-time punctuation, whichever record (key, input) moved stream time. Kept time-ordered:
  // one store entry per due time (end + grace) listing its windows, and an index of the due times,
  // so a record touches only its own bucket and a punctuation only the buckets it closes.
  type Pending = [unknown[], number, number];
  interface Bucket {
    readonly list: Pending[];
    /** `${start}:${encoded group}` of each entry, to add a window once */
    readonly ids: Set<string>;
  }
  /** pending due times, ascending, once loaded */
  let dues: number[] | undefined;
  const buckets = new Map<number, Bucket>();
  const bucketKey = (due: number) => {
    const key = Buffer.allocUnsafe(FINAL_PENDING_KEY.length + 8);
    FINAL_PENDING_KEY.copy(key, 0);
    key.writeDoubleBE(due, FINAL_PENDING_KEY.length);
    return key;
  };
  const pendingId = (group: unknown[], start: number) => `${start}:${encodeValue(group).toString('latin1')}`;
  const bucketOf = (list: Pending[]): Bucket => ({ list, ids: new Set(list.map(([g, s]) => pendingId(g, s))) });
  const loadDues = async (): Promise<number[]> => {
    if (dues) return dues;
    const stored = ((await store.get(FINAL_PENDING_KEY)) as (number | Pending)[] | undefined) ?? [];
    if (stored.length && Array.isArray(stored[0])) {
      // the earlier layout: one list of every pending window
      dues = [];
      for (const p of stored as Pending[]) await addPending(p[0], p[1], p[2]);
      return dues;
    }
    return (dues = stored as number[]);
  };
  const loadBucket = async (due: number): Promise<Bucket> => {
    let bucket = buckets.get(due);
    if (!bucket) buckets.set(due, (bucket = bucketOf(((await store.get(bucketKey(due))) as Pending[] | undefined) ?? [])));
    return bucket;
  };
  const addPending = async (group: unknown[], start: number, end: number) => {
    const due = end + grace;
    const bucket = await loadBucket(due);
    const id = pendingId(group, start);
    if (bucket.ids.has(id)) return;
    bucket.ids.add(id);
    bucket.list.push([group, start, end]);
    store.put(bucketKey(due), bucket.list);
    const list = dues!;
    if (bucket.list.length === 1) {
      let i = list.length;
      while (i > 0 && list[i - 1]! > due) i--;
      list.splice(i, 0, due);
      store.put(FINAL_PENDING_KEY, list);
    }
  };
  /**
   * time windows: the earliest start the window store still holds (its stream time being the
   * newest window start put), which bounds what Kafka Streams' EMIT FINAL fetches: a window is
   * emitted only while its start is within the retention of the newest window's
   */
  const oldestRetainedStart = (): number => {
    if (window.type === 'SESSION' || window.retentionMs === undefined || streamTime === undefined || streamTime === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
    const stride = window.type === 'TUMBLING' ? window.sizeMs! : window.advanceMs!;
    const newestStart = streamTime - (((streamTime % stride) + stride) % stride);
    return newestStart - window.retentionMs;
  };
  const emitClosed = async (now: number) => {
    if (dues && !(dues.length && dues[0]! <= now)) return;
    const list = await loadDues();
    let n = 0;
    while (n < list.length && list[n]! <= now) n++;
    if (n === 0) return;
    const due: Pending[] = [];
    for (const d of list.slice(0, n)) {
      due.push(...(await loadBucket(d)).list);
      buckets.delete(d);
      store.put(bucketKey(d), undefined);
    }
    list.splice(0, n);
    store.put(FINAL_PENDING_KEY, list.length ? list : undefined);
    due.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
    const oldest = oldestRetainedStart();
    for (const [group, start, end] of due) {
      // Kafka Streams' window store no longer holds it: stream time moved past its retention before
      // it closed, so it is never emitted
      if (start < oldest) continue;
      const key = encodeValue(group);
      const windows = ((await store.get(key)) as WindowState[] | undefined) ?? [];
      const w = windows.find(([s, e]) => s === start && e === end);
      if (w) await emit(PUNCTUATED, group, w[2], w[3], start, end);
    }
  };
  const markPending = async (group: unknown[], start: number, end: number) => {
    await loadDues();
    await addPending(group, start, end);
  };
  if (step.emitFinal) {
    const timer = ctx.schedule(1, 'STREAM_TIME', emitClosed);
    ctx.onClose(() => timer.cancel());
  }
  /** the lateness horizon: EMIT FINAL follows the task's stream time, as its windows close by it */
  const horizon = async (ts: number): Promise<number> => {
    const own = await advance(ts);
    return step.emitFinal ? Math.max(own, ctx.streamTime()) : own;
  };
  const prune = (windows: WindowState[], now: number): WindowState[] =>
    // windows closed for good (and already emitted) can be dropped from state
    windows.filter(([, end]) => end + grace > now || step.emitFinal);

  if (window.type !== 'SESSION') {
    const size = window.sizeMs!;
    const stride = window.type === 'TUMBLING' ? size : window.advanceMs!;
    /** emits the changed windows from `from` on, waiting only when downstream does */
    const emitChanged = (rec: StreamRecord, group: unknown[], changed: WindowState[], from: number): void | Promise<void> => {
      for (let i = from; i < changed.length; i++) {
        const w = changed[i]!;
        const waiting = emit(rec, group, w[2], w[3], w[0], w[1]);
        if (waiting) return waiting.then(() => emitChanged(rec, group, changed, i + 1));
      }
    };
    const markChanged = async (group: unknown[], changed: WindowState[]) => {
      for (const [start, end] of changed) await markPending(group, start, end);
    };
    /** the record's windows in its key's list, updated in place, then emitted (or marked for EMIT FINAL) */
    const apply = (rec: StreamRecord, group: unknown[], key: Buffer, windows: WindowState[], now: number): void | Promise<void> => {
      const args = evalArgs(rec.row);
      const changed: WindowState[] = [];
      // the list stays sorted by start (every window has the same size, so by end too): a record's
      // windows are found from the back, where the newest are, and updated in place
      // the record's windows, oldest first (tumbling: the one; hopping: every start within size)
      const ts = rec.timestamp;
      const last = ts - (((ts % stride) + stride) % stride);
      let first = last;
      while (first - stride > ts - size && first - stride >= 0) first -= stride;
      for (let start = first; start <= last; start += stride) {
        if (start < 0) continue;
        const end = start + size;
        if (end + grace <= now) continue; // late: its window has closed
        let i = windows.length - 1;
        while (i >= 0 && windows[i]![0] > start) i--;
        let w = i >= 0 && windows[i]![0] === start ? windows[i]! : undefined;
        if (!w) {
          w = [start, end, aggregators.map((a) => a.initial()), rec.timestamp];
          windows.splice(i + 1, 0, w);
        }
        const accs = w[2];
        for (let j = 0; j < accs.length; j++) accs[j] = aggregators[j]!.add(accs[j], args[j]!, rec);
        if (rec.timestamp > w[3]) w[3] = rec.timestamp;
        changed.push(w);
      }
      // windows closed for good (and already emitted), or with EMIT FINAL past the store's retention,
      // are dropped from the front
      let n = 0;
      if (!step.emitFinal) while (n < windows.length && windows[n]![1] + grace <= now) n++;
      else {
        const oldest = oldestRetainedStart();
        while (n < windows.length && windows[n]![0] < oldest) n++;
      }
      if (n) windows.splice(0, n);
      store.put(key, windows);
      if (step.emitFinal) return markChanged(group, changed);
      return emitChanged(rec, group, changed, 0);
    };
    const onRecord = (rec: StreamRecord, group: unknown[]): void | Promise<void> => {
      const own = advanceLoaded(rec.timestamp);
      const now = step.emitFinal ? Math.max(own, ctx.streamTime()) : own;
      const key = stateKeyOf(group);
      const read = store.get(key);
      if (read instanceof Promise) return read.then((found) => apply(rec, group, key, (found as WindowState[] | undefined) ?? [], now));
      return apply(rec, group, key, (read as WindowState[] | undefined) ?? [], now);
    };
    // synchronous (no promise, no await for the task) once stream time is loaded, when the key's
    // windows are cached and downstream does not wait
    return (rec) => {
      if (rec.tombstone) return;
      const group = groupOf(rec.row);
      if (!group) return;
      if (streamTime === undefined) return loadStreamTime().then(() => onRecord(rec, group));
      return onRecord(rec, group);
    };
  }

  // SESSION windows: a record joins (and merges) every session within the gap of it
  const gap = window.gapMs!;
  return async (rec) => {
    if (rec.tombstone) return;
    const group = groupOf(rec.row);
    if (!group) return;
    const now = await horizon(rec.timestamp);
    const ts = rec.timestamp;
    const key = encodeValue(group);
    const sessions = ((await store.get(key)) as WindowState[] | undefined) ?? [];
    // Kafka Streams merges every session ending at or after ts - gap and starting by ts + gap
    const overlapping = sessions.filter(([start, end]) => end >= ts - gap && start <= ts + gap);
    const rest = sessions.filter((s) => !overlapping.includes(s));
    let accs = aggregators.map((a) => a.initial());
    let start = ts;
    let end = ts;
    let newest = ts;
    for (const [s, e, a, t] of overlapping.sort((x, y) => x[0] - y[0])) {
      accs = accs.map((acc, i) => (aggregators[i]!.merge ? aggregators[i]!.merge!(acc, a[i]) : a[i]));
      start = Math.min(start, s);
      end = Math.max(end, e);
      newest = Math.max(newest, t);
    }
    if (end + grace < now) return; // late: the session it belongs to has closed
    const args = evalArgs(rec.row);
    accs = accs.map((acc, i) => aggregators[i]!.add(acc, args[i]!, rec));
    const merged: WindowState = [start, end, accs, newest];
    store.put(key, [...prune(rest, now), merged].sort((a, b) => a[0] - b[0]));
    if (step.emitFinal) {
      await markPending(group, start, end);
      return;
    }
    // sessions swallowed by the merge are deleted downstream
    for (const [s, e, , t] of overlapping) if (s !== start || e !== end) await emit(rec, group, null, t, s, e);
    await emit(rec, group, accs, newest, start, end);
  };
}
