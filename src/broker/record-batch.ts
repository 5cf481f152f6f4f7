/**
 * Kafka record batches (magic v2): parsing what producers send (CRC32C checked, any codec) and
 * building what fetches return. The embedded log keeps records, not batches (see README: the
 * broker converts on the way in and out), so a fetch builds fresh uncompressed batches.
 */
import { crc32c } from '@node-rs/crc32';
import type { FetchedRecord, RecordHeader } from '../log/log.js';
import { decompress } from './compression.js';
import { Reader } from './protocol/reader.js';
import { Writer } from './protocol/writer.js';

export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: RecordHeader[];
  offsetDelta: number;
}

export interface RecordBatch {
  baseOffset: bigint;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  isTransactional: boolean;
  isControl: boolean;
  records: BatchRecord[];
  /** bytes of the whole batch as sent */
  size: number;
}

export class CorruptBatchError extends Error {}

/** the offset of the CRC'd part: everything from attributes on */
const CRC_FROM = 21;

function readRecords(r: Reader, count: number, baseTimestamp: bigint): BatchRecord[] {
  const out: BatchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.varint();
    const end = r.offset + len;
    r.int8();
    const tsDelta = r.varlong();
    const offsetDelta = r.varint();
    const kl = r.varint();
    const key = kl < 0 ? null : Buffer.from(r.bytesRaw(kl));
    const vl = r.varint();
    const value = vl < 0 ? null : Buffer.from(r.bytesRaw(vl));
    const hc = r.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < hc; h++) {
      const hkl = r.varint();
      const hk = r.bytesRaw(hkl).toString('utf8');
      const hvl = r.varint();
      headers.push({ key: hk, value: hvl < 0 ? null : Buffer.from(r.bytesRaw(hvl)) });
    }
    if (r.offset !== end) throw new CorruptBatchError(`record ${i} length ${len} does not match its fields`);
    out.push({ key, value, timestamp: Number(baseTimestamp + tsDelta), headers, offsetDelta });
  }
  return out;
}

/** Parses every batch of a produce request's records field. */
export async function parseBatches(buf: Buffer): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < 61) throw new CorruptBatchError('truncated record batch');
    const r = new Reader(buf, at);
    const baseOffset = r.int64();
    const batchLength = r.int32();
    const end = at + 12 + batchLength;
    if (batchLength < 49 || end > buf.length) throw new CorruptBatchError('record batch length out of bounds');
    r.int32(); // partition leader epoch
    const magic = r.int8();
    if (magic !== 2) throw new CorruptBatchError(`record batch magic ${magic} is not supported (only v2)`);
    const crc = r.uint32();
    if (crc32c(buf.subarray(at + CRC_FROM, end)) >>> 0 !== crc) throw new CorruptBatchError('record batch CRC32C mismatch');
    const attributes = r.int16();
    const lastOffsetDelta = r.int32();
    const baseTimestamp = r.int64();
    r.int64(); // max timestamp
    const producerId = r.int64();
    const producerEpoch = r.int16();
    const baseSequence = r.int32();
    const recordCount = r.int32();
    if (recordCount < 0 || recordCount > batchLength) throw new CorruptBatchError('bad record count');
    let body = buf.subarray(r.offset, end);
    const codec = attributes & 7;
    if (codec) {
      try {
        body = await decompress(codec, Buffer.from(body));
      } catch (e) {
        throw new CorruptBatchError(`cannot decompress record batch: ${(e as Error).message}`);
      }
    }
    let records: BatchRecord[];
    try {
      records = readRecords(new Reader(body), recordCount, baseTimestamp);
    } catch (e) {
      throw e instanceof CorruptBatchError ? e : new CorruptBatchError(`malformed records: ${(e as Error).message}`);
    }
    batches.push({
      baseOffset,
      attributes,
      lastOffsetDelta,
      baseTimestamp,
      producerId,
      producerEpoch,
      baseSequence,
      recordCount,
      isTransactional: (attributes & 0x10) !== 0,
      isControl: (attributes & 0x20) !== 0,
      records,
      size: end - at,
    });
    at = end;
  }
  return batches;
}

export interface BatchProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly transactional?: boolean;
}

/** One uncompressed v2 batch holding fetched records (offsets may have gaps). */
export function buildBatch(records: readonly FetchedRecord[], w: Writer, producer?: BatchProducer): void {
  const base = records[0]!.offset;
  const baseTs = records.reduce((m, r) => Math.min(m, r.timestamp), Number.MAX_SAFE_INTEGER);
  const maxTs = records.reduce((m, r) => Math.max(m, r.timestamp), 0);
  w.int64(base);
  const fillLength = w.sizePrefix();
  w.int32(0); // leader epoch
  w.int8(2);
  const crcAt = w.length;
  w.uint32(0);
  w.int16(producer?.transactional ? 0x10 : 0); // no compression, CreateTime
  w.int32(Number(records[records.length - 1]!.offset - base));
  w.int64(BigInt(baseTs));
  w.int64(BigInt(maxTs));
  w.int64(producer?.producerId ?? -1n);
  w.int16(producer?.producerEpoch ?? -1);
  w.int32(producer?.baseSequence ?? -1);
  w.int32(records.length);
  const rec = new Writer(256);
  for (const r of records) {
    rec.length = 0;
    rec.int8(0);
    rec.varlong(BigInt(r.timestamp - baseTs));
    rec.varint(Number(r.offset - base));
    if (r.key === null) rec.varint(-1);
    else rec.varint(r.key.length).raw(r.key);
    if (r.value === null) rec.varint(-1);
    else rec.varint(r.value.length).raw(r.value);
    rec.varint(r.headers.length);
    for (const h of r.headers) {
      const k = Buffer.from(h.key, 'utf8');
      rec.varint(k.length).raw(k);
      if (h.value === null) rec.varint(-1);
      else rec.varint(h.value.length).raw(h.value);
    }
    w.varint(rec.length).raw(rec.toBuffer());
  }
  fillLength();
  const bytes = w.toBuffer();
  w.patchUint32(crcAt, crc32c(bytes.subarray(crcAt + 4, bytes.length)));
}

/**
 * A batch with no records standing for offsets base..last that hold none (compacted away, or
 * lost): as Kafka keeps such batches after compaction, so that a consumer fetching inside the gap
 * moves past it instead of asking for the same offset again.
 */
export function buildEmptyBatch(base: bigint, last: bigint, w: Writer): void {
  w.int64(base);
  const fillLength = w.sizePrefix();
  w.int32(0);
  w.int8(2);
  const crcAt = w.length;
  w.uint32(0);
  w.int16(0);
  w.int32(Number(last - base));
  const now = BigInt(Date.now());
  w.int64(now);
  w.int64(now);
  w.int64(-1n);
  w.int16(-1);
  w.int32(-1);
  w.int32(0);
  fillLength();
  const bytes = w.toBuffer();
  w.patchUint32(crcAt, crc32c(bytes.subarray(crcAt + 4, bytes.length)));
}
