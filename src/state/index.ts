/** The state layer: store stacks built by a StateBackend the engine chooses. */
export type { KeyValueStore, StateKeyspace, StateStore, StateWrite, StoreWriteBatch } from './state-store.js';
export type { ManagedStore, StateBackend, StoreSpec } from './state-backend.js';
export { LocalStateBackend, changelogTopicName } from './state-backend.js';
export { RecordCacheBudget, cacheMaxBytes, DEFAULT_CACHE_MAX_BYTES } from './record-cache-budget.js';
export { KafkaStateBackend, type KafkaStateBackendOptions, type ProcessingGuarantee } from './kafka-state-backend.js';
export { levelDbSettings, levelDbMemoryBytes, LEVELDB_DEFAULTS, LEVELDB_PROPERTIES, type LevelDbSettings } from './level-db-settings.js';
