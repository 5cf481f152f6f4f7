/**
 * Encoding: runtime values of SQL types written with a writer schema, either the one derived from
 * the columns or a registered one (KEY_SCHEMA_ID / VALUE_SCHEMA_ID, mapped like ksqlDB's
 * AvroSRSchemaDataTranslator: schema fields the row lacks take their default, or NULL when
 * optional, else fail with "Missing default value for required Avro field: [F]. ..."; a column the
 * schema lacks fails with "Schema from Schema Registry misses field with name: C").
 *
 * Also encodes plain JSON values (test data) with a schema: encodeJsonValue.
 */
import { Decimal } from 'decimal.js';
import type { SqlType, StructField } from '../../common/sql-types.js';
import { RecordFailure } from '../serde-failure.js';
import { bigintToTwosComplement } from './avro-binary.js';
import { AvroWriter } from './avro-binary.js';
import type { AvroField, AvroNode, AvroRecord, DecimalInfo } from './avro-schema.js';
import { avroFieldName } from './avro-derive.js';
import { mapEntryRecord } from './avro-schema.js';

/** (w, value) => void; the value may be null (written as the null branch, or rejected). */
export type WriteFn = (w: AvroWriter, v: unknown) => void;

/** The SQL type cannot be written as the schema's type. */
export class AvroWriteMismatch extends Error {}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function upperType(node: AvroNode): string {
  switch (node.kind) {
    case 'int':
      return 'INT32';
    case 'long':
      return 'INT64';
    case 'float':
      return 'FLOAT32';
    case 'double':
      return 'FLOAT64';
    case 'fixed':
      return 'BYTES';
    case 'enum':
      return 'STRING';
    case 'record':
      return 'STRUCT';
    default:
      return node.kind.toUpperCase();
  }
}

function typeOf(v: unknown): string {
  if (Buffer.isBuffer(v)) return 'Buffer';
  if (v instanceof Map) return 'Map';
  if (Array.isArray(v)) return 'array';
  if (Decimal.isDecimal(v)) return 'Decimal';
  return typeof v;
}

function invalidType(node: AvroNode, v: unknown): RecordFailure {
  // like ksqlDB, name the type but never the value (it may be personal data)
  return new RecordFailure(`Invalid type for ${upperType(node)}: ${typeOf(v)}`);
}

function asInt(node: AvroNode, v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidType(node, v);
  if (n < INT32_MIN || n > INT32_MAX) throw new RecordFailure(`Value out of range for ${upperType(node)}`);
  return n;
}

function asLong(node: AvroNode, v: unknown): number | bigint {
  if (typeof v === 'bigint') {
    if (v < LONG_MIN || v > LONG_MAX) throw new RecordFailure(`Value out of range for ${upperType(node)}`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidType(node, v);
  return v;
}

function asNumber(node: AvroNode, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw invalidType(node, v);
}

function asDecimal(node: AvroNode, v: unknown): Decimal {
  if (Decimal.isDecimal(v)) return v as Decimal;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') {
    try {
      return new Decimal(String(v));
    } catch {
      throw invalidType(node, v);
    }
  }
  throw invalidType(node, v);
}

/** The unscaled two's complement bytes of a decimal at the schema's scale (Connect's Decimal.fromLogical). */
function decimalBytes(node: AvroNode, info: DecimalInfo, v: unknown): Buffer {
  const d = asDecimal(node, v);
  if (!d.isFinite()) throw invalidType(node, v);
  if (d.decimalPlaces() > info.scale) throw new RecordFailure('BigDecimal has mismatching scale value for given Decimal schema');
  const text = d.toFixed(info.scale).replace('.', '');
  return bigintToTwosComplement(BigInt(text));
}

function fixedDecimalBytes(node: AvroNode & { kind: 'fixed' }, info: DecimalInfo, v: unknown): Buffer {
  const raw = decimalBytes(node, info, v);
  if (raw.length > node.size) throw new RecordFailure(`Decimal value does not fit in fixed ${node.name} of size ${node.size}`);
  const out = Buffer.alloc(node.size, (raw[0]! & 0x80) !== 0 ? 0xff : 0);
  raw.copy(out, node.size - raw.length);
  return out;
}

function asString(node: AvroNode, v: unknown): string {
  if (typeof v !== 'string') throw invalidType(node, v);
  return v;
}

function asBytes(node: AvroNode, v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  throw invalidType(node, v);
}

function entriesOf(node: AvroNode, v: unknown): [unknown, unknown][] {
  if (v instanceof Map) return [...v.entries()];
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v)) return Object.entries(v);
  throw invalidType(node, v);
}

