/** The bottom layer: a key prefix in a LevelDB keyspace (the backend's); writes wait for the commit. */
import { KeyFilter } from './key-filter.js';
import type { BytesStore, StateKeyspace, StoreWriteBatch } from './state-store.js';

export class LevelDbBytesStore implements BytesStore {
  private readonly pending = new Map<string, { key: Buffer; value: Buffer | null }>();
  /** every key the store may hold, once loaded: a miss needs no LevelDB read */
  private filter: KeyFilter | undefined;

  constructor(
    readonly name: string,
    private readonly keyspace: StateKeyspace,
    /** every key of this store starts with it */
    readonly prefix: Buffer,
  ) {}

  get(key: Buffer, text?: string): Buffer | undefined | Promise<Buffer | undefined> {
    if (this.pending.size) {
      const p = this.pending.get(text ?? key.toString('latin1'));
      if (p) return p.value ?? undefined;
    }
    if (this.filter && !this.filter.mightContain(key)) return undefined;
    return this.keyspace.get(this.prefixed(key));
  }

  put(key: Buffer, value: Buffer | null, text = key.toString('latin1')): void {
    this.pending.set(text, { key, value });
    if (value !== null) this.filter?.add(key);
  }

  write(batch: StoreWriteBatch, key: Buffer, value: Buffer | null, text: string): void {
    if (this.pending.size) this.pending.delete(text);
    batch.stateWrites.push({ key: this.prefixed(key), value });
    if (value !== null) this.filter?.add(key);
  }

  /** the key in the keyspace: one allocation, no concat list (TypedArray set: Buffer.copy's native call costs more on keys this short) */
  private prefixed(key: Buffer): Buffer {
    const p = this.prefix;
    const out = Buffer.allocUnsafe(p.length + key.length);
    out.set(p, 0);
    out.set(key, p.length);
    return out;
  }

  /**
   * Builds the key filter from the keys stored under the prefix (after a restore, before the
   * first record); until then every get reads LevelDB. Returns how many keys are stored.
   */
  async loadKeyFilter(): Promise<number> {
    const filter = new KeyFilter();
    let stored = 0;
    for await (const [key] of this.keyspace.range({ gte: this.prefix, lt: prefixEnd(this.prefix) })) {
      filter.add(key.subarray(this.prefix.length));
      stored++;
    }
    for (const { key, value } of this.pending.values()) if (value !== null) filter.add(key);
    this.filter = filter;
    return stored;
  }

  flush(batch: StoreWriteBatch): void {
    for (const { key, value } of this.pending.values()) batch.stateWrites.push({ key: this.prefixed(key), value });
    this.pending.clear();
  }

  /** true when nothing is stored under the prefix (a new or lost store) */
  async isEmpty(): Promise<boolean> {
    for await (const _ of this.keyspace.range({ gte: this.prefix, lt: prefixEnd(this.prefix), limit: 1 })) return false;
    return true;
  }
}

/** The smallest key greater than every key starting with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.concat([prefix, Buffer.from([0xff])]);
}
