/** Creates the store stack for one named store of one query. */
import type { Log } from '../log/log.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeloggingBytesStore } from './changelogging-bytes-store.js';
import { LevelDbBytesStore } from './level-db-bytes-store.js';
import { restoreFromChangelog } from './restore-store.js';
import type { KeyValueStore } from './state-store.js';

export type { KeyValueStore, StateStore, StoreWriteBatch } from './state-store.js';

export interface ManagedStore<V> {
  readonly store: KeyValueStore<V>;
  readonly changelogTopic: string;
  /** restores from the changelog if the local copy is missing */
  restore(): Promise<number>;
}

/** Names follow ksqlDB's pattern: stable, derived from the query id and the operator's store name. */
export function createKeyValueStore<V>(log: Log, queryId: string, storeName: string, cacheEntries?: number): ManagedStore<V> {
  const changelogTopic = `_sluice-${queryId}-${storeName.replace(/[^A-Za-z0-9._-]/g, '_')}-changelog`;
  const prefix = Buffer.from(`state\u0000${queryId}\u0000${storeName}\u0000`);
  const level = new LevelDbBytesStore(storeName, log.extras, prefix);
  const store = new CachingKeyValueStore<V>(new ChangeloggingBytesStore(level, changelogTopic), cacheEntries);
  return { store, changelogTopic, restore: () => restoreFromChangelog(log, level, changelogTopic) };
}