function asArray(node: AvroNode, v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) throw invalidType(node, v);
  return v;
}

function asStruct(node: AvroNode, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map || Buffer.isBuffer(v) || Decimal.isDecimal(v)) {
    throw invalidType(node, v);
  }
  return v as Record<string, unknown>;
}

function writeBlocks(w: AvroWriter, count: number, items: () => void): void {
  if (count > 0) {
    w.writeLong(count);
    items();
  }
  w.writeLong(0);
}

/** The obvious schema type for a SQL type, preferred when choosing a union branch. */
function naturalMatch(node: AvroNode, t: SqlType): boolean {
  switch (t.kind) {
    case 'BOOLEAN':
      return node.kind === 'boolean';
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      return node.kind === 'int';
    case 'BIGINT':
    case 'TIMESTAMP':
      return node.kind === 'long';
    case 'DOUBLE':
      return node.kind === 'double';
    case 'STRING':
      return node.kind === 'string' || node.kind === 'enum';
    case 'BYTES':
      return (node.kind === 'bytes' || node.kind === 'fixed') && !node.decimal;
    case 'DECIMAL':
      return (node.kind === 'bytes' || node.kind === 'fixed') && node.decimal !== undefined;
    case 'ARRAY':
      return node.kind === 'array' && !mapEntryRecord(node);
    case 'MAP':
      return node.kind === 'map' || mapEntryRecord(node) !== undefined;
    case 'STRUCT':
      return node.kind === 'record';
  }
}

function requiredNull(label: string, node: AvroNode): RecordFailure {
  return new RecordFailure(`Invalid value: null used for required field: "${label}", schema type: ${upperType(node)}`);
}

/**
 * A writer of values of `t` as `node`. `label` names the field in errors. Throws AvroWriteMismatch
 * when no value of the SQL type can be written as the schema type.
 */
export function compileWrite(node: AvroNode, t: SqlType, label: string): WriteFn {
  if (node.kind === 'union') {
    const nullIndex = node.branches.findIndex((b) => b.kind === 'null');
    const candidates = node.branches.map((b, i) => ({ b, i })).filter(({ b }) => b.kind !== 'null');
    const ordered = [...candidates.filter(({ b }) => naturalMatch(b, t)), ...candidates.filter(({ b }) => !naturalMatch(b, t))];
    let chosen: { index: number; write: WriteFn } | undefined;
    for (const { b, i } of ordered) {
      try {
        chosen = { index: i, write: compileWrite(b, t, label) };
        break;
      } catch (e) {
        if (!(e instanceof AvroWriteMismatch)) throw e;
      }
    }
    if (chosen === undefined && candidates.length > 0) {
      throw new AvroWriteMismatch(`Cannot write ${t.kind} as Avro union ${JSON.stringify(node.branches.map((b) => b.kind))} (field: ${label})`);
    }
    const { index, write } = chosen ?? { index: -1, write: undefined };
    return (w, v) => {
      if (v === null || v === undefined) {
        if (nullIndex < 0) throw requiredNull(label, node);
        w.writeLong(nullIndex);
        return;
      }
      if (write === undefined) throw new RecordFailure(`Invalid value for null-only field: "${label}"`);
      w.writeLong(index);
      write(w, v);
    };
  }
  if (node.kind === 'null') {
    return (_w, v) => {
      if (v !== null && v !== undefined) throw new RecordFailure(`Invalid value for null-only field: "${label}"`);
    };
  }
  const write = compileNonNull(node, t, label);
  return (w, v) => {
    if (v === null || v === undefined) throw requiredNull(label, node);
    write(w, v);
  };
}

