/**
 * The top layer: decoded values in an lru-cache, so most reads are synchronous and no value is
 * decoded twice; changed entries stay dirty (and pinned) until the commit flushes them down.
 */
import { LRUCache } from 'lru-cache';
import { decodeValue, encodeValue } from '../common/value-codec.js';
import type { BytesStore, KeyValueStore, StoreWriteBatch } from './state-store.js';

const ABSENT = Symbol('absent');

export class CachingKeyValueStore<V> implements KeyValueStore<V> {
  private readonly cache: LRUCache<string, { value: unknown } | { value: typeof ABSENT }>;
  private readonly dirty = new Map<string, { key: Buffer; value: V | undefined }>();

  constructor(
    private readonly inner: BytesStore,
    maxEntries = 10_000,
  ) {
    this.cache = new LRUCache({ max: maxEntries });
  }

  get name(): string {
    return this.inner.name;
  }

  get(key: Buffer): V | undefined | Promise<V | undefined> {
    const k = key.toString('latin1');
    const d = this.dirty.get(k);
    if (d) return d.value;
    const hit = this.cache.get(k);
    if (hit) return hit.value === ABSENT ? undefined : (hit.value as V);
    return this.inner.get(key).then((bytes) => {
      // a put may have happened while we waited
      const later = this.dirty.get(k);
      if (later) return later.value;
      const value = bytes === undefined ? undefined : (decodeValue(bytes) as V);
      this.cache.set(k, { value: value === undefined ? ABSENT : value });
      return value;
    });
  }

  put(key: Buffer, value: V | undefined): void {
    const k = key.toString('latin1');
    this.dirty.set(k, { key, value });
    this.cache.set(k, { value: value === undefined ? ABSENT : value });
  }

  flush(batch: StoreWriteBatch): void {
    for (const { key, value } of this.dirty.values()) this.inner.put(key, value === undefined ? null : encodeValue(value));
    this.dirty.clear();
    this.inner.flush(batch);
  }
}
