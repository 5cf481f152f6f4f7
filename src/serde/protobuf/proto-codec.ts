/**
 * Protobuf messages <-> Sluice runtime values, with the semantics of Confluent's ProtobufData
 * and ksqlDB's ConnectDataTranslator:
 *
 * - reading: an absent scalar reads as its type's default (0, "", false) unless it tracks
 *   presence (proto3 `optional`, oneof members), an absent message (struct, wrapper, Timestamp,
 *   Decimal, ...) reads as NULL, absent repeated fields and maps as empty; wrappers read as their
 *   primitive; columns match fields case-insensitively; Connect's coercions apply (uint32 and
 *   int32 into BIGINT, float into DOUBLE, numbers and booleans into STRING), other mismatches fail
 *   with "Cannot deserialize type int64 as type int32 for path: ->C2".
 * - writing: NULL is "not set"; proto3 fields without presence skip their default value; null
 *   array elements and map entries cannot be written (protobuf has no null).
 *
 * Converters are compiled once per (schema, columns); records only run closures.
 */
import { Decimal } from 'decimal.js';
import { formatSqlType, type SqlType, type StructField } from '../../common/sql-types.js';
import { fitDecimalText } from '../decimal-fit.js';
import { javaDoubleToString } from '../java-number-text.js';
import { RecordFailure } from '../serde-failure.js';
import { protoFieldName } from './proto-derive.js';
import type { ProtoField, ProtoMessage, ProtoType, ScalarType } from './proto-schema.js';
import {
  MAX_NESTING,
  ProtoReader,
  ProtoWriter,
  tooDeep,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
  zigzagDecode32,
  zigzagDecode64,
  zigzagEncode32,
  zigzagEncode64,
} from './wire.js';
import { sqlConnectTypeName } from '../connect-types.js';

/** A decoded message: values by field index; undefined = not present. */
export type Decoded = unknown[];

// ---------------------------------------------------------------------------------------------
// decoding

function wireTypeOf(t: ProtoType): number {
  if (t.kind === 'message') return WIRE_LEN;
  if (t.kind === 'enum') return WIRE_VARINT;
  switch (t.scalar) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return WIRE_FIXED64;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return WIRE_FIXED32;
    case 'string':
    case 'bytes':
      return WIRE_LEN;
    default:
      return WIRE_VARINT;
  }
}

function readScalar(r: ProtoReader, s: ScalarType): unknown {
  switch (s) {
    case 'int32':
      return r.varint32();
    case 'uint32':
      return r.varint32() >>> 0;
    case 'sint32':
      return zigzagDecode32(r.varint32());
    case 'int64':
      return BigInt.asIntN(64, r.varint64());
    case 'uint64':
      return r.varint64();
    case 'sint64':
      return zigzagDecode64(r.varint64());
    case 'bool':
      return r.varint64() !== 0n;
    case 'fixed32':
      return r.fixed32();
    case 'sfixed32':
      return r.sfixed32();
    case 'float':
      return r.float();
    case 'fixed64':
      return r.fixed64();
    case 'sfixed64':
      return r.sfixed64();
    case 'double':
      return r.double();
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
  }
}