function compileNonNull(node: AvroNode, t: SqlType, label: string): WriteFn {
  const fail = () => new AvroWriteMismatch(`Cannot write ${t.kind} as Avro ${node.kind} (field: ${label})`);
  switch (node.kind) {
    case 'boolean':
      if (t.kind !== 'BOOLEAN') throw fail();
      return (w, v) => {
        if (typeof v !== 'boolean') throw invalidType(node, v);
        w.writeBoolean(v);
      };
    case 'int':
      if (!['INTEGER', 'BIGINT', 'DATE', 'TIME', 'TIMESTAMP'].includes(t.kind)) throw fail();
      return (w, v) => w.writeInt(asInt(node, v));
    case 'long':
      if (!['INTEGER', 'BIGINT', 'DATE', 'TIME', 'TIMESTAMP'].includes(t.kind)) throw fail();
      return (w, v) => w.writeLong(asLong(node, v));
    case 'float':
    case 'double': {
      if (!['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL'].includes(t.kind)) throw fail();
      const toNumber = t.kind === 'DECIMAL' ? (v: unknown) => asDecimal(node, v).toNumber() : (v: unknown) => asNumber(node, v);
      return node.kind === 'float' ? (w, v) => w.writeFloat(toNumber(v)) : (w, v) => w.writeDouble(toNumber(v));
    }
    case 'string':
      if (t.kind !== 'STRING') throw fail();
      return (w, v) => w.writeString(asString(node, v));
    case 'enum': {
      if (t.kind !== 'STRING') throw fail();
      const index = new Map(node.symbols.map((s, i) => [s, i]));
      return (w, v) => {
        const i = index.get(asString(node, v));
        if (i === undefined) throw new RecordFailure(`Not a symbol of enum ${node.name} (field: ${label})`);
        w.writeInt(i);
      };
    }
    case 'bytes': {
      const info = node.decimal;
      if (t.kind === 'DECIMAL' && info) return (w, v) => w.writeBytes(decimalBytes(node, info, v));
      if (t.kind !== 'BYTES') throw fail();
      return (w, v) => w.writeBytes(asBytes(node, v));
    }
    case 'fixed': {
      const info = node.decimal;
      if (t.kind === 'DECIMAL' && info) return (w, v) => w.writeRaw(fixedDecimalBytes(node, info, v));
      if (t.kind !== 'BYTES') throw fail();
      return (w, v) => {
        const b = asBytes(node, v);
        if (b.length !== node.size) throw new RecordFailure(`Fixed ${node.name} needs ${node.size} bytes, got ${b.length} (field: ${label})`);
        w.writeRaw(b);
      };
    }
    case 'array': {
      const entry = mapEntryRecord(node);
      if (entry !== undefined && t.kind === 'MAP') return compileMapEntries(entry, t, label);
      if (entry !== undefined || t.kind !== 'ARRAY') throw fail();
      const item = compileWrite(node.items, t.element, label);
      return (w, v) => {
        const a = asArray(node, v);
        writeBlocks(w, a.length, () => {
          for (const x of a) item(w, x);
        });
      };
    }
    case 'map': {
      if (t.kind !== 'MAP') throw fail();
      const value = compileWrite(node.values, t.value, label);
      return (w, v) => {
        const entries = entriesOf(node, v);
        writeBlocks(w, entries.length, () => {
          for (const [k, x] of entries) {
            if (typeof k !== 'string') throw new RecordFailure(`Invalid map key for field "${label}": Avro map keys are strings`);
            w.writeString(k);
            value(w, x);
          }
        });
      };
    }
    case 'record': {
      if (t.kind !== 'STRUCT') throw fail();
      const names = t.fields.map((f) => f.name);
      const fields = compileRecordFields(node, t.fields, false);
      return (w, v) => {
        const o = asStruct(node, v);
        fields(w, (i) => o[names[i]!]);
      };
    }
    default:
      throw fail();
  }
}

