/** Connect's records (ConnectRecord, SourceRecord, SinkRecord) and headers. */
import type { Schema } from './schema.js';

export interface ConnectHeader {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

export interface ConnectRecord {
  readonly topic: string;
  /** null lets the producer's partitioner choose */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  /** milliseconds since the epoch, or null */
  readonly timestamp: number | null;
  /** in order; keys may repeat */
  readonly headers: readonly ConnectHeader[];
}

/** Where a source record came from and how far the source has been read (stored in the offsets topic). */
export interface SourceRecord extends ConnectRecord {
  readonly sourcePartition: Readonly<Record<string, unknown>>;
  readonly sourceOffset: Readonly<Record<string, unknown>>;
}

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: bigint;
  readonly timestampType: TimestampType;
  /** the record as it was read from Kafka, before transforms (Connect's originalTopic/originalKafkaPartition/originalKafkaOffset) */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: bigint;
}

/** ConnectRecord.newRecord: a copy with some parts replaced, keeping the source/sink specifics. */
export function newRecord<R extends ConnectRecord>(record: R, changes: Partial<ConnectRecord>): R {
  return { ...record, ...changes };
}