/** Decodes a message's bytes (merging into `into` when a message field repeats, as protobuf does). */
export function decodeMessage(msg: ProtoMessage, buf: Buffer, start: number, end: number, depth = 0, into?: Decoded): Decoded {
  if (depth > MAX_NESTING) throw tooDeep();
  const r = new ProtoReader(buf, start, end);
  const out: Decoded = into ?? new Array<unknown>(msg.fields.length);
  while (r.pos < end) {
    const tag = r.varint32() >>> 0;
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 0) throw new RecordFailure('Protocol message contained an invalid tag (zero).');
    const f = msg.byNumber.get(num);
    if (f === undefined) {
      r.skip(wt, num, depth);
      continue;
    }
    const expected = wireTypeOf(f.type);
    if (f.repeated) {
      let arr = out[f.index] as unknown[] | undefined;
      if (arr === undefined) out[f.index] = arr = [];
      if (wt === expected) {
        if (f.type.kind === 'message') {
          const n = r.length();
          arr.push(decodeMessage(f.type, buf, r.pos, r.pos + n, depth + 1));
          r.pos += n;
        } else {
          arr.push(f.type.kind === 'enum' ? r.varint32() : readScalar(r, f.type.scalar));
        }
      } else if (wt === WIRE_LEN && expected !== WIRE_LEN) {
        // packed: parsers accept both encodings whatever the field declares
        const n = r.length();
        const stop = r.pos + n;
        const sub = new ProtoReader(buf, r.pos, stop);
        while (sub.pos < stop) arr.push(f.type.kind === 'enum' ? sub.varint32() : readScalar(sub, (f.type as { scalar: ScalarType }).scalar));
        r.pos = stop;
      } else {
        r.skip(wt, num, depth);
      }
      continue;
    }
    if (wt !== expected) {
      // protobuf-java keeps a field of the wrong wire type as an unknown field
      r.skip(wt, num, depth);
      continue;
    }
    if (f.type.kind === 'message') {
      const n = r.length();
      out[f.index] = decodeMessage(f.type, buf, r.pos, r.pos + n, depth + 1, out[f.index] as Decoded | undefined);
      r.pos += n;
    } else {
      out[f.index] = f.type.kind === 'enum' ? r.varint32() : readScalar(r, f.type.scalar);
    }
    if (f.oneof) for (const o of f.oneof.fields) if (o !== f) out[o.index] = undefined;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Connect's view of field types

/** Connect schema categories (logical types kept apart: they convert differently) */
type Cat = 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string' | 'bytes' | 'decimal' | 'date' | 'time' | 'timestamp';

/** Connect type names as ksqlDB's type-mismatch errors print them */
function connectTypeName(c: Cat | 'array' | 'map' | 'struct'): string {
  switch (c) {
    case 'decimal':
      return 'bytes';
    case 'date':
    case 'time':
      return 'int32';
    case 'timestamp':
      return 'int64';
    default:
      return c;
  }
}

function scalarCat(s: ScalarType): Cat {
  switch (s) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return 'int32';
    case 'float':
      return 'float32';
    case 'double':
      return 'float64';
    case 'bool':
      return 'boolean';
    case 'string':
      return 'string';
    case 'bytes':
      return 'bytes';
    default:
      return 'int64';
  }
}

function field1(msg: ProtoMessage, n: number): ProtoField | undefined {
  return msg.byNumber.get(n);
}

/** the value field of a google.protobuf wrapper */
function wrapperInner(msg: ProtoMessage): ProtoField {
  const f = field1(msg, 1);
  if (f === undefined || f.type.kind !== 'scalar') throw new RecordFailure(`Invalid wrapper message ${msg.fullName}`);
  return f;
}

/** The Connect category of a non-struct element type; undefined for structs. */
function elementCat(t: ProtoType): Cat | undefined {
  if (t.kind === 'scalar') return scalarCat(t.scalar);
  if (t.kind === 'enum') return 'string';
  switch (t.wellKnown) {
    case 'timestamp':
      return 'timestamp';
    case 'date':
      return 'date';
    case 'timeofday':
      return 'time';
    case 'decimal':
      return 'decimal';
    case 'wrapper':
      return scalarCat((wrapperInner(t).type as { scalar: ScalarType }).scalar);
    default:
      return undefined;
  }
}

function mismatch(from: string, to: SqlType, path: string): RecordFailure {
  return new RecordFailure(`Cannot deserialize type ${from} as type ${sqlConnectTypeName(to)} for path: ${path}`);
}

// ---------------------------------------------------------------------------------------------
// well-known messages

const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;
const MS_PER_DAY = 86400000;

function getNum(d: Decoded, msg: ProtoMessage, n: number): number {
  const f = field1(msg, n);
  if (f === undefined) return 0;
  const v = d[f.index];
  return v === undefined ? 0 : Number(v);
}

function getBig(d: Decoded, msg: ProtoMessage, n: number): bigint {
  const f = field1(msg, n);
  if (f === undefined) return 0n;
  const v = d[f.index];
  return v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(v as number);
}

function timestampMillis(d: Decoded, msg: ProtoMessage): number {
  const seconds = getBig(d, msg, 1);
  const nanos = getNum(d, msg, 2);
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || nanos < 0 || nanos > 999999999) {
    throw new RecordFailure(
      `Timestamp is not valid. See proto definition for valid values. Seconds (${seconds}) must be in range ` +
        `[-62,135,596,800, +253,402,300,799]. Nanos (${nanos}) must be in range [0, +999,999,999].`,
    );
  }
  return Number(seconds) * 1000 + Math.trunc(nanos / 1000000);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!;
}