function compileMapEntries(entry: AvroRecord, t: SqlType & { kind: 'MAP' }, label: string): WriteFn {
  const targets: StructField[] = [
    { name: 'key', type: t.key },
    { name: 'value', type: t.value },
  ];
  const fields = compileRecordFields(entry, targets, false, true);
  return (w, v) => {
    const entries = entriesOf(entry, v);
    writeBlocks(w, entries.length, () => {
      for (const [k, x] of entries) fields(w, (i) => (i === 0 ? k : x));
    });
  };
}

type FieldsWriter = (w: AvroWriter, get: (sourceIndex: number) => unknown) => void;

/** The field of the source a schema field takes its value from: exact name, else case-insensitively. */
function sourceIndex(sources: readonly StructField[], name: string, exactOnly: boolean): number {
  const exact = sources.findIndex((s) => s.name === name || (s.name.includes('.') && avroFieldName(s.name) === name));
  if (exact >= 0 || exactOnly) return exact;
  const upper = name.toUpperCase();
  return sources.findIndex((s) => s.name.toUpperCase() === upper);
}

/** The bytes of a field the source lacks: its default, NULL if it may be null, else an error. */
function absentFieldBytes(field: AvroField): Buffer {
  if (field.hasDefault) {
    const w = new AvroWriter(16);
    writeDefault(w, field.type, field.default, field.name);
    return w.result();
  }
  if (field.type.kind === 'null') return Buffer.alloc(0);
  if (field.type.kind === 'union') {
    const nullIndex = field.type.branches.findIndex((b) => b.kind === 'null');
    if (nullIndex >= 0) {
      const w = new AvroWriter(8);
      w.writeLong(nullIndex);
      return w.result();
    }
  }
  throw new RecordFailure(`Missing default value for required Avro field: [${field.name}]. This field appears in Avro schema in Schema Registry`);
}

/**
 * Writes a record from a source's fields (struct fields or columns). `rowLevel`: the columns of a
 * row written with a registered schema, where every column must be in the schema (ksqlDB).
 */
export function compileRecordFields(record: AvroRecord, sources: readonly StructField[], rowLevel: boolean, exactOnly = false): FieldsWriter {
  const steps = record.fields.map((f) => {
    const index = sourceIndex(sources, f.name, exactOnly);
    if (index < 0) return { index, write: undefined, fixed: absentFieldBytes(f) };
    // like Connect's Struct.get, a NULL for a required field with a default writes the default
    const required = f.type.kind !== 'null' && !(f.type.kind === 'union' && f.type.branches.some((b) => b.kind === 'null'));
    const orDefault = f.hasDefault && required ? absentFieldBytes(f) : undefined;
    return { index, write: compileWrite(f.type, sources[index]!.type, f.name), fixed: undefined, orDefault };
  });
  if (rowLevel) {
    for (let i = 0; i < sources.length; i++) {
      if (!steps.some((s) => s.index === i)) throw new RecordFailure(`Schema from Schema Registry misses field with name: ${sources[i]!.name}`);
    }
  }
  return (w, get) => {
    for (const s of steps) {
      if (s.write) {
        const v = get(s.index);
        if ((v === null || v === undefined) && 'orDefault' in s && s.orDefault) w.writeRaw(s.orDefault);
        else s.write(w, v);
      } else w.writeRaw(s.fixed!);
    }
  };
}

/**
 * The writer of a whole row (values in column order). `unwrapped`: the single column's value is
 * the record. `registered`: the schema came from the registry (ksqlDB's checks for it apply).
 */
