/**
 * PROTOBUF and PROTOBUF_NOSR formats (ksqlDB's ProtobufFormat / ProtobufNoSRFormat).
 *
 * Both always wrap: the columns are the fields of one message, keys included (a single key
 * column is a message with one field; WRAP_SINGLE_VALUE=false is rejected). The writer schema
 * is derived from the columns (see proto-derive.ts) or, for PROTOBUF with KEY_/VALUE_SCHEMA_ID,
 * is the registered schema (its message named by the SCHEMA_FULL_NAME, else its first message).
 *
 * PROTOBUF records are framed like Confluent's serializer writes them: magic byte 0, the schema
 * id (big-endian int32), the message indexes (zigzag varints: a count then the path of the
 * message in the file, a single 0 for the first message), then the message. They are read with
 * the writer schema their id designates in the registry; a derived schema is registered under
 * `<topic>-key|value` on first write. PROTOBUF_NOSR records are the bare message, read and
 * written with the schema derived from the columns.
 */
import type { StructField } from '../../common/sql-types.js';
import { frameHeader, subjectName } from '../json-sr/sr-framing.js';
import type { SchemaRegistry } from '../schema-registry.js';
import { asDeserializeError, asSerializeError, columnCountMismatch, configError, deserializeFailure, RecordFailure, SchemaNotSupported } from '../serde-failure.js';
import type { FormatOptions, RowSerde, SerdeFactory, SerdeSpec } from '../serde-types.js';
import { compileFieldsReader, compileMessageWriter, decodeMessage, type Decoded } from './proto-codec.js';
import { deriveProtobufSchema, type NullableRepresentation } from './proto-derive.js';
import { findMessage, messageAt, messageIndexes, parseProtoFile, ProtoSchemaError, type ImportResolver, type ProtoFile, type ProtoMessage } from './proto-schema.js';
import { ProtoReader, ProtoWriter, zigzagDecode32, zigzagEncode32 } from './wire.js';

/** FormatOptions plus what only the PROTOBUF formats read. */
export interface ProtobufFormatOptions extends FormatOptions {
  /** KEY_/VALUE_PROTOBUF_NULLABLE_REPRESENTATION: 'OPTIONAL' or 'WRAPPER' (any case) */
  readonly nullableRepresentation?: string;
}

export function protobufNullableRepresentation(options: FormatOptions): NullableRepresentation | undefined {
  const v = (options as ProtobufFormatOptions).nullableRepresentation;
  if (v === undefined || v === null) return undefined;
  const u = String(v).toUpperCase();
  if (u === 'OPTIONAL' || u === 'WRAPPER') return u;
  throw configError(`Invalid value for PROTOBUF_NULLABLE_REPRESENTATION: '${String(v)}'. Valid values are: OPTIONAL, WRAPPER`);
}

// parses of derived schemas depend on nothing but their text
const derivedFiles = new Map<string, ProtoFile>();
const DERIVED_CACHE_LIMIT = 256;

function parseDerived(text: string): ProtoFile {
  let f = derivedFiles.get(text);
  if (f === undefined) {
    try {
      f = parseProtoFile(text);
    } catch (e) {
      // a column name protobuf cannot hold, ...
      if (e instanceof ProtoSchemaError) throw new SchemaNotSupported(e.message);
      throw e;
    }
    if (derivedFiles.size >= DERIVED_CACHE_LIMIT) derivedFiles.delete(derivedFiles.keys().next().value!);
    derivedFiles.set(text, f);
  }
  return f;
}

/**
 * Parses a registered PROTOBUF schema; its imports are looked up as subjects of the registry
 * (a schema reference `event.proto` registered under the subject `event.proto`).
 */
export function parseRegisteredProtobuf(text: string, registry: SchemaRegistry | undefined): ProtoFile {
  return parseProtoFile(text, registryImports(registry));
}

