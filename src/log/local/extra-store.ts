/**
 * The embedded adapter's extension beyond the Log contract: a keyspace in the log's own LevelDB,
 * whose writes can join a transaction's batch, so state, output and offsets commit atomically.
 * The engine wires it to the state layer (LocalStateBackend); other log adapters have no such
 * keyspace and pair with a local state directory instead.
 */
import type { Transaction } from '../log.js';

/** Opaque key/value write in the embedded log's keyspace; value null deletes the key. */
export interface ExtraWrite {
  key: Buffer;
  value: Buffer | null;
}

/** A transaction of the embedded log: records, offsets and keyspace writes in one batch. */
export interface LocalTransaction extends Transaction {
  extraWrites?: ExtraWrite[];
}

export interface ExtraRangeOptions {
  gte?: Buffer;
  gt?: Buffer;
  lte?: Buffer;
  lt?: Buffer;
  reverse?: boolean;
  limit?: number;
}

/** The keyspace next to the log, so commitTransaction's extraWrites are atomic with records and offsets. Keys are opaque bytes. */
export interface ExtraStore {
  get(key: Buffer): Promise<Buffer | undefined>;
  getMany(keys: Buffer[]): Promise<(Buffer | undefined)[]>;
  /** ordered entries in a key range */
  range(options?: ExtraRangeOptions): AsyncIterable<[Buffer, Buffer]>;
  /** writes outside a transaction (e.g. restoring state), ordered with all other log writes */
  write(writes: ExtraWrite[]): Promise<void>;
  /** removes every key in [gte, lt) */
  clearRange(gte: Buffer, lt: Buffer): Promise<void>;
}