export function compileRowWriter(
  node: AvroNode,
  columns: readonly StructField[],
  unwrapped: boolean,
  registered: boolean,
): (w: AvroWriter, values: readonly unknown[]) => void {
  if (unwrapped) {
    const write = compileWrite(node, columns[0]!.type, columns[0]!.name);
    return (w, values) => write(w, values[0]);
  }
  let record: AvroRecord | undefined;
  let branchIndex = -1;
  if (node.kind === 'record') record = node;
  else if (node.kind === 'union') {
    branchIndex = node.branches.findIndex((b) => b.kind === 'record');
    if (branchIndex >= 0) record = node.branches[branchIndex] as AvroRecord;
  }
  if (record === undefined) throw new AvroWriteMismatch(`Cannot write the columns as Avro ${node.kind}: the schema is not a record`);
  const fields = compileRecordFields(record, columns, registered, registered);
  return (w, values) => {
    if (branchIndex >= 0) w.writeLong(branchIndex);
    fields(w, (i) => values[i]);
  };
}

// --- JSON values (defaults, test data) -----------------------------------------------------------

function jsonFailure(label: string, node: AvroNode): RecordFailure {
  return new RecordFailure(`Invalid value for Avro ${node.kind} (field: ${label})`);
}

function jsonInteger(v: unknown, label: string, node: AvroNode): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  throw jsonFailure(label, node);
}

function jsonBytes(v: unknown, label: string, node: AvroNode, defaults: boolean): Buffer {
  if (Buffer.isBuffer(v)) return v;
  // Avro defaults are ISO-8859-1 strings; test data gives bytes in base64, as ksqlDB prints them
  if (typeof v === 'string') return Buffer.from(v, defaults ? 'latin1' : 'base64');
  throw jsonFailure(label, node);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Map) && !Decimal.isDecimal(v);
}

/** Whether a JSON value has the shape of a schema type (to pick a union branch for it). */
function jsonFits(node: AvroNode, v: unknown): boolean {
  switch (node.kind) {
    case 'null':
      return v === null || v === undefined;
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
      return (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) || (typeof v === 'bigint' && v >= INT32_MIN && v <= INT32_MAX);
    case 'long':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    case 'float':
    case 'double':
      return typeof v === 'number';
    case 'bytes':
    case 'fixed':
      return node.decimal ? typeof v === 'number' || typeof v === 'string' || Decimal.isDecimal(v) : typeof v === 'string' || Buffer.isBuffer(v);
    case 'string':
      return typeof v === 'string';
    case 'enum':
      return typeof v === 'string' && node.symbols.includes(v);
    case 'array':
      return mapEntryRecord(node) ? isPlainObject(v) || v instanceof Map : Array.isArray(v);
    case 'map':
      return isPlainObject(v) || v instanceof Map;
    case 'record':
      return isPlainObject(v);
    case 'union':
      return node.branches.some((b) => jsonFits(b, v));
  }
}

/**
 * Writes a JSON value as the schema type. `defaults`: Avro default semantics (unions take their
 * first branch, bytes are ISO-8859-1 strings); otherwise test-data semantics (a union takes the
 * first branch the value fits, bytes are base64, record fields match case-insensitively).
 */
