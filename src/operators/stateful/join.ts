/**
 * Joins. Output rows are [join key, ...left row, ...right row], a missing side all NULLs.
 *
 * - StreamStreamJoin: each side buffers its records per join key for the join window; a record
 *   joins every buffered record of the other side within WITHIN (before, after). Outer sides are
 *   emitted with NULLs at once when nothing matches (ksqlDB's behaviour without GRACE PERIOD);
 *   with a GRACE PERIOD, once the task's stream time passes the record's window end plus grace
 *   (a stream-time punctuation, so any record of the task can release it), or at once when its
 *   window already ended before stream time. As in Kafka Streams' window stores, each side keeps
 *   (and shows the other) only records within the retention (before + after + grace) of the
 *   newest record that side has seen, so a record late for one side can still join the other.
 * - StreamTableJoin: the table side is materialized by key; stream records look it up.
 * - TableTableJoin: both sides materialized; every change emits the key's joined row, or a delete
 *   if the key had a joined row and no longer has.
 */
import type { JoinStep } from '../../catalog/query-plan.js';
import { leftmostSource } from '../../catalog/query-plan.js';
import { encodeValue } from '../../common/value-codec.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { compileStepExpression } from '../stateless/compile-step-expression.js';

/** a buffered stream record of the first formats: timestamp, row (full width, NULL where not kept), id */
type Buffered = [number, unknown[], string];
/**
 * A join key's buffered records (state format 2): the recent ones in the key's own entry, older
 * ones sealed in chunks of CHUNK records under entries of their own (written once), so a commit
 * re-encodes at most CHUNK records of a busy key rather than its whole window.
 *
 * Stored as plain arrays, so the value codec writes no field names: [2, next chunk number, sealed
 * chunks as flat triples (number, earliest, latest timestamp; oldest first), recent records flat,
 * layout]. The layout is [id slots (0 or 1), ...the row positions kept]: a record is its timestamp,
 * its id (side, partition, offset) when there is an id slot (while unmatched outer records wait
 * for their window), then the values at the positions kept (the join's needed columns, in order).
 * A chunk entry is [2, records flat, layout]. A plan that keeps other columns (CREATE OR REPLACE
 * keeps the query's state) reads the records it finds as its own layout, NULL where a position
 * was not kept.
 *
 * Earlier formats are still read (and written back as format 2): a key's entry as a plain
 * Buffered[] (before chunks) or { next, sealed: [n, min, max][], recent: Buffered[] }, a chunk
 * as a Buffered[], each Buffered row full width.
 */
type KeyBuffer = [typeof FORMAT, number, number[], unknown[], readonly number[]];
type StoredChunk = [typeof FORMAT, unknown[], readonly number[]];
interface KeyBufferV1 {
  next: number;
  sealed: [number, number, number][];
  recent: Buffered[];
}
const FORMAT = 2;
const CHUNK = 64;
interface Pending {
  id: string;
  left: boolean;
  key: unknown;
  row: unknown[];
  ts: number;
  closeAt: number;
  /** the record's window, for joined windowed sources */
  window?: { start: number; end: number };
}
/** a table row and its timestamp */
type TableRow = [unknown[], number];

const NO_MATCHES: unknown[] = [];
/** the sealed chunks of a key that has none, shared (replaced by a list of its own when one is sealed) */
const NO_SEALED = Object.freeze([]) as unknown as number[];
const NO_CHUNKS: unknown[][] = [];
/**
 * the stream time and the newest timestamp each side's buffer has seen, in one entry (state format
 * 2): [stream, left, right], one array updated in place, so a record that moves them puts the
 * entry the cache already holds
 */
const TIMES_KEY = Buffer.from([0xff, 0x73, 0x61]);
/** earlier formats: the stream time, and each side's newest timestamp (absent in older state: the stream time), an entry each */
const STREAM_TIME_KEY = Buffer.from([0xff, 0x73, 0x74]);
const SIDE_TIME_KEYS = [Buffer.from([0xff, 0x73, 0x6c]), Buffer.from([0xff, 0x73, 0x72])] as const;
const PENDING_KEY = Buffer.from([0xff, 0x70, 0x6e]);
/** what a punctuation's output carries instead of an input record's position */
const PUNCTUATED = { partition: -1, offset: -1n, headers: [] } as const;

/**
 * `matches` with the records of the flat `list` (`stride` elements each) timed within [from, to]
 * appended, each as its `stride` elements (a new list once there are any)
 */
