/**
 * Binary encoding of one record batch (one LevelDB value). Batches rather than single records
 * per LevelDB entry is what makes append and fetch run at hundreds of thousands of records/s.
 *
 * Layout (big-endian header, then records):
 *   u8  magic (2)   u8 flags   u16 reserved
 *   u32 record count
 *   u32 lastOffsetDelta   last offset the batch covers - base offset; kept when compaction
 *                         drops the tail so the partition's next offset survives a restart
 *   f64 baseTimestamp     f64 maxTimestamp (retention.ms)   f64 deleteHorizonMs (0 = none;
 *                         set by the compaction run that first kept this batch's tombstones)
 *   u32 crc32c            CRC32C (Kafka's record batch checksum) of the LevelDB key, then the
 *                         batch without these four bytes: a flipped byte anywhere in the batch
 *                         or its key (which holds topic id, partition and base offset) fails it
 *   records: varint offsetDelta, zigzag varint timestamp - baseTimestamp,
 *            varint keyLen+1 (0 = null) + key, varint valueLen+1 (0 = null) + value,
 *            varint headerCount, per header: varint keyBytes + utf8 key, varint valueLen+1 + value
 *
 * Magic 1 (the first format: the same without the checksum, records at byte 36) is still read.
 * Flag LOST marks a record-less batch standing for offsets that went missing from the log
 * directory (local-log.ts writes it when it finds them gone): fetching them is an error.
 *
 * Offsets are explicit per record (not implied by position) because compaction removes records
 * while the survivors keep their offsets.
 */
import { LogError } from '../../common/errors.js';
import { FetchedRecordObject } from '../fetched-record-object.js';
import type { FetchedRecord, RecordHeader } from '../log.js';
import { crc32c } from '@node-rs/crc32';

export const BATCH_MAGIC = 2;
/** the format before checksums: read, never written */
export const BATCH_MAGIC_V1 = 1;
export const BATCH_HEADER_SIZE = 40;
const V1_HEADER_SIZE = 36;
const CRC_POS = 36;
/** flags bit: the batch stands for lost offsets (no records) */
export const BATCH_FLAG_LOST = 1;
/** timestamps are kept within ±2^51 ms so zigzag deltas stay exact doubles */
export const MAX_ABS_TIMESTAMP = 2 ** 51;

/** shared by records without headers; never handed out (fetch gives each record its own []) */
const EMPTY_HEADERS: RecordHeader[] = [];

export interface BatchHeader {
  magic: number;
  flags: number;
  count: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  deleteHorizonMs: number;
}

/**
 * A record to encode. ProduceRecords fit as they are (no copy per record): a missing timestamp
 * is encodeBatch's defaultTimestamp, missing headers are none.
 */
export interface EncodableRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp?: number;
  headers?: readonly RecordHeader[];
}

/** A decoded record with its absolute offset as a plain number (internal to the adapter). */
export interface DecodedRecord extends EncodableRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export function varintSize(n: number): number {
  // comparisons for the usual sizes: this runs several times per record when encoding
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    // `& 127` is exact for integers up to 2^53: ToInt32 keeps the low bits
    buf[pos++] = (n & 127) | 128;
    n = n < 4294967296 ? n >>> 7 : Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Bytes of a batch holding this record alone (what max.message.bytes limits). */
export function singleRecordBatchSize(r: EncodableRecord): number {
  // offset delta and timestamp delta are both 0: one byte each
  let size = BATCH_HEADER_SIZE + 2;
  const k = r.key;
  const v = r.value;
  size += k === null ? 1 : varintSize(k.length + 1) + k.length;
  size += v === null ? 1 : varintSize(v.length + 1) + v.length;
  const hs = r.headers ?? EMPTY_HEADERS;
  size += varintSize(hs.length);
  for (const h of hs) {
    const kl = Buffer.byteLength(h.key, 'utf8');
    size += varintSize(kl) + kl + (h.value === null ? 1 : varintSize(h.value.length + 1) + h.value.length);
  }
  return size;
}

/** Size of a record's payload for maxBytes / retention accounting. */
export function recordPayloadSize(r: EncodableRecord): number {
  let size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers !== undefined) for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0);
  return size;
}

