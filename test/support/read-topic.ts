import type { FetchedRecord, Log } from '../../src/log/log.js';

/** Every record of every partition of a topic, partition by partition. */
export async function readTopic(log: Log, topic: string): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  const desc = await log.describeTopic(topic);
  for (const p of desc.partitions) {
    let offset = p.logStartOffset;
    for (;;) {
      const batch = await log.fetch(topic, p.partition, offset, { maxRecords: 10_000 });
      out.push(...batch.records);
      if (batch.records.length === 0 || batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    }
  }
  return out;
}

export const jsonValues = (records: readonly FetchedRecord[]) => records.map((r) => (r.value ? JSON.parse(r.value.toString('utf8')) : null));
