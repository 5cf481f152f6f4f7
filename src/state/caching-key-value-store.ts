/**
 * The top layer, Kafka Streams' record cache: decoded values, so most reads are synchronous and no
 * value is decoded twice. Repeated updates of a key within a commit collapse into one dirty entry,
 * encoded once when the commit flushes it down. The cache is bounded by a memory budget shared
 * with the query's other stores: over it, least recently used entries are evicted, a dirty one
 * first encoded and handed to the layer below (where it waits for the commit, as bytes).
 */
import { decodeValue, encodeValue } from '../common/value-codec.js';
import { RecordCacheBudget, type BudgetSlot, type EvictableCache } from './record-cache-budget.js';
import type { BytesStore, KeyValueStore, StoreWriteBatch } from './state-store.js';

const ABSENT = Symbol('absent');
/** bookkeeping of an entry beyond its bytes: the Map slot, the entry object, the decoded value */
const ENTRY_OVERHEAD = 96;
/** a value never encoded yet is assumed this large until a flush measures it */
const DEFAULT_VALUE_BYTES = 64;

interface Entry {
  readonly key: Buffer;
  value: unknown;
  /** used since eviction last passed it (second-chance LRU: a read only sets this flag) */
  hot: boolean;
  /** estimated bytes: key, last encoded value, overhead */
  size: number;
}

export class CachingKeyValueStore<V> implements KeyValueStore<V>, EvictableCache {
  /** in insertion order; eviction gives entries used since it last passed them a second chance */
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<Entry>();
  /** this cache's bytes, as charged to the budget */
  private readonly slot: BudgetSlot;

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

  get(key: Buffer): V | undefined | Promise<V | undefined> {
    const k = key.toString('latin1');
    const e = this.entries.get(k);
    if (e) {
      e.hot = true;
      return e.value === ABSENT ? undefined : (e.value as V);
    }
    const read = this.inner.get(key);
    if (!(read instanceof Promise)) return this.loaded(k, key, read);
    return read.then((bytes) => {
      // a put may have happened while we waited
      const later = this.entries.get(k);
      if (later) return later.value === ABSENT ? undefined : (later.value as V);
      return this.loaded(k, key, bytes);
    });
  }

  private loaded(k: string, key: Buffer, bytes: Buffer | undefined): V | undefined {
    const value = bytes === undefined ? undefined : (decodeValue(bytes) as V);
    this.add(k, { key, value: value === undefined ? ABSENT : value, hot: false, size: key.length + (bytes?.length ?? 0) + ENTRY_OVERHEAD });
    return value;
  }

  put(key: Buffer, value: V | undefined): void {
    const k = key.toString('latin1');
    const e = this.entries.get(k);
    const stored = value === undefined ? ABSENT : value;
    if (e) {
      e.value = stored;
      this.dirty.add(e);
      e.hot = true;
      return;
    }
    const added: Entry = { key, value: stored, hot: false, size: key.length + DEFAULT_VALUE_BYTES + ENTRY_OVERHEAD };
    this.dirty.add(added);
    this.add(k, added);
  }

  private add(k: string, e: Entry): void {
    this.entries.set(k, e);
    this.slot.bytes += e.size;
    this.budget.used += e.size;
    if (this.budget.used > this.budget.maxBytes) this.budget.relieve(this);
  }

  /** encodes a dirty entry into the layer below, measuring its size */
  private writeDown(e: Entry): void {
    const bytes = e.value === ABSENT ? null : encodeValue(e.value);
    this.inner.put(e.key, bytes);
    this.dirty.delete(e);
    const size = e.key.length + (bytes?.length ?? 0) + ENTRY_OVERHEAD;
    this.slot.bytes += size - e.size;
    this.budget.used += size - e.size;
    e.size = size;
  }

  evict(bytes: number): number {
    let freed = 0;
    for (const [k, e] of this.entries) {
      if (freed >= bytes) break;
      if (e.hot) {
        // moved to the back: each entry is passed at most twice
        e.hot = false;
        this.entries.delete(k);
        this.entries.set(k, e);
        continue;
      }
      if (this.dirty.has(e)) this.writeDown(e);
      this.entries.delete(k);
      this.slot.bytes -= e.size;
      this.budget.used -= e.size;
      freed += e.size;
    }
    return freed;
  }

  flush(batch: StoreWriteBatch): void {
    for (const e of this.dirty) this.writeDown(e);
    this.inner.flush(batch);
  }
}