/**
 * Encodes records as a batch whose offsets are `offsets[i]` or, when omitted, baseOffset + i.
 * lastOffset is the last offset the batch covers (>= the last record's offset).
 */
export function encodeBatch(
  baseOffset: number,
  lastOffset: number,
  records: readonly EncodableRecord[],
  offsets: readonly number[] | undefined,
  deleteHorizonMs: number,
  defaultTimestamp: number,
): Buffer {
  const n = records.length;
  const baseTimestamp = n > 0 ? (records[0].timestamp ?? defaultTimestamp) : 0;
  let maxTimestamp = -Infinity;
  for (let i = 0; i < n; i++) {
    const ts = records[i].timestamp ?? defaultTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
  }
  if (n === 0) maxTimestamp = 0;
  // header key lengths are measured once and reused while writing
  let size = BATCH_HEADER_SIZE;
  let headerKeyLens: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const offsetDelta = offsets === undefined ? i : offsets[i] - baseOffset;
    size += varintSize(offsetDelta) + varintSize(zigzag((r.timestamp ?? defaultTimestamp) - baseTimestamp));
    const k = r.key;
    const v = r.value;
    size += k === null ? 1 : varintSize(k.length + 1) + k.length;
    size += v === null ? 1 : varintSize(v.length + 1) + v.length;
    const hs = r.headers ?? EMPTY_HEADERS;
    size += varintSize(hs.length);
    for (let j = 0; j < hs.length; j++) {
      const h = hs[j];
      const kl = Buffer.byteLength(h.key, 'utf8');
      (headerKeyLens ??= []).push(kl);
      size += varintSize(kl) + kl + (h.value === null ? 1 : varintSize(h.value.length + 1) + h.value.length);
    }
  }
  const buf = Buffer.allocUnsafe(size);
  buf[0] = BATCH_MAGIC;
  buf[1] = 0;
  buf.writeUInt16BE(0, 2);
  buf.writeUInt32BE(0, CRC_POS); // sealBatch writes the checksum once the key is known
  buf.writeUInt32BE(n, 4);
  buf.writeUInt32BE(lastOffset - baseOffset, 8);
  buf.writeDoubleBE(baseTimestamp, 12);
  buf.writeDoubleBE(maxTimestamp, 20);
  buf.writeDoubleBE(deleteHorizonMs, 28);
  let pos = BATCH_HEADER_SIZE;
  let hk = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    pos = writeVarint(buf, pos, offsets === undefined ? i : offsets[i] - baseOffset);
    pos = writeVarint(buf, pos, zigzag((r.timestamp ?? defaultTimestamp) - baseTimestamp));
    const k = r.key;
    if (k === null) buf[pos++] = 0;
    else {
      pos = writeVarint(buf, pos, k.length + 1);
      buf.set(k, pos);
      pos += k.length;
    }
    const v = r.value;
    if (v === null) buf[pos++] = 0;
    else {
      pos = writeVarint(buf, pos, v.length + 1);
      buf.set(v, pos);
      pos += v.length;
    }
    const hs = r.headers ?? EMPTY_HEADERS;
    pos = writeVarint(buf, pos, hs.length);
    for (let j = 0; j < hs.length; j++) {
      const h = hs[j];
      const kl = headerKeyLens![hk++];
      pos = writeVarint(buf, pos, kl);
      buf.write(h.key, pos, kl, 'utf8');
      pos += kl;
      if (h.value === null) buf[pos++] = 0;
      else {
        pos = writeVarint(buf, pos, h.value.length + 1);
        buf.set(h.value, pos);
        pos += h.value.length;
      }
    }
  }
  return buf;
}

/** A record-less batch that covers [baseOffset, lastOffset] and marks those offsets as lost. */
export function encodeLostBatch(baseOffset: number, lastOffset: number): Buffer {
  const buf = encodeBatch(baseOffset, lastOffset, [], undefined, 0, 0);
  buf[1] = BATCH_FLAG_LOST;
  return buf;
}

