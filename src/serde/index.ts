/**
 * Key and value formats: bytes <-> rows of runtime values (see common/sql-types.ts), with
 * ksqlDB's semantics for JSON, DELIMITED, KAFKA and NONE.
 *
 *   const serde = createSerde('JSON', 'VALUE', [{ name: 'ID', type: SqlTypes.BIGINT }]);
 *   serde.deserialize(Buffer.from('{"id": 12345678901234567890}')); // -> [12345678901234567890n]
 *
 * Creation validates the schema/format/options combination (ConfigError with ksqlDB's statement
 * messages; a schema the format cannot hold gives ksqlDB's whole "Key format does not support
 * schema.\nformat: ...\nschema: ...\nreason: ..." message); a bad record fails with a SerdeError,
 * never another exception type.
 */
import { formatSqlType, type SqlType } from '../common/sql-types.js';
import { avroIsUnwrapped, createAvroSerde } from './avro/avro-format.js';
import { inferColumnsFromAvroSchema } from './avro/avro-infer.js';
import { inferColumnsFromJsonSchema } from './json-sr/json-schema.js';
import { inferColumnsFromProtobufSchema } from './protobuf/proto-infer.js';
import { registryImports } from './protobuf/protobuf-format.js';
import type { SchemaRegistry } from './schema-registry.js';
import { createDelimitedSerde, delimiterChar } from './delimited-format.js';
import { createJsonSerde } from './json-format.js';
import { createJsonSrSerde } from './json-sr/json-sr-format.js';
import { createKafkaSerde } from './kafka-format.js';
import { createNoneSerde, VOID_SERDE } from './none-format.js';
import { createProtobufNoSrSerde, createProtobufSerde } from './protobuf/protobuf-format.js';
import { configError, SchemaNotSupported, schemaNotSupportedMessage } from './serde-failure.js';
import type { FormatName, FormatOptions, RowSerde, SerdeColumn, SerdeFactory, SerdeTarget } from './serde-types.js';
import { windowedKeySerde } from './windowed-key.js';
import type { KeyWindowSpec, WindowedKeySerde } from './windowed-key.js';

export type { FormatName, FormatOptions, RowSerde, SerdeColumn, SerdeTarget } from './serde-types.js';
export { InMemorySchemaRegistry } from './schema-registry.js';
export type { RegisteredSchema, RegisteredSchemaType, SchemaRegistry } from './schema-registry.js';
export { parseDelimiter } from './delimited-format.js';
export type { KeyWindow, KeyWindowSpec, KeyWindowType, WindowedKey, WindowedKeySerde } from './windowed-key.js';
export { splitWindowedKey, windowedKeyBytes, writeWindowBounds } from './windowed-key.js';

const FACTORIES: Readonly<Record<FormatName, SerdeFactory | undefined>> = {
  JSON: createJsonSerde,
  DELIMITED: createDelimitedSerde,
  KAFKA: createKafkaSerde,
  NONE: createNoneSerde,
  // schema-registry formats: undefined until implemented (isSupportedFormat says no)
  AVRO: createAvroSerde,
  PROTOBUF: createProtobufSerde,
  PROTOBUF_NOSR: createProtobufNoSrSerde,
  JSON_SR: createJsonSrSerde,
};

/** Exact (upper-case) format names; callers normalise the case of user input first. */
export function isSupportedFormat(name: string): name is FormatName {
  return Object.hasOwn(FACTORIES, name) && FACTORIES[name as FormatName] !== undefined;
}

function containsMap(t: SqlType): boolean {
  switch (t.kind) {
    case 'MAP':
      return true;
    case 'ARRAY':
      return containsMap(t.element);
    case 'STRUCT':
      return t.fields.some((f) => containsMap(f.type));
    default:
      return false;
  }
}

const SCHEMA_FORMATS: ReadonlySet<FormatName> = new Set<FormatName>(['AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR']);

/**
 * The statement-level checks of a format's options, which need no schema (ksqlDB makes them while
 * reading the WITH clause, before it looks at the columns): an unknown format, a delimiter for a
 * format other than DELIMITED, a bad delimiter, a schema name for a format without schemas,
 * WRAP_SINGLE_VALUE=true for a format that cannot wrap.
 * FormatOptions.delimiter is the resolved character (or TAB / SPACE); to validate the user's text,
 * use parseDelimiter. Throws ConfigError with ksqlDB's messages. createSerde runs it too.
 */
export function validateFormatOptions(format: FormatName, target: SerdeTarget, options: FormatOptions): void {
  if (!isSupportedFormat(format)) throw configError(`Unknown format: ${String(format)}`);
  if (options.delimiter !== undefined) {
    if (format !== 'DELIMITED') throw configError(`${format} does not support the following configs: [delimiter]`);
    delimiterChar(options.delimiter, target);
  }
  // a schema name only means something to the formats that carry a schema
  if (options.schemaFullName !== undefined && !SCHEMA_FORMATS.has(format)) throw configError(`${format} does not support the following configs: [fullSchemaName]`);
  if (options.wrapSingleValue === true && (format === 'KAFKA' || format === 'DELIMITED')) {
    throw configError(`Format '${format}' does not support 'WRAP_SINGLE_VALUE' set to 'true'.`);
  }
}

