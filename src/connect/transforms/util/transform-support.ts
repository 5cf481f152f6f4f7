/**
 * What Kafka's SMTs share (transforms.util.Requirements, SchemaUtil, SimpleConfig and the
 * Key/Value split), for Sluice's record and value model.
 */
import { ConfigDef, ConnectConfigError, DataError, Struct, Schemas, validateValue, type ConnectRecord, type Schema, type SinkRecord } from '../../api/index.js';
import { LRUCache } from 'lru-cache';
import { isSchemalessMap } from '../../converters/connect-values.js';

/** ConfigException(message): a config problem whose message is not "Invalid value ... for configuration ..." */
export function configError(message: string, name = '', value: unknown = null): ConnectConfigError {
  const err = new ConnectConfigError(name, value, message);
  err.message = message;
  return err;
}

/** ConfigException(name, value, message), with Java's rendering of the value (lists as [a, b]) */
export function configValueError(name: string, value: unknown, reason: string): ConnectConfigError {
  const err = new ConnectConfigError(name, value, reason);
  err.message = `Invalid value ${javaConfigValue(value)} for configuration ${name}${reason ? `: ${reason}` : ''}`;
  return err;
}

export function javaConfigValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(javaConfigValue).join(', ')}]`;
  return String(value);
}

/** SimpleConfig: parse with the ConfigDef; a missing required key says so as Kafka does */
export function parseConfig(def: ConfigDef, props: Readonly<Record<string, string>>): Record<string, unknown> {
  // Kafka's ConfigDef.parseType trims STRING (and PASSWORD, CLASS) values; api/config-def.ts keeps them as given
  const trimmed: Record<string, string> = { ...props };
  for (const [name, key] of def.configKeys()) {
    const v = props[name];
    if (v !== undefined && (key.type === 'STRING' || key.type === 'PASSWORD' || key.type === 'CLASS')) trimmed[name] = v.trim();
  }
  try {
    return def.parse(trimmed);
  } catch (err) {
    if (err instanceof ConnectConfigError && err.reason.startsWith('Missing required configuration')) throw configError(err.reason, err.configName);
    throw err;
  }
}

/** Class.getName() of a value, as Requirements' messages print it */
export function javaClassName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'java.lang.String';
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (typeof value === 'bigint') return 'java.lang.Long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'java.lang.Long' : 'java.lang.Double';
  if (Buffer.isBuffer(value)) return '[B';
  if (value instanceof Date) return 'java.util.Date';
  if (value instanceof Struct) return 'org.apache.kafka.connect.data.Struct';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  return 'java.util.HashMap';
}

export function requireSchema(schema: Schema | null | undefined, purpose: string): asserts schema is Schema {
  if (!schema) throw new DataError(`Schema required for [${purpose}]`);
}

/** a schemaless map as a plain object (Sluice's schemaless form); Map inputs are copied */
export function requireMap(value: unknown, purpose: string): Record<string, unknown> {
  if (!isSchemalessMap(value)) throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${javaClassName(value)}`);
  return value instanceof Map ? Object.fromEntries([...value].map(([k, v]) => [String(k), v])) : value;
}

export function requireMapOrNull(value: unknown, purpose: string): Record<string, unknown> | null {
  return value === null || value === undefined ? null : requireMap(value, purpose);
}

export function requireStruct(value: unknown, purpose: string): Struct {
  if (!(value instanceof Struct)) throw new DataError(`Only Struct objects supported for [${purpose}], found: ${javaClassName(value)}`);
  return value;
}

export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose);
}

export function isSinkRecord(record: ConnectRecord): record is SinkRecord {
  return 'kafkaOffset' in record && (record as SinkRecord).kafkaOffset !== undefined;
}

export function requireSinkRecord(record: ConnectRecord, purpose: string): SinkRecord {
  if (!isSinkRecord(record)) throw new DataError(`Only SinkRecord supported for [${purpose}], found: org.apache.kafka.connect.source.SourceRecord`);
  return record;
}

/** SchemaUtil.copySchemaBasics: name, version, doc, parameters onto a new schema of `type` */
export function copySchemaBasics(source: Schema, target: Schema): Schema {
  const out: { -readonly [K in keyof Schema]: Schema[K] } = { ...target };
  delete out.name;
  delete out.version;
  delete out.doc;
  delete out.parameters;
  if (source.name !== undefined) out.name = source.name;
  if (source.version !== undefined) out.version = source.version;
  if (source.doc !== undefined) out.doc = source.doc;
  if (source.parameters !== undefined) out.parameters = { ...source.parameters };
  return out;
}

/** a struct schema from fields, keeping the attributes given */
export function structSchema(fields: readonly { name: string; schema: Schema }[], attrs: Partial<Omit<Schema, 'type' | 'fields'>> = {}): Schema {
  const base = Schemas.struct(fields);
  return { ...base, ...attrs, fields: base.fields! };
}

/** SchemaBuilder.field's duplicate check */
export function addField(fields: { name: string; schema: Schema }[], name: string, schema: Schema): void {
  if (fields.some((f) => f.name === name)) throw new DataError(`Cannot create field because of field name duplication ${name}`);
  fields.push({ name, schema });
}

/** Struct.put(name, value) with ConnectSchema.validateValue, as Kafka's Struct does */
export function putChecked(struct: Struct, name: string, value: unknown): void {
  const field = Schemas.field(struct.schema, name);
  if (!field) throw new DataError(`${name} is not a valid field name`);
  validateValue(field.schema, value, name);
  struct.put(name, value);
}

export type Side = 'key' | 'value';

/** the Key/Value split of Kafka's SMTs: which part of the record a $Key or $Value variant works on */
export const Sides = {
  schema(record: ConnectRecord, side: Side): Schema | null {
    return side === 'key' ? record.keySchema : record.valueSchema;
  },
  value(record: ConnectRecord, side: Side): unknown {
    return side === 'key' ? record.key : record.value;
  },
  newRecord<R extends ConnectRecord>(record: R, side: Side, schema: Schema | null, value: unknown): R {
    return side === 'key' ? { ...record, keySchema: schema, key: value } : { ...record, valueSchema: schema, value };
  },
};

/** Kafka's per-transform schema cache (an LRU of 16): schemas are compared by identity, so it stays small */
export function schemaCache(): LRUCache<Schema, Schema> {
  return new LRUCache<Schema, Schema>({ max: 16 });
}