function batchChecksum(key: Buffer, batch: Buffer): number {
  let crc = crc32c(key);
  crc = crc32c(batch.subarray(0, CRC_POS), crc);
  return crc32c(batch.subarray(BATCH_HEADER_SIZE), crc);
}

/** Writes the batch's checksum, which covers its LevelDB key too (call once the batch is final). */
export function sealBatch(key: Buffer, batch: Buffer): Buffer {
  batch.writeUInt32BE(batchChecksum(key, batch), CRC_POS);
  return batch;
}

/** Where a damaged batch is, for error messages. */
export interface BatchLocation {
  topic: string;
  partition: number;
  baseOffset: number;
}

/**
 * Checks a stored batch against its checksum (magic 2) or, for a first-format batch, that its
 * records stay within its bytes. Returns what is wrong, or undefined when the batch is sound.
 */
export function batchProblem(key: Buffer, batch: Buffer): string | undefined {
  if (batch.length < V1_HEADER_SIZE) return `a batch of ${batch.length} bytes is shorter than its header`;
  const magic = batch[0];
  if (magic === BATCH_MAGIC) {
    if (batch.length < BATCH_HEADER_SIZE) return `a batch of ${batch.length} bytes is shorter than its header`;
    const stored = batch.readUInt32BE(CRC_POS);
    const computed = batchChecksum(key, batch);
    if (stored !== computed) return `checksum mismatch (stored ${hex(stored)}, computed ${hex(computed)})`;
    return undefined;
  }
  if (magic === BATCH_MAGIC_V1) {
    // no checksum: at least the records must decode within the batch's bytes
    let overrun = false;
    forEachRecord(batch, 0, -Infinity, () => true, () => (overrun = true));
    return overrun ? 'records run past the end of the batch' : undefined;
  }
  return `unknown batch format (magic byte ${magic})`;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * The error for a batch that failed batchProblem: names topic, partition and the offsets it
 * claims to cover (the key's base offset; the end only when the header still says it).
 */
export function corruptBatchError(at: BatchLocation, batch: Buffer, problem: string): LogError {
  let range = `offset ${at.baseOffset}`;
  if (batch.length >= 12) {
    const delta = batch.readUInt32BE(8);
    range = delta === 0 ? `offset ${at.baseOffset}` : `offsets ${at.baseOffset}..${at.baseOffset + delta} (as far as its damaged header says)`;
  }
  return new LogError(`corrupt record batch in ${at.topic}-${at.partition} at ${range}: ${problem}; the batch is not served`, 'CORRUPT', {
    topic: at.topic,
    partition: at.partition,
    offset: BigInt(at.baseOffset),
  });
}

/** Reads a batch's header after checking the whole batch (throws a CORRUPT LogError). */
export function readVerifiedHeader(key: Buffer, batch: Buffer, at: BatchLocation): BatchHeader {
  const problem = batchProblem(key, batch);
  if (problem !== undefined) throw corruptBatchError(at, batch, problem);
  return readBatchHeader(batch);
}

export function readBatchHeader(buf: Uint8Array): BatchHeader {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < V1_HEADER_SIZE || (b[0] !== BATCH_MAGIC && b[0] !== BATCH_MAGIC_V1) || (b[0] === BATCH_MAGIC && b.length < BATCH_HEADER_SIZE)) {
    throw new LogError(`corrupt record batch (magic ${b[0]}, ${b.length} bytes)`, 'CORRUPT');
  }
  return {
    magic: b[0],
    flags: b[1],
    count: b.readUInt32BE(4),
    lastOffsetDelta: b.readUInt32BE(8),
    baseTimestamp: b.readDoubleBE(12),
    maxTimestamp: b.readDoubleBE(20),
    deleteHorizonMs: b.readDoubleBE(28),
  };
}

/**
 * Walks a batch's records in order, calling `visit` with each decoded record (offsets absolute).
 * Stops early when visit returns false. Records before `fromOffset` are skipped without
 * materialising their key, value or headers.
 */
export function forEachRecord(
  buf: Buffer,
  baseOffset: number,
  fromOffset: number,
  visit: (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]) => boolean,
  onOverrun?: () => void,
): void {
  const count = buf.readUInt32BE(4);
  const baseTimestamp = buf.readDoubleBE(12);
  let pos = buf[0] === BATCH_MAGIC_V1 ? V1_HEADER_SIZE : BATCH_HEADER_SIZE;
  // varints decoded inline: this loop is the fetch hot path
  for (let i = 0; i < count; i++) {
    let b = buf[pos++];
    let offsetDelta = b & 127;
    for (let mul = 128; b & 128; mul *= 128) {
      b = buf[pos++];
      offsetDelta += (b & 127) * mul;
    }
    b = buf[pos++];
    let tz = b & 127;
    for (let mul = 128; b & 128; mul *= 128) {
      b = buf[pos++];
      tz += (b & 127) * mul;
    }
    b = buf[pos++];
    let kl = b & 127;
    for (let mul = 128; b & 128; mul *= 128) {
      b = buf[pos++];
      kl += (b & 127) * mul;
    }
    const keyStart = pos;
    if (kl > 0) pos += kl - 1;
    b = buf[pos++];
    let vl = b & 127;
    for (let mul = 128; b & 128; mul *= 128) {
      b = buf[pos++];
      vl += (b & 127) * mul;
    }
    const valueStart = pos;
    if (vl > 0) pos += vl - 1;
    b = buf[pos++];
    let hc = b & 127;
    for (let mul = 128; b & 128; mul *= 128) {
      b = buf[pos++];
      hc += (b & 127) * mul;
    }
    if (pos > buf.length && onOverrun !== undefined) {
      onOverrun();
      return;
    }
    const offset = baseOffset + offsetDelta;
    const wanted = offset >= fromOffset;
    let headers: RecordHeader[] = EMPTY_HEADERS;
    if (hc > 0) {
      if (wanted) headers = [];
      for (let j = 0; j < hc; j++) {
        b = buf[pos++];
        let hkl = b & 127;
        for (let mul = 128; b & 128; mul *= 128) {
          b = buf[pos++];
          hkl += (b & 127) * mul;
        }
        const hkStart = pos;
        pos += hkl;
        b = buf[pos++];
        let hvl = b & 127;
        for (let mul = 128; b & 128; mul *= 128) {
          b = buf[pos++];
          hvl += (b & 127) * mul;
        }
        const hvStart = pos;
        if (hvl > 0) pos += hvl - 1;
        if (wanted) {
          headers.push({
            key: buf.toString('utf8', hkStart, hkStart + hkl),
            value: hvl === 0 ? null : buf.subarray(hvStart, hvStart + hvl - 1),
          });
        }
      }
    }
    if (pos > buf.length && onOverrun !== undefined) {
      onOverrun();
      return;
    }
    if (!wanted) continue;
    if (headers === EMPTY_HEADERS) headers = [];
    const key = kl === 0 ? null : buf.subarray(keyStart, keyStart + kl - 1);
    const value = vl === 0 ? null : buf.subarray(valueStart, valueStart + vl - 1);
    if (!visit(offset, baseTimestamp + unzigzag(tz), key, value, headers)) return;
  }
}


