/**
 * Interprets the generated message schemas: decodes a request body / encodes a response body of
 * any version, including compact (flexible) encodings and tagged fields. Fields missing in a
 * version read as their default, so handlers see one shape across versions.
 */
import { Reader } from './reader.js';
import { inRange, type FieldSchema } from './schema.js';
import { Writer } from './writer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

const INT_TYPES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'float64']);

export function defaultValue(f: FieldSchema): unknown {
  if (f.d === 'null') return null;
  if (f.t.startsWith('[]')) return [];
  switch (f.t) {
    case 'bool':
      return f.d === 'true';
    case 'int64':
      return BigInt(f.d ?? 0);
    case 'string':
      return f.d ?? '';
    case 'bytes':
    case 'records':
      return f.nv ? null : Buffer.alloc(0);
    case 'uuid':
      return '00000000000000000000000000000000';
    case 'struct':
      return defaults(f.f!);
    default:
      if (INT_TYPES.has(f.t)) return f.d === undefined ? 0 : Number(f.d);
      throw new Error(`unknown type ${f.t}`);
  }
}

function defaults(fields: readonly FieldSchema[]): Msg {
  const o: Msg = {};
  for (const f of fields) o[f.n] = defaultValue(f);
  return o;
}

function readPrimitive(t: string, r: Reader, flex: boolean, nullable: boolean): unknown {
  switch (t) {
    case 'bool':
      return r.bool();
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'uuid':
      return r.uuid();
    case 'string': {
      const n = flex ? r.uvarint() - 1 : r.int16();
      if (n < 0) {
        if (!nullable) throw new Error('null string in a non-nullable field');
        return null;
      }
      return r.bytesRaw(n).toString('utf8');
    }
    case 'bytes':
    case 'records': {
      const n = flex ? r.uvarint() - 1 : r.int32();
      if (n < 0) return null;
      return r.bytesRaw(n);
    }
    default:
      throw new Error(`unknown type ${t}`);
  }
}

function readValue(f: FieldSchema, version: number, flex: boolean, r: Reader): unknown {
  const nullable = inRange(f.nv, version);
  if (f.t.startsWith('[]')) {
    const n = flex ? r.uvarint() - 1 : r.int32();
    if (n < 0) return null;
    if (n > r.remaining) throw new Error(`array of ${n} elements in a frame of ${r.remaining} bytes left`);
    const out = new Array(n);
    const elem = f.t.slice(2);
    for (let i = 0; i < n; i++) out[i] = elem === '' ? readStruct(f.f!, version, flex, r) : readPrimitive(elem, r, flex, false);
    return out;
  }
  if (f.t === 'struct') {
    if (nullable && r.int8() < 0) return null;
    return readStruct(f.f!, version, flex, r);
  }
  return readPrimitive(f.t, r, flex, nullable);
}

export function readStruct(fields: readonly FieldSchema[], version: number, flex: boolean, r: Reader): Msg {
  const o: Msg = {};
  for (const f of fields) {
    if (!inRange(f.v, version) || (flex && inRange(f.tv, version))) o[f.n] = defaultValue(f);
    else o[f.n] = readValue(f, version, flex, r);
  }
  if (flex) {
    const count = r.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const f = fields.find((x) => x.tag === tag && inRange(x.tv, version));
      if (!f) {
        r.bytesRaw(size);
        continue;
      }
      const sub = new Reader(r.buf, r.offset, r.offset + size);
      r.bytesRaw(size);
      o[f.n] = readValue(f, version, flex, sub);
    }
  }
  return o;
}

function writePrimitive(t: string, v: unknown, w: Writer, flex: boolean): void {
  switch (t) {
    case 'bool':
      w.bool(Boolean(v));
      return;
    case 'int8':
      w.int8(Number(v ?? 0));
      return;
    case 'int16':
      w.int16(Number(v ?? 0));
      return;
    case 'uint16':
      w.uint16(Number(v ?? 0));
      return;
    case 'int32':
      w.int32(Number(v ?? 0));
      return;
    case 'uint32':
      w.uint32(Number(v ?? 0));
      return;
    case 'int64':
      w.int64(BigInt((v as bigint | number | undefined) ?? 0));
      return;
    case 'float64':
      w.float64(Number(v ?? 0));
      return;
    case 'uuid':
      w.uuid(String(v ?? ''));
      return;
    case 'string': {
      if (v === null || v === undefined) {
        if (flex) w.uvarint(0);
        else w.int16(-1);
        return;
      }
      const b = Buffer.from(String(v), 'utf8');
      if (flex) w.uvarint(b.length + 1);
      else w.int16(b.length);
      w.raw(b);
      return;
    }
    case 'bytes':
    case 'records': {
      if (v === null || v === undefined) {
        if (flex) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const b = v as Uint8Array;
      if (flex) w.uvarint(b.length + 1);
      else w.int32(b.length);
      w.raw(b);
      return;
    }
    default:
      throw new Error(`unknown type ${t}`);
  }
}

function writeValue(f: FieldSchema, v: unknown, version: number, flex: boolean, w: Writer): void {
  if (f.t.startsWith('[]')) {
    const arr = v as unknown[] | null | undefined;
    if (arr === null || arr === undefined) {
      if (inRange(f.nv, version) || arr === null) {
        if (flex) w.uvarint(0);
        else w.int32(inRange(f.nv, version) ? -1 : 0);
        return;
      }
    }
    const list = arr ?? [];
    if (flex) w.uvarint(list.length + 1);
    else w.int32(list.length);
    const elem = f.t.slice(2);
    for (const x of list) {
      if (elem === '') writeStruct(f.f!, (x ?? {}) as Msg, version, flex, w);
      else writePrimitive(elem, x, w, flex);
    }
    return;
  }
  if (f.t === 'struct') {
    if (inRange(f.nv, version)) {
      if (v === null || v === undefined) {
        w.int8(-1);
        return;
      }
      w.int8(1);
    }
    writeStruct(f.f!, (v ?? {}) as Msg, version, flex, w);
    return;
  }
  writePrimitive(f.t, v === undefined ? defaultValue(f) : v, w, flex);
}

function isDefault(f: FieldSchema, v: unknown): boolean {
  if (v === undefined) return true;
  const d = defaultValue(f);
  if (v === d) return true;
  if (Array.isArray(v) && Array.isArray(d)) return v.length === 0 && d.length === 0;
  return d === null && v === null;
}

export function writeStruct(fields: readonly FieldSchema[], o: Msg, version: number, flex: boolean, w: Writer): void {
  const tagged: FieldSchema[] = [];
  for (const f of fields) {
    if (!inRange(f.v, version)) continue;
    if (flex && inRange(f.tv, version)) {
      if (!isDefault(f, o[f.n])) tagged.push(f);
      continue;
    }
    writeValue(f, o[f.n], version, flex, w);
  }
  if (flex) {
    tagged.sort((a, b) => a.tag! - b.tag!);
    w.uvarint(tagged.length);
    for (const f of tagged) {
      const sub = new Writer(64);
      writeValue(f, o[f.n], version, flex, sub);
      w.uvarint(f.tag!);
      w.uvarint(sub.length);
      w.raw(sub.toBuffer());
    }
  }
}
