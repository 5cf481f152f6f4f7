/**
 * Decoding: a writer schema and the SQL types to produce are compiled into reader functions that
 * go straight from Avro bytes to runtime values, with ksqlDB's coercions (ConnectDataTranslator):
 * int -> BIGINT, float -> DOUBLE, numbers, booleans and enums -> STRING, fixed -> BYTES, record
 * fields matched to columns by exact name or upper-cased name (unmatched columns are NULL,
 * unmatched fields are skipped), Connect's MapEntry arrays -> MAP, a general union -> STRUCT of
 * its branches. A type that cannot be coerced fails as ksqlDB does: "Cannot deserialize type
 * int64 as type struct for path: ->FIELD" (thrown when compiling, i.e. once per writer schema).
 */
import type { DecimalType, SqlType, StructField } from '../../common/sql-types.js';
import { formatSqlType } from '../../common/sql-types.js';
import { fitDecimalText } from '../decimal-fit.js';
import { javaDoubleToString } from '../java-number-text.js';
import { AvroDecodeError, twosComplementToBigint } from './avro-binary.js';
import { avroFieldName } from './avro-derive.js';
import type { AvroReader } from './avro-binary.js';
import type { AvroField, AvroNode, AvroRecord, DecimalInfo } from './avro-schema.js';
import { connectTypeName, mapEntryRecord, optionalBranch, unionMemberName } from './avro-schema.js';
import { sqlConnectTypeName } from '../connect-types.js';

export type ReadFn = (r: AvroReader) => unknown;
type SkipFn = (r: AvroReader) => void;

/** The writer schema cannot be read as the columns' types. */
export class AvroSchemaMismatch extends Error {}

function mismatch(writer: AvroNode, target: SqlType, path: string): AvroSchemaMismatch {
  const source = connectTypeName(writer);
  let wanted = sqlConnectTypeName(target);
  // a DECIMAL and plain bytes share the Connect type: name the SQL type to make the problem clear
  if (wanted === source) wanted = formatSqlType(target);
  return new AvroSchemaMismatch(`Cannot deserialize type ${source} as type ${wanted} for path: ${path}`);
}

/** Float.toString: the shortest decimal that reads back as the same float, in Java's notation. */
export function javaFloatToString(f: number): string {
  if (!Number.isFinite(f) || f === 0) return javaDoubleToString(f);
  for (let p = 1; p <= 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return javaDoubleToString(d);
  }
  return javaDoubleToString(f);
}

function unscaledToText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

function decimalReader(source: DecimalInfo, target: DecimalType, read: (r: AvroReader) => Buffer): ReadFn {
  return (r) => fitDecimalText(unscaledToText(twosComplementToBigint(read(r)), source.scale), target);
}

// --- skipping fields no column wants -------------------------------------------------------------

const skippers = new WeakMap<AvroNode, SkipFn>();
const minSizes = new WeakMap<AvroNode, number>();

/** The fewest bytes a value of the type takes (0 for nulls and records of them). */
export function minSize(node: AvroNode, inProgress: Set<AvroNode> = new Set()): number {
  const known = minSizes.get(node);
  if (known !== undefined) return known;
  let size: number;
  switch (node.kind) {
    case 'null':
      size = 0;
      break;
    case 'float':
      size = 4;
      break;
    case 'double':
      size = 8;
      break;
    case 'fixed':
      size = node.size;
      break;
    case 'record':
      if (inProgress.has(node)) return 0;
      inProgress.add(node);
      size = node.fields.reduce((s, f) => s + minSize(f.type, inProgress), 0);
      inProgress.delete(node);
      break;
    default:
      size = 1;
  }
  minSizes.set(node, size);
  return size;
}

function readUnionIndex(r: AvroReader, count: number): number {
  const i = r.readLong();
  if (typeof i !== 'number' || i < 0 || i >= count) throw new AvroDecodeError(`Invalid union index: ${i}`);
  return i;
}

export function skipper(node: AvroNode): SkipFn {
  const known = skippers.get(node);
  if (known) return known;
  let impl: SkipFn | undefined;
  // registered before it is built, so recursive records find it
  const fn: SkipFn = (r) => impl!(r);
  skippers.set(node, fn);
  impl = buildSkipper(node);
  return fn;
}