function dateDays(d: Decoded, msg: ProtoMessage): number {
  const year = getNum(d, msg, 1);
  const month = getNum(d, msg, 2);
  const day = getNum(d, msg, 3);
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RecordFailure(`Invalid google.type.Date value: year ${year}, month ${month}, day ${day}`);
  }
  const dt = new Date(0);
  dt.setUTCFullYear(year, month - 1, day);
  return Math.round(dt.getTime() / MS_PER_DAY);
}

function timeMillis(d: Decoded, msg: ProtoMessage): number {
  const h = getNum(d, msg, 1);
  const m = getNum(d, msg, 2);
  const s = getNum(d, msg, 3);
  const n = getNum(d, msg, 4);
  const check = (name: string, v: number, max: number): void => {
    if (v < 0 || v > max) throw new RecordFailure(`Invalid value for ${name} (valid values 0 - ${max}): ${v}`);
  };
  check('HourOfDay', h, 23);
  check('MinuteOfHour', m, 59);
  check('SecondOfMinute', s, 59);
  check('NanoOfSecond', n, 999999999);
  return ((h * 60 + m) * 60 + s) * 1000 + Math.floor(n / 1000000);
}

/** BigInteger(byte[]): big-endian two's complement */
function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return b[0]! & 0x80 ? n - (1n << BigInt(b.length * 8)) : n;
}

/** BigInteger.toByteArray(): the shortest big-endian two's complement */
function bigIntToBytes(n: bigint): Buffer {
  let len = 1;
  while (n < -(1n << BigInt(len * 8 - 1)) || n >= 1n << BigInt(len * 8 - 1)) len++;
  const u = BigInt.asUintN(len * 8, n);
  const out = Buffer.alloc(len);
  let x = u;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function decimalValue(d: Decoded, msg: ProtoMessage): Decimal {
  const vf = field1(msg, 1);
  const raw = vf === undefined ? undefined : d[vf.index];
  const scale = getNum(d, msg, 3);
  // no SQL DECIMAL comes near these (and they would make huge texts)
  if (Math.abs(scale) > 1000 || (raw instanceof Uint8Array && raw.length > 512)) throw new RecordFailure(`Decimal value out of range (scale ${scale})`);
  const unscaled = raw instanceof Uint8Array ? bytesToBigInt(raw) : 0n;
  return new Decimal(`${unscaled}e${-scale}`);
}

/** Float.toString: the shortest decimal that reads back as the same float */
function javaFloatToString(f: number): string {
  if (!Number.isFinite(f) || f === 0) return javaDoubleToString(f);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return javaDoubleToString(s);
  }
  return javaDoubleToString(f);
}

// ---------------------------------------------------------------------------------------------
// readers: decoded values -> runtime values

type Reader = (raw: unknown) => unknown;

function thrower(e: RecordFailure): Reader {
  return () => {
    throw e;
  };
}

/** a non-struct element's Connect value: numbers, bigints for int64, Decimal, Buffer, ... */
function connectValue(t: ProtoType): Reader {
  if (t.kind === 'enum') {
    const simple = t.fullName.slice(t.fullName.lastIndexOf('.') + 1);
    return (raw) => t.byNumber.get(raw as number) ?? `UNKNOWN_ENUM_VALUE_${simple}_${raw as number}`;
  }
  if (t.kind === 'scalar') {
    switch (t.scalar) {
      case 'uint32':
      case 'fixed32':
        return (raw) => BigInt(raw as number);
      case 'uint64':
      case 'fixed64':
        // Java reads them into a signed long
        return (raw) => BigInt.asIntN(64, raw as bigint);
      default:
        return (raw) => raw;
    }
  }
  const msg = t;
  switch (msg.wellKnown) {
    case 'timestamp':
      return (raw) => timestampMillis(raw as Decoded, msg);
    case 'date':
      return (raw) => dateDays(raw as Decoded, msg);
    case 'timeofday':
      return (raw) => timeMillis(raw as Decoded, msg);
    case 'decimal':
      return (raw) => decimalValue(raw as Decoded, msg);
    case 'wrapper': {
      const inner = wrapperInner(msg);
      const conv = connectValue(inner.type);
      return (raw) => {
        const v = (raw as Decoded)[inner.index];
        return conv(v === undefined ? inner.defaultValue : v);
      };
    }
    default:
      throw new RecordFailure(`Message ${msg.fullName} is not a primitive`);
  }
}

