/**
 * Records of one topic written straight into stored batches as they are produced (a sink's
 * output): no key or value Buffer and no ProduceRecord per record, and the log appends the batches
 * as they are (LocalLog.commitEncoded) instead of checking and encoding every record at commit.
 * Batches are cut where the log's own appends cut them (MAX_BATCH_RECORDS, MAX_BATCH_PAYLOAD).
 *
 * A record is written field by field, in the batch format's order (batch-codec.ts):
 *
 *   out.start(timestamp);
 *   out.nullField();                                   // key: none
 *   const at = out.openField(); out.text('{"A":1}'); out.closeField(at);   // value
 *   out.headers([]);
 *   out.end();                                         // or out.abort(): as if never started
 *   out.take();                                        // the runs, for commitEncoded
 *
 * Timestamps must be what the log takes (encodable(): safe integers within ±MAX_ABS_TIMESTAMP): a
 * record with any other goes to the log as a record, which refuses it with its own error.
 */
import type { RecordHeader } from '../log.js';
import { BATCH_HEADER_SIZE, BATCH_MAGIC, MAX_ABS_TIMESTAMP, varintSize } from './batch-codec.js';
import { MAX_BATCH_PAYLOAD, MAX_BATCH_RECORDS, type EncodedRun } from './produce-runs.js';

const INITIAL_BYTES = MAX_BATCH_PAYLOAD + 4096;
/** text up to this many characters is written by a loop while it is ASCII (the native write costs more) */
const SHORT_TEXT = 64;
const TWO_32 = 2 ** 32;

export class BatchBuilder {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private pos = 0;
  private readonly runs: EncodedRun[] = [];
  /** the open batch's records, and what the log's cut counts of them (key and value bytes + 16 each) */
  private count = 0;
  private payload = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  private keyed = false;
  private maxRecordBytes = 0;
  /** the record being written: where it starts, its timestamp, its fields' bytes so far */
  private recordStart = 0;
  private recordTimestamp = 0;
  private fieldBytes = 0;
  private fieldsStart = 0;
  private keyNull = false;
  private fieldIndex = 0;
  private accepting = true;
  /** a record is being written: started, not yet ended or aborted */
  private open = false;

  /** `recorded` hears of every record ended, with its key and value bytes */
  constructor(
    readonly topic: string,
    private readonly recorded: (bytes: number) => void,
  ) {}

  /** whether a record of this timestamp can be written here */
  encodable(timestamp: number): boolean {
    return this.accepting && Number.isSafeInteger(timestamp) && Math.abs(timestamp) <= MAX_ABS_TIMESTAMP;
  }

  /** from now on every record goes as a record (before any is written: a topic's records go one way) */
  refuse(): void {
    this.accepting = false;
  }

  start(timestamp: number): void {
    // a record left unfinished (its writer threw) is dropped, never stored half-written
    if (this.open) this.pos = this.recordStart;
    this.open = true;
    if (this.count > 0 && (this.count >= MAX_BATCH_RECORDS || this.payload >= MAX_BATCH_PAYLOAD)) this.closeBatch();
    if (this.count === 0) {
      this.pos = BATCH_HEADER_SIZE;
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
      this.keyed = false;
      this.maxRecordBytes = 0;
    }
    this.recordStart = this.pos;
    this.recordTimestamp = timestamp;
    this.fieldBytes = 0;
    this.fieldIndex = 0;
    this.keyNull = false;
    this.ensure(20);
    this.varint(this.count);
    const delta = timestamp - this.baseTimestamp;
    this.varint(delta >= 0 ? delta * 2 : -delta * 2 - 1);
    this.fieldsStart = this.pos;
  }

  /** a null key or value */
  nullField(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0;
    if (this.fieldIndex++ === 0) this.keyNull = true;
  }

  /** a key or value of these bytes */
  bytesField(bytes: Uint8Array): void {
    this.ensure(5 + bytes.length);
    this.varint(bytes.length + 1);
    this.bytes(bytes);
    this.fieldBytes += bytes.length;
    this.fieldIndex++;
  }

  /** starts a key or value whose length is known once written (bytes, int64, text); closeField ends it */
  openField(): number {
    this.ensure(1);
    return this.pos++;
  }

