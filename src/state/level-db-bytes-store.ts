/** The bottom layer: a key prefix in a LevelDB keyspace (the backend's); writes wait for the commit. */
import type { BytesStore, StateKeyspace, StoreWriteBatch } from './state-store.js';

export class LevelDbBytesStore implements BytesStore {
  private readonly pending = new Map<string, { key: Buffer; value: Buffer | null }>();

  constructor(
    readonly name: string,
    private readonly keyspace: StateKeyspace,
    /** every key of this store starts with it */
    readonly prefix: Buffer,
  ) {}

  async get(key: Buffer): Promise<Buffer | undefined> {
    const p = this.pending.get(key.toString('latin1'));
    if (p) return p.value ?? undefined;
    return this.keyspace.get(Buffer.concat([this.prefix, key]));
  }

  put(key: Buffer, value: Buffer | null): void {
    this.pending.set(key.toString('latin1'), { key, value });
  }

  flush(batch: StoreWriteBatch): void {
    for (const { key, value } of this.pending.values()) batch.stateWrites.push({ key: Buffer.concat([this.prefix, key]), value });
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