/** All records of a batch (compaction and tests). */
export function decodeBatch(buf: Buffer, baseOffset: number): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  forEachRecord(buf, baseOffset, -Infinity, (offset, timestamp, key, value, headers) => {
    out.push({ offset, timestamp, key, value, headers });
    return true;
  });
  return out;
}

/** What a fetch has gathered so far across batches. */
export interface FetchAccumulator {
  readonly topic: string;
  readonly partition: number;
  readonly out: FetchedRecord[];
  readonly maxRecords: number;
  readonly maxBytes: number;
  bytes: number;
  /** a limit was reached: stop reading batches */
  full: boolean;
  /** offset of the last record taken, or -1 */
  lastOffset: number;
}

/** Decodes a batch's records from fromOffset on into the accumulator, within its limits. */
export function decodeForFetch(buf: Buffer, baseOffset: number, fromOffset: number, acc: FetchAccumulator): void {
  const { out, topic, partition, maxRecords, maxBytes } = acc;
  forEachRecord(buf, baseOffset, fromOffset, (offset, timestamp, key, value, headers) => {
    let size = (key?.length ?? 0) + (value?.length ?? 0);
    for (const h of headers) size += h.key.length + (h.value?.length ?? 0);
    // at least one record per fetch, however large (Kafka's rule)
    if (out.length > 0 && acc.bytes + size > maxBytes) {
      acc.full = true;
      return false;
    }
    out.push(new FetchedRecordObject(topic, partition, BigInt(offset), key, value, timestamp, headers));
    acc.bytes += size;
    acc.lastOffset = offset;
    if (out.length >= maxRecords || acc.bytes >= maxBytes) {
      acc.full = true;
      return false;
    }
    return true;
  });
}

