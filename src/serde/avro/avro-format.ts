/**
 * The AVRO format (ksqlDB's AvroFormat / KsqlAvroSerdeFactory over Confluent's Avro converter).
 *
 * Records use Confluent's wire format: magic byte 0, the writer schema's registry id as a
 * big-endian int32, then the Avro binary body. Serializing registers the writer schema derived
 * from the columns (see avro-derive.ts) under `<topic>-key` / `<topic>-value` (once per serde), or
 * writes with the registered schema named by KEY_SCHEMA_ID / VALUE_SCHEMA_ID. Deserializing looks
 * the writer schema up by the id in the record (compiled once per id) and maps it onto the
 * columns, so records written with older or newer schemas read fine (see avro-decode.ts).
 *
 * Keys with one column are unwrapped (the bare type), values are wrapped in a record unless
 * WRAP_SINGLE_VALUE=false; a NULL unwrapped value is written as a null payload.
 */
import type { StructField } from '../../common/sql-types.js';
import {
  asDeserializeError,
  asSerializeError,
  columnCountMismatch,
  configError,
  deserializeFailure,
  RecordFailure,
  serializeFailure,
} from '../serde-failure.js';
import type { FormatOptions, RowSerde, SerdeColumn, SerdeFactory, SerdeSpec, SerdeTarget } from '../serde-types.js';
import type { SchemaRegistry } from '../schema-registry.js';
import { AvroDecodeError, AvroReader, AvroWriter } from './avro-binary.js';
import { AvroSchemaMismatch, compileRowReader, genericReader } from './avro-decode.js';
import { DEFAULT_AVRO_SCHEMA_FULL_NAME, deriveAvroSchema, hasNonStringMapKey } from './avro-derive.js';
import { AvroWriteMismatch, compileRowWriter, encodeJsonValue } from './avro-encode.js';
import type { AvroNode } from './avro-schema.js';
import { AvroSchemaError, parseAvroSchema } from './avro-schema.js';

const MAGIC_BYTE = 0;
const HEADER_SIZE = 5;

/** `<topic>-key` / `<topic>-value`: Confluent's TopicNameStrategy. */
export function avroSubject(topic: string | undefined, target: SerdeTarget): string {
  return `${topic ?? ''}-${target === 'KEY' ? 'key' : 'value'}`;
}

/**
 * Whether the key or value is the single column's bare value (keys with one column, values with
 * WRAP_SINGLE_VALUE=false) rather than a record of the columns.
 */
export function avroIsUnwrapped(target: SerdeTarget, columns: readonly SerdeColumn[], options: FormatOptions): boolean {
  const wrap = options.wrapSingleValue ?? !(target === 'KEY' && columns.length === 1);
  return columns.length === 1 && !wrap;
}

/**
 * The writer schema (JSON text) ksqlDB would register for these columns, e.g. to register it when
 * a source is created. Throws ConfigError ("Schema is not compatible with Avro: ...",
 * "Avro only supports MAPs with STRING keys") like the serde factory.
 */
export function avroSchemaFor(target: SerdeTarget, columns: readonly SerdeColumn[], options: FormatOptions = {}): string {
  return JSON.stringify(deriveChecked(target, columns, options));
}

function deriveChecked(target: SerdeTarget, columns: readonly SerdeColumn[], options: FormatOptions): unknown {
  const fullName = options.schemaFullName?.trim() || DEFAULT_AVRO_SCHEMA_FULL_NAME;
  let schema: unknown;
  try {
    schema = deriveAvroSchema(columns, !avroIsUnwrapped(target, columns, options), fullName);
  } catch (e) {
    if (e instanceof AvroSchemaError) throw configError(`Schema is not compatible with Avro: ${e.message}`);
    throw e;
  }
  if (columns.some((c) => hasNonStringMapKey(c.type))) throw configError('Avro only supports MAPs with STRING keys');
  return schema;
}

function registeredAvro(registry: SchemaRegistry, id: number): { node: AvroNode } | { error: string } {
  const registered = registry.byId(id);
  if (registered === undefined) return { error: `Schema with id ${id} is not in the schema registry` };
  if (registered.type !== 'AVRO') return { error: `Schema with id ${id} is a ${registered.type} schema, not an Avro schema` };
  try {
    return { node: parseAvroSchema(registered.schema) };
  } catch (e) {
    if (e instanceof AvroSchemaError) return { error: `Invalid Avro schema with id ${id}: ${e.message}` };
    throw e;
  }
}

function noRegistry(): never {
  throw configError(
    'The AVRO format needs a schema registry: records carry the id of their writer schema, ' +
      'which is registered and looked up there (FormatOptions.schemaRegistry is not set)',
  );
}

type RowWriter = (w: AvroWriter, values: readonly unknown[]) => void;
type RowReader = (r: AvroReader) => unknown[] | null;

