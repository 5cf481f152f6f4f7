/** Rebuilds a store from its changelog partition when its local copy is missing. */
import type { Log } from '../log/log.js';
import { LogError, StateError } from '../common/errors.js';
import type { LevelDbBytesStore } from './level-db-bytes-store.js';
import type { StateKeyspace } from './state-store.js';

/**
 * Creates the changelog topic if needed (one partition per task of the store's sub-topology);
 * returns how many entries were restored.
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
  const latest = new Map<string, { key: Buffer; value: Buffer | null }>();
  let offset = await log.earliestOffset(changelogTopic, partition);
  for (;;) {
    const batch = await log.fetch(changelogTopic, partition, offset, { maxRecords: 10_000 });
    for (const r of batch.records) if (r.key) latest.set(r.key.toString('latin1'), { key: r.key, value: r.value });
    if (batch.records.length === 0 || batch.nextOffset === offset) break;
    offset = batch.nextOffset;
  }
  const writes = [...latest.values()]
    .filter((e) => e.value !== null)
    .map((e) => ({ key: Buffer.concat([store.prefix, e.key]), value: e.value }));
  if (writes.length) await keyspace.write(writes);
  return writes.length;
}
