/**
 * Records to append, encoded as stored batches by the thread that produced them (a task thread),
 * so the log's writer only gives each batch its offsets and checksum and writes it
 * (LocalLog.commitEncoded) instead of decoding, checking and encoding every record itself.
 *
 * A run is records of one topic and partition (in their order) that fit one stored batch (the
 * limits LocalLog's own appends batch by); its batch holds offsets 0..count-1, which stay right once the
 * log picks the base offset (batch offsets are deltas from the base in the batch's key). What
 * only the log can decide stays with it: a run without a partition holds keyless records, which
 * go where the log's sticky partitioner puts them (a topic with keyless records and records with
 * a partition in one commit is left to the log); records the log partitions by key, or that
 * need the log's clock or its checks to refuse them (a missing or bad timestamp, a malformed
 * record), are not encoded at all (encodeProduceRuns answers undefined: send them as records).
 *
 * Packed (one buffer, to transfer): u32 topic count, per topic i32 length + utf8 name;
 * u32 run count, per run: u32 topic index, i32 partition (-1: the log picks, -2: the log picks by
 * key: byKey), u32 record count, u32 bytes of its largest record as a batch of its own
 * (max.message.bytes), u32 length, batch.
 */
import type { ProduceRecord } from '../log.js';
import { writeNameTable } from '../../common/name-table.js';
import { MAX_ABS_TIMESTAMP, decodeBatch, encodeBatch, singleRecordBatchSize } from './batch-codec.js';

/**
 * Appended batches are cut at these sizes (records; bytes of keys and values) so that fetches and retention stay fine-grained. The
 * payload cap keeps LevelDB values well under glibc's 128 KiB mmap threshold: reading (and
 * writing) values of several hundred KiB costs a fresh mapping and page faults each time, and
 * made fetching 2 to 4 times as expensive in CPU (bench/run.ts, Nexmark bids).
 */
export const MAX_BATCH_RECORDS = 4096;
export const MAX_BATCH_PAYLOAD = 64 << 10;

export interface EncodedRun {
  readonly topic: string;
  /** undefined: partitioned by the log, keyless records by its sticky partitioner */
  readonly partition: number | undefined;
  /**
   * with no partition: some records have keys, so each goes to its key's partition (a topic of one
   * partition takes the batch whole; the log decodes it otherwise). Only a BatchBuilder's runs.
   */
  readonly byKey?: boolean;
  readonly count: number;
  /** the stored size of its largest record as a batch of one (what max.message.bytes limits) */
  readonly maxRecordBytes: number;
  /** a stored batch without its checksum, offsets 0..count-1 */
  readonly value: Buffer;
}

function encodable(r: ProduceRecord): boolean {
  if (r === null || typeof r !== 'object' || typeof r.topic !== 'string') return false;
  const { key, value, timestamp, headers, partition } = r;
  if (key !== null && !(key instanceof Uint8Array)) return false;
  if (value !== null && !(value instanceof Uint8Array)) return false;
  if (partition === undefined || partition === null) {
    if (key !== null) return false;
  } else if (!Number.isInteger(partition) || partition < 0) return false;
  if (timestamp === undefined || !Number.isSafeInteger(timestamp) || Math.abs(timestamp) > MAX_ABS_TIMESTAMP) return false;
  if (headers !== undefined) {
    if (!Array.isArray(headers)) return false;
    for (const h of headers) if (h === null || typeof h !== 'object' || typeof h.key !== 'string' || (h.value !== null && !(h.value instanceof Uint8Array))) return false;
  }
  return true;
}

const BY_KEY = -2;

/**
 * The records, and runs already built (BatchBuilder), as packed runs; undefined when some record
 * must go to the log as a record (then so must the built runs' records: runRecords).
 */