/** One stored batch as LevelDB holds it, with the base offset its key names. */
export interface StoredBatch {
  readonly base: number;
  readonly value: Buffer;
}

/** What LocalLog.fetchStored reads: stored batches, for a reader that decodes them itself. */
export interface StoredFetch {
  /** in offset order; the first may hold records before the offset asked for */
  readonly batches: StoredBatch[];
  /** the offset a read continues from once every record of these batches is taken */
  readonly end: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
}

/**
 * A StoredFetch as one standalone buffer (its own ArrayBuffer, to transfer to another thread):
 *   f64 end, f64 highWatermark, f64 logStartOffset, u32 batch count,
 *   per batch: f64 base, u32 length, the stored bytes
 */
export function packStoredFetch(f: StoredFetch): Uint8Array {
  let size = 28;
  for (const b of f.batches) size += 12 + b.value.length;
  const buf = Buffer.from(new ArrayBuffer(size));
  buf.writeDoubleLE(f.end, 0);
  buf.writeDoubleLE(f.highWatermark, 8);
  buf.writeDoubleLE(f.logStartOffset, 16);
  buf.writeUInt32LE(f.batches.length, 24);
  let at = 28;
  for (const b of f.batches) {
    buf.writeDoubleLE(b.base, at);
    buf.writeUInt32LE(b.value.length, at + 8);
    buf.set(b.value, at + 12);
    at += 12 + b.value.length;
  }
  return new Uint8Array(buf.buffer, 0, size);
}

/**
 * Decodes a packed StoredFetch: at most `maxRecords` records from `fromOffset` on, and the
 * offset the next fetch continues from (after the last record taken when the limit cut the
 * batches short, else the fetch's end), as LocalLog.fetch would answer with that limit.
 */
export function unpackStoredFetch(
  data: Uint8Array,
  topic: string,
  partition: number,
  fromOffset: number,
  maxRecords: number,
): { records: FetchedRecord[]; nextOffset: number; highWatermark: number; logStartOffset: number } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const end = buf.readDoubleLE(0);
  const highWatermark = buf.readDoubleLE(8);
  const logStartOffset = buf.readDoubleLE(16);
  const n = buf.readUInt32LE(24);
  const out: FetchedRecord[] = [];
  let full = false;
  let lastOffset = -1;
  let at = 28;
  const visit = (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]): boolean => {
    out.push(new FetchedRecordObject(topic, partition, BigInt(offset), key, value, timestamp, headers));
    lastOffset = offset;
    if (out.length < maxRecords) return true;
    full = true;
    return false;
  };
  for (let i = 0; i < n && !full; i++) {
    const base = buf.readDoubleLE(at);
    const length = buf.readUInt32LE(at + 8);
    forEachRecord(buf.subarray(at + 12, at + 12 + length), base, fromOffset, visit);
    at += 12 + length;
  }
  return { records: out, nextOffset: full ? lastOffset + 1 : end, highWatermark, logStartOffset };
}
