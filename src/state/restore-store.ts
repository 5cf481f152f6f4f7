/** Rebuilds a store from its changelog partition when its local copy is missing. */
import type { Log } from '../log/log.js';
import { LogError, StateError } from '../common/errors.js';
import type { LevelDbBytesStore } from './level-db-bytes-store.js';
import type { StateKeyspace } from './state-store.js';

/**
 * Creates the changelog topic if needed (one partition per task of the store's sub-topology);
 * returns how many changelog records (not tombstones) were applied.
 */
export async function restoreFromChangelog(
  log: Log,
  keyspace: StateKeyspace,
  store: LevelDbBytesStore,
  changelogTopic: string,
  partition: number,
  partitions: number,
): Promise<number> {
  try {
    const found = (await log.describeTopic(changelogTopic)).partitions.length;
    if (found !== partitions)
      throw new StateError(
        `The changelog topic ${changelogTopic} has ${found} partition(s) but the query runs ${partitions} task(s) for it: its state layout changed (a source topic's partition count, or a Sluice version that partitions differently). Recreate the query to rebuild its state.`,
      );
  } catch (e) {
    if (!(e instanceof LogError) || e.code !== 'UNKNOWN_TOPIC') throw e;
    try {
      await log.createTopic(changelogTopic, { partitions, config: { 'cleanup.policy': 'compact', 'retention.ms': -1 } });
    } catch (c) {
      // another task of the same query created it first
      if (!(c instanceof LogError) || c.code !== 'TOPIC_EXISTS') throw c;
    }
    return 0;
  }
  if (!(await store.isEmpty())) return 0;
  // applied a fetched batch at a time, in changelog order (a later record of a key overwrites an
  // earlier one, a tombstone deletes it), so a restore holds one batch in memory, not the store
  let restored = 0;
  let offset = await log.earliestOffset(changelogTopic, partition);
  for (;;) {
    const batch = await log.fetch(changelogTopic, partition, offset, { maxRecords: 10_000 });
    const writes = [];
    for (const r of batch.records) {
      if (!r.key) continue;
      writes.push({ key: Buffer.concat([store.prefix, r.key]), value: r.value });
      if (r.value !== null) restored++;
    }
    if (writes.length) await keyspace.write(writes);
    if (batch.records.length === 0 || batch.nextOffset === offset) break;
    offset = batch.nextOffset;
  }
  return restored;
}