/** Connect value of category `cat` -> runtime value of `sql` (ConnectDataTranslator's rules). */
function coercion(cat: Cat, sql: SqlType, path: string): Reader | RecordFailure {
  const fail = mismatch(connectTypeName(cat), sql, path);
  switch (sql.kind) {
    case 'BOOLEAN':
      return cat === 'boolean' ? (v) => v : fail;
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      return cat === 'int32' || cat === 'date' || cat === 'time' ? (v) => v : fail;
    case 'BIGINT':
      if (cat === 'int64') return (v) => v;
      return cat === 'int32' || cat === 'date' || cat === 'time' || cat === 'timestamp' ? (v) => BigInt(v as number) : fail;
    case 'TIMESTAMP':
      return cat === 'int64' || cat === 'int32' || cat === 'timestamp' || cat === 'date' || cat === 'time' ? (v) => Number(v) : fail;
    case 'DOUBLE':
      return cat === 'float32' || cat === 'float64' ? (v) => v : fail;
    case 'STRING':
      switch (cat) {
        case 'string':
          return (v) => v;
        case 'int32':
        case 'int64':
        case 'date':
        case 'time':
        case 'timestamp':
          return (v) => String(v);
        case 'float32':
          return (v) => javaFloatToString(v as number);
        case 'float64':
          return (v) => javaDoubleToString(v as number);
        case 'boolean':
          return (v) => (v ? 'true' : 'false');
        default:
          return fail;
      }
    case 'BYTES':
      return cat === 'bytes' ? (v) => v : fail;
    case 'DECIMAL':
      return cat === 'decimal' ? (v) => fitDecimalText((v as Decimal).toFixed(), sql) : fail;
    default:
      return fail;
  }
}

/** a present element (not a repeated field) -> runtime value */
function elementReader(t: ProtoType, sql: SqlType, path: string): Reader | RecordFailure {
  if (t.kind === 'message' && t.wellKnown === undefined) {
    if (sql.kind !== 'STRUCT') return mismatch('struct', sql, path);
    const read = compileFieldsReader(t, sql.fields, path);
    const names = sql.fields.map((f) => f.name);
    return (raw) => {
      const values = read(raw as Decoded);
      const o: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) o[names[i]!] = values[i];
      return o;
    };
  }
  const cat = elementCat(t)!;
  const co = coercion(cat, sql, path);
  if (co instanceof RecordFailure) return co;
  const conv = connectValue(t);
  return (raw) => co(conv(raw));
}

/** a field's slot of a decoded message (undefined when absent) -> runtime value */
function fieldReader(f: ProtoField, sql: SqlType, path: string): Reader {
  if (f.repeated) {
    const t = f.type;
    if (t.kind === 'message' && t.mapEntry) {
      if (sql.kind !== 'MAP') return thrower(mismatch('map', sql, path));
      const kf = t.byNumber.get(1)!;
      const vf = t.byNumber.get(2)!;
      const readKey = fieldReader(kf, sql.key, `${path}->MAP_KEY`);
      const readValue = fieldReader(vf, sql.value, `${path}->MAP_VAL`);
      return (raw) => {
        const m = new Map<unknown, unknown>();
        if (raw !== undefined) for (const e of raw as Decoded[]) m.set(readKey(e[kf.index]), readValue(e[vf.index]));
        return m;
      };
    }
    if (sql.kind !== 'ARRAY') return thrower(mismatch('array', sql, path));
    const el = elementReader(t, sql.element, `${path}->ARRAY`);
    if (el instanceof RecordFailure) return thrower(el);
    return (raw) => (raw === undefined ? [] : (raw as unknown[]).map(el));
  }
  const el = elementReader(f.type, sql, path);
  if (el instanceof RecordFailure) return thrower(el);
  if (f.nullWhenAbsent) return (raw) => (raw === undefined ? null : el(raw));
  const dflt = f.defaultValue;
  return (raw) => el(raw === undefined ? dflt : raw);
}

/**
 * Reads the given columns / struct fields out of decoded messages of `msg`, in their order:
 * fields match case-insensitively (Connect's oneof unions are named `<oneof>_<index>`); a
 * column the message does not have reads as NULL.
 */