function writeJson(w: AvroWriter, node: AvroNode, v: unknown, label: string, defaults: boolean): void {
  switch (node.kind) {
    case 'null':
      if (v !== null && v !== undefined) throw jsonFailure(label, node);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw jsonFailure(label, node);
      w.writeBoolean(v);
      return;
    case 'int': {
      const n = jsonInteger(v, label, node);
      if (n < INT32_MIN || n > INT32_MAX) throw jsonFailure(label, node);
      w.writeInt(Number(n));
      return;
    }
    case 'long': {
      const n = jsonInteger(v, label, node);
      if (n < LONG_MIN || n > LONG_MAX) throw jsonFailure(label, node);
      w.writeLong(n);
      return;
    }
    case 'float':
    case 'double': {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' || typeof v === 'string' ? Number(v) : NaN;
      if (typeof v !== 'number' && Number.isNaN(n)) throw jsonFailure(label, node);
      if (node.kind === 'float') w.writeFloat(n);
      else w.writeDouble(n);
      return;
    }
    case 'bytes':
      if (node.decimal && !defaults) w.writeBytes(decimalBytes(node, node.decimal, roundTo(v, node.decimal, label, node)));
      else w.writeBytes(jsonBytes(v, label, node, defaults));
      return;
    case 'fixed': {
      if (node.decimal && !defaults) {
        w.writeRaw(fixedDecimalBytes(node, node.decimal, roundTo(v, node.decimal, label, node)));
        return;
      }
      const b = jsonBytes(v, label, node, defaults);
      if (b.length !== node.size) throw jsonFailure(label, node);
      w.writeRaw(b);
      return;
    }
    case 'string':
      if (typeof v !== 'string') throw jsonFailure(label, node);
      w.writeString(v);
      return;
    case 'enum': {
      const i = typeof v === 'string' ? node.symbols.indexOf(v) : -1;
      if (i < 0) throw jsonFailure(label, node);
      w.writeInt(i);
      return;
    }
    case 'array': {
      const entry = mapEntryRecord(node);
      if (entry && !defaults && !Array.isArray(v)) {
        const entries = v instanceof Map ? [...v.entries()] : isPlainObject(v) ? Object.entries(v) : undefined;
        if (entries === undefined) throw jsonFailure(label, node);
        writeBlocks(w, entries.length, () => {
          for (const [k, x] of entries) writeJson(w, entry, { key: k, value: x }, label, false);
        });
        return;
      }
      if (!Array.isArray(v)) throw jsonFailure(label, node);
      writeBlocks(w, v.length, () => {
        for (const x of v) writeJson(w, node.items, x, label, defaults);
      });
      return;
    }
    case 'map': {
      const entries = v instanceof Map ? [...v.entries()] : isPlainObject(v) ? Object.entries(v) : undefined;
      if (entries === undefined) throw jsonFailure(label, node);
      writeBlocks(w, entries.length, () => {
        for (const [k, x] of entries) {
          w.writeString(String(k));
          writeJson(w, node.values, x, label, defaults);
        }
      });
      return;
    }
    case 'record': {
      if (!isPlainObject(v)) throw jsonFailure(label, node);
      for (const f of node.fields) {
        let key: string | undefined = Object.hasOwn(v, f.name) ? f.name : undefined;
        if (key === undefined && !defaults) key = Object.keys(v).find((k) => k.toUpperCase() === f.name.toUpperCase());
        if (key !== undefined) writeJson(w, f.type, v[key], f.name, defaults);
        else w.writeRaw(absentFieldBytes(f));
      }
      return;
    }
    case 'union': {
      let i = 0;
      if (!defaults) {
        i = node.branches.findIndex((b) => jsonFits(b, v));
        if (i < 0) throw jsonFailure(label, node);
      }
      w.writeLong(i);
      writeJson(w, node.branches[i]!, v, label, defaults);
      return;
    }
  }
}

/** Test data gives decimals as JSON numbers: take them at the schema's scale. */
function roundTo(v: unknown, info: DecimalInfo, label: string, node: AvroNode): Decimal {
  if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'bigint' && !Decimal.isDecimal(v)) throw jsonFailure(label, node);
  return new Decimal(String(v)).toDecimalPlaces(info.scale);
}

function writeDefault(w: AvroWriter, node: AvroNode, v: unknown, label: string): void {
  try {
    writeJson(w, node, v, label, true);
  } catch (e) {
    if (e instanceof RecordFailure) throw new RecordFailure(`Invalid default for field ${label}: ${e.message}`);
    throw e;
  }
}

/** The Avro binary body of a plain JSON value (test data) written with the schema. */
export function encodeJsonValue(node: AvroNode, value: unknown): Buffer {
  const w = new AvroWriter();
  writeJson(w, node, value, '', false);
  return w.result();
}