/** Resolves imports of a protobuf schema to the PROTOBUF schemas registered under subjects of those names. */
export function registryImports(registry: SchemaRegistry | undefined): ImportResolver {
  return (name) => {
    const r = registry?.latest(name);
    return r !== undefined && r.type === 'PROTOBUF' ? r.schema : undefined;
  };
}

/** Confluent's MessageIndexes bytes: [0] is a single 0 byte, else a count then each index */
export function messageIndexBytes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const w = new ProtoWriter();
  w.uvarint(zigzagEncode32(indexes.length));
  for (const i of indexes) w.uvarint(zigzagEncode32(i));
  return w.finish();
}

function readMessageIndexes(r: ProtoReader): number[] {
  const count = zigzagDecode32(r.varint32());
  if (count === 0) return [0];
  if (count < 0 || count > 100) throw new RecordFailure(`Invalid message indexes (count ${count})`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const idx = zigzagDecode32(r.varint32());
    if (idx < 0) throw new RecordFailure(`Invalid message index ${idx}`);
    out.push(idx);
  }
  return out;
}

interface ReadPlan {
  readonly msg: ProtoMessage;
  readonly read: (d: Decoded) => unknown[];
}

interface WritePlan {
  readonly header: Buffer;
  readonly write: (w: ProtoWriter, values: readonly unknown[]) => void;
}

const READ_PLAN_LIMIT = 64;