export function compileFieldsReader(msg: ProtoMessage, targets: readonly StructField[], path: string): (d: Decoded) => unknown[] {
  type Member = ProtoField | ProtoMessage['oneofs'][number];
  const exact = new Map<string, Member>();
  const upper = new Map<string, Member>();
  const add = (name: string, m: Member): void => {
    if (!exact.has(name)) exact.set(name, m);
    const u = name.toUpperCase();
    if (!upper.has(u)) upper.set(u, m);
  };
  for (const o of msg.oneofs) add(`${o.name}_${o.index}`, o);
  for (const f of msg.fields) if (!f.oneof) add(f.name, f);
  const readers: ((d: Decoded) => unknown)[] = targets.map((t) => {
    // exact name, then case-insensitive; a column whose name is no protobuf identifier matches
    // the field the derivation named for it
    const m = exact.get(t.name) ?? upper.get(t.name.toUpperCase()) ?? upper.get(protoFieldName(t.name).toUpperCase());
    const p = `${path}->${t.name}`;
    if (m === undefined) return () => null;
    if ('number' in m) {
      const read = fieldReader(m, t.type, p);
      const idx = m.index;
      return (d) => read(d[idx]);
    }
    // a oneof: a struct with the set member, NULL when none is
    if (t.type.kind !== 'STRUCT') {
      const e = mismatch('struct', t.type, p);
      return () => {
        throw e;
      };
    }
    const union = m;
    const names = t.type.fields.map((f) => f.name);
    const memberReaders = t.type.fields.map((sf): ((d: Decoded) => unknown) => {
      const f = union.fields.find((x) => x.name === sf.name) ?? union.fields.find((x) => x.name.toUpperCase() === sf.name.toUpperCase());
      if (f === undefined) return () => null;
      const read = fieldReader({ ...f, nullWhenAbsent: true }, sf.type, `${p}->${sf.name}`);
      return (d) => read(d[f.index]);
    });
    return (d) => {
      if (!union.fields.some((f) => d[f.index] !== undefined)) return null;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) o[names[i]!] = memberReaders[i]!(d);
      return o;
    };
  });
  return (d) => readers.map((r) => r(d));
}

// ---------------------------------------------------------------------------------------------
// writers: runtime values -> bytes

interface ValueWriter {
  /** runtime value -> the field's raw value (throws RecordFailure for a value of the wrong type) */
  convert(v: unknown, path: string): unknown;
  /** raw value equal to the proto3 default (skipped for fields without presence) */
  isDefault(raw: unknown): boolean;
  /** writes the raw value (length-prefixed for LEN wire types) */
  encode(w: ProtoWriter, raw: unknown): void;
  readonly wireType: number;
}

function typeName(t: ProtoType): string {
  return t.kind === 'scalar' ? t.scalar : t.fullName;
}

function cannotWrite(v: unknown, t: ProtoType, path: string): RecordFailure {
  const shown =
    typeof v === 'bigint' ? 'BIGINT' : typeof v === 'object' && v !== null ? (v.constructor?.name ?? 'object') : typeof v;
  return new RecordFailure(`Invalid value for protobuf type ${typeName(t)}: ${shown}${path ? ` (path: ${path})` : ''}`);
}

function toBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return BigInt(v);
    if (Number.isNaN(v)) return 0n;
    if (!Number.isFinite(v)) return v > 0 ? 0x7fffffffffffffffn : -0x8000000000000000n;
    return BigInt(Math.trunc(v));
  }
  if (Decimal.isDecimal(v)) return BigInt((v as Decimal).trunc().toFixed(0));
  return undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Decimal.isDecimal(v)) return (v as Decimal).toNumber();
  return undefined;
}

