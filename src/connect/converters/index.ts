/**
 * Kafka Connect's converters under their class names and the aliases Connect accepts (simple
 * class name, and the name without its `Converter` suffix, when no other plugin shares it).
 *
 * The worker wires these in with registerBuiltinConverters(registry).
 */
import type { Converter, ConverterFactory, HeaderConverter, HeaderConverterFactory } from '../api/index.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { AvroConverter } from './avro-converter.js';
import { JsonSchemaConverter, ProtobufConverter } from './registry-format-converter.js';
import type { SchemaRegistry } from '../../serde/schema-registry.js';
import { JsonConverter } from './json-converter.js';
import { BooleanConverter, ByteArrayConverter, NumberConverter, NumberKinds, StringConverter } from './simple-converters.js';
import { pluginAliases } from '../transforms/util/plugin-aliases.js';

export { JsonConverter } from './json-converter.js';
export { BooleanConverter, ByteArrayConverter, NumberConverter, StringConverter } from './simple-converters.js';
export { AvroConverter, ConnectToAvro, avroToConnect } from './avro-converter.js';
export { JsonSchemaConverter, ProtobufConverter } from './registry-format-converter.js';
export { connectToSqlType, connectToSqlValue, sqlToConnectSchema, sqlToConnectValue } from './connect-sql-values.js';
export { SimpleHeaderConverter, connectValueToString } from './simple-header-converter.js';
export { parseJsonNode, stringifyJsonNode, type JsonNode } from './json-node.js';

export interface ConverterRegistrar {
  registerConverter(name: string, factory: ConverterFactory): void;
  /** for `header.converter`; a registry without it gets no header converters */
  registerHeaderConverter?(name: string, factory: HeaderConverterFactory): void;
}

/** Kafka's built-in converters; each is a header converter too */
export const BUILTIN_CONVERTERS: Readonly<Record<string, () => Converter & HeaderConverter>> = {
  'org.apache.kafka.connect.json.JsonConverter': () => new JsonConverter(),
  'org.apache.kafka.connect.storage.StringConverter': () => new StringConverter(),
  'org.apache.kafka.connect.converters.ByteArrayConverter': () => new ByteArrayConverter(),
  'org.apache.kafka.connect.converters.BooleanConverter': () => new BooleanConverter(),
  'org.apache.kafka.connect.converters.ShortConverter': () => new NumberConverter(NumberKinds.short),
  'org.apache.kafka.connect.converters.IntegerConverter': () => new NumberConverter(NumberKinds.integer),
  'org.apache.kafka.connect.converters.LongConverter': () => new NumberConverter(NumberKinds.long),
  'org.apache.kafka.connect.converters.FloatConverter': () => new NumberConverter(NumberKinds.float),
  'org.apache.kafka.connect.converters.DoubleConverter': () => new NumberConverter(NumberKinds.double),
};

export const BUILTIN_HEADER_CONVERTERS: Readonly<Record<string, HeaderConverterFactory>> = {
  'org.apache.kafka.connect.storage.SimpleHeaderConverter': () => new SimpleHeaderConverter(),
  ...BUILTIN_CONVERTERS,
};

export const AVRO_CONVERTER_CLASS = 'io.confluent.connect.avro.AvroConverter';
export const PROTOBUF_CONVERTER_CLASS = 'io.confluent.connect.protobuf.ProtobufConverter';
export const JSON_SCHEMA_CONVERTER_CLASS = 'io.confluent.connect.json.JsonSchemaConverter';

/**
 * registers every built-in converter under its class name and its unambiguous aliases; with the
 * engine's schema registry, also Confluent's AvroConverter, ProtobufConverter and
 * JsonSchemaConverter (`io.confluent.connect.avro.AvroConverter`,
 * `io.confluent.connect.protobuf.ProtobufConverter`, `io.confluent.connect.json.JsonSchemaConverter`)
 */
export function registerBuiltinConverters(registry: ConverterRegistrar, options: { readonly schemaRegistry?: SchemaRegistry } = {}): void {
  const schemaRegistry = options.schemaRegistry;
  if (schemaRegistry) {
    const avro = (): AvroConverter => new AvroConverter(schemaRegistry);
    for (const name of [AVRO_CONVERTER_CLASS, 'AvroConverter', 'Avro']) {
      registry.registerConverter(name, avro);
      registry.registerHeaderConverter?.(name, avro);
    }
    const protobuf = (): ProtobufConverter => new ProtobufConverter(schemaRegistry);
    for (const name of [PROTOBUF_CONVERTER_CLASS, 'ProtobufConverter', 'Protobuf']) {
      registry.registerConverter(name, protobuf);
      registry.registerHeaderConverter?.(name, protobuf);
    }
    const jsonSchema = (): JsonSchemaConverter => new JsonSchemaConverter(schemaRegistry);
    for (const name of [JSON_SCHEMA_CONVERTER_CLASS, 'JsonSchemaConverter', 'JsonSchema']) {
      registry.registerConverter(name, jsonSchema);
      registry.registerHeaderConverter?.(name, jsonSchema);
    }
  }
  for (const [name, factory] of Object.entries(BUILTIN_CONVERTERS)) registry.registerConverter(name, factory);
  for (const [alias, className] of pluginAliases(Object.keys(BUILTIN_CONVERTERS), 'Converter')) registry.registerConverter(alias, BUILTIN_CONVERTERS[className]!);
  if (!registry.registerHeaderConverter) return;
  for (const [name, factory] of Object.entries(BUILTIN_HEADER_CONVERTERS)) registry.registerHeaderConverter(name, factory);
  for (const [alias, className] of pluginAliases(Object.keys(BUILTIN_HEADER_CONVERTERS), 'HeaderConverter')) registry.registerHeaderConverter(alias, BUILTIN_HEADER_CONVERTERS[className]!);
}