function createProtobufFormatSerde(spec: SerdeSpec, framed: boolean): RowSerde {
  const format = framed ? 'PROTOBUF' : 'PROTOBUF_NOSR';
  const { columns, options } = spec;
  if (options.wrapSingleValue === false) throw configError(`Format '${format}' does not support 'WRAP_SINGLE_VALUE' set to 'false'.`);
  const nullable = protobufNullableRepresentation(options);
  const text = deriveProtobufSchema(columns, { fullName: options.schemaFullName, nullable });
  const derivedMsg = parseDerived(text).messages[0]!;
  const derivedRead: ReadPlan = { msg: derivedMsg, read: compileFieldsReader(derivedMsg, columns, '') };
  const derivedWrite = compileMessageWriter(derivedMsg, columns, '', false);
  const n = columns.length;

  const encode = (write: WritePlan['write'], values: readonly unknown[], header?: Buffer): Buffer => {
    const w = new ProtoWriter();
    if (header) w.raw(header);
    write(w, values);
    return w.finish();
  };

  const checkRow = (values: readonly unknown[]): void => {
    if (values.length !== n) throw columnCountMismatch(true, n, values.length);
  };

  const decodeWith = (plan: ReadPlan, bytes: Buffer, start: number, id?: number): unknown[] => {
    let d: Decoded;
    try {
      d = decodeMessage(plan.msg, bytes, start, bytes.length);
    } catch (e) {
      if (e instanceof RecordFailure && id !== undefined) throw new RecordFailure(`Error deserializing Protobuf message for id ${id}: ${e.message}`);
      throw e;
    }
    return plan.read(d);
  };

  if (!framed) {
    return {
      serialize(values) {
        if (values === null) return null;
        try {
          checkRow(values);
          return encode(derivedWrite, values);
        } catch (e) {
          throw asSerializeError(spec, e);
        }
      },
      deserialize(bytes) {
        if (bytes === null) return null;
        try {
          return decodeWith(derivedRead, bytes, 0);
        } catch (e) {
          throw asDeserializeError(spec, e);
        }
      },
    };
  }

  const registry = options.schemaRegistry;
  let writePlan: WritePlan | undefined;
  const resolveWritePlan = (): WritePlan => {
    if (writePlan) return writePlan;
    if (options.schemaId !== undefined) {
      const id = options.schemaId;
      if (!registry) throw new RecordFailure(`No schema registry is configured to look up schema id ${id}`);
      const reg = registry.byId(id);
      if (reg === undefined) throw new RecordFailure(`Schema with id ${id} not found in the schema registry`);
      if (reg.type !== 'PROTOBUF') throw new RecordFailure(`Schema with id ${id} is not a PROTOBUF schema (it is ${reg.type})`);
      const file = parseRegisteredProtobuf(reg.schema, registry);
      const full = options.schemaFullName;
      const msg = full !== undefined ? findMessage(file, full) : file.messages[0];
      if (msg === undefined) {
        throw new RecordFailure(full !== undefined ? `Schema with id ${id} has no message named ${full}` : `Schema with id ${id} declares no message`);
      }
      writePlan = {
        header: Buffer.concat([frameHeader(id), messageIndexBytes(messageIndexes(file, msg) ?? [0])]),
        write: compileMessageWriter(msg, columns, '', true),
      };
    } else {
      if (!registry) throw new RecordFailure('No schema registry is configured to register the PROTOBUF schema');
      const id = registry.register(subjectName(options.topic, spec.target), 'PROTOBUF', text);
      writePlan = { header: Buffer.concat([frameHeader(id), messageIndexBytes([0])]), write: derivedWrite };
    }
    return writePlan;
  };

  const readPlans = new Map<string, ReadPlan>();
  const readPlanFor = (id: number, indexes: readonly number[]): ReadPlan => {
    const key = `${id}:${indexes.join('.')}`;
    let plan = readPlans.get(key);
    if (plan) return plan;
    if (!registry) {
      // nothing to look the writer up in: assume the schema these columns derive
      if (indexes.length !== 1 || indexes[0] !== 0) throw new RecordFailure(`Error retrieving Protobuf schema for id ${id}`);
      return derivedRead;
    }
    const reg = registry.byId(id);
    if (reg === undefined || reg.type !== 'PROTOBUF') throw new RecordFailure(`Error retrieving Protobuf schema for id ${id}`);
    let file: ProtoFile;
    try {
      file = parseRegisteredProtobuf(reg.schema, registry);
    } catch (e) {
      throw new RecordFailure(`Error retrieving Protobuf schema for id ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const msg = messageAt(file, indexes);
    if (msg === undefined) throw new RecordFailure(`Error deserializing Protobuf message for id ${id}: no message at indexes [${indexes.join(', ')}]`);
    plan = { msg, read: compileFieldsReader(msg, columns, '') };
    if (readPlans.size >= READ_PLAN_LIMIT) readPlans.delete(readPlans.keys().next().value!);
    readPlans.set(key, plan);
    return plan;
  };

  return {
    serialize(values) {
      if (values === null) return null;
      try {
        checkRow(values);
        const plan = resolveWritePlan();
        return encode(plan.write, values, plan.header);
      } catch (e) {
        throw asSerializeError(spec, e);
      }
    },
    deserialize(bytes) {
      if (bytes === null) return null;
      if (bytes.length < 5 || bytes[0] !== 0) throw deserializeFailure(spec, 'Unknown magic byte!');
      try {
        const id = bytes.readInt32BE(1);
        const r = new ProtoReader(bytes, 5, bytes.length);
        const indexes = readMessageIndexes(r);
        return decodeWith(readPlanFor(id, indexes), bytes, r.pos, id);
      } catch (e) {
        throw asDeserializeError(spec, e);
      }
    },
  };
}

export const createProtobufSerde: SerdeFactory = (spec) => createProtobufFormatSerde(spec, true);
export const createProtobufNoSrSerde: SerdeFactory = (spec) => createProtobufFormatSerde(spec, false);

/**
 * The schema text the PROTOBUF formats derive for columns (what a serializer registers), for the
 * engine to register or show at CREATE time. Throws ConfigError / SchemaNotSupported like createSerde.
 */
export function protobufSchemaFor(columns: readonly StructField[], options: FormatOptions = {}): string {
  return deriveProtobufSchema(columns, { fullName: options.schemaFullName, nullable: protobufNullableRepresentation(options) });
}