function scalarWriter(t: { kind: 'scalar'; scalar: ScalarType }): ValueWriter {
  const s = t.scalar;
  const wireType = wireTypeOf(t);
  switch (s) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
    case 'uint32':
    case 'fixed32': {
      const unsigned = s === 'uint32' || s === 'fixed32';
      return {
        wireType,
        convert(v, path) {
          const b = toBigInt(v);
          if (b === undefined) throw cannotWrite(v, t, path);
          return unsigned ? Number(BigInt.asUintN(32, b)) : Number(BigInt.asIntN(32, b));
        },
        isDefault: (raw) => raw === 0,
        encode(w, raw) {
          const n = raw as number;
          if (s === 'int32') w.int32(n);
          else if (s === 'uint32') w.uvarint(n);
          else if (s === 'sint32') w.uvarint(zigzagEncode32(n));
          else if (s === 'fixed32') w.fixed32(n);
          else w.sfixed32(n);
        },
      };
    }
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return {
        wireType,
        convert(v, path) {
          const b = toBigInt(v);
          if (b === undefined) throw cannotWrite(v, t, path);
          return BigInt.asIntN(64, b);
        },
        isDefault: (raw) => raw === 0n,
        encode(w, raw) {
          const n = raw as bigint;
          if (s === 'sint64') w.varint64(zigzagEncode64(n));
          else if (s === 'fixed64' || s === 'sfixed64') w.fixed64(n);
          else w.varint64(n);
        },
      };
    case 'float':
    case 'double':
      return {
        wireType,
        convert(v, path) {
          const n = toNumber(v);
          if (n === undefined) throw cannotWrite(v, t, path);
          return s === 'float' ? Math.fround(n) : n;
        },
        // proto3 compares the raw bits: -0.0 is written
        isDefault: (raw) => Object.is(raw, 0),
        encode(w, raw) {
          if (s === 'float') w.float(raw as number);
          else w.double(raw as number);
        },
      };
    case 'bool':
      return {
        wireType,
        convert(v, path) {
          if (typeof v !== 'boolean') throw cannotWrite(v, t, path);
          return v;
        },
        isDefault: (raw) => raw === false,
        encode: (w, raw) => w.uvarint(raw ? 1 : 0),
      };
    case 'string':
      return {
        wireType,
        convert(v, path) {
          if (typeof v !== 'string') throw cannotWrite(v, t, path);
          return v;
        },
        isDefault: (raw) => raw === '',
        encode: (w, raw) => w.string(raw as string),
      };
    case 'bytes':
      return {
        wireType,
        convert(v, path) {
          if (!(v instanceof Uint8Array)) throw cannotWrite(v, t, path);
          return v;
        },
        isDefault: (raw) => (raw as Uint8Array).length === 0,
        encode: (w, raw) => w.bytes(raw as Uint8Array),
      };
  }
}

/** writes the fields of a well-known message given as [field number, raw value] pairs */
function subMessage(msg: ProtoMessage, pairs: readonly [number, unknown][]): Buffer {
  const w = new ProtoWriter();
  for (const [n, raw] of pairs) {
    const f = msg.byNumber.get(n);
    if (f === undefined || f.type.kind !== 'scalar') continue;
    const sw = scalarWriter(f.type);
    const v = sw.convert(raw, '');
    if (!f.explicitPresence && sw.isDefault(v)) continue;
    w.tag(n, sw.wireType);
    sw.encode(w, v);
  }
  return w.finish();
}

function messageValueWriter(convert: (v: unknown, path: string) => Buffer): ValueWriter {
  return {
    wireType: WIRE_LEN,
    convert,
    isDefault: () => false,
    encode: (w, raw) => w.bytes(raw as Buffer),
  };
}

