/**
 * The top layer, Kafka Streams' record cache: decoded values, so most reads are synchronous and no
 * value is decoded twice. Repeated updates of a key within a commit collapse into one dirty entry,
 * encoded once when the commit flushes it down. The cache is bounded by a memory budget shared
 * with the query's other stores: over it, least recently used entries are evicted, a dirty one
 * first encoded and handed to the layer below (where it waits for the commit, as bytes).
 *
 * An entry is charged what it holds: its key (kept as a string, not a Buffer: a small Buffer is a
 * slice of an 8 KiB pool and would keep the whole pool alive; only a dirty entry holds the Buffer
 * it was put with, until the commit writes it down) and its value's estimated size on
 * the heap, decoded (heap-size.ts). Walking every value cost as much as encoding it, so most sizes
 * are estimates kept honest by sampling: a value read is charged its encoded size times the heap /
 * encoded ratio this cache has measured, a value put its running average size, and a value updated
 * in place is re-charged each time a commit flushes it, from its new encoded size. The first
 * values, and one in RESAMPLE after, are measured exactly and update the ratio and the average.
 */
import { decodeValue, encodeValue } from '../common/value-codec.js';
import { heapBytes } from './heap-size.js';
import { RecordCacheBudget, type BudgetSlot, type EvictableCache } from './record-cache-budget.js';
import type { BytesStore, KeyValueStore, StoreWriteBatch } from './state-store.js';

const ABSENT = Symbol('absent');
/**
 * bookkeeping of an entry beyond its key's characters and its value: the key string's header, the
 * Map's hash-table slots, the entry object, a slot in the dirty list
 */
const ENTRY_OVERHEAD = 24 + 24 + 72 + 24;

interface Entry {
  /** the key's bytes as a latin1 string (one character per byte) */
  readonly key: string;
  value: unknown;
  /** used since eviction last passed it (second-chance LRU: a read only sets this flag) */
  hot: boolean;
  /** estimated heap bytes: key, decoded value, overhead */
  size: number;
  /** changed since the last flush (and then in the dirty list) */
  dirty: boolean;
  /** while dirty, the key's bytes as put (kept only until written down, see `key`) */
  keyBytes: Buffer | undefined;
  /** the neighbours in eviction order (a list through the entries: moving one costs no map update) */
  older: Entry | undefined;
  newer: Entry | undefined;
}

/** one value in this many is measured exactly, the rest estimated */
const RESAMPLE = 16;
/** values measured exactly before estimates are trusted */
const WARMUP = 4;

export class CachingKeyValueStore<V> implements KeyValueStore<V>, EvictableCache {
  private readonly entries = new Map<string, Entry>();
  /** the ends of the eviction order, oldest first; eviction gives entries used since it last passed them a second chance */
  private oldest: Entry | undefined;
  private newest: Entry | undefined;
  /** entries made dirty since the last flush, in that order (an entry evicted since is no longer dirty) */
  private dirty: Entry[] = [];
  /** this cache's bytes, as charged to the budget */
  private readonly slot: BudgetSlot;
  /** heap bytes per encoded byte of this cache's values (0: not measured yet) */
  private heapPerByte = 0;
  /** running average heap bytes of a value (0: not measured yet) */
  private valueBytes = 0;
  private measured = 0;
  private sized = 0;

  constructor(
    private readonly inner: BytesStore,
    private readonly budget: RecordCacheBudget = new RecordCacheBudget(),
    budgetName?: string,
  ) {
    this.slot = budget.register(budgetName ?? inner.name, this);
  }

  /** estimated bytes held */
  get bytes(): number {
    return this.slot.bytes;
  }

  get name(): string {
    return this.inner.name;
  }

  /** the text of the key last read: an operator usually puts back the key it just read */
  private lastKey: Buffer | undefined;
  private lastText = '';
  /** the entry last read or added, so the put that follows a get looks nothing up again (cleared when evicted) */
  private lastEntry: Entry | undefined;

  private textOf(key: Buffer): string {
    const last = this.lastKey;
    if (key === last) return this.lastText;
    // a short key equal to the last one (a new Buffer of the same group: a join's lookups and
    // updates of one key, a time bucket) reuses its text: comparing bytes costs less than decoding
    const n = key.length;
    if (last !== undefined && n <= 32 && last.length === n) {
      let i = 0;
      while (i < n && key[i] === last[i]) i++;
      if (i === n) {
        this.lastKey = key;
        return this.lastText;
      }
    }
    this.lastKey = key;
    return (this.lastText = key.toString('latin1'));
  }

  get(key: Buffer, text?: string): V | undefined | Promise<V | undefined> {
    const k = text ?? this.textOf(key);
    const e = this.entries.get(k);
    if (e) {
      e.hot = true;
      this.lastEntry = e;
      return e.value === ABSENT ? undefined : (e.value as V);
    }
    const read = this.inner.get(key, k);
    if (!(read instanceof Promise)) return this.loaded(k, read);
    return read.then((bytes) => {
      // a put may have happened while we waited
      const later = this.entries.get(k);
      if (later) return later.value === ABSENT ? undefined : (later.value as V);
      return this.loaded(k, bytes);
    });
  }

