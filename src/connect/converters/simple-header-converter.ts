/**
 * org.apache.kafka.connect.storage.SimpleHeaderConverter: header values as text (Values.convertToString)
 * and back, typed by Values.parseString (values-parser.ts).
 */
import { ConfigDef, DataError, Schemas, Struct, type HeaderConverter, type Schema, type SchemaAndValue } from '../api/index.js';
import { parseConnectString } from './values-parser.js';
import { formatConnectDate, isLogical, javaClassOf, mapEntries } from './connect-values.js';
import { javaDoubleToString } from '../../serde/java-number-text.js';
import { javaFloatToString } from '../../serde/avro/avro-decode.js';

function escape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Values.append: how Connect prints a value inside a header or as a whole */
export function connectValueToString(value: unknown, schema: Schema | null | undefined, embedded = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (schema?.type === 'FLOAT32') return javaFloatToString(value);
    if (schema?.type === 'FLOAT64' || (!schema && !Number.isInteger(value))) return javaDoubleToString(value);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    if (isLogical.decimal(schema)) return value;
    return embedded ? `"${escape(value)}"` : value;
  }
  if (Buffer.isBuffer(value)) return embedded ? `"${value.toString('base64')}"` : value.toString('base64');
  if (value instanceof Date) return formatConnectDate(value);
  if (Array.isArray(value)) return `[${value.map((v) => connectValueToString(v, schema?.valueSchema, true)).join(',')}]`;
  if (value instanceof Struct) {
    return `{${(value.schema.fields ?? []).map((f) => `${connectValueToString(f.name, null, true)}:${connectValueToString(value.get(f.name), f.schema, true)}`).join(',')}}`;
  }
  if (typeof value === 'object') {
    return `{${mapEntries(value)
      .map(([k, v]) => `${connectValueToString(k, schema?.keySchema, true)}:${connectValueToString(v, schema?.valueSchema, true)}`)
      .join(',')}}`;
  }
  throw new DataError(`Failed to serialize unexpected value type ${javaClassOf(value).replace(/^class /, '')}: ${String(value)}`);
}

export class SimpleHeaderConverter implements HeaderConverter {
  config(): ConfigDef {
    return new ConfigDef();
  }

  configure(): void {}

  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(connectValueToString(value, schema), 'utf8');
  }

  toConnectHeader(_topic: string, _headerKey: string, value: Buffer | null): SchemaAndValue {
    if (value === null) return { schema: null, value: null };
    try {
      // Kafka answers null for the text "null"; the interface's null is a null schema and value
      return parseConnectString(value.toString('utf8')) ?? { schema: null, value: null };
    } catch {
      // as Kafka: what cannot be read as text stays bytes
      return { schema: Schemas.primitive('BYTES'), value };
    }
  }
}