function collectWithin(matches: unknown[], list: readonly unknown[], stride: number, from: number, to: number): unknown[] {
  for (let i = 0; i < list.length; i += stride) {
    const ts = list[i] as number;
    if (ts < from || ts > to) continue;
    if (matches === NO_MATCHES) matches = [];
    for (let j = 0; j < stride; j++) matches.push(list[i + j]);
  }
  return matches;
}

export function buildJoin(step: JoinStep, ctx: OperatorContext, downstream: Downstream): readonly [Downstream, Downstream] {
  const leftKeyFn = compileStepExpression(step.leftKey, step.left.columns, ctx, step.id);
  const rightKeyFn = compileStepExpression(step.rightKey, step.right.columns, ctx, step.id);
  const leftWidth = step.left.columns.length;
  const rightWidth = step.right.columns.length;
  const leftNulls = new Array<unknown>(leftWidth).fill(null);
  const rightNulls = new Array<unknown>(rightWidth).fill(null);
  // runs for every output: a preallocated array and one object shape per kind, no spreads
  const joined = (key: unknown, left: unknown[] | null, right: unknown[] | null): unknown[] => {
    const l = left ?? leftNulls;
    const r = right ?? rightNulls;
    const row = new Array<unknown>(1 + leftWidth + rightWidth);
    row[0] = key;
    for (let i = 0; i < leftWidth; i++) row[1 + i] = l[i];
    for (let i = 0; i < rightWidth; i++) row[1 + leftWidth + i] = r[i];
    return row;
  };
  const emit = (rec: Pick<StreamRecord, 'partition' | 'offset' | 'headers' | 'window'>, row: unknown[], timestamp: number, tombstone = false) =>
    // the record's window goes along (windowed sources join into a windowed result), else one shape
    downstream(
      rec.window
        ? { row, timestamp, partition: rec.partition, offset: rec.offset, headers: rec.headers, window: rec.window, ...(tombstone ? { tombstone } : {}) }
        : tombstone
          ? { row, timestamp, partition: rec.partition, offset: rec.offset, headers: rec.headers, tombstone }
          : { row, timestamp, partition: rec.partition, offset: rec.offset, headers: rec.headers },
    );
  // what the join keeps of each side's rows: the positions read above it (ascending; all without a plan's word)
  const allOf = (width: number): number[] => Array.from({ length: width }, (_, i) => i);
  const leftKept = step.leftNeeded ?? allOf(leftWidth);
  const rightKept = step.rightNeeded ?? allOf(rightWidth);
  /** `row`'s kept values, in order, appended to `to` */
  const pushKept = (to: unknown[], row: readonly unknown[], kept: readonly number[]): void => {
    for (let j = 0; j < kept.length; j++) to.push(row[kept[j]!]);
  };
  /**
   * The output row of a live record and a stored one: the live side's row as it is, the stored
   * side's kept values read from `stored` at `at` into their positions, NULL elsewhere (the
   * layout joined() gives a row kept with NULLs).
   */
  const joinedStored = (key: unknown, storedIsLeft: boolean, live: readonly unknown[], stored: readonly unknown[], at: number): unknown[] => {
    const row = new Array<unknown>(1 + leftWidth + rightWidth);
    row[0] = key;
    const liveBase = storedIsLeft ? 1 + leftWidth : 1;
    const liveWidth = storedIsLeft ? rightWidth : leftWidth;
    for (let i = 0; i < liveWidth; i++) row[liveBase + i] = live[i];
    const base = storedIsLeft ? 1 : 1 + leftWidth;
    const width = storedIsLeft ? leftWidth : rightWidth;
    const kept = storedIsLeft ? leftKept : rightKept;
    for (let i = 0; i < width; i++) row[base + i] = null;
    for (let j = 0; j < kept.length; j++) row[base + kept[j]!] = stored[at + j];
    return row;
  };
  const outerLeft = step.joinType === 'LEFT' || step.joinType === 'FULL';
  const outerRight = step.joinType === 'RIGHT' || step.joinType === 'FULL';

  switch (step.kind) {
    case 'StreamStreamJoin':
      return streamStream();
    case 'StreamTableJoin':
      return streamTable();
    case 'TableTableJoin':
      return tableTable();
    case 'ForeignKeyTableJoin':
      return foreignKey();
  }

  function streamStream(): readonly [Downstream, Downstream] {
    const { beforeMs, afterMs, graceMs, eagerOuter } = step.within!;
    const sessionWindows = leftmostSource(step.left).window?.type === 'SESSION';
    type Stored = KeyBuffer | StoredChunk | KeyBufferV1 | Buffered[];
    const leftStore = ctx.keyValueStore<Stored>(`${step.id}/left`);
    const rightStore = ctx.keyValueStore<Stored>(`${step.id}/right`);
    const chunkKey = (k: Buffer, n: number) => {
      // an encoded key is self-delimiting, so no key of the store is another key plus a suffix
      const key = Buffer.allocUnsafe(k.length + 4);
      k.copy(key, 0);
      key.writeUInt32BE(n, k.length);
      return key;
    };
    const meta = ctx.keyValueStore<number | number[] | Pending[]>(`${step.id}/time`);
    /** what TIMES_KEY holds: [stream time, the newest timestamp the left / right buffer has seen], loaded once */
    let times: [number, number, number] | undefined;
    const retention = beforeMs + afterMs + graceMs;
    /** unmatched outer records wait for their window to close (no GRACE PERIOD: emitted at once) */
    const holdsOuter = !eagerOuter && (outerLeft || outerRight);
    const outerRow = (isLeft: boolean, key: unknown, row: unknown[]) => (isLeft ? joined(key, row, null) : joined(key, null, row));
    // a buffered record: timestamp, id while outer records are held, the kept values
    const idSlots = holdsOuter ? 1 : 0;
    const strides = [1 + idSlots + leftKept.length, 1 + idSlots + rightKept.length] as const;
    const layouts = [[idSlots, ...leftKept], [idSlots, ...rightKept]] as const;
    /** records of the earlier formats (full-width rows), flat as format 2 keeps them */
    const flatten = (list: readonly Buffered[], isLeft: boolean): unknown[] => {
      const flat: unknown[] = [];
      const kept = isLeft ? leftKept : rightKept;
      for (const [ts, row, id] of list) {
        flat.push(ts);
        if (holdsOuter) flat.push(id);
        pushKept(flat, row, kept);
      }
      return flat;
    };
    /**
     * `records` (flat, stored with `layout`) in this plan's layout: as they are when the layouts are
     * the same (the usual case, known by identity once a cached value has been seen), else each
     * record rebuilt: an id slot added empty or dropped, values moved to their places, NULL where
     * the stored layout did not keep a position
     */
    const inLayout = (layout: readonly number[], records: unknown[], isLeft: boolean): unknown[] | undefined => {
      const mine = layouts[isLeft ? 0 : 1];
      if (layout === mine) return undefined;
      if (layout.length === mine.length && layout.every((x, i) => x === mine[i])) return records;
      const ids = layout[0]!;
      const oldStride = 1 + ids + layout.length - 1;
      const from = mine.slice(1).map((p) => layout.indexOf(p, 1));
      const out: unknown[] = [];
      for (let i = 0; i < records.length; i += oldStride) {
        out.push(records[i]);
        if (idSlots) out.push(ids ? records[i + 1] : '');
        for (const at of from) out.push(at > 0 ? records[i + ids + at] : null);
      }
      return out;
    };
    /** a key's entry as format 2, whichever format it was stored in */
    const asBuffer = (v: Stored | undefined, isLeft: boolean): KeyBuffer | undefined => {
      if (v === undefined) return undefined;
      if (Array.isArray(v)) {
        if (v[0] === FORMAT) {
          const b = v as KeyBuffer;
          const recent = inLayout(b[4], b[3], isLeft);
          if (recent) {
            b[3] = recent;
            b[4] = layouts[isLeft ? 0 : 1];
          }
          return b;
        }
        return [FORMAT, 0, [], flatten(v as Buffered[], isLeft), layouts[isLeft ? 0 : 1]];
      }
      const old = v as KeyBufferV1;
      const sealed: number[] = [];
      for (const [n, min, max] of old.sealed) sealed.push(n, min, max);
      return [FORMAT, old.next, sealed, flatten(old.recent, isLeft), layouts[isLeft ? 0 : 1]];
    };
    /** a sealed chunk's records, flat, whichever format it was stored in */
    const chunkRecords = (v: Stored | undefined, isLeft: boolean): unknown[] => {
      if (v === undefined) return [];
      if ((v as unknown[])[0] === FORMAT) {
        const c = v as StoredChunk;
        const records = inLayout(c[2], c[1], isLeft);
        if (records) {
          c[1] = records;
          c[2] = layouts[isLeft ? 0 : 1];
        }
        return c[1];
      }
      return flatten(v as Buffered[], isLeft);
    };

    // unmatched outer records waiting for their window to close (non-eager mode), emitted by a
    // stream-time punctuation once the task's stream time passes it, whichever record moved it
    /** the earliest closeAt among pending records, once loaded: the punctuation's fast path */
    let earliestClose: number | undefined;
    const pendingList = async (): Promise<Pending[]> => {
      const pending = ((await meta.get(PENDING_KEY)) as Pending[] | undefined) ?? [];
      if (earliestClose === undefined) earliestClose = pending.reduce((min, p) => Math.min(min, p.closeAt), Number.POSITIVE_INFINITY);
      return pending;
    };
    const savePending = (pending: Pending[]) => {
      meta.put(PENDING_KEY, pending.length ? pending : undefined);
      earliestClose = pending.reduce((min, p) => Math.min(min, p.closeAt), Number.POSITIVE_INFINITY);
    };
    const flushClosed = async (taskTime: number) => {
      if (earliestClose !== undefined && taskTime < earliestClose) return;
      if (times === undefined) await loadTimes();
      const now = Math.max(taskTime, times![0]);
      const pending = await pendingList();
      const due = pending.filter((p) => p.closeAt <= now);
      if (!due.length) return;
      savePending(pending.filter((p) => p.closeAt > now));
      for (const p of due.sort((x, y) => x.closeAt - y.closeAt)) await emit(p.window ? { ...PUNCTUATED, window: p.window } : PUNCTUATED, outerRow(p.left, p.key, p.row), p.ts);
    };
    if (holdsOuter) {
      const timer = ctx.schedule(1, 'STREAM_TIME', flushClosed);
      ctx.onClose(() => timer.cancel());
    }

    /** the stream time and the two sides' times, loaded once */
    const loadTimes = async (): Promise<void> => {
      if (times !== undefined) return;
      const stored = (await meta.get(TIMES_KEY)) as [number, number, number] | undefined;
      if (stored) times = stored;
      else {
        const shared = (await meta.get(STREAM_TIME_KEY)) as number | undefined;
        const sides = (await Promise.all(SIDE_TIME_KEYS.map((key) => meta.get(key)))) as (number | undefined)[];
        const st = shared ?? Number.NEGATIVE_INFINITY;
        times = [st, sides[0] ?? st, sides[1] ?? st];
        if (shared !== undefined || sides[0] !== undefined || sides[1] !== undefined) {
          // state of the earlier format: moved to the one entry, in the same commit
          meta.put(TIMES_KEY, times);
          meta.put(STREAM_TIME_KEY, undefined);
          for (const key of SIDE_TIME_KEYS) meta.put(key, undefined);
        }
      }
    };
    /** the state key of a record's join key (windowed sources: with its window) */
    const stateKey = (rec: StreamRecord, key: unknown): Buffer => {
      // windowed sources join on the windowed key, as Kafka Streams compares its bytes: the key and
      // the window start (a session's end too)
      const w = rec.window;
      return encodeValue(w ? (sessionWindows ? [key, w.start, w.end] : [key, w.start]) : key);
    };
    /** the other side's window for a record at t: [from, to] (a left record at t joins right records in [t - before, t + after], and vice versa) */
    const rangeFrom = (isLeft: boolean, t: number): number => Math.max(isLeft ? t - beforeMs : t - afterMs, times![isLeft ? 2 : 1] - retention + 1);
    const rangeTo = (isLeft: boolean, t: number): number => (isLeft ? t + afterMs : t + beforeMs);
    /**
     * The state a record needs, read: its own side's buffer for its key, the other side's, and the
     * other side's sealed chunks that overlap its window; or, when a read must wait, its promise
     * (the caller reads again once it is in, asynchronously). Nothing is changed, and the sides are different stores,
     * so reading the other side before writing our own sees what it did after.
     */
    interface Reads {
      /** the state key as the stores' caches index it (latin1), made once for both sides' stores */
      text: string;
      mine: KeyBuffer | undefined;
      theirs: KeyBuffer | undefined;
      /** the other side's sealed chunks that overlap the window, flat */
      chunks: unknown[][];
    }
    const readSync = (isLeft: boolean, k: Buffer, from: number, to: number): Reads | Promise<unknown> => {
      const own = isLeft ? leftStore : rightStore;
      const other = isLeft ? rightStore : leftStore;
      const text = k.toString('latin1');
      const ownRead = own.get(k, text);
      if (ownRead instanceof Promise) return ownRead;
      const otherRead = other.get(k, text);
      if (otherRead instanceof Promise) return otherRead;
      const theirs = asBuffer(otherRead, !isLeft);
      let chunks = NO_CHUNKS;
      if (theirs) {
        const sealed = theirs[2];
        for (let i = 0; i < sealed.length; i += 3) {
          if (sealed[i + 2]! < from || sealed[i + 1]! > to) continue;
          const read = other.get(chunkKey(k, sealed[i]!));
          if (read instanceof Promise) return read;
          if (chunks === NO_CHUNKS) chunks = [];
          chunks.push(chunkRecords(read, !isLeft));
        }
      }
      return { text, mine: asBuffer(ownRead, isLeft), theirs, chunks };
    };
    const readAsync = async (isLeft: boolean, k: Buffer, from: number, to: number): Promise<Reads> => {
      const own = isLeft ? leftStore : rightStore;
      const other = isLeft ? rightStore : leftStore;
      const text = k.toString('latin1');
      const mine = asBuffer(await own.get(k, text), isLeft);
      const theirs = asBuffer(await other.get(k, text), !isLeft);
      const chunks: unknown[][] = [];
      if (theirs) {
        const sealed = theirs[2];
        for (let i = 0; i < sealed.length; i += 3) {
          if (sealed[i + 2]! < from || sealed[i + 1]! > to) continue;
          chunks.push(chunkRecords(await other.get(chunkKey(k, sealed[i]!)), !isLeft));
        }
      }
      return { text, mine, theirs, chunks };
    };

    /**
     * A record with its state read: moves the stream times, buffers the record, joins it with the
     * other side's records within its window. Synchronous unless an outer record must wait for its
     * window (or downstream waits).
     */
    const apply = (isLeft: boolean, rec: StreamRecord, key: unknown, k: Buffer, from: number, to: number, reads: Reads): void | Promise<void> => {
      const t = rec.timestamp;
      const mySide = isLeft ? 0 : 1;
      const tm = times!;
      if (t > tm[0] || t > tm[1 + mySide]) {
        if (t > tm[0]) tm[0] = t;
        if (t > tm[1 + mySide]) tm[1 + mySide] = t;
        meta.put(TIMES_KEY, tm);
      }
      const own = isLeft ? leftStore : rightStore;
      // each side's buffer holds what is within the retention of its own newest record
      const horizon = tm[1 + mySide] - retention + 1;
      // only unmatched outer records waiting for their window to close are looked up by id
      const id = holdsOuter ? `${isLeft ? 'L' : 'R'}${rec.partition}:${rec.offset}` : '';
      const stride = strides[mySide];
      const kept = isLeft ? leftKept : rightKept;
      if (reads.mine === undefined && t >= horizon) {
        // a new key (most keys of a stream of new ids): its record list sized to the record, as
        // pushes onto an empty list would leave slack in every entry the cache keeps
        const recent = new Array<unknown>(stride);
        recent[0] = t;
        if (holdsOuter) recent[1] = id;
        for (let j = 0; j < kept.length; j++) recent[1 + idSlots + j] = rec.row[kept[j]!];
        own.put(k, [FORMAT, 0, NO_SEALED, recent, layouts[mySide]] satisfies KeyBuffer, reads.text);
      } else updateBuffer(own, k, reads.text, t, id, rec.row, kept, stride, horizon, reads.mine ?? [FORMAT, 0, NO_SEALED, [], layouts[mySide]]);
      // a left record at t joins right records in [t - before, t + after], and vice versa
      const theirStride = strides[isLeft ? 1 : 0];
      let matches = NO_MATCHES;
      for (const chunk of reads.chunks) matches = collectWithin(matches, chunk, theirStride, from, to);
      if (reads.theirs) matches = collectWithin(matches, reads.theirs[3], theirStride, from, to);
      if (holdsOuter) return outerAndMatches(isLeft, rec, key, id, to, matches);
      // not held: an unmatched outer record is emitted at once (eager outer joins)
      if (!matches.length && (isLeft ? outerLeft : outerRight)) return emit(rec, outerRow(isLeft, key, rec.row), t);
      return emitMatches(isLeft, rec, key, matches, 0);
    };
    /** a key's buffer with expired records dropped, the record at t added (unless already expired), full records sealed into a chunk */
    const updateBuffer = (own: typeof leftStore, k: Buffer, text: string, t: number, id: string, row: unknown[], kept: readonly number[], stride: number, horizon: number, mine: KeyBuffer): void => {
      // records arrive about in time order, so expired ones are found at the front: whole chunks
      // are dropped, the recent list rebuilt only when some have expired, else appended to in place
      let sealed = mine[2];
      let drop = 0;
      while (drop < sealed.length && sealed[drop + 2]! < horizon) {
        own.put(chunkKey(k, sealed[drop]!), undefined);
        drop += 3;
      }
      if (drop) sealed.splice(0, drop);
      let recent = mine[3];
      if (recent.length && (recent[0] as number) < horizon) {
        const live: unknown[] = [];
        for (let i = 0; i < recent.length; i += stride) if ((recent[i] as number) >= horizon) for (let j = 0; j < stride; j++) live.push(recent[i + j]);
        mine[3] = recent = live;
      }
      // a record already outside its side's retention is not kept (it still joins the other side)
      if (t >= horizon) {
        recent.push(t);
        if (holdsOuter) recent.push(id);
        pushKept(recent, row, kept);
      }
      if (recent.length >= CHUNK * stride) {
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < recent.length; i += stride) {
          const ts = recent[i] as number;
          if (ts < min) min = ts;
          if (ts > max) max = ts;
        }
        const n = mine[1]++;
        if (sealed === NO_SEALED) mine[2] = sealed = [];
        own.put(chunkKey(k, n), [FORMAT, recent, mine[4]] satisfies StoredChunk);
        sealed.push(n, min, max);
        mine[3] = [];
      }
      own.put(k, mine, text);
    };
    /** emits the joined rows from the match at `i` (flat, the other side's stride) on, waiting only when downstream does */
    const emitMatches = (isLeft: boolean, rec: StreamRecord, key: unknown, matches: unknown[], i: number): void | Promise<void> => {
      const t = rec.timestamp;
      const stride = strides[isLeft ? 1 : 0];
      for (; i < matches.length; i += stride) {
        const ts = matches[i] as number;
        const out = joinedStored(key, !isLeft, rec.row, matches, i + 1 + idSlots);
        const waiting = emit(rec, out, Math.max(t, ts));
        if (waiting) {
          const next = i + stride;
          return waiting.then(() => emitMatches(isLeft, rec, key, matches, next));
        }
      }
    };
    /** with outer records held for their window: matched ones are released, an unmatched one held */
    const outerAndMatches = async (isLeft: boolean, rec: StreamRecord, key: unknown, id: string, to: number, matches: unknown[]): Promise<void> => {
      const t = rec.timestamp;
      if (matches.length) {
        const matched = new Set<unknown>();
        for (let i = 0; i < matches.length; i += strides[isLeft ? 1 : 0]) matched.add(matches[i + 1]);
        const pending = await pendingList();
        if (pending.some((p) => matched.has(p.id))) savePending(pending.filter((p) => !matched.has(p.id)));
      }
      await emitMatches(isLeft, rec, key, matches, 0);
      const outer = isLeft ? outerLeft : outerRight;
      if (!matches.length && outer) {
        // a window that ended before stream time has nothing to wait for (Kafka Streams emits it at once)
        if (eagerOuter || to < times![0]) await emit(rec, outerRow(isLeft, key, rec.row), t);
        else {
          const closeAt = t + (isLeft ? afterMs : beforeMs) + graceMs;
          const pending = await pendingList();
          pending.push(rec.window ? { id, left: isLeft, key, row: rec.row, ts: t, closeAt, window: rec.window } : { id, left: isLeft, key, row: rec.row, ts: t, closeAt });
          meta.put(PENDING_KEY, pending);
          earliestClose = Math.min(earliestClose!, closeAt);
          // already closed by the stream time this record did not move: no punctuation will come for it
          if (closeAt <= times![0]) await flushClosed(ctx.streamTime());
        }
      }
    };
    /** the record once the stream times are loaded and its state may need waiting for */
    const slow = async (isLeft: boolean, rec: StreamRecord, key: unknown): Promise<void> => {
      await loadTimes();
      const k = stateKey(rec, key);
      const from = rangeFrom(isLeft, rec.timestamp);
      const to = rangeTo(isLeft, rec.timestamp);
      const reads = await readAsync(isLeft, k, from, to);
      await apply(isLeft, rec, key, k, from, to, reads);
    };

    // synchronous (no promise, no await for the task) when the key's state is cached or known
    // absent, downstream does not wait, and no outer record is held
    const side =
      (isLeft: boolean): Downstream =>
      (rec) => {
        if (rec.tombstone) return;
        const key = (isLeft ? leftKeyFn : rightKeyFn)(rec.row);
        if (key === null || key === undefined) return;
        if (times === undefined) return slow(isLeft, rec, key);
        const k = stateKey(rec, key);
        const from = rangeFrom(isLeft, rec.timestamp);
        const to = rangeTo(isLeft, rec.timestamp);
        const reads = readSync(isLeft, k, from, to);
        // a read waits: once it is in the cache, the record is read again (asynchronously)
        if (reads instanceof Promise) return reads.then(() => slow(isLeft, rec, key));
        return apply(isLeft, rec, key, k, from, to, reads);
      };
    return [side(true), side(false)];
  }

  function streamTable(): readonly [Downstream, Downstream] {
    // a row as format 2 stores it: [2, timestamp, the positions kept, their values]; earlier,
    // [row (full width, NULL where not kept), timestamp]
    type StoredRow = [typeof FORMAT, number, readonly number[], ...unknown[]];
    const table = ctx.keyValueStore<StoredRow | TableRow>(`${step.id}/table`);
    /** a row stored with other positions kept (CREATE OR REPLACE keeps the state): in this plan's, NULL where it kept nothing */
    const inLayout = (found: StoredRow): StoredRow => {
      const layout = found[2];
      if (layout.length === rightKept.length && layout.every((p, i) => p === rightKept[i])) {
        // the same: known by identity from now on (the cache holds this array)
        found[2] = rightKept;
        return found;
      }
      const row: StoredRow = [FORMAT, found[1], rightKept];
      for (const p of rightKept) {
        const at = layout.indexOf(p);
        row.push(at < 0 ? null : found[3 + at]);
      }
      return row;
    };
    const lookedUp = (rec: StreamRecord, key: unknown, found: StoredRow | TableRow | undefined): void | Promise<void> => {
      if (found) {
        if (found[0] !== FORMAT) return emit(rec, joined(key, rec.row, (found as TableRow)[0]), rec.timestamp);
        const row = (found as StoredRow)[2] === rightKept ? (found as StoredRow) : inLayout(found as StoredRow);
        return emit(rec, joinedStored(key, false, rec.row, row, 3), rec.timestamp);
      }
      if (outerLeft) return emit(rec, joined(key, rec.row, null), rec.timestamp);
    };
    // synchronous (no promise, no await for the task) when the key's row is cached or known absent
    const onStream: Downstream = (rec) => {
      if (rec.tombstone) return;
      const key = leftKeyFn(rec.row);
      if (key === null || key === undefined) return;
      const read = table.get(encodeValue(key));
      if (read instanceof Promise) return read.then((found) => lookedUp(rec, key, found));
      return lookedUp(rec, key, read);
    };
    const onTable: Downstream = (rec) => {
      const key = rightKeyFn(rec.row);
      if (key === null || key === undefined) return;
      if (rec.tombstone) return table.put(encodeValue(key), undefined);
      const stored: StoredRow = [FORMAT, rec.timestamp, rightKept];
      pushKept(stored, rec.row, rightKept);
      table.put(encodeValue(key), stored);
    };
    return [onStream, onTable];
  }

  /**
   * The left table's rows are kept with the foreign key they point at, and an index from foreign
   * key to left keys lets a right-side change re-emit every left row that points at it.
   */
  function foreignKey(): readonly [Downstream, Downstream] {
    const leftStore = ctx.keyValueStore<[unknown[], number, string | null]>(`${step.id}/left`);
    const rightStore = ctx.keyValueStore<TableRow>(`${step.id}/right`);
    const index = ctx.keyValueStore<string[]>(`${step.id}/index`);
    const present = ctx.keyValueStore<true>(`${step.id}/joined`);
    const leftKeyOf = (row: unknown[]) => row[0];
    const out = async (rec: StreamRecord, pk: unknown, left: unknown[], right: TableRow | undefined, ts: number) => {
      const k = encodeValue(pk);
      if (right || step.joinType === 'LEFT') {
        present.put(k, true);
        return emit(rec, joined(pk, left, right?.[0] ?? null), ts);
      }
      if (!(await present.get(k))) return;
      present.put(k, undefined);
      // a delete keeps the last known columns, so joins downstream can still compute their key
      return emit(rec, joined(pk, left, null), ts, true);
    };
    const onLeft: Downstream = async (rec) => {
      const pk = leftKeyOf(rec.row);
      const pkEnc = encodeValue(pk);
      const pkText = pkEnc.toString('latin1');
      const previous = await leftStore.get(pkEnc);
      if (previous?.[2]) {
        const fkEnc = Buffer.from(previous[2], 'latin1');
        const others = ((await index.get(fkEnc)) ?? []).filter((x) => x !== pkText);
        index.put(fkEnc, others.length ? others : undefined);
      }
      if (rec.tombstone) {
        leftStore.put(pkEnc, undefined);
        if (!previous) return;
        present.put(pkEnc, undefined);
        return emit(rec, joined(pk, previous[0], null), rec.timestamp, true);
      }
      const fk = leftKeyFn(rec.row);
      const fkEnc = fk === null || fk === undefined ? null : encodeValue(fk);
      leftStore.put(pkEnc, [rec.row, rec.timestamp, fkEnc ? fkEnc.toString('latin1') : null]);
      if (fkEnc) index.put(fkEnc, [...((await index.get(fkEnc)) ?? []), pkText]);
      const right = fkEnc ? await rightStore.get(fkEnc) : undefined;
      return out(rec, pk, rec.row, right, Math.max(rec.timestamp, right?.[1] ?? rec.timestamp));
    };
    const onRight: Downstream = async (rec) => {
      const rk = rightKeyFn(rec.row);
      if (rk === null || rk === undefined) return;
      const rkEnc = encodeValue(rk);
      const right: TableRow | undefined = rec.tombstone ? undefined : [rec.row, rec.timestamp];
      rightStore.put(rkEnc, right);
      for (const pkText of (await index.get(rkEnc)) ?? []) {
        const left = await leftStore.get(Buffer.from(pkText, 'latin1'));
        if (left) await out(rec, leftKeyOf(left[0]), left[0], right, Math.max(rec.timestamp, left[1]));
      }
    };
    return [onLeft, onRight];
  }

  function tableTable(): readonly [Downstream, Downstream] {
    const leftStore = ctx.keyValueStore<TableRow>(`${step.id}/left`);
    const rightStore = ctx.keyValueStore<TableRow>(`${step.id}/right`);
    const present = ctx.keyValueStore<true>(`${step.id}/joined`);
    const side = (isLeft: boolean): Downstream => async (rec) => {
      const key = (isLeft ? leftKeyFn : rightKeyFn)(rec.row);
      if (key === null || key === undefined) return;
      const k = encodeValue(key);
      const own = isLeft ? leftStore : rightStore;
      const before = rec.tombstone ? await own.get(k) : undefined;
      own.put(k, rec.tombstone ? undefined : [rec.row, rec.timestamp]);
      const mine: TableRow | undefined = rec.tombstone ? undefined : [rec.row, rec.timestamp];
      const theirs = await (isLeft ? rightStore : leftStore).get(k);
      const left = isLeft ? mine : theirs;
      const right = isLeft ? theirs : mine;
      const keep =
        step.joinType === 'INNER' ? !!left && !!right : step.joinType === 'LEFT' ? !!left : step.joinType === 'RIGHT' ? !!right : !!left || !!right;
      const timestamp = Math.max(left?.[1] ?? rec.timestamp, right?.[1] ?? rec.timestamp, rec.timestamp);
      if (keep) {
        present.put(k, true);
        return emit(rec, joined(key, left?.[0] ?? null, right?.[0] ?? null), timestamp);
      }
      if (!(await present.get(k))) return;
      present.put(k, undefined);
      // a delete keeps the last known columns, so joins downstream can still compute their key
      const lastOwn = before?.[0] ?? (rec.tombstone ? null : rec.row);
      const lastLeft = isLeft ? lastOwn : theirs?.[0] ?? null;
      const lastRight = isLeft ? theirs?.[0] ?? null : lastOwn;
      return emit(rec, joined(key, lastLeft, lastRight), rec.timestamp, true);
    };
    return [side(true), side(false)];
  }
}