/**
 * Builds the serde for the key or value columns of a source. Throws ConfigError for an unknown
 * format or an unsupported combination (KAFKA with several columns or an unsupported type, NONE
 * with columns, DELIMITED with complex types, JSON maps with non-STRING keys, MAP-typed keys,
 * WRAP_SINGLE_VALUE with several columns, a bad delimiter, ...).
 */
export function createSerde(
  format: FormatName,
  target: SerdeTarget,
  columns: readonly SerdeColumn[],
  options: FormatOptions = {},
): RowSerde {
  validateFormatOptions(format, target, options);
  if (target === 'KEY') {
    const withMap = columns.find((c) => containsMap(c.type));
    if (withMap !== undefined) {
      throw configError(
        'Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to ' +
          `inconsistent serialization. Key column name: \`${withMap.name}\`. Column type: ${formatSqlType(withMap.type)}. ` +
          'See https://github.com/confluentinc/ksql/issues/6621 for more.',
      );
    }
  }
  if (format !== 'NONE' && options.wrapSingleValue !== undefined && columns.length !== 1) {
    throw configError("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
  }
  // a key-less source: nothing to write, and whatever key bytes arrive are ignored
  if (target === 'KEY' && columns.length === 0 && format !== 'NONE') return VOID_SERDE;
  const spec = { target, columns, options };
  const factory = FACTORIES[format];
  if (!factory) throw configError(`The ${format} format is not supported yet by Sluice`);
  try {
    return factory(spec);
  } catch (e) {
    if (e instanceof SchemaNotSupported) throw configError(schemaNotSupportedMessage(format, spec, e.message));
    throw e;
  }
}

/**
 * The key serde of a windowed source or sink: the key format's bytes for the columns followed by
 * the window bounds, as Kafka Streams writes them ([key][start] for TUMBLING / HOPPING, whose end is
 * start + sizeMs; [key][end][start] for SESSION). Throws what createSerde throws.
 */
export function createWindowedKeySerde(
  format: FormatName,
  columns: readonly SerdeColumn[],
  options: FormatOptions,
  window: KeyWindowSpec,
): WindowedKeySerde {
  return windowedKeySerde(createSerde(format, 'KEY', columns, options), window, options.topic);
}

/**
 * Columns read from the schema registry (ksqlDB's schema inference for CREATE statements that
 * leave out key or value columns): the schema with `schemaId`, else the latest for the topic's
 * subject. Undefined when the format cannot infer or no schema is registered.
 */
export function inferColumns(
  format: FormatName,
  target: SerdeTarget,
  registry: SchemaRegistry,
  options: { readonly topic: string; readonly schemaId?: number; readonly schemaFullName?: string; readonly wrapSingleValue?: boolean },
): SerdeColumn[] | undefined {
  if (format !== 'AVRO' && format !== 'PROTOBUF' && format !== 'JSON_SR') return undefined;
  const subject = `${options.topic}-${target === 'KEY' ? 'key' : 'value'}`;
  const registered = options.schemaId !== undefined ? registry.byId(options.schemaId) : registry.latest(subject);
  if (!registered) return undefined;
  // names are upper-cased like unquoted identifiers, unless a schema id pins the exact schema
  const originalNames = options.schemaId !== undefined;
  const named = (cols: SerdeColumn[]) => (originalNames ? cols : cols.map((c) => ({ ...c, name: c.name.toUpperCase() })));
  switch (format) {
    case 'AVRO':
      return inferColumnsFromAvroSchema(registered.schema, target, { unwrapped: options.wrapSingleValue === false, originalNames });
    case 'PROTOBUF':
      return named(inferColumnsFromProtobufSchema(registered.schema, target, options.schemaFullName, registryImports(registry)));
    case 'JSON_SR':
      return named(inferColumnsFromJsonSchema(registered.schema, target));
  }
}

/** Whether test and tool data for these columns is one bare value rather than an object. */
export function isUnwrappedSingle(format: FormatName, target: SerdeTarget, columns: readonly SerdeColumn[], options: FormatOptions): boolean {
  if (columns.length !== 1) return false;
  switch (format) {
    case 'AVRO':
      return avroIsUnwrapped(target, columns, options);
    case 'PROTOBUF':
    case 'PROTOBUF_NOSR':
      return false;
    case 'JSON':
    case 'JSON_SR':
      return !(options.wrapSingleValue ?? target !== 'KEY');
    default:
      return true;
  }
}
