/**
 * io.confluent.connect.protobuf.ProtobufConverter over the embedded schema registry, built on
 * Sluice's PROTOBUF format: a Connect STRUCT is written as the message Sluice derives for its
 * fields (Confluent's wire format: magic byte, schema id, message indexes, protobuf binary) and
 * registered under `<topic>-key` / `<topic>-value`; reading infers the fields from the writer's
 * registered schema. So topics written by a connector are read by PROTOBUF streams and the other
 * way round. Connect values go through SQL types (connect-sql-values.ts): INT8/INT16 widen to
 * INT32 and FLOAT32 to FLOAT64, and read-back schemas are optional, as with ksqlDB.
 */
import { LRUCache } from 'lru-cache';
import { ConfigDef, DataError, type Converter, type ConnectHeader, type HeaderConverter, type Schema, type SchemaAndValue } from '../api/index.js';
import type { SchemaRegistry } from '../../serde/schema-registry.js';
import type { RowSerde, SerdeColumn, SerdeTarget } from '../../serde/serde-types.js';
import { createSerde } from '../../serde/index.js';
import { inferColumnsFromProtobufSchema, registryImports } from '../../serde/protobuf/index.js';
import { converterConfigDef, converterProps } from './converter-config.js';
import { parseConfig } from '../transforms/util/transform-support.js';
import { connectToSqlType, connectToSqlValue, sqlToConnectSchema, sqlToConnectValue } from './connect-sql-values.js';

export function protobufConverterConfigDef(): ConfigDef {
  return converterConfigDef().define({ name: 'schema.registry.url', type: 'LIST', defaultValue: [], importance: 'HIGH', documentation: 'Accepted for compatibility with Confluent configurations; Sluice uses its embedded schema registry.' });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ProtobufConverter implements Converter, HeaderConverter {
  private target: SerdeTarget = 'VALUE';
  private readonly writers = new LRUCache<Schema, { serde: RowSerde; topic: string }>({ max: 1000 });
  private readonly readers = new LRUCache<string, { serde: RowSerde; schema: Schema }>({ max: 1000 });

  constructor(private readonly registry: SchemaRegistry) {}

  config(): ConfigDef {
    return protobufConverterConfigDef();
  }

  configure(props: Readonly<Record<string, string>>, isKey?: boolean): void {
    parseConfig(protobufConverterConfigDef(), converterProps(props, isKey));
    this.target = isKey ? 'KEY' : 'VALUE';
  }

  fromConnectData(topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (!schema || schema.type !== 'STRUCT') throw new DataError('ProtobufConverter writes STRUCT data with a schema only');
    let writer = this.writers.get(schema);
    if (!writer || writer.topic !== topic) {
      const columns: SerdeColumn[] = (schema.fields ?? []).map((f) => ({ name: f.name, type: connectToSqlType(f.schema, f.name) }));
      writer = { serde: createSerde('PROTOBUF', this.target, columns, { schemaRegistry: this.registry, topic }), topic };
      this.writers.set(schema, writer);
    }
    const struct = connectToSqlValue(schema, value) as Record<string, unknown>;
    try {
      return writer.serde.serialize((schema.fields ?? []).map((f) => struct[f.name]));
    } catch (err) {
      throw new DataError(`Failed to serialize Protobuf data from topic ${topic}: ${errorText(err)}`);
    }
  }

  toConnectData(topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value === null) return { schema: null, value: null };
    if (value.length < 5 || value[0] !== 0) throw new DataError(`Failed to deserialize data for topic ${topic} to Protobuf: Unknown magic byte!`);
    const id = value.readInt32BE(1);
    const key = `${topic}\u0000${id}`;
    let reader = this.readers.get(key);
    if (!reader) {
      const registered = this.registry.byId(id);
      if (!registered || registered.type !== 'PROTOBUF') throw new DataError(`Failed to deserialize data for topic ${topic} to Protobuf: Error retrieving Protobuf schema for id ${id}`);
      let columns: SerdeColumn[];
      try {
        columns = inferColumnsFromProtobufSchema(registered.schema, this.target, undefined, registryImports(this.registry));
      } catch (err) {
        throw new DataError(`Failed to deserialize data for topic ${topic} to Protobuf: ${errorText(err)}`);
      }
      const schema: Schema = { ...sqlToConnectSchema({ kind: 'STRUCT', fields: columns }), optional: false };
      reader = { serde: createSerde('PROTOBUF', this.target, columns, { schemaRegistry: this.registry, topic }), schema };
      this.readers.set(key, reader);
    }
    let row: unknown[] | null;
    try {
      row = reader.serde.deserialize(value);
    } catch (err) {
      throw new DataError(`Failed to deserialize data for topic ${topic} to Protobuf: ${errorText(err)}`);
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