function buildSkipper(node: AvroNode): SkipFn {
  switch (node.kind) {
    case 'null':
      return () => {};
    case 'boolean':
      return (r) => void r.readBoolean();
    case 'int':
    case 'enum':
      return (r) => void r.readInt();
    case 'long':
      return (r) => void r.readLong();
    case 'float':
      return (r) => r.skip(4);
    case 'double':
      return (r) => r.skip(8);
    case 'bytes':
    case 'string':
      return (r) => r.skipBytes();
    case 'fixed': {
      const size = node.size;
      return (r) => r.skip(size);
    }
    case 'array': {
      const item = skipper(node.items);
      const min = minSize(node.items);
      return (r) => {
        for (let n = r.readBlockCount(min); n !== 0; n = r.readBlockCount(min)) for (let i = 0; i < n; i++) item(r);
      };
    }
    case 'map': {
      const value = skipper(node.values);
      const min = 1 + minSize(node.values);
      return (r) => {
        for (let n = r.readBlockCount(min); n !== 0; n = r.readBlockCount(min)) {
          for (let i = 0; i < n; i++) {
            r.skipBytes();
            value(r);
          }
        }
      };
    }
    case 'record': {
      const fields = node.fields.map((f) => skipper(f.type));
      return (r) => {
        for (const f of fields) f(r);
      };
    }
    case 'union': {
      const branches = node.branches.map((b) => skipper(b));
      return (r) => branches[readUnionIndex(r, branches.length)]!(r);
    }
  }
}

// --- reading into runtime values -----------------------------------------------------------------

/**
 * The target field a writer field feeds: exact name, else the upper-cased name (ksqlDB), else the
 * column whose dots ksqlDB replaced with underscores when it derived the schema.
 */
function fieldIndex(targets: readonly StructField[], name: string): number {
  const exact = targets.findIndex((t) => t.name === name);
  if (exact >= 0) return exact;
  const upper = targets.findIndex((t) => t.name === name.toUpperCase());
  return upper >= 0 ? upper : targets.findIndex((t) => t.name.includes('.') && avroFieldName(t.name) === name);
}

interface FieldStep {
  readonly index: number;
  readonly read: ReadFn | SkipFn;
}

function fieldSteps(fields: readonly AvroField[], targets: readonly StructField[], path: string): FieldStep[] {
  return fields.map((f) => {
    const index = fieldIndex(targets, f.name);
    if (index < 0) return { index, read: skipper(f.type) };
    const target = targets[index]!;
    return { index, read: compileRead(f.type, target.type, `${path}->${target.name}`) };
  });
}

/** A record read as the target fields' values, in target order (missing ones NULL). */
export function compileRecordValues(record: AvroRecord, targets: readonly StructField[], path: string): (r: AvroReader) => unknown[] {
  const steps = fieldSteps(record.fields, targets, path);
  const n = targets.length;
  return (r) => {
    const out = new Array<unknown>(n).fill(null);
    for (const s of steps) {
      if (s.index < 0) s.read(r);
      else out[s.index] = s.read(r);
    }
    return out;
  };
}

function compileStruct(record: AvroRecord, targets: readonly StructField[], path: string): ReadFn {
  const steps = fieldSteps(record.fields, targets, path);
  const names = targets.map((t) => t.name);
  return (r) => {
    const o: Record<string, unknown> = {};
    for (const name of names) o[name] = null;
    for (const s of steps) {
      if (s.index < 0) s.read(r);
      else o[names[s.index]!] = s.read(r);
    }
    return o;
  };
}

/** AvroData turns a union of several types into a struct with one field per branch. */
function compileUnionStruct(union: { branches: readonly AvroNode[] }, targets: readonly StructField[], path: string): ReadFn {
  const names = targets.map((t) => t.name);
  const branches = union.branches.map((b) => {
    if (b.kind === 'null') return undefined;
    const index = fieldIndex(targets, unionMemberName(b));
    if (index < 0) return { index, read: skipper(b) as ReadFn };
    return { index, read: compileRead(b, targets[index]!.type, `${path}->${names[index]}`) };
  });
  return (r) => {
    const b = branches[readUnionIndex(r, branches.length)];
    if (b === undefined) return null;
    const o: Record<string, unknown> = {};
    for (const name of names) o[name] = null;
    const v = b.read(r);
    if (b.index >= 0) o[names[b.index]!] = v;
    return o;
  };
}

function compileBlocks<T>(min: number, start: () => T, item: (r: AvroReader, acc: T) => void): (r: AvroReader) => T {
  return (r) => {
    const acc = start();
    for (let n = r.readBlockCount(min); n !== 0; n = r.readBlockCount(min)) for (let i = 0; i < n; i++) item(r, acc);
    return acc;
  };
}