  closeField(at: number): void {
    const length = this.pos - at - 1;
    const size = varintSize(length + 1);
    if (size > 1) {
      // the length prefix needs more than the byte kept for it: move the field up
      this.ensure(size - 1);
      this.buf.copyWithin(at + size, at + 1, this.pos);
      this.pos += size - 1;
    }
    let n = length + 1;
    let p = at;
    while (n >= 128) {
      this.buf[p++] = (n & 127) | 128;
      n >>>= 7;
    }
    this.buf[p] = n;
    this.fieldBytes += length;
    this.fieldIndex++;
  }

  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    // a loop beats the native copy for the few bytes of a typical key
    if (n <= 32) for (let i = 0; i < n; i++) buf[p++] = bytes[i]!;
    else {
      buf.set(bytes, p);
      p += n;
    }
    this.pos = p;
  }

  /** 8 bytes, big-endian two's complement, of an integral number of milliseconds */
  int64(ms: number): void {
    this.ensure(8);
    const v = Math.trunc(ms);
    if (Number.isSafeInteger(v)) {
      // two 32-bit halves (two's complement) byte by byte: Buffer's writers check their arguments
      const hi = Math.floor(v / TWO_32);
      const lo = v - hi * TWO_32;
      const buf = this.buf;
      const p = this.pos;
      buf[p] = hi >>> 24;
      buf[p + 1] = hi >>> 16;
      buf[p + 2] = hi >>> 8;
      buf[p + 3] = hi;
      buf[p + 4] = lo >>> 24;
      buf[p + 5] = lo >>> 16;
      buf[p + 6] = lo >>> 8;
      buf[p + 7] = lo;
    } else this.buf.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)), this.pos);
    this.pos += 8;
  }

  /** the UTF-8 bytes of `text` */
  text(text: string): void {
    const n = text.length;
    this.ensure(3 * n);
    const buf = this.buf;
    const start = this.pos;
    if (n <= SHORT_TEXT) {
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        this.pos = start + n;
        return;
      }
    }
    this.pos = start + buf.write(text, start, 'utf8');
  }

  headers(headers: readonly RecordHeader[]): void {
    this.ensure(5);
    this.varint(headers.length);
    for (const h of headers) {
      // a header key is its byte length, then the bytes (no + 1: it is never null)
      const length = Buffer.byteLength(h.key, 'utf8');
      this.ensure(5 + length);
      this.varint(length);
      this.text(h.key);
      if (h.value === null) {
        this.ensure(1);
        this.buf[this.pos++] = 0;
      } else {
        this.ensure(5 + h.value.length);
        this.varint(h.value.length + 1);
        this.bytes(h.value);
      }
    }
  }

  /** the record is complete */
  end(): void {
    this.open = false;
    const ts = this.recordTimestamp;
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
    if (!this.keyNull) this.keyed = true;
    // as a batch of its own: offset and timestamp deltas of one byte each
    const alone = BATCH_HEADER_SIZE + 2 + this.pos - this.fieldsStart;
    if (alone > this.maxRecordBytes) this.maxRecordBytes = alone;
    this.count++;
    this.payload += this.fieldBytes + 16;
    this.recorded(this.fieldBytes);
  }

  /** drops the record being written */
  abort(): void {
    if (this.open) this.pos = this.recordStart;
    this.open = false;
  }

  /** the batches written since the last take, and a fresh start */
  take(): EncodedRun[] {
    this.abort();
    if (this.count > 0) this.closeBatch();
    return this.runs.splice(0);
  }

  /** forgets every record written since the last take */
  clear(): void {
    this.open = false;
    this.count = 0;
    this.payload = 0;
    this.pos = 0;
    this.runs.length = 0;
  }

  private closeBatch(): void {
    const buf = this.buf;
    const n = this.count;
    buf[0] = BATCH_MAGIC;
    buf[1] = 0;
    buf.writeUInt16BE(0, 2);
    buf.writeUInt32BE(n, 4);
    buf.writeUInt32BE(n - 1, 8);
    buf.writeDoubleBE(this.baseTimestamp, 12);
    buf.writeDoubleBE(this.maxTimestamp, 20);
    buf.writeDoubleBE(0, 28);
    buf.writeUInt32BE(0, 36); // the checksum: the log's, once it knows the batch's key
    // its own memory: the log keeps it (LevelDB's write, the tail cache) while this one is reused
    const value = Buffer.allocUnsafe(this.pos);
    buf.copy(value, 0, 0, this.pos);
    this.runs.push({ topic: this.topic, partition: undefined, byKey: this.keyed, count: n, maxRecordBytes: this.maxRecordBytes, value });
    this.count = 0;
    this.payload = 0;
    this.pos = 0;
  }

  private varint(n: number): void {
    const buf = this.buf;
    let p = this.pos;
    while (n >= 128) {
      buf[p++] = (n & 127) | 128;
      n = n < 4294967296 ? n >>> 7 : Math.floor(n / 128);
    }
    buf[p++] = n;
    this.pos = p;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
