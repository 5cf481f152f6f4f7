/**
 * A compact binary codec for runtime SQL values (see sql-types.ts) and plain arrays/objects of
 * them. Used for state stores, aggregate accumulators and the command log, so it round-trips
 * exactly: doubles bit for bit (NaN, ±Infinity, -0), bigint of any size, Decimal values (decimal.js
 * keeps no trailing zeros, so the value, not a scale, is what is kept), Map key types and insertion
 * order, and `undefined` (distinct from null) inside objects and arrays.
 *
 * Layout: one tag byte, then the payload. Lengths and small integers are unsigned LEB128 varints;
 * signed small integers are zigzag encoded first.
 */
import { Decimal } from 'decimal.js';
import { SerdeError } from './errors.js';

const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_INT = 3; // zigzag varint, for integers in int32 range (and not -0)
const T_DOUBLE = 4; // float64 LE
const T_BIGINT64 = 5; // int64 LE
const T_BIGINT_BIG = 6; // decimal string, for bigints outside int64
const T_DECIMAL = 7; // string form of the Decimal
const T_STRING = 8;
const T_BYTES = 9;
const T_ARRAY = 10;
const T_MAP = 11;
const T_OBJECT = 12;
const T_UNDEFINED = 13;
const T_EMPTY_STRING = 14;


/** Reusable output buffer: encoding is synchronous, so one scratch area suffices. */
let out = Buffer.allocUnsafe(64 * 1024);
let pos = 0;
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
// Buffer's writeBigInt64LE / readBigInt64LE are slow (bounds checks and bigint arithmetic in JS);
// a typed array view does the conversion natively. Both are little-endian on every Node platform.
const i64 = new BigInt64Array(1);
const i64Bytes = new Uint8Array(i64.buffer);

function ensure(n: number): void {
  if (pos + n <= out.length) return;
  let size = out.length * 2;
  while (size < pos + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  out.copy(next, 0, 0, pos);
  out = next;
}

/** the 8 bytes of a conversion view at pos (a TypedArray.set call per value cost more than the copy) */
function put8(bytes: Uint8Array): void {
  const o = out;
  const p = pos;
  o[p] = bytes[0]!;
  o[p + 1] = bytes[1]!;
  o[p + 2] = bytes[2]!;
  o[p + 3] = bytes[3]!;
  o[p + 4] = bytes[4]!;
  o[p + 5] = bytes[5]!;
  o[p + 6] = bytes[6]!;
  o[p + 7] = bytes[7]!;
  pos = p + 8;
}

function writeVarint(n: number): void {
  // callers guarantee 0 <= n < 2^32 for the fast path; larger lengths are still written exactly
  ensure(10);
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
}

function writeString(s: string): void {
  const len = s.length;
  // ASCII fast path: byte length equals char length, written without a TextEncoder call
  if (len < 128) {
    ensure(1 + len * 3);
    const start = pos + 1;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[start + i] = c;
    }
    if (i === len) {
      out[pos] = len;
      pos = start + len;
      return;
    }
  }
  const bytes = Buffer.byteLength(s, 'utf8');
  writeVarint(bytes);
  ensure(bytes);
  out.write(s, pos, bytes, 'utf8');
  pos += bytes;
}

function writeValue(v: unknown): void {
  if (v === null) {
    ensure(1);
    out[pos++] = T_NULL;
    return;
  }
  switch (typeof v) {
    case 'boolean':
      ensure(1);
      out[pos++] = v ? T_TRUE : T_FALSE;
      return;
    case 'number':
      if ((v | 0) === v && !(v === 0 && 1 / v < 0)) {
        ensure(1);
        out[pos++] = T_INT;
        writeVarint(((v << 1) ^ (v >> 31)) >>> 0);
      } else {
        ensure(9);
        out[pos++] = T_DOUBLE;
        f64[0] = v;
        put8(f64Bytes);
      }
      return;
    case 'string':
      ensure(1);
      if (v.length === 0) {
        out[pos++] = T_EMPTY_STRING;
        return;
      }
      out[pos++] = T_STRING;
      writeString(v);
      return;
    case 'bigint':
      // the typed array wraps a bigint outside int64: what it holds is v exactly when v fits
      i64[0] = v;
      if (i64[0] === v) {
        ensure(9);
        out[pos++] = T_BIGINT64;
        put8(i64Bytes);
      } else {
        ensure(1);
        out[pos++] = T_BIGINT_BIG;
        writeString(v.toString());
      }
      return;
    case 'undefined':
      ensure(1);
      out[pos++] = T_UNDEFINED;
      return;
    case 'object':
      writeObject(v as object);
      return;
    default:
      throw new SerdeError(`cannot encode a value of JavaScript type ${typeof v}`);
  }
}

function writeObject(v: object): void {
  if (Array.isArray(v)) {
    ensure(1);
    out[pos++] = T_ARRAY;
    const n = v.length;
    writeVarint(n);
    // at(i), not v[i]: an indexed read in code that sees arrays of several elements kinds makes
    // V8 turn each array it reads into the most general kind in place, so a state value updated in
    // place (an aggregate's accumulators, a join's times) would deoptimize its operator's code and
    // have its numbers boxed from then on (for-of leaves it too, but costs more)
    for (let i = 0; i < n; i++) writeValue(v.at(i));
    return;
  }
  if (v instanceof Uint8Array) {
    ensure(1);
    out[pos++] = T_BYTES;
    writeVarint(v.length);
    ensure(v.length);
    out.set(v, pos);
    pos += v.length;
    return;
  }
  if (v instanceof Decimal) {
    ensure(1);
    out[pos++] = T_DECIMAL;
    // decimal.js prints -0 as '0': keep the sign explicitly
    writeString(v.isZero() && v.isNegative() ? '-0' : v.toString());
    return;
  }
  if (v instanceof Map) {
    ensure(1);
    out[pos++] = T_MAP;
    writeVarint(v.size);
    for (const [k, val] of v) {
      writeValue(k);
      writeValue(val);
    }
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    ensure(1);
    out[pos++] = T_OBJECT;
    const keys = Object.keys(v);
    writeVarint(keys.length);
    for (const k of keys) {
      writeString(k);
      writeValue((v as Record<string, unknown>)[k]);
    }
    return;
  }
  throw new SerdeError(`cannot encode an object of class ${proto?.constructor?.name ?? 'unknown'}`);
}

