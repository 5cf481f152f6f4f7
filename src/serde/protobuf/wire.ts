/**
 * The protobuf wire format: varints (plain and zigzag), fixed 32/64-bit little-endian values and
 * length-delimited fields, read from a Buffer with bounds checks (a malformed record throws a
 * RecordFailure, never reads out of range) and written into a growable buffer.
 */
import { RecordFailure } from '../serde-failure.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** protobuf-java's default recursion limit for nested messages and groups */
export const MAX_NESTING = 100;

function truncated(): RecordFailure {
  return new RecordFailure(
    'While parsing a protocol message, the input ended unexpectedly in the middle of a field. ' +
      'This could mean either that the input has been truncated or that an embedded message misreported its own length.',
  );
}

function malformedVarint(): RecordFailure {
  return new RecordFailure('CodedInputStream encountered a malformed varint.');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ProtoReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.end) throw truncated();
    return this.buf[this.pos++]!;
  }

  /** A varint's low 32 bits, as a signed int32 (int32 and enum fields, tags, lengths). */
  varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      if (shift < 32) result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result | 0;
    }
    throw malformedVarint();
  }

  /** A varint as an unsigned 64-bit value (bits beyond 64 are dropped, as protobuf-java does). */
  varint64(): bigint {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return BigInt(n);
      mul *= 128;
    }
    let big = BigInt(n);
    let shift = 49n;
    for (let i = 7; i < 10; i++) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, big);
      shift += 7n;
    }
    throw malformedVarint();
  }

  /** A length prefix; checks the bytes it announces are there. */
  length(): number {
    const n = this.varint32() >>> 0;
    if (n > this.end - this.pos) throw truncated();
    return n;
  }

  fixed32(): number {
    if (this.end - this.pos < 4) throw truncated();
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  sfixed32(): number {
    if (this.end - this.pos < 4) throw truncated();
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  float(): number {
    if (this.end - this.pos < 4) throw truncated();
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    if (this.end - this.pos < 8) throw truncated();
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  sfixed64(): bigint {
    if (this.end - this.pos < 8) throw truncated();
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  double(): number {
    if (this.end - this.pos < 8) throw truncated();
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** a length-delimited UTF-8 string; invalid UTF-8 is an error, as for proto3 in protobuf-java */
  string(): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    try {
      return utf8.decode(this.buf.subarray(start, start + n));
    } catch {
      throw new RecordFailure('Protocol message had invalid UTF-8.');
    }
  }

  /** a length-delimited byte string, copied out of the record */
  bytes(): Buffer {
    const n = this.length();
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** Skips a field of the given wire type (its tag already read). */
  skip(wireType: number, fieldNumber: number, depth: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) throw truncated();
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos += this.length();
        return;
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) throw truncated();
        this.pos += 4;
        return;
      case WIRE_START_GROUP: {
        if (depth >= MAX_NESTING) throw tooDeep();
        for (;;) {
          const tag = this.varint32() >>> 0;
          const wt = tag & 7;
          if (wt === WIRE_END_GROUP) {
            if (tag >>> 3 !== fieldNumber) throw new RecordFailure('Protocol message end-group tag did not match expected tag.');
            return;
          }
          this.skip(wt, tag >>> 3, depth + 1);
        }
      }
      default:
        throw new RecordFailure(`Protocol message contained an invalid tag (wire type ${wireType}).`);
    }
  }
}

export function tooDeep(): RecordFailure {
  return new RecordFailure(
    'Protocol message had too many levels of nesting.  May be malicious.  Use CodedInputStream.setRecursionLimit() to increase the depth limit.',
  );
}

export function zigzagDecode32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

export function zigzagDecode64(n: bigint): bigint {
  return BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
}

export function zigzagEncode32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

export function zigzagEncode64(n: bigint): bigint {
  const s = BigInt.asIntN(64, n);
  return BigInt.asUintN(64, (s << 1n) ^ (s >> 63n));
}

export class ProtoWriter {
  private buf: Buffer = Buffer.allocUnsafe(64);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  get length(): number {
    return this.len;
  }

  tag(fieldNumber: number, wireType: number): void {
    this.uvarint(fieldNumber * 8 + wireType);
  }

  /** a non-negative integer up to 2^53 */
  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  /** int32 / enum: negative values are sign-extended to 64 bits (ten bytes) */
  int32(v: number): void {
    if (v >= 0) this.uvarint(v);
    else this.varint64(BigInt(v));
  }

  /** any 64-bit value, written as its unsigned two's complement */
  varint64(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    if (u <= 0x1fffffffffffffn) {
      this.uvarint(Number(u));
      return;
    }
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.len++] = Number(u);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
  }

  sfixed32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v | 0, this.len);
    this.len += 4;
  }

  float(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.len);
    this.len += 4;
  }

  fixed64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.len);
    this.len += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  /** a length-prefixed byte string */
  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.raw(b);
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** a copy of what was written */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  /** a view of what was written (valid until the next write) */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
