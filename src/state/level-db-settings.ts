/**
 * LevelDB's memory, under configuration (ksqlDB users tune RocksDB's through
 * `ksql.streams.rocksdb.config.setter`; these are plain properties instead). They apply to the
 * LevelDB that holds the state stores: with the embedded log that is the log's own database
 * (topics and state together), on Kafka the local state directory's.
 *
 *   sluice.leveldb.cache.bytes        read cache (default 32 MiB): LevelDB's block cache; the embedded
 *                                     log keeps a quarter of it for its newest batches (tail-cache.ts)
 *   sluice.leveldb.write.buffer.bytes memtable size; up to two are held while one is written out (default 16 MiB)
 *   sluice.leveldb.max.open.files     files kept open (default 100, at least 74); LevelDB keeps all but
 *                                     10 of them as open tables, memory-mapped (64-bit builds), and
 *                                     the pages read through a mapping count in the process's RSS
 *   sluice.leveldb.max.file.bytes     size of a table file (default 2 MiB, LevelDB's; at least 1 MiB)
 *
 * So LevelDB's resident memory stays near cache + 2 x write buffer + (open files - 10) x file size
 * (levelDbMemoryBytes), which the memory bench states as part of its bound.
 */
import { ConfigError } from '../common/errors.js';

export interface LevelDbSettings {
  readonly cacheSize: number;
  readonly writeBufferSize: number;
  readonly maxOpenFiles: number;
  readonly maxFileSize: number;
}

export const LEVELDB_DEFAULTS: LevelDbSettings = { cacheSize: 32 << 20, writeBufferSize: 16 << 20, maxOpenFiles: 100, maxFileSize: 2 << 20 };

export const LEVELDB_PROPERTIES: Readonly<Record<keyof LevelDbSettings, string>> = {
  cacheSize: 'sluice.leveldb.cache.bytes',
  writeBufferSize: 'sluice.leveldb.write.buffer.bytes',
  maxOpenFiles: 'sluice.leveldb.max.open.files',
  maxFileSize: 'sluice.leveldb.max.file.bytes',
};

/** LevelDB's least values (it clamps smaller ones up to these, silently: SanitizeOptions) */
const MINIMUM: LevelDbSettings = { cacheSize: 0, writeBufferSize: 64 << 10, maxOpenFiles: 74, maxFileSize: 1 << 20 };

/** files LevelDB keeps open besides tables (its own kNumNonTableCacheFiles) */
const NON_TABLE_FILES = 10;

/** The settings the properties ask for; a bad value is a ConfigError naming the property. */
export function levelDbSettings(properties: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined): LevelDbSettings {
  const get = (name: string) => (properties instanceof Map ? properties.get(name) : (properties as Record<string, string> | undefined)?.[name]);
  const out = { ...LEVELDB_DEFAULTS };
  for (const field of Object.keys(LEVELDB_PROPERTIES) as (keyof LevelDbSettings)[]) {
    const name = LEVELDB_PROPERTIES[field];
    const text = get(name);
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < MINIMUM[field])
      throw new ConfigError(`${name} must be an integer of at least ${MINIMUM[field]}, not '${text}'`);
    out[field] = n;
  }
  return out;
}

/** what LevelDB holds in memory at most with these settings, in bytes (an estimate LevelDB keeps to) */
export function levelDbMemoryBytes(s: LevelDbSettings): number {
  return s.cacheSize + 2 * s.writeBufferSize + Math.max(0, s.maxOpenFiles - NON_TABLE_FILES) * s.maxFileSize;
}
