/**
 * The newest batches of every partition, kept in memory as they were appended, so that a fetch of
 * what was just written (a query reading its own repartition topic, an observer keeping up with a
 * sink) is served without a LevelDB snapshot, seek and scan, each a trip through libuv's thread
 * pool. Kafka reads its tail from the page cache the same way.
 *
 * A partition's cached batches run without a gap up to its high watermark: a batch joins when it
 * becomes readable (the append's onApplied, before waiters are woken), and one that does not
 * follow on starts the tail afresh. Anything that rewrites stored batches (compaction) drops the
 * partition's tail, so a fetch never sees records that LevelDB no longer holds. The bytes held
 * across the log are bounded (by default a quarter of the log's read cache, sluice.leveldb.cache.bytes,
 * taken from LevelDB's block cache); the oldest batches go first.
 */
import type { PartitionState } from './partition-state.js';

/**
 * Takes one stored batch of a read (its base and last offsets, its record count); returns true
 * when the read has what it needs (no more batches).
 */
export type TakeBatch = (value: Buffer, base: number, last: number, count: number) => boolean;

/** one appended batch: its offsets and its stored bytes */
export interface TailBatch {
  readonly base: number;
  readonly last: number;
  readonly value: Buffer;
}

interface Entry {
  readonly base: number;
  readonly last: number;
  /** undefined once dropped (evicted, or its partition's tail cleared) */
  value: Buffer | undefined;
  readonly tail: Tail;
}

interface Tail {
  readonly entries: Entry[];
  /** index of the oldest live entry */
  head: number;
  /** the offset after the newest entry */
  end: number;
}

export class TailCache {
  private readonly tails = new Map<PartitionState, Tail>();
  /** every live entry in append order (plus dropped ones not yet passed): the eviction order */
  private order: Entry[] = [];
  private orderHead = 0;
  /** entries in `order` from orderHead on that were dropped by a clear */
  private dead = 0;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a partition's newly readable batches (in offset order). */
  append(ps: PartitionState, batches: readonly TailBatch[]): void {
    if (this.maxBytes <= 0 || batches.length === 0) return;
    let tail = this.tails.get(ps);
    if (tail !== undefined && tail.end !== batches[0]!.base) {
      this.clear(ps);
      tail = undefined;
    }
    if (tail === undefined) {
      tail = { entries: [], head: 0, end: batches[0]!.base };
      this.tails.set(ps, tail);
    }
    for (const b of batches) {
      const entry: Entry = { base: b.base, last: b.last, value: b.value, tail };
      tail.entries.push(entry);
      tail.end = b.last + 1;
      this.order.push(entry);
      this.bytes += b.value.length;
    }
    this.evict();
  }

  /** Drops a partition's cached batches (they were rewritten, or the partition is gone). */
  clear(ps: PartitionState): void {
    const tail = this.tails.get(ps);
    if (tail === undefined) return;
    this.tails.delete(ps);
    for (let i = tail.head; i < tail.entries.length; i++) {
      this.drop(tail.entries[i]!);
      this.dead++;
    }
    tail.entries.length = 0;
    tail.head = 0;
    // a log that clears more than it evicts (compaction, little traffic) must not pile them up
    if (this.dead > 1024 && this.dead * 2 > this.order.length - this.orderHead) {
      this.order = this.order.slice(this.orderHead).filter((e) => e.value !== undefined);
      this.orderHead = 0;
      this.dead = 0;
    }
  }

  clearAll(): void {
    for (const ps of [...this.tails.keys()]) this.clear(ps);
    this.order = [];
    this.orderHead = 0;
    this.dead = 0;
    this.bytes = 0;
  }

  /**
   * Serves a read of [from, hwm), handing `take` the batches in order until it returns true, when
   * the cached tail covers it whole; false (nothing taken) when LevelDB must be read.
   */
  read(ps: PartitionState, from: number, hwm: number, take: TakeBatch): boolean {
    const tail = this.tails.get(ps);
    if (tail === undefined || tail.head >= tail.entries.length || tail.end < hwm) return false;
    const entries = tail.entries;
    if (from < entries[tail.head]!.base) return false;
    // the entry holding `from`: the last one starting at or before it
    let lo = tail.head;
    let hi = entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (entries[mid]!.base <= from) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.base >= hwm) break;
      if (take(e.value!, e.base, e.last, e.value!.readUInt32BE(4))) break;
    }
    return true;
  }

  private drop(e: Entry): void {
    if (e.value === undefined) return;
    this.bytes -= e.value.length;
    e.value = undefined;
  }

  private evict(): void {
    while (this.bytes > this.maxBytes && this.orderHead < this.order.length) {
      const e = this.order[this.orderHead++]!;
      if (e.value === undefined) {
        this.dead--;
        continue;
      }
      // per partition the append order is the global one: e is its tail's oldest live entry
      const tail = e.tail;
      this.drop(e);
      tail.head++;
      if (tail.head > 1024 && tail.head * 2 > tail.entries.length) {
        tail.entries.splice(0, tail.head);
        tail.head = 0;
      }
    }
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }
}
