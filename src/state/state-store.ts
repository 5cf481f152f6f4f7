/**
 * The public state store API. Stores are stacked decorators (Kafka Streams style):
 *
 *   CachingKeyValueStore  (the record cache: decoded values within a byte budget; writes stay dirty until commit)
 *     -> ChangeloggingBytesStore  (every change also goes to a compacted changelog topic)
 *       -> LevelDbBytesStore  (the log's LevelDB keyspace, written in the commit's batch)
 *          (with a key filter: a key it never held is known absent without a read)
 *
 * Nothing is written until the task commits: flush() moves the pending changes into the same
 * transaction as the produced records and the consumed offsets, so state, output and progress
 * always agree (exactly-once in the embedded log).
 */
import type { ProduceRecord } from '../log/log.js';

/** One change to the state keyspace; value null deletes the key. */
export interface StateWrite {
  key: Buffer;
  value: Buffer | null;
}

/** The ordered byte keyspace the bottom store layer lives in (a StateBackend provides it). */
export interface StateKeyspace {
  get(key: Buffer): Promise<Buffer | undefined>;
  range(options: { gte?: Buffer; lt?: Buffer; limit?: number }): AsyncIterable<[Buffer, Buffer]>;
  /** writes outside a commit (restoring state) */
  write(writes: StateWrite[]): Promise<void>;
  /** removes every key in [gte, lt) (dropping a query's state) */
  clearRange(gte: Buffer, lt: Buffer): Promise<void>;
}

/** What a commit collects from every store: state changes and changelog records. */
export interface StoreWriteBatch {
  readonly stateWrites: StateWrite[];
  readonly produce: ProduceRecord[];
}

export interface StateStore {
  readonly name: string;
  /** moves pending changes into the commit's batch */
  flush(batch: StoreWriteBatch): void;
}

/** Byte-level layers under the cache. */
export interface BytesStore extends StateStore {
  /**
   * synchronous when the answer is known without a read; `text` is the key as a latin1 string
   * when the caller has it (layers index pending writes by it)
   */
  get(key: Buffer, text?: string): Buffer | undefined | Promise<Buffer | undefined>;
  /** null deletes */
  put(key: Buffer, value: Buffer | null, text?: string): void;
  /**
   * A commit's last change of a key, written straight into its batch (it replaces a change of the
   * key still pending here): the record cache's flush writes its dirty entries this way, so they
   * wait in no layer's map of pending changes. `flush` follows with what is pending.
   */
  write(batch: StoreWriteBatch, key: Buffer, value: Buffer | null, text: string): void;
}

/** What operators use: typed values, reads that are synchronous when cached. */
export interface KeyValueStore<V> extends StateStore {
  /** `text`: the key as a latin1 string, when the caller has it (an operator reading one key in several stores makes it once) */
  get(key: Buffer, text?: string): V | undefined | Promise<V | undefined>;
  /** undefined deletes */
  put(key: Buffer, value: V | undefined, text?: string): void;
}