/**
 * A reader from `writer` to runtime values of `target`; null values (union branches) come out as
 * null. Throws AvroSchemaMismatch when the writer type cannot be read as the target.
 */
export function compileRead(writer: AvroNode, target: SqlType, path: string): ReadFn {
  if (writer.kind === 'union') {
    const only = optionalBranch(writer);
    if (only === undefined) {
      if (target.kind !== 'STRUCT') throw mismatch(writer, target, path);
      return compileUnionStruct(writer, target.fields, path);
    }
    const inner = compileRead(only, target, path);
    const valueIndex = writer.branches.indexOf(only);
    const count = writer.branches.length;
    return (r) => (readUnionIndex(r, count) === valueIndex ? inner(r) : null);
  }
  if (writer.kind === 'null') return () => null;
  switch (target.kind) {
    case 'BOOLEAN':
      if (writer.kind === 'boolean') return (r) => r.readBoolean();
      break;
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      if (writer.kind === 'int') return (r) => r.readInt();
      break;
    case 'BIGINT':
      if (writer.kind === 'long') return (r) => r.readLongBig();
      if (writer.kind === 'int') return (r) => BigInt(r.readInt());
      break;
    case 'TIMESTAMP':
      if (writer.kind === 'long') return (r) => Number(r.readLong());
      if (writer.kind === 'int') return (r) => r.readInt();
      break;
    case 'DOUBLE':
      if (writer.kind === 'double') return (r) => r.readDouble();
      if (writer.kind === 'float') return (r) => r.readFloat();
      break;
    case 'STRING':
      switch (writer.kind) {
        case 'string':
          return (r) => r.readString();
        case 'enum': {
          const symbols = writer.symbols;
          return (r) => {
            const i = r.readInt();
            if (i < 0 || i >= symbols.length) throw new AvroDecodeError(`Invalid enum index: ${i}`);
            return symbols[i];
          };
        }
        case 'int':
          return (r) => String(r.readInt());
        case 'long':
          return (r) => String(r.readLong());
        case 'float':
          return (r) => javaFloatToString(r.readFloat());
        case 'double':
          return (r) => javaDoubleToString(r.readDouble());
        case 'boolean':
          return (r) => String(r.readBoolean());
      }
      break;
    case 'BYTES':
      if (writer.kind === 'bytes') return (r) => r.readBytes();
      if (writer.kind === 'fixed') {
        const size = writer.size;
        return (r) => r.readFixed(size);
      }
      break;
    case 'DECIMAL':
      if (writer.kind === 'bytes' && writer.decimal) return decimalReader(writer.decimal, target, (r) => r.readBytes());
      if (writer.kind === 'fixed' && writer.decimal) {
        const size = writer.size;
        return decimalReader(writer.decimal, target, (r) => r.readFixed(size));
      }
      break;
    case 'ARRAY': {
      if (writer.kind !== 'array' || mapEntryRecord(writer)) break;
      const item = compileRead(writer.items, target.element, `${path}->ARRAY`);
      return compileBlocks(minSize(writer.items), () => [] as unknown[], (r, acc) => void acc.push(item(r)));
    }
    case 'MAP': {
      if (writer.kind === 'map') {
        // Avro map keys are strings: MAP keys are always STRING for AVRO sources
        const value = compileRead(writer.values, target.value, `${path}->MAP_VAL`);
        return compileBlocks(1 + minSize(writer.values), () => new Map<unknown, unknown>(), (r, acc) => {
          const k = r.readString();
          acc.set(k, value(r));
        });
      }
      const entry = mapEntryRecord(writer);
      if (entry === undefined) break;
      const entryFields: StructField[] = [
        { name: 'key', type: target.key },
        { name: 'value', type: target.value },
      ];
      const steps = entry.fields.map((f) => {
        const index = f.name === 'key' ? 0 : f.name === 'value' ? 1 : -1;
        if (index < 0) return { index, read: skipper(f.type) as ReadFn };
        return { index, read: compileRead(f.type, entryFields[index]!.type, `${path}->${index === 0 ? 'MAP_KEY' : 'MAP_VAL'}`) };
      });
      return compileBlocks(minSize(entry), () => new Map<unknown, unknown>(), (r, acc) => {
        let k: unknown = null;
        let v: unknown = null;
        for (const s of steps) {
          const x = s.read(r);
          if (s.index === 0) k = x;
          else if (s.index === 1) v = x;
        }
        acc.set(k, v);
      });
    }
    case 'STRUCT':
      if (writer.kind === 'record') return compileStruct(writer, target.fields, path);
      break;
  }
  throw mismatch(writer, target, path);
}

