/**
 * Connect schemas for the topics of Sluice's streams and tables, from the catalog: a sink that gets
 * schemaless JSON (JsonConverter with schemas.enable=false) can still create and fill a typed table.
 * Keys: one key column is a primitive key schema; several are a struct. Values: a struct of the value
 * columns (named as in the JSON Sluice writes).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { SqlType } from '../common/sql-types.js';
import type { TopicSchemas } from '../connect/api/connector.js';
import { LogicalTypeNames, Schemas, type Schema } from '../connect/api/schema.js';

export function connectSchemaOf(type: SqlType): Schema {
  switch (type.kind) {
    case 'BOOLEAN':
      return Schemas.primitive('BOOLEAN', true);
    case 'INTEGER':
      return Schemas.primitive('INT32', true);
    case 'BIGINT':
      return Schemas.primitive('INT64', true);
    case 'DOUBLE':
      return Schemas.primitive('FLOAT64', true);
    case 'DECIMAL':
      return { type: 'BYTES', optional: true, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: String(type.scale), 'connect.decimal.precision': String(type.precision) } };
    case 'STRING':
      return Schemas.primitive('STRING', true);
    case 'BYTES':
      return Schemas.primitive('BYTES', true);
    case 'DATE':
      return { type: 'INT32', optional: true, name: LogicalTypeNames.date, version: 1 };
    case 'TIME':
      return { type: 'INT32', optional: true, name: LogicalTypeNames.time, version: 1 };
    case 'TIMESTAMP':
      return { type: 'INT64', optional: true, name: LogicalTypeNames.timestamp, version: 1 };
    case 'ARRAY':
      return Schemas.array(connectSchemaOf(type.element), true);
    case 'MAP':
      return Schemas.map(connectSchemaOf(type.key), connectSchemaOf(type.value), true);
    case 'STRUCT':
      return Schemas.struct(type.fields.map((f) => ({ name: f.name, schema: connectSchemaOf(f.type) })), { optional: true });
  }
}

export function topicSchemasFromCatalog(catalog: Catalog, topic: string): TopicSchemas | undefined {
  const source = catalog.listSources().find((s) => s.topic === topic);
  if (!source) return undefined;
  const keys = source.schema.columns.filter((c) => c.namespace === 'KEY');
  const values = source.schema.columns.filter((c) => c.namespace === 'VALUE');
  const keySchema = keys.length === 0 ? null : keys.length === 1 ? connectSchemaOf(keys[0]!.type) : Schemas.struct(keys.map((c) => ({ name: c.name, schema: connectSchemaOf(c.type) })));
  return { keySchema, ...(keys.length === 1 ? { keyName: keys[0]!.name } : {}), valueSchema: Schemas.struct(values.map((c) => ({ name: c.name, schema: connectSchemaOf(c.type) })), { name: source.name }) };
}