export function encodeProduceRuns(records: readonly ProduceRecord[], built: readonly EncodedRun[] = []): Uint8Array | undefined {
  const names: Buffer[] = [];
  const runs: { topic: number; partition: number; count: number; maxRecordBytes: number; value: Buffer }[] = [];
  let size = 8;
  // per topic and partition (keyless records of a topic share one: the log's sticky partition),
  // in order, as the log groups a produce's records: interleaved topics still make full batches.
  // Mostly a commit is one topic and partition (a sink's records): then the records are the group.
  const first = records[0];
  let one = true;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!encodable(r)) return undefined;
    if (one && (r.topic !== first!.topic || r.partition !== first!.partition)) one = false;
  }
  const groups = new Map<string, Map<number, readonly ProduceRecord[]>>();
  if (one && first !== undefined) groups.set(first.topic, new Map([[first.partition ?? -1, records]]));
  else if (!one) {
    let last: ProduceRecord[] | undefined;
    let lastTopic: string | undefined;
    let lastPartition: number | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (last === undefined || r.topic !== lastTopic || r.partition !== lastPartition) {
        let byPartition = groups.get(r.topic);
        if (byPartition === undefined) groups.set(r.topic, (byPartition = new Map()));
        const partition = r.partition ?? -1;
        last = byPartition.get(partition) as ProduceRecord[] | undefined;
        if (last === undefined) byPartition.set(partition, (last = []));
        lastTopic = r.topic;
        lastPartition = r.partition;
      }
      last.push(r);
    }
  }
  // keyless records and records with a partition in one topic: where the keyless ones go (and so
  // their order among the others in that partition) is the log's to say
  for (const byPartition of groups.values()) if (byPartition.size > 1 && byPartition.has(-1)) return undefined;
  for (const [name, byPartition] of groups) {
    const topic = names.length;
    const bytes = Buffer.from(name);
    names.push(bytes);
    size += 4 + bytes.length;
    for (const [partition, list] of byPartition) {
      let i = 0;
      while (i < list.length) {
        let j = i;
        let payload = 0;
        let maxRecordBytes = 0;
        while (j < list.length && j - i < MAX_BATCH_RECORDS && payload < MAX_BATCH_PAYLOAD) {
          const r = list[j++]!;
          payload += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 16;
          const one = singleRecordBatchSize(r);
          if (one > maxRecordBytes) maxRecordBytes = one;
        }
        const value = encodeBatch(0, j - i - 1, i === 0 && j === list.length ? list : list.slice(i, j), undefined, 0, 0);
        runs.push({ topic, partition, count: j - i, maxRecordBytes, value });
        size += 20 + value.length;
        i = j;
      }
    }
  }
  const topics = new Map<string, number>();
  for (const r of built) {
    let topic = topics.get(r.topic);
    if (topic === undefined) {
      const bytes = Buffer.from(r.topic);
      topics.set(r.topic, (topic = names.length));
      names.push(bytes);
      size += 4 + bytes.length;
    }
    runs.push({ topic, partition: r.partition ?? (r.byKey ? BY_KEY : -1), count: r.count, maxRecordBytes: r.maxRecordBytes, value: r.value });
    size += 20 + r.value.length;
  }
  // its own ArrayBuffer (not the pool's), so it can be transferred
  const buf = Buffer.from(new ArrayBuffer(size));
  let at = writeNameTable(buf, names, 0);
  buf.writeUInt32LE(runs.length, at);
  at += 4;
  for (const r of runs) {
    buf.writeUInt32LE(r.topic, at);
    buf.writeInt32LE(r.partition, at + 4);
    buf.writeUInt32LE(r.count, at + 8);
    buf.writeUInt32LE(r.maxRecordBytes, at + 12);
    buf.writeUInt32LE(r.value.length, at + 16);
    buf.set(r.value, at + 20);
    at += 20 + r.value.length;
  }
  return new Uint8Array(buf.buffer, 0, size);
}

/** The runs of a packed buffer (each batch a view into it, not a copy). */
export function unpackProduceRuns(data: Uint8Array): EncodedRun[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const names: string[] = [];
  let at = 4;
  for (let k = buf.readUInt32LE(0); k > 0; k--) {
    const len = buf.readInt32LE(at);
    names.push(buf.toString('utf8', at + 4, at + 4 + len));
    at += 4 + len;
  }
  const n = buf.readUInt32LE(at);
  at += 4;
  const runs: EncodedRun[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const partition = buf.readInt32LE(at + 4);
    const length = buf.readUInt32LE(at + 16);
    runs[k] = {
      topic: names[buf.readUInt32LE(at)]!,
      partition: partition < 0 ? undefined : partition,
      ...(partition === BY_KEY ? { byKey: true } : {}),
      count: buf.readUInt32LE(at + 8),
      maxRecordBytes: buf.readUInt32LE(at + 12),
      value: buf.subarray(at + 20, at + 20 + length),
    };
    at += 20 + length;
  }
  return runs;
}

/** The records of runs, in order (a commit that goes as records; keyed runs the log partitions). */
export function runRecords(runs: readonly EncodedRun[]): ProduceRecord[] {
  const out: ProduceRecord[] = [];
  for (const r of runs) {
    for (const d of decodeBatch(r.value, 0)) {
      const record: ProduceRecord = { topic: r.topic, key: d.key, value: d.value, timestamp: d.timestamp, headers: d.headers };
      if (r.partition !== undefined) record.partition = r.partition;
      out.push(record);
    }
  }
  return out;
}