  private loaded(k: string, bytes: Buffer | undefined): V | undefined {
    if (bytes === undefined) {
      this.add(k, { key: k, value: ABSENT, hot: false, size: k.length + ENTRY_OVERHEAD, dirty: false, keyBytes: undefined, older: undefined, newer: undefined });
      return undefined;
    }
    const value = decodeValue(bytes) as V;
    this.add(k, { key: k, value, hot: false, size: this.sizeOf(k, value, bytes.length), dirty: false, keyBytes: undefined, older: undefined, newer: undefined });
    return value;
  }

  put(key: Buffer, value: V | undefined, text?: string): void {
    const k = text ?? this.textOf(key);
    let e = this.lastEntry;
    if (e === undefined || e.key !== k) e = this.entries.get(k);
    const stored = value === undefined ? ABSENT : value;
    if (e) {
      const replaced = e.value !== stored;
      e.value = stored;
      if (!e.dirty) {
        e.dirty = true;
        e.keyBytes = key;
        this.dirty.push(e);
      }
      e.hot = true;
      // a new object (a first value for a key read absent, a replaced row) is charged now; one
      // updated in place is re-charged when the commit flushes it
      if (replaced) {
        const size = this.sizeOf(k, stored, undefined);
        this.slot.bytes += size - e.size;
        this.budget.used += size - e.size;
        e.size = size;
        if (this.budget.used > this.budget.maxBytes) this.budget.relieve(this);
      }
      return;
    }
    const added: Entry = { key: k, value: stored, hot: false, size: this.sizeOf(k, stored, undefined), dirty: true, keyBytes: key, older: undefined, newer: undefined };
    this.dirty.push(added);
    this.add(k, added);
  }

  private add(k: string, e: Entry): void {
    this.entries.set(k, e);
    this.append(e);
    this.lastEntry = e;
    this.slot.bytes += e.size;
    this.budget.used += e.size;
    if (this.budget.used > this.budget.maxBytes) this.budget.relieve(this);
  }

  /** encodes an evicted dirty entry into the layer below, where it waits for the commit */
  private writeDown(e: Entry): void {
    this.inner.put(e.keyBytes ?? Buffer.from(e.key, 'latin1'), e.value === ABSENT ? null : encodeValue(e.value), e.key);
    e.keyBytes = undefined;
    e.dirty = false;
  }

  /**
   * An entry's charge: key, overhead and the value's heap size, estimated (from `encoded`, its
   * encoded size when known, else from the average) or, for the first values and a sample of the
   * rest, measured.
   */
  private sizeOf(key: string, value: unknown, encoded: number | undefined): number {
    const fixed = key.length + ENTRY_OVERHEAD;
    if (value === ABSENT) return fixed;
    if (this.measured >= WARMUP && ++this.sized % RESAMPLE !== 0) {
      const estimate = encoded !== undefined ? this.heapPerByte * encoded : this.valueBytes;
      if (estimate > 0) {
        if (encoded !== undefined) this.valueBytes = 0.95 * this.valueBytes + 0.05 * estimate;
        return fixed + Math.ceil(estimate);
      }
    }
    const size = heapBytes(value);
    this.measured++;
    if (encoded) this.heapPerByte = this.heapPerByte === 0 ? size / encoded : 0.75 * this.heapPerByte + 0.25 * (size / encoded);
    this.valueBytes = this.valueBytes === 0 ? size : 0.75 * this.valueBytes + 0.25 * size;
    return fixed + size;
  }

  /** a value updated in place since it was charged: charged again from its encoded size */
  private remeasure(e: Entry, encoded: number): void {
    const size = this.sizeOf(e.key, e.value, encoded);
    this.slot.bytes += size - e.size;
    this.budget.used += size - e.size;
    e.size = size;
  }

  /** `e` made the newest in eviction order */
  private append(e: Entry): void {
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  /** `e` out of the eviction order */
  private unlink(e: Entry): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = undefined;
  }

  evict(bytes: number): number {
    let freed = 0;
    for (let e = this.oldest; e !== undefined && freed < bytes; ) {
      const next = e.newer;
      if (e.hot) {
        // moved to the back: each entry is passed at most twice
        e.hot = false;
        // (the newest is passed again at once)
        if (next !== undefined) {
          this.unlink(e);
          this.append(e);
          e = next;
        }
        continue;
      }
      if (e.dirty) this.writeDown(e);
      this.entries.delete(e.key);
      this.unlink(e);
      if (e === this.lastEntry) this.lastEntry = undefined;
      this.slot.bytes -= e.size;
      this.budget.used -= e.size;
      freed += e.size;
      e = next;
    }
    return freed;
  }

  flush(batch: StoreWriteBatch): void {
    const dirty = this.dirty;
    this.dirty = [];
    for (const e of dirty) {
      if (!e.dirty) continue;
      const bytes = e.value === ABSENT ? null : encodeValue(e.value);
      this.inner.write(batch, e.keyBytes ?? Buffer.from(e.key, 'latin1'), bytes, e.key);
      e.keyBytes = undefined;
      e.dirty = false;
      this.remeasure(e, bytes?.length ?? 0);
    }
    // values that grew in place may have taken the budget over: clean entries go first
    if (this.budget.used > this.budget.maxBytes) this.budget.relieve(this);
    this.inner.flush(batch);
  }
}
