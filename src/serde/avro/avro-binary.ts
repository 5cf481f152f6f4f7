/**
 * Avro's binary encoding (zig-zag varints, little-endian floats, length-prefixed bytes and
 * strings, blocked arrays and maps). The reader checks every length against the bytes that are
 * left, so hostile input fails fast with an AvroDecodeError instead of allocating or looping.
 */

import { StacklessError } from '../stackless-error.js';

export class AvroDecodeError extends StacklessError {}

const TWO_32 = 2 ** 32;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class AvroReader {
  pos: number;
  /** items of zero-byte types read so far (capped: nothing real needs many) */
  private emptyItems = 0;

  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new AvroDecodeError('Unexpected end of input');
    return this.buf[this.pos++]!;
  }

  /** int: a zig-zag varint of at most 5 bytes (Java: "Invalid int encoding"). */
  readInt(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new AvroDecodeError('Invalid int encoding');
    }
    const u = n % TWO_32 >>> 0;
    return (u >>> 1) ^ -(u & 1);
  }

  /** long: a zig-zag varint of at most 10 bytes; a number when it is a safe integer, else a bigint. */
  readLong(): number | bigint {
    let n = 0;
    let shift = 0;
    let b: number;
    // up to 7 bytes (49 bits) stay exact in a double
    do {
      b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while ((b & 0x80) !== 0 && shift < 49);
    if ((b & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    let big = BigInt(n);
    let bigShift = 49n;
    for (;;) {
      b = this.byte();
      big |= BigInt(b & 0x7f) << bigShift;
      if ((b & 0x80) === 0) break;
      bigShift += 7n;
      if (bigShift > 63n) throw new AvroDecodeError('Invalid long encoding');
    }
    big = BigInt.asUintN(64, big);
    const v = BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n));
    return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
  }

  readLongBig(): bigint {
    const v = this.readLong();
    return typeof v === 'bigint' ? v : BigInt(v);
  }

  /** A length (bytes, string, block byte size): non-negative and within the input. */
  readLength(): number {
    const len = this.readLong();
    if (typeof len === 'bigint' || len < 0) throw new AvroDecodeError(`Invalid length: ${len}`);
    if (len > this.remaining) throw new AvroDecodeError('Unexpected end of input');
    return len;
  }

  readBoolean(): boolean {
    const b = this.byte();
    if (b > 1) throw new AvroDecodeError(`Invalid boolean value: ${b}`);
    return b === 1;
  }

  readFloat(): number {
    if (this.remaining < 4) throw new AvroDecodeError('Unexpected end of input');
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    if (this.remaining < 8) throw new AvroDecodeError('Unexpected end of input');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A copy: runtime values must not alias the record buffer. */
  readBytes(): Buffer {
    const len = this.readLength();
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return out;
  }

  readFixed(size: number): Buffer {
    if (size > this.remaining) throw new AvroDecodeError('Unexpected end of input');
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + size));
    this.pos += size;
    return out;
  }

  readString(): string {
    const len = this.readLength();
    const start = this.pos;
    this.pos += len;
    // short ASCII strings are cheaper to build by hand than through the UTF-8 decoder
    if (len <= 32) {
      const buf = this.buf;
      let s = '';
      for (let i = start; i < start + len; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return buf.toString('utf8', start, start + len);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.buf.toString('utf8', start, start + len);
  }

  skip(n: number): void {
    if (n > this.remaining) throw new AvroDecodeError('Unexpected end of input');
    this.pos += n;
  }

  skipBytes(): void {
    const len = this.readLength();
    this.pos += len;
  }

  /**
   * The item count of the next array / map block (0 at the end). A negative count is followed by
   * the block's size in bytes. minItemSize is the least an item can take: a count that cannot fit
   * the remaining input is rejected (items of size 0 are capped instead).
   */
  readBlockCount(minItemSize: number): number {
    let count = this.readLong();
    if (typeof count === 'bigint') throw new AvroDecodeError(`Invalid block count: ${count}`);
    if (count < 0) {
      count = -count;
      this.readLength();
    }
    if (minItemSize > 0) {
      if (count * minItemSize > this.remaining) throw new AvroDecodeError(`Invalid block count: ${count}`);
    } else {
      this.emptyItems += count;
      if (this.emptyItems > MAX_EMPTY_ITEMS) throw new AvroDecodeError(`Invalid block count: ${count}`);
    }
    return count;
  }
}

/** Items that take no bytes (nulls, empty records) are capped per record: nothing real needs more. */
const MAX_EMPTY_ITEMS = 1_000_000;

export class AvroWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far, after `prefix` reserved bytes at the start (see reserve). */
  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  writeInt(v: number): void {
    this.ensure(5);
    let n = ((v << 1) ^ (v >> 31)) >>> 0;
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  writeLong(v: number | bigint): void {
    if (typeof v === 'bigint' && v >= -0x8000000000000n && v < 0x8000000000000n) v = Number(v);
    if (typeof v === 'number') {
      if (v >= -0x40000000 && v < 0x40000000) {
        this.writeInt(v);
        return;
      }
      if (v >= -0x8000000000000 && v < 0x8000000000000) {
        // |v| < 2^51: the zig-zag value stays exact in a double
        this.ensure(10);
        let n = v >= 0 ? v * 2 : -v * 2 - 1;
        while (n > 0x7f) {
          this.buf[this.pos++] = (n % 128) | 0x80;
          n = Math.floor(n / 128);
        }
        this.buf[this.pos++] = n;
        return;
      }
    }
    this.ensure(10);
    const big = BigInt(v);
    let n = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
    while (n > 0x7fn) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }

  writeBoolean(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeFloat(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  writeDouble(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  writeBytes(v: Uint8Array): void {
    this.writeLong(v.length);
    this.writeRaw(v);
  }

  writeRaw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  writeString(v: string): void {
    const n = v.length;
    if (n <= 32) {
      // short ASCII strings: one pass, no encoder call
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (v.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.ensure(n + 1);
        this.buf[this.pos++] = n << 1;
        for (let i = 0; i < n; i++) this.buf[this.pos++] = v.charCodeAt(i);
        return;
      }
    }
    const len = Buffer.byteLength(v, 'utf8');
    this.writeLong(len);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, len, 'utf8');
  }
}

/** Two's complement big-endian, minimal length (Java's BigInteger.toByteArray). */
export function bigintToTwosComplement(v: bigint): Buffer {
  const magnitude = v < 0n ? -v - 1n : v;
  const bits = magnitude === 0n ? 0 : magnitude.toString(2).length;
  const width = Math.floor(bits / 8) + 1;
  return Buffer.from(BigInt.asUintN(width * 8, v).toString(16).padStart(width * 2, '0'), 'hex');
}

export function twosComplementToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) throw new AvroDecodeError('Zero length BigInteger');
  const u = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  return (bytes[0]! & 0x80) !== 0 ? u - (1n << BigInt(bytes.length * 8)) : u;
}