/** the bytes written, in a Buffer of their own (most values are short: copied in JS, no native call) */
function copyOut(): Buffer {
  const n = pos;
  const result = Buffer.allocUnsafe(n);
  if (n > 64) out.copy(result, 0, 0, n);
  else for (let i = 0; i < n; i++) result[i] = out[i]!;
  return result;
}

/** Encodes a runtime SQL value (or plain arrays/objects of them) into a new Buffer. */
export function encodeValue(v: unknown): Buffer {
  pos = 0;
  writeValue(v);
  const result = copyOut();
  // don't keep a huge scratch buffer alive after one big value
  if (out.length > 16 * 1024 * 1024) out = Buffer.allocUnsafe(64 * 1024);
  return result;
}

/**
 * Encodes `[kept, ...extras]`, where `kept` is `row` with only the columns in `needed` (ascending
 * indices; undefined: all) and NULL elsewhere, byte for byte as encodeValue would that array,
 * without building it (repartition topics write every record this way).
 */
export function encodeRowTuple(row: readonly unknown[], needed: readonly number[] | undefined, extras: readonly unknown[]): Buffer {
  pos = 0;
  ensure(1);
  out[pos++] = T_ARRAY;
  writeVarint(1 + extras.length);
  ensure(1);
  out[pos++] = T_ARRAY;
  const n = row.length;
  writeVarint(n);
  if (needed) {
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (j < needed.length && needed[j] === i) {
        j++;
        writeValue(row[i]);
      } else {
        ensure(1);
        out[pos++] = T_NULL;
      }
    }
    if (j < needed.length) {
      // not ascending (or out of range): build the row as it is meant
      const kept = new Array<unknown>(n).fill(null);
      for (const i of needed) kept[i] = row[i];
      return encodeValue([kept, ...extras]);
    }
  } else for (let i = 0; i < n; i++) writeValue(row[i]);
  for (let i = 0; i < extras.length; i++) writeValue(extras[i]);
  const result = copyOut();
  if (out.length > 16 * 1024 * 1024) out = Buffer.allocUnsafe(64 * 1024);
  return result;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  fail(what: string): never {
    throw new SerdeError(`corrupt encoded value: ${what} at byte ${this.pos}`);
  }

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= buf.length) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 56) this.fail('varint too long');
    }
  }

  string(): string {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.buf.length) this.fail('truncated string');
    this.pos = end;
    if (len < 24) {
      // short strings: building from char codes beats a native call when the bytes are ASCII
      const buf = this.buf;
      let s = '';
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return buf.toString('utf8', start, end);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.buf.toString('utf8', start, end);
  }

  value(): unknown {
    const buf = this.buf;
    if (this.pos >= buf.length) this.fail('truncated value');
    const tag = buf[this.pos++];
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_INT: {
        const z = this.varint();
        return (z >>> 1) ^ -(z & 1);
      }
      case T_DOUBLE: {
        if (this.pos + 8 > buf.length) this.fail('truncated double');
        for (let i = 0; i < 8; i++) f64Bytes[i] = buf[this.pos + i]!;
        this.pos += 8;
        return f64[0];
      }
      case T_BIGINT64: {
        if (this.pos + 8 > buf.length) this.fail('truncated bigint');
        for (let i = 0; i < 8; i++) i64Bytes[i] = buf[this.pos + i]!;
        this.pos += 8;
        return i64[0];
      }
      case T_BIGINT_BIG:
        return BigInt(this.string());
      case T_DECIMAL:
        return new Decimal(this.string());
      case T_STRING:
        return this.string();
      case T_EMPTY_STRING:
        return '';
      case T_BYTES: {
        const len = this.varint();
        if (this.pos + len > buf.length) this.fail('truncated bytes');
        // a copy, so the result does not pin (or alias) the input buffer
        const b = Buffer.allocUnsafe(len);
        buf.copy(b, 0, this.pos, this.pos + len);
        this.pos += len;
        return b;
      }
      case T_ARRAY: {
        const n = this.varint();
        if (n > buf.length - this.pos) this.fail('array length exceeds input');
        const arr = new Array(n);
        for (let i = 0; i < n; i++) arr[i] = this.value();
        return arr;
      }
      case T_MAP: {
        const n = this.varint();
        if (n > buf.length - this.pos) this.fail('map size exceeds input');
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        return m;
      }
      case T_OBJECT: {
        const n = this.varint();
        if (n > buf.length - this.pos) this.fail('object size exceeds input');
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.string();
          const v = this.value();
          // plain assignment of '__proto__' would replace the prototype instead of adding a field
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case T_UNDEFINED:
        return undefined;
      default:
        this.pos--;
        return this.fail(`unknown tag ${tag}`);
    }
  }
}

/** Decodes what encodeValue produced. Throws SerdeError on corrupt or trailing input. */
export function decodeValue(b: Buffer | Uint8Array): unknown {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const r = new Reader(buf);
  const v = r.value();
  if (r.pos !== buf.length) r.fail('trailing bytes');
  return v;
}
