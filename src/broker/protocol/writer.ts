/** An append-only byte builder for Kafka frames. */
export class Writer {
  private buf: Buffer;
  length = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  int8(v: number): this {
    const at = this.ensure(1);
    this.buf.writeInt8(v, at);
    return this;
  }
  int16(v: number): this {
    const at = this.ensure(2);
    this.buf.writeInt16BE(v, at);
    return this;
  }
  uint16(v: number): this {
    const at = this.ensure(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }
  int32(v: number): this {
    const at = this.ensure(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }
  uint32(v: number): this {
    const at = this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, at);
    return this;
  }
  int64(v: bigint): this {
    const at = this.ensure(8);
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), at);
    return this;
  }
  float64(v: number): this {
    const at = this.ensure(8);
    this.buf.writeDoubleBE(v, at);
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  raw(b: Uint8Array): this {
    const at = this.ensure(b.length);
    this.buf.set(b, at);
    return this;
  }
  uvarint(v: number): this {
    while (v >= 0x80) {
      const at = this.ensure(1);
      this.buf[at] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    const at = this.ensure(1);
    this.buf[at] = v;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  varlong(v: bigint): this {
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (z >= 0x80n) {
      const at = this.ensure(1);
      this.buf[at] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    const at = this.ensure(1);
    this.buf[at] = Number(z);
    return this;
  }
  uuid(hex: string): this {
    return this.raw(Buffer.from(hex.padStart(32, '0').slice(0, 32), 'hex'));
  }
  /** writes a placeholder int32 and returns a function that fills it with the bytes written since */
  sizePrefix(): () => void {
    const at = this.ensure(4);
    return () => this.buf.writeInt32BE(this.length - at - 4, at);
  }
  /** overwrites an int32/uint32 at a position */
  patchUint32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
