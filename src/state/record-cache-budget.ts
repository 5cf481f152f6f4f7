/**
 * The memory budget of a query's record caches (ksqlDB's `ksql.streams.cache.max.bytes.buffering`,
 * Kafka Streams' `cache.max.bytes.buffering`, default 10 MiB), shared by every store of the query
 * as Kafka Streams' ThreadCache shares it among its named caches. Sizes are estimates of what an
 * entry holds on the heap: its key, its value decoded, and a fixed per-entry overhead
 * (caching-key-value-store.ts).
 */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;

/** What a cache gives back under pressure. */
export interface EvictableCache {
  /** evicts least recently used entries until `bytes` are freed or nothing is left; returns bytes freed */
  evict(bytes: number): number;
}

/** What a cache has charged to the budget; the budget keeps it after the cache is gone. */
export interface BudgetSlot {
  bytes: number;
}

export class RecordCacheBudget {
  used = 0;
  /** held weakly: the stores of a stopped task or query are freed with it, their bytes returned */
  private readonly caches = new Map<string, { ref: WeakRef<EvictableCache>; slot: BudgetSlot }>();

  constructor(readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES) {}

  /** a store (re)created under `name` replaces the one before it (a restarted task) */
  register(name: string, cache: EvictableCache): BudgetSlot {
    const before = this.caches.get(name);
    if (before) this.used -= before.slot.bytes;
    const slot: BudgetSlot = { bytes: 0 };
    this.caches.set(name, { ref: new WeakRef(cache), slot });
    return slot;
  }

  /**
   * over budget: `own` evicts first, then the other caches, down to a little under the budget (a
   * 32nd of it), so a cache at its budget evicts in batches rather than an entry for every put
   * (each eviction pass walks the cache from its oldest entries)
   */
  relieve(own: EvictableCache): void {
    if (this.used <= this.maxBytes) return;
    const target = this.maxBytes - Math.floor(this.maxBytes / 32);
    own.evict(this.used - target);
    for (const [name, { ref, slot }] of this.caches) {
      if (this.used <= target) return;
      const c = ref.deref();
      if (!c) {
        this.used -= slot.bytes;
        this.caches.delete(name);
      } else if (c !== own) c.evict(this.used - target);
    }
  }
}

/** The budget a query's config asks for. */
export function cacheMaxBytes(config: ReadonlyMap<string, string> | undefined): number {
  const v = config?.get('ksql.streams.cache.max.bytes.buffering') ?? config?.get('cache.max.bytes.buffering');
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_CACHE_MAX_BYTES;
}