function valueWriter(t: ProtoType, sql: SqlType, path: string): ValueWriter {
  if (t.kind === 'scalar') return scalarWriter(t);
  if (t.kind === 'enum') {
    return {
      wireType: WIRE_VARINT,
      convert(v, p) {
        if (typeof v === 'string') {
          const n = t.byName.get(v);
          if (n === undefined) throw new RecordFailure(`Unknown symbol ${JSON.stringify(v)} of enum ${t.fullName}${p ? ` (path: ${p})` : ''}`);
          return n;
        }
        if (typeof v === 'number' && Number.isInteger(v)) return v | 0;
        throw cannotWrite(v, t, p);
      },
      isDefault: (raw) => raw === 0,
      encode: (w, raw) => w.int32(raw as number),
    };
  }
  const msg = t;
  switch (msg.wellKnown) {
    case 'timestamp':
      return messageValueWriter((v, p) => {
        const b = toBigInt(v);
        if (b === undefined) throw cannotWrite(v, t, p);
        // Timestamps.fromMillis: floor seconds, non-negative nanos
        const seconds = b >= 0n ? b / 1000n : -((-b + 999n) / 1000n);
        const nanos = Number(b - seconds * 1000n) * 1000000;
        return subMessage(msg, [
          [1, seconds],
          [2, nanos],
        ]);
      });
    case 'date':
      return messageValueWriter((v, p) => {
        const days = toNumber(v);
        if (days === undefined || !Number.isInteger(days)) throw cannotWrite(v, t, p);
        const d = new Date(days * MS_PER_DAY);
        if (Number.isNaN(d.getTime())) throw new RecordFailure(`DATE value out of range: ${days}`);
        return subMessage(msg, [
          [1, d.getUTCFullYear()],
          [2, d.getUTCMonth() + 1],
          [3, d.getUTCDate()],
        ]);
      });
    case 'timeofday':
      return messageValueWriter((v, p) => {
        const ms = toNumber(v);
        if (ms === undefined) throw cannotWrite(v, t, p);
        if (ms < 0 || ms > MS_PER_DAY) throw new RecordFailure('Time values must use number of millis greater than 0 and less than 86400000');
        const m = Math.trunc(ms) % MS_PER_DAY;
        return subMessage(msg, [
          [1, Math.floor(m / 3600000)],
          [2, Math.floor(m / 60000) % 60],
          [3, Math.floor(m / 1000) % 60],
          [4, (m % 1000) * 1000000],
        ]);
      });
    case 'decimal': {
      const typeScale = sql.kind === 'DECIMAL' ? sql.scale : undefined;
      return messageValueWriter((v, p) => {
        let d: Decimal;
        if (Decimal.isDecimal(v)) d = v as Decimal;
        else if (typeof v === 'number' || typeof v === 'bigint') d = new Decimal(v.toString());
        else throw cannotWrite(v, t, p);
        // a BigDecimal at the column's scale, as ksqlDB carries it
        const scale = typeScale ?? Math.max(0, d.decimalPlaces());
        const unscaled = BigInt(d.mul(new Decimal(10).pow(scale)).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
        const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
        return subMessage(msg, [
          [1, bigIntToBytes(unscaled)],
          [2, digits],
          [3, scale],
        ]);
      });
    }
    case 'wrapper': {
      const inner = wrapperInner(msg);
      const sw = scalarWriter(inner.type as { kind: 'scalar'; scalar: ScalarType });
      return messageValueWriter((v, p) => {
        const raw = sw.convert(v, p);
        const w = new ProtoWriter();
        if (!sw.isDefault(raw)) {
          w.tag(inner.number, sw.wireType);
          sw.encode(w, raw);
        }
        return w.finish();
      });
    }
    default: {
      if (sql.kind !== 'STRUCT') {
        const e = new RecordFailure(`Cannot write a ${formatSqlType(sql)} value as protobuf message ${msg.fullName}${path ? ` (path: ${path})` : ''}`);
        return messageValueWriter(() => {
          throw e;
        });
      }
      const write = compileMessageWriter(msg, sql.fields, path, false);
      const names = sql.fields.map((f) => f.name);
      return messageValueWriter((v, p) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) throw cannotWrite(v, t, p);
        const o = v as Record<string, unknown>;
        const w = new ProtoWriter();
        write(
          w,
          names.map((n) => o[n]),
        );
        return w.finish();
      });
    }
  }
}

type FieldWriter = (w: ProtoWriter, v: unknown) => void;

function nullElement(kind: 'arrays' | 'maps', path: string): RecordFailure {
  return new RecordFailure(`PROTOBUF cannot write NULL ${kind === 'arrays' ? 'array elements' : 'map keys or values'} (path: ${path})`);
}

function fieldWriter(f: ProtoField, sql: SqlType, path: string): FieldWriter {
  const t = f.type;
  const num = f.number;
  if (f.repeated) {
    if (t.kind === 'message' && t.mapEntry) {
      if (sql.kind !== 'MAP') {
        const e = new RecordFailure(`Cannot write a ${formatSqlType(sql)} value as a protobuf map (path: ${path})`);
        return (_w, v) => {
          if (v !== null && v !== undefined) throw e;
        };
      }
      const kf = t.byNumber.get(1)!;
      const vf = t.byNumber.get(2)!;
      const writeKey = fieldWriter({ ...kf, repeated: false }, sql.key, `${path}->MAP_KEY`);
      const writeValue = fieldWriter({ ...vf }, sql.value, `${path}->MAP_VAL`);
      return (w, v) => {
        if (v === null || v === undefined) return;
        if (!(v instanceof Map)) throw cannotWrite(v, t, path);
        for (const [k, x] of v) {
          if (k === null || k === undefined || x === null || x === undefined) throw nullElement('maps', path);
          const ew = new ProtoWriter();
          writeKey(ew, k);
          writeValue(ew, x);
          w.tag(num, WIRE_LEN);
          w.bytes(ew.view());
        }
      };
    }
    if (sql.kind !== 'ARRAY') {
      const e = new RecordFailure(`Cannot write a ${formatSqlType(sql)} value as a repeated protobuf field (path: ${path})`);
      return (_w, v) => {
        if (v !== null && v !== undefined) throw e;
      };
    }
    const el = valueWriter(t, sql.element, `${path}->ARRAY`);
    const elPath = `${path}->ARRAY`;
    if (f.packed) {
      return (w, v) => {
        if (v === null || v === undefined) return;
        if (!Array.isArray(v)) throw cannotWrite(v, t, path);
        if (v.length === 0) return;
        const pw = new ProtoWriter();
        for (const e of v) {
          if (e === null || e === undefined) throw nullElement('arrays', path);
          el.encode(pw, el.convert(e, elPath));
        }
        w.tag(num, WIRE_LEN);
        w.bytes(pw.view());
      };
    }
    return (w, v) => {
      if (v === null || v === undefined) return;
      if (!Array.isArray(v)) throw cannotWrite(v, t, path);
      for (const e of v) {
        if (e === null || e === undefined) throw nullElement('arrays', path);
        const raw = el.convert(e, elPath);
        w.tag(num, el.wireType);
        el.encode(w, raw);
      }
    };
  }
  const vw = valueWriter(t, sql, path);
  const skipDefault = !f.explicitPresence && t.kind !== 'message';
  return (w, v) => {
    if (v === null || v === undefined) return;
    const raw = vw.convert(v, path);
    if (skipDefault && vw.isDefault(raw)) return;
    w.tag(num, vw.wireType);
    vw.encode(w, raw);
  };
}