/**
 * The reader of a whole row: the columns' values in order, or null for a null record.
 * `unwrapped`: the record is the single column's value itself.
 */
export function compileRowReader(writer: AvroNode, columns: readonly StructField[], unwrapped: boolean): (r: AvroReader) => unknown[] | null {
  if (unwrapped) {
    const read = compileRead(writer, columns[0]!.type, '');
    return (r) => [read(r)];
  }
  if (writer.kind === 'record') return compileRecordValues(writer, columns, '');
  const only = optionalBranch(writer);
  if (only?.kind === 'record' && writer.kind === 'union') {
    const values = compileRecordValues(only, columns, '');
    const valueIndex = writer.branches.indexOf(only);
    const count = writer.branches.length;
    return (r) => (readUnionIndex(r, count) === valueIndex ? values(r) : null);
  }
  const read = compileRead(writer, { kind: 'STRUCT', fields: columns }, '');
  return (r) => {
    const o = read(r) as Record<string, unknown> | null;
    return o === null ? null : columns.map((c) => o[c.name]);
  };
}

// --- generic reading (the record as its writer schema describes it) ----------------------------

const genericReaders = new WeakMap<AvroNode, ReadFn>();

/**
 * A reader that turns a value into plain JSON-like data following the writer schema alone:
 * records -> objects with every field, maps and Connect MapEntry arrays -> objects, longs ->
 * numbers, decimals -> numbers, bytes and fixed -> base64 text, enums -> their symbol, unions ->
 * the branch's value. This is how test tools compare Avro output.
 */
export function genericReader(node: AvroNode): ReadFn {
  const known = genericReaders.get(node);
  if (known) return known;
  let impl: ReadFn | undefined;
  const fn: ReadFn = (r) => impl!(r);
  genericReaders.set(node, fn);
  impl = buildGenericReader(node);
  return fn;
}

function buildGenericReader(node: AvroNode): ReadFn {
  switch (node.kind) {
    case 'null':
      return () => null;
    case 'boolean':
      return (r) => r.readBoolean();
    case 'int':
      return (r) => r.readInt();
    case 'long':
      return (r) => Number(r.readLong());
    case 'float':
      return (r) => r.readFloat();
    case 'double':
      return (r) => r.readDouble();
    case 'string':
      return (r) => r.readString();
    case 'bytes':
    case 'fixed': {
      const read = node.kind === 'fixed' ? ((size: number) => (r: AvroReader) => r.readFixed(size))(node.size) : (r: AvroReader) => r.readBytes();
      const info = node.decimal;
      if (info) return (r) => Number(unscaledToText(twosComplementToBigint(read(r)), info.scale));
      return (r) => read(r).toString('base64');
    }
    case 'enum': {
      const symbols = node.symbols;
      return (r) => {
        const i = r.readInt();
        if (i < 0 || i >= symbols.length) throw new AvroDecodeError(`Invalid enum index: ${i}`);
        return symbols[i];
      };
    }
    case 'array': {
      const entry = mapEntryRecord(node);
      const min = minSize(node.items);
      if (entry) {
        const item = genericReader(entry);
        return compileBlocks(min, () => ({}) as Record<string, unknown>, (r, acc) => {
          const e = item(r) as Record<string, unknown>;
          acc[String(e.key)] = e.value;
        });
      }
      const item = genericReader(node.items);
      return compileBlocks(min, () => [] as unknown[], (r, acc) => void acc.push(item(r)));
    }
    case 'map': {
      const value = genericReader(node.values);
      return compileBlocks(1 + minSize(node.values), () => ({}) as Record<string, unknown>, (r, acc) => {
        const k = r.readString();
        acc[k] = value(r);
      });
    }
    case 'record': {
      const fields = node.fields.map((f) => ({ name: f.name, read: genericReader(f.type) }));
      return (r) => {
        const o: Record<string, unknown> = {};
        for (const f of fields) o[f.name] = f.read(r);
        return o;
      };
    }
    case 'union': {
      const branches = node.branches.map((b) => genericReader(b));
      return (r) => branches[readUnionIndex(r, branches.length)]!(r);
    }
  }
}
