/**
 * The writer schema ksqlDB derives for a key or value (AvroSchemas + Confluent's AvroData with
 * ksqlDB's settings): a record named KsqlDataSourceSchema in io.confluent.ksql.avro_schemas (or
 * the source's full schema name) whose fields are all optional (["null", T], default null);
 * nested structs are records named <parent>_<FIELD>; maps (whose keys are optional strings in
 * ksqlDB's Connect schema) are Connect's arrays of MapEntry records; DECIMAL, DATE, TIME and
 * TIMESTAMP carry their logical types with Connect's metadata. An unwrapped single column is the
 * bare (non-optional) type.
 */
import type { SqlType, StructField } from '../../common/sql-types.js';
import { AvroSchemaError, splitFullName, validateAvroFullName, validateAvroName } from './avro-schema.js';
import { hasNonStringMapKey } from '../connect-types.js';

export { hasNonStringMapKey };

export const AVRO_SCHEMA_NAMESPACE = 'io.confluent.ksql.avro_schemas';
export const DEFAULT_AVRO_SCHEMA_FULL_NAME = `${AVRO_SCHEMA_NAMESPACE}.KsqlDataSourceSchema`;

/**
 * The full schema name ksqlDB gives the key record of a source it creates when no
 * KEY_SCHEMA_FULL_NAME is given (AvroFormat.getKeySchemaName): OUTPUT -> ...avro_schemas.OutputKey,
 * MY_SINK -> ...avro_schemas.MySinkKey.
 */
export function avroKeySchemaFullName(sourceName: string): string {
  const camel = sourceName
    .split('_')
    .map((w) => (w.length === 0 ? '' : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
  return `${AVRO_SCHEMA_NAMESPACE}.${camel}Key`;
}

/** ksqlDB replaces dots (qualified column names) to make field names Avro-compatible. */
export function avroFieldName(columnName: string): string {
  return columnName.replace(/\./g, '_');
}

const OPTIONAL_STRING = ['null', 'string'];

class Deriver {
  private readonly defined = new Set<string>();

  private define(fullName: string): { name: string; namespace: string | undefined } {
    validateAvroFullName(fullName);
    if (this.defined.has(fullName)) throw new AvroSchemaError(`Can't redefine: ${fullName}`);
    this.defined.add(fullName);
    return splitFullName(fullName);
  }

  /** `enclosing`: the namespace names are resolved in at this point (Java omits an equal one). */
  private named(fullName: string, enclosing: string | undefined): Record<string, unknown> {
    const { name, namespace } = this.define(fullName);
    const o: Record<string, unknown> = { type: 'record', name };
    if (namespace !== enclosing) o.namespace = namespace ?? '';
    return o;
  }

  record(fullName: string, fields: readonly StructField[], enclosing: string | undefined): Record<string, unknown> {
    const o = this.named(fullName, enclosing);
    const space = splitFullName(fullName).namespace;
    o.fields = fields.map((f) => {
      const name = avroFieldName(f.name);
      validateAvroName(name);
      return { name, type: this.type(f.type, `${fullName}_${name}`, true, space), default: null };
    });
    o['connect.name'] = fullName;
    return o;
  }

  type(t: SqlType, context: string, optional: boolean, enclosing: string | undefined): unknown {
    const base = this.baseType(t, context, enclosing);
    return optional ? ['null', base] : base;
  }

  private baseType(t: SqlType, context: string, enclosing: string | undefined): unknown {
    switch (t.kind) {
      case 'BOOLEAN':
        return 'boolean';
      case 'INTEGER':
        return 'int';
      case 'BIGINT':
        return 'long';
      case 'DOUBLE':
        return 'double';
      case 'STRING':
        return 'string';
      case 'BYTES':
        return 'bytes';
      case 'DECIMAL':
        return {
          type: 'bytes',
          scale: t.scale,
          precision: t.precision,
          'connect.version': 1,
          'connect.parameters': { scale: String(t.scale), 'connect.decimal.precision': String(t.precision) },
          'connect.name': 'org.apache.kafka.connect.data.Decimal',
          logicalType: 'decimal',
        };
      case 'DATE':
        return { type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Date', logicalType: 'date' };
      case 'TIME':
        return { type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Time', logicalType: 'time-millis' };
      case 'TIMESTAMP':
        return {
          type: 'long',
          'connect.version': 1,
          'connect.name': 'org.apache.kafka.connect.data.Timestamp',
          logicalType: 'timestamp-millis',
        };
      case 'ARRAY':
        // arrays do not extend the naming context
        return { type: 'array', items: this.type(t.element, context, true, enclosing) };
      case 'MAP': {
        const entry = this.named(context, enclosing);
        const space = splitFullName(context).namespace;
        entry.fields = [
          { name: 'key', type: OPTIONAL_STRING, default: null },
          { name: 'value', type: this.type(t.value, `${context}_MapValue`, true, space), default: null },
        ];
        entry['connect.internal.type'] = 'MapEntry';
        return { type: 'array', items: entry, 'connect.name': context };
      }
      case 'STRUCT':
        return this.record(context, t.fields, enclosing);
    }
  }
}

/**
 * The writer schema (as JSON) for the columns: a record of them when wrapped, else the single
 * column's bare type. Throws AvroSchemaError for names Avro rejects.
 */
export function deriveAvroSchema(columns: readonly StructField[], wrapped: boolean, fullName: string): unknown {
  const d = new Deriver();
  if (wrapped) return d.record(fullName, columns, undefined);
  validateAvroFullName(fullName);
  return d.type(columns[0]!.type, fullName, false, undefined);
}
