/** Entry point of the embedded (LevelDB) log adapter. */
import { LocalLog, type LocalLogOptions } from './local-log.js';

export { LocalLog, type LocalLogOptions } from './local-log.js';

/** Opens (creating if needed) the embedded log stored in `dir`. */
export function openLocalLog(dir: string, options?: LocalLogOptions): Promise<LocalLog> {
  return LocalLog.open(dir, options);
}
export type { ExtraRangeOptions, ExtraStore, ExtraWrite, LocalTransaction } from './extra-store.js';
export { packStoredFetch, unpackStoredFetch, type StoredBatch, type StoredFetch } from './batch-codec.js';
export { encodeProduceRuns, runRecords, unpackProduceRuns, type EncodedRun } from './produce-runs.js';
