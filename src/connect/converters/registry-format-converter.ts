/**
 * Confluent's ProtobufConverter (io.confluent.connect.protobuf.ProtobufConverter) and
 * JsonSchemaConverter (io.confluent.connect.json.JsonSchemaConverter) over the embedded schema
 * registry, built on Sluice's PROTOBUF and JSON_SR formats: a Connect STRUCT is written with the
 * schema Sluice derives for its fields (Confluent's wire format: magic byte, schema id, [message
 * indexes,] payload) registered under `<topic>-key` / `<topic>-value`; reading infers the fields
 * from the writer's registered schema. So topics written by a connector are read by PROTOBUF /
 * JSON_SR streams and the other way round. Connect values go through SQL types
 * (connect-sql-values.ts): INT8/INT16 widen to INT32 and FLOAT32 to FLOAT64, and read-back
 * schemas are optional, as with ksqlDB.
 */
import { LRUCache } from 'lru-cache';
import { ConfigDef, DataError, type Converter, type ConnectHeader, type HeaderConverter, type Schema, type SchemaAndValue } from '../api/index.js';
import type { SchemaRegistry } from '../../serde/schema-registry.js';
import type { RowSerde, SerdeColumn, SerdeTarget } from '../../serde/serde-types.js';
import { createSerde } from '../../serde/index.js';
import { inferColumnsFromProtobufSchema, registryImports } from '../../serde/protobuf/index.js';
import { inferColumnsFromJsonSchema } from '../../serde/json-sr/index.js';
import type { RegisteredSchemaType } from '../../serde/schema-registry.js';
import { converterConfigDef, converterProps } from './converter-config.js';
import { parseConfig } from '../transforms/util/transform-support.js';
import { connectToSqlType, connectToSqlValue, sqlToConnectSchema, sqlToConnectValue } from './connect-sql-values.js';

interface RegistryFormat {
  /** Sluice's format name and the registry's schema type */
  readonly format: 'PROTOBUF' | 'JSON_SR';
  readonly registered: RegisteredSchemaType;
  /** as Confluent's messages name it */
  readonly label: string;
  inferColumns(text: string, target: SerdeTarget, registry: SchemaRegistry): SerdeColumn[];
}

const PROTOBUF: RegistryFormat = {
  format: 'PROTOBUF',
  registered: 'PROTOBUF',
  label: 'Protobuf',
  inferColumns: (text, target, registry) => inferColumnsFromProtobufSchema(text, target, undefined, registryImports(registry)),
};

const JSON_SCHEMA: RegistryFormat = {
  format: 'JSON_SR',
  registered: 'JSON',
  label: 'JSON',
  inferColumns: (text, target) => inferColumnsFromJsonSchema(text, target),
};

export function protobufConverterConfigDef(): ConfigDef {
  return converterConfigDef().define({ name: 'schema.registry.url', type: 'LIST', defaultValue: [], importance: 'HIGH', documentation: 'Accepted for compatibility with Confluent configurations; Sluice uses its embedded schema registry.' });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class RegistryFormatConverter implements Converter, HeaderConverter {
  private target: SerdeTarget = 'VALUE';
  private readonly writers = new LRUCache<Schema, { serde: RowSerde; topic: string }>({ max: 1000 });
  private readonly readers = new LRUCache<string, { serde: RowSerde; schema: Schema }>({ max: 1000 });

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly kind: RegistryFormat,
  ) {}

  config(): ConfigDef {
    return protobufConverterConfigDef();
  }

  configure(props: Readonly<Record<string, string>>, isKey?: boolean): void {
    parseConfig(protobufConverterConfigDef(), converterProps(props, isKey));
    this.target = isKey ? 'KEY' : 'VALUE';
  }

  fromConnectData(topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (!schema || schema.type !== 'STRUCT') throw new DataError(`${this.kind.label} converter writes STRUCT data with a schema only`);
    let writer = this.writers.get(schema);
    if (!writer || writer.topic !== topic) {
      const columns: SerdeColumn[] = (schema.fields ?? []).map((f) => ({ name: f.name, type: connectToSqlType(f.schema, f.name) }));
      writer = { serde: createSerde(this.kind.format, this.target, columns, { schemaRegistry: this.registry, topic }), topic };
      this.writers.set(schema, writer);
    }
    const struct = connectToSqlValue(schema, value) as Record<string, unknown>;
    try {
      return writer.serde.serialize((schema.fields ?? []).map((f) => struct[f.name]));
    } catch (err) {
      throw new DataError(`Failed to serialize ${this.kind.label} data from topic ${topic}: ${errorText(err)}`);
    }
  }

  toConnectData(topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value === null) return { schema: null, value: null };
    if (value.length < 5 || value[0] !== 0) throw new DataError(`Failed to deserialize data for topic ${topic} to ${this.kind.label}: Unknown magic byte!`);
    const id = value.readInt32BE(1);
    const key = `${topic}\u0000${id}`;
    let reader = this.readers.get(key);
    if (!reader) {
      const registered = this.registry.byId(id);
      if (!registered || registered.type !== this.kind.registered) throw new DataError(`Failed to deserialize data for topic ${topic} to ${this.kind.label}: Error retrieving ${this.kind.label} schema for id ${id}`);
      let columns: SerdeColumn[];
      try {
        columns = this.kind.inferColumns(registered.schema, this.target, this.registry);
      } catch (err) {
        throw new DataError(`Failed to deserialize data for topic ${topic} to ${this.kind.label}: ${errorText(err)}`);
      }
      const schema: Schema = { ...sqlToConnectSchema({ kind: 'STRUCT', fields: columns }), optional: false };
      reader = { serde: createSerde(this.kind.format, this.target, columns, { schemaRegistry: this.registry, topic }), schema };
      this.readers.set(key, reader);
    }
    let row: unknown[] | null;
    try {
      row = reader.serde.deserialize(value);
    } catch (err) {
      throw new DataError(`Failed to deserialize data for topic ${topic} to ${this.kind.label}: ${errorText(err)}`);
    }
    if (row === null) return { schema: reader.schema, value: null };
    const fields = reader.schema.fields ?? [];
    const obj = Object.fromEntries(fields.map((f, i) => [f.name, row![i]]));
    return { schema: reader.schema, value: sqlToConnectValue(reader.schema, obj) };
  }

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, [], schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, [], value);
  }
}

/** io.confluent.connect.protobuf.ProtobufConverter */
export class ProtobufConverter extends RegistryFormatConverter {
  constructor(registry: SchemaRegistry) {
    super(registry, PROTOBUF);
  }
}

/** io.confluent.connect.json.JsonSchemaConverter */
export class JsonSchemaConverter extends RegistryFormatConverter {
  constructor(registry: SchemaRegistry) {
    super(registry, JSON_SCHEMA);
  }
}