/**
 * Writes values (in the order of `sources`) as the fields of `msg`, in field-number order. A
 * field takes the value of the source of the same name: exact, then case-insensitive, then the
 * name the schema derivation gives the source (see protoFieldName). With `strict` (a registered
 * schema given by id), a source the message lacks fails every record, as in ksqlDB.
 */
export function compileMessageWriter(
  msg: ProtoMessage,
  sources: readonly StructField[],
  path: string,
  strict: boolean,
): (w: ProtoWriter, values: readonly unknown[]) => void {
  const exact = new Map<string, number>();
  const upper = new Map<string, number>();
  const scrubbed = new Map<string, number>();
  sources.forEach((s, i) => {
    if (!exact.has(s.name)) exact.set(s.name, i);
    const u = s.name.toUpperCase();
    if (!upper.has(u)) upper.set(u, i);
    const sc = protoFieldName(s.name);
    if (!scrubbed.has(sc)) scrubbed.set(sc, i);
  });
  const used = new Set<number>();
  const find = (name: string): number | undefined => {
    const i = exact.get(name) ?? upper.get(name.toUpperCase()) ?? scrubbed.get(name);
    if (i !== undefined && !used.has(i)) {
      used.add(i);
      return i;
    }
    return undefined;
  };
  const steps: { order: number; run: (w: ProtoWriter, values: readonly unknown[]) => void }[] = [];
  for (const o of msg.oneofs) {
    const i = find(`${o.name}_${o.index}`);
    if (i === undefined) continue;
    const src = sources[i]!;
    const p = `${path}->${src.name}`;
    if (src.type.kind !== 'STRUCT') continue;
    const members = src.type.fields.map((sf) => {
      const f = o.fields.find((x) => x.name === sf.name) ?? o.fields.find((x) => x.name.toUpperCase() === sf.name.toUpperCase());
      return f === undefined ? undefined : { name: sf.name, write: fieldWriter({ ...f, explicitPresence: true }, sf.type, `${p}->${sf.name}`) };
    });
    steps.push({
      order: Math.min(...o.fields.map((f) => f.number)),
      run(w, values) {
        const v = values[i];
        if (v === null || v === undefined || typeof v !== 'object') return;
        // a union holds one member: the first one set
        for (const m of members) {
          const x = m === undefined ? undefined : (v as Record<string, unknown>)[m.name];
          if (m !== undefined && x !== null && x !== undefined) {
            m.write(w, x);
            return;
          }
        }
      },
    });
  }
  for (const f of msg.fields) {
    if (f.oneof) continue;
    const i = find(f.name);
    if (i === undefined) continue;
    const src = sources[i]!;
    const write = fieldWriter(f, src.type, `${path}->${src.name}`);
    steps.push({ order: f.number, run: (w, values) => write(w, values[i]) });
  }
  steps.sort((a, b) => a.order - b.order);
  const missing = strict ? sources.filter((_, i) => !used.has(i)).map((s) => s.name) : [];
  const runs = steps.map((s) => s.run);
  if (missing.length > 0) {
    const e = new RecordFailure(`Schema from Schema Registry misses field with name: ${missing[0]}`);
    return () => {
      throw e;
    };
  }
  return (w, values) => {
    for (const run of runs) run(w, values);
  };
}

export { bigIntToBytes, bytesToBigInt };
