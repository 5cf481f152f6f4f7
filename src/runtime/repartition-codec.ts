/**
 * The internal format of repartition topics (Kafka Streams' internal serdes): the whole row with the
 * record's flags, so a record read back downstream is the record written upstream. The key is the
 * encoded partitioning values; only its partition matters, and the same values always pick the same
 * partition, whichever side of a join wrote them.
 */
import { decodeValue, encodeRowTuple, encodeValue } from '../common/value-codec.js';
import type { FetchedRecord } from '../log/log.js';
import { partitionForKey } from '../log/murmur2-partitioner.js';
import type { StreamRecord } from './processor.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const TOMBSTONE = 1;
const NULL_KEY = 2;

export function repartitionKey(keyValues: readonly unknown[]): Buffer {
  return encodeValue(keyValues);
}

export function repartitionPartition(key: Buffer, partitions: number): number {
  return partitionForKey(key, partitions);
}

/**
 * [row, flags] or [row, flags, windowStart, windowEnd]. With `needed` (ascending column indices),
 * the other columns are written as NULL: the steps downstream never read them.
 */
export function encodeRepartitioned(rec: StreamRecord, needed?: readonly number[]): Buffer {
  const flags = (rec.tombstone ? TOMBSTONE : 0) | (rec.nullKey ? NULL_KEY : 0);
  // written as encodeValue writes the tuple, without building the NULL-filled row or the tuple
  return encodeRowTuple(rec.row, needed, rec.window ? [flags, rec.window.start, rec.window.end] : flags === 0 ? NO_FLAGS : [flags]);
}

const NO_FLAGS = [0] as const;

export function decodeRepartitioned(rec: FetchedRecord): StreamRecord {
  const tuple = decodeValue(rec.value!) as [unknown[], number, number?, number?];
  const row = tuple[0];
  const flags = tuple[1];
  const start = tuple[2];
  const end = tuple[3];
  const out: Mutable<StreamRecord> = { row, timestamp: rec.timestamp, partition: rec.partition, offset: rec.offset, headers: rec.headers };
  if (flags & TOMBSTONE) out.tombstone = true;
  if (flags & NULL_KEY) out.nullKey = true;
  if (start !== undefined) out.window = { start, end: end! };
  return out;
}