export const createAvroSerde: SerdeFactory = (spec: SerdeSpec): RowSerde => {
  const { target, columns, options } = spec;
  const n = columns.length;
  const unwrapped = avroIsUnwrapped(target, columns, options);
  const derived = deriveChecked(target, columns, options);
  const registry: SchemaRegistry = options.schemaRegistry ?? noRegistry();
  const fields: readonly StructField[] = columns;
  const what = target === 'KEY' ? 'key' : 'value';

  // serializing: the derived schema (registered on first use) or the one named by schemaId
  const schemaText = JSON.stringify(derived);
  const derivedWriter = compileRowWriter(parseAvroSchema(derived), fields, unwrapped, false);
  let writerId: number | undefined;
  let write: RowWriter | undefined;
  const out = new AvroWriter(512);

  function resolveWriter(): RowWriter {
    if (write !== undefined) return write;
    if (options.schemaId === undefined) {
      writerId = registry.register(avroSubject(options.topic, target), 'AVRO', schemaText);
      write = derivedWriter;
      return write;
    }
    const found = registeredAvro(registry!, options.schemaId);
    if ('error' in found) throw new RecordFailure(found.error);
    try {
      write = compileRowWriter(found.node, fields, unwrapped, true);
    } catch (e) {
      if (e instanceof AvroWriteMismatch) throw new RecordFailure(e.message);
      throw e;
    }
    writerId = options.schemaId;
    return write;
  }

  // deserializing: one compiled reader per writer schema id
  const readers = new Map<number, RowReader | Error>();

  function readerFor(id: number): RowReader {
    const known = readers.get(id);
    if (known instanceof Error) throw known;
    if (known !== undefined) return known;
    const found = registeredAvro(registry!, id);
    // an unknown id is not remembered: the schema may be registered later
    if ('error' in found) {
      throw registry.byId(id) === undefined ? new RecordFailure(`Error retrieving Avro ${what} schema for id ${id}`) : new RecordFailure(found.error);
    }
    try {
      const reader = compileRowReader(found.node, fields, unwrapped);
      readers.set(id, reader);
      return reader;
    } catch (e) {
      if (!(e instanceof AvroSchemaMismatch)) throw e;
      const failure = new RecordFailure(e.message);
      readers.set(id, failure);
      throw failure;
    }
  }

  return {
    serialize(values) {
      if (values === null) return null;
      try {
        if (values.length !== n) throw columnCountMismatch(true, n, values.length);
        // ksqlDB writes a NULL unwrapped value as a null payload
        if (unwrapped && (values[0] === null || values[0] === undefined)) return null;
        const writeRow = resolveWriter();
        out.pos = 0;
        out.reserve(HEADER_SIZE);
        out.buf[0] = MAGIC_BYTE;
        out.buf.writeInt32BE(writerId!, 1);
        writeRow(out, values);
        return out.result();
      } catch (e) {
        throw asSerializeError(spec, e);
      }
    },
    deserialize(bytes) {
      if (bytes === null) return null;
      if (bytes.length < HEADER_SIZE || bytes[0] !== MAGIC_BYTE) throw deserializeFailure(spec, 'Unknown magic byte!');
      const id = bytes.readInt32BE(1);
      try {
        return readerFor(id)(new AvroReader(bytes, HEADER_SIZE));
      } catch (e) {
        if (e instanceof AvroDecodeError) throw deserializeFailure(spec, `Error deserializing Avro message for id ${id}: ${e.message}`, e);
        throw asDeserializeError(spec, e);
      }
    },
  };
};

/**
 * A plain JSON value (as test files give records) encoded with a registered Avro schema, in the
 * wire format (magic byte, id, body); null gives a null payload. Unions take the first branch the
 * value fits, record fields match exactly or case-insensitively (missing ones take their default
 * or NULL), bytes are base64 text, decimals are numbers. Throws SerdeError.
 */
export function encodeAvroFromJson(schemaText: string, schemaId: number, value: unknown, topic?: string): Buffer | null {
  if (value === null || value === undefined) return null;
  const spec: SerdeSpec = { target: 'VALUE', columns: [], options: topic === undefined ? {} : { topic } };
  try {
    const body = encodeJsonValue(parseAvroSchema(schemaText), value);
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeInt32BE(schemaId, 1);
    return Buffer.concat([header, body]);
  } catch (e) {
    if (e instanceof AvroSchemaError) throw serializeFailure(spec, `Invalid Avro schema: ${e.message}`, e);
    throw asSerializeError(spec, e);
  }
}

/**
 * A record in the wire format decoded by its own writer schema into plain JSON-like data (see
 * genericReader): how ksqlDB's test tool reads Avro output, every field of the schema included
 * (e.g. fields a VALUE_SCHEMA_ID schema adds with defaults). Null payload -> null. Throws SerdeError.
 */
export function decodeAvroToJson(bytes: Buffer | null, registry: SchemaRegistry, target: SerdeTarget = 'VALUE', topic?: string): unknown {
  if (bytes === null) return null;
  const spec: SerdeSpec = { target, columns: [], options: topic === undefined ? {} : { topic } };
  if (bytes.length < HEADER_SIZE || bytes[0] !== MAGIC_BYTE) throw deserializeFailure(spec, 'Unknown magic byte!');
  const id = bytes.readInt32BE(1);
  const found = registeredAvro(registry, id);
  if ('error' in found) {
    const what = target === 'KEY' ? 'key' : 'value';
    throw deserializeFailure(spec, registry.byId(id) === undefined ? `Error retrieving Avro ${what} schema for id ${id}` : found.error);
  }
  try {
    return genericReader(found.node)(new AvroReader(bytes, HEADER_SIZE));
  } catch (e) {
    if (e instanceof AvroDecodeError) throw deserializeFailure(spec, `Error deserializing Avro message for id ${id}: ${e.message}`, e);
    throw asDeserializeError(spec, e);
  }
}
