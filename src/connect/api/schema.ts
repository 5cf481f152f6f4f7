/**
 * Kafka Connect's data model (org.apache.kafka.connect.data), kept close to the Java names so that
 * configurations, converters and transforms behave as Connect users expect and so that the tests can
 * compare our outputs with Kafka's own classes run by a Java harness.
 *
 * Values by schema type:
 *   INT8/INT16/INT32/FLOAT32/FLOAT64 -> number, INT64 -> bigint, BOOLEAN -> boolean, STRING -> string,
 *   BYTES -> Buffer, ARRAY -> unknown[], MAP -> Map<unknown, unknown>, STRUCT -> Struct;
 *   logical types: Decimal (BYTES, parameter `scale`) -> string holding the decimal (exact),
 *   Date (INT32) / Time (INT32) / Timestamp (INT64) -> Date.
 * Schemaless data (schema null, as with JsonConverter schemas.enable=false) uses plain JS values:
 *   objects are Record<string, unknown>, integers are number (bigint beyond 2^53), arrays unknown[].
 */

export type SchemaType =
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FLOAT32'
  | 'FLOAT64'
  | 'BOOLEAN'
  | 'STRING'
  | 'BYTES'
  | 'ARRAY'
  | 'MAP'
  | 'STRUCT';

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  /** logical type or record name, e.g. 'org.apache.kafka.connect.data.Timestamp' */
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** STRUCT only, in order */
  readonly fields?: readonly Field[];
  /** MAP only */
  readonly keySchema?: Schema;
  /** MAP and ARRAY */
  readonly valueSchema?: Schema;
}

export const LogicalTypeNames = {
  decimal: 'org.apache.kafka.connect.data.Decimal',
  date: 'org.apache.kafka.connect.data.Date',
  time: 'org.apache.kafka.connect.data.Time',
  timestamp: 'org.apache.kafka.connect.data.Timestamp',
} as const;

/** Immutable schema construction (Connect's SchemaBuilder, as plain functions). */
export const Schemas = {
  primitive(type: Exclude<SchemaType, 'ARRAY' | 'MAP' | 'STRUCT'>, optional = false): Schema {
    return { type, optional };
  },
  array(valueSchema: Schema, optional = false): Schema {
    return { type: 'ARRAY', optional, valueSchema };
  },
  map(keySchema: Schema, valueSchema: Schema, optional = false): Schema {
    return { type: 'MAP', optional, keySchema, valueSchema };
  },
  struct(fields: readonly { name: string; schema: Schema }[], options: { optional?: boolean; name?: string; version?: number; doc?: string } = {}): Schema {
    return {
      type: 'STRUCT',
      optional: options.optional ?? false,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.doc !== undefined ? { doc: options.doc } : {}),
      fields: fields.map((f, index) => ({ name: f.name, index, schema: f.schema })),
    };
  },
  /** a copy with the given attributes changed (SchemaBuilder's copy-then-set) */
  with(schema: Schema, changes: Partial<Omit<Schema, 'type'>>): Schema {
    return { ...schema, ...changes };
  },
  field(schema: Schema, name: string): Field | undefined {
    return schema.fields?.find((f) => f.name === name);
  },
} as const;

/** A STRUCT value: values by field, validated against its schema when `validate()` is called. */
export class Struct {
  private readonly values: unknown[];

  constructor(readonly schema: Schema) {
    if (schema.type !== 'STRUCT') throw new Error(`Struct needs a STRUCT schema, got ${schema.type}`);
    this.values = new Array((schema.fields ?? []).length).fill(null);
  }

  get(fieldName: string): unknown {
    const field = this.lookup(fieldName);
    const value = this.values[field.index];
    return value === null && field.schema.defaultValue !== undefined ? field.schema.defaultValue : value;
  }

  /** the value without applying the field's default (Connect's getWithoutDefault) */
  getWithoutDefault(fieldName: string): unknown {
    return this.values[this.lookup(fieldName).index];
  }

  put(fieldName: string, value: unknown): this {
    this.values[this.lookup(fieldName).index] = value;
    return this;
  }

  /** throws a DataError naming the first field whose value does not match its schema */
  validate(): void {
    for (const field of this.schema.fields ?? []) validateValue(field.schema, this.values[field.index], field.name);
  }

  equals(other: unknown): boolean {
    return other instanceof Struct && schemaEquals(this.schema, other.schema) && valueEquals(this.values, other.values);
  }

  private lookup(fieldName: string): Field {
    const field = Schemas.field(this.schema, fieldName);
    if (!field) throw new DataError(`${fieldName} is not a valid field name`);
    return field;
  }
}

/** Connect's DataException: a value does not fit its schema, or a field does not exist. */
export class DataError extends Error {
  override readonly name = 'DataError';
}

export function validateValue(schema: Schema, value: unknown, where = 'value'): void {
  if (value === null || value === undefined) {
    if (schema.optional || schema.defaultValue !== undefined) return;
    throw new DataError(`Invalid value: null used for required field: "${where}", schema type: ${schema.type}`);
  }
  const fail = (): never => {
    throw new DataError(`Invalid Java object for schema with type ${schema.type}: ${typeof value} for field: "${where}"`);
  };
  if (schema.name === LogicalTypeNames.date || schema.name === LogicalTypeNames.time || schema.name === LogicalTypeNames.timestamp) {
    if (!(value instanceof Date)) fail();
    return;
  }
  if (schema.name === LogicalTypeNames.decimal) {
    if (typeof value !== 'string') fail();
    return;
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'FLOAT32':
    case 'FLOAT64':
      if (typeof value !== 'number') fail();
      return;
    case 'INT64':
      if (typeof value !== 'bigint') fail();
      return;
    case 'BOOLEAN':
      if (typeof value !== 'boolean') fail();
      return;
    case 'STRING':
      if (typeof value !== 'string') fail();
      return;
    case 'BYTES':
      if (!Buffer.isBuffer(value)) fail();
      return;
    case 'ARRAY':
      if (!Array.isArray(value)) fail();
      for (const item of value as unknown[]) validateValue(schema.valueSchema!, item, where);
      return;
    case 'MAP':
      if (!(value instanceof Map)) fail();
      for (const [k, v] of value as Map<unknown, unknown>) {
        validateValue(schema.keySchema!, k, where);
        validateValue(schema.valueSchema!, v, where);
      }
      return;
    case 'STRUCT':
      if (!(value instanceof Struct) || !schemaEquals(value.schema, schema)) fail();
      (value as Struct).validate();
      return;
  }
}

export function schemaEquals(a: Schema | null | undefined, b: Schema | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.type !== b.type || a.optional !== b.optional || a.name !== b.name || a.version !== b.version || a.doc !== b.doc) return false;
  if (!valueEquals(a.defaultValue ?? null, b.defaultValue ?? null) || !valueEquals(a.parameters ?? null, b.parameters ?? null)) return false;
  if (!schemaEquals(a.keySchema, b.keySchema) || !schemaEquals(a.valueSchema, b.valueSchema)) return false;
  const af = a.fields ?? [];
  const bf = b.fields ?? [];
  return af.length === bf.length && af.every((f, i) => f.name === bf[i]!.name && schemaEquals(f.schema, bf[i]!.schema));
}

export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Struct) return a.equals(b);
  if (Buffer.isBuffer(a)) return Buffer.isBuffer(b) && a.equals(b);
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valueEquals(x, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valueEquals(v, b.get(k))) return false;
    return true;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ak = Object.keys(a);
    const bk = Object.keys(b);
    return ak.length === bk.length && ak.every((k) => valueEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
