/** org.apache.kafka.connect.transforms.TimestampConverter$Key / $Value: between string, unix, Date, Time and Timestamp */
import { ConfigDef, DataError, LogicalTypeNames, Struct, type ConnectRecord, type Schema, type Transformation } from '../api/index.js';
import { Validators } from './util/validators.js';
import { configError, copySchemaBasics, parseConfig, putChecked, requireMap, requireStructOrNull, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';
import { javaClassOf } from '../converters/connect-values.js';
import { compileSimpleDateFormat, formatSimpleDate, parseSimpleDate } from './util/simple-date-format.js';

const PURPOSE = 'converting timestamp formats';
const MILLIS_PER_DAY = 86_400_000;
type TargetType = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
type Precision = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';

/** Kafka's ConnectException (not a DataException) */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({ name: 'field', type: 'STRING', defaultValue: '', importance: 'HIGH', documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp' })
    .define({ name: 'target.type', type: 'STRING', validator: Validators.validString('string', 'unix', 'Date', 'Time', 'Timestamp'), importance: 'HIGH', documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp' })
    .define({ name: 'format', type: 'STRING', defaultValue: '', importance: 'MEDIUM', documentation: 'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.' })
    .define({ name: 'unix.precision', type: 'STRING', defaultValue: 'milliseconds', validator: Validators.validString('nanoseconds', 'microseconds', 'milliseconds', 'seconds'), importance: 'LOW', documentation: 'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.' })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);
const saturate = (v: bigint): bigint => (v > LONG_MAX ? LONG_MAX : v < LONG_MIN ? LONG_MIN : v);

function typeSchema(type: TargetType, optional: boolean): Schema {
  switch (type) {
    case 'string':
      return { type: 'STRING', optional };
    case 'unix':
      return { type: 'INT64', optional };
    case 'Date':
      return { type: 'INT32', optional, name: LogicalTypeNames.date, version: 1 };
    case 'Time':
      return { type: 'INT32', optional, name: LogicalTypeNames.time, version: 1 };
    case 'Timestamp':
      return { type: 'INT64', optional, name: LogicalTypeNames.timestamp, version: 1 };
  }
}

function schemaToString(schema: Schema): string {
  return schema.name !== undefined ? `Schema{${schema.name}:${schema.type}}` : `Schema{${schema.type}}`;
}

export class TimestampConverter implements Transformation {
  private field = '';
  private type: TargetType = 'Timestamp';
  private format: string | null = null;
  private precision: Precision = 'milliseconds';
  private replaceNullWithDefault = true;
  private readonly schemaCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = parseConfig(CONFIG_DEF(), props);
    this.field = c['field'] as string;
    this.type = c['target.type'] as TargetType;
    const pattern = c['format'] as string;
    this.precision = c['unix.precision'] as Precision;
    this.replaceNullWithDefault = c['replace.null.with.default'] as boolean;
    if (this.type === 'string' && pattern.trim() === '') throw configError('TimestampConverter requires format option to be specified when using string timestamps');
    if (pattern.trim() !== '') {
      try {
        compileSimpleDateFormat(pattern);
      } catch {
        throw configError(`TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern}`);
      }
      this.format = pattern;
    }
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = Sides.schema(record, this.side);
    const raw = Sides.value(record, this.side);
    if (!schema) {
      if (raw === null || raw === undefined || this.field === '') return Sides.newRecord(record, this.side, null, this.convert(raw, null, true));
      const updated: Record<string, unknown> = { ...requireMap(raw, PURPOSE) };
      updated[this.field] = this.convert(updated[this.field] ?? null, null, true);
      return Sides.newRecord(record, this.side, null, updated);
    }
    if (this.field === '') return Sides.newRecord(record, this.side, typeSchema(this.type, schema.optional), this.convert(raw, this.typeFromSchema(schema), false));
    const value = requireStructOrNull(raw, PURPOSE);
    let updatedSchema = this.schemaCache.get(schema);
    if (!updatedSchema) {
      const fields = (schema.fields ?? []).map((f) => ({ name: f.name, schema: f.name === this.field ? typeSchema(this.type, f.schema.optional) : f.schema }));
      updatedSchema = { ...copySchemaBasics(schema, structSchema(fields)), optional: schema.optional };
      if (schema.defaultValue instanceof Struct) updatedSchema = { ...updatedSchema, defaultValue: this.applyStruct(schema.defaultValue, updatedSchema) };
      this.schemaCache.set(schema, updatedSchema);
    }
    return Sides.newRecord(record, this.side, updatedSchema, this.applyStruct(value, updatedSchema));
  }

  private applyStruct(value: Struct | null, updatedSchema: Schema): Struct | null {
    if (!value) return null;
    const out = new Struct(updatedSchema);
    for (const f of value.schema.fields ?? []) {
      const v = this.replaceNullWithDefault ? value.get(f.name) : value.getWithoutDefault(f.name);
      putChecked(out, f.name, f.name === this.field ? this.convert(v, this.typeFromSchema(f.schema), false) : v);
    }
    return out;
  }

  private typeFromSchema(schema: Schema): TargetType {
    if (schema.name === LogicalTypeNames.timestamp) return 'Timestamp';
    if (schema.name === LogicalTypeNames.date) return 'Date';
    if (schema.name === LogicalTypeNames.time) return 'Time';
    if (schema.type === 'STRING') return 'string';
    if (schema.type === 'INT64') return 'unix';
    throw new ConnectError(`Schema ${schemaToString(schema)} does not correspond to a known timestamp type format`);
  }

  private convert(value: unknown, from: TargetType | null, schemaless: boolean): unknown {
    if (value === null || value === undefined) return null;
    let source = from;
    if (!source) {
      if (value instanceof Date) source = 'Timestamp';
      else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) source = 'unix';
      else if (typeof value === 'string') source = 'string';
      else throw new DataError(`TimestampConverter does not support ${javaClassOf(value)} objects as timestamps`);
    }
    return this.toType(this.toRaw(source, value), schemaless);
  }

  private toRaw(source: TargetType, value: unknown): number {
    switch (source) {
      case 'string': {
        if (typeof value !== 'string') throw new DataError(`Expected string timestamp to be a String, but found ${javaClassOf(value)}`);
        try {
          return parseSimpleDate(value, this.format!);
        } catch {
          throw new DataError(`Could not parse timestamp: value (${value}) does not match pattern (${this.format})`);
        }
      }
      case 'unix': {
        if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) throw new DataError(`Expected Unix timestamp to be a Long, but found ${javaClassOf(value)}`);
        const v = BigInt(value);
        switch (this.precision) {
          case 'seconds':
            return Number(saturate(v * 1000n));
          case 'microseconds':
            return Number(v / 1000n);
          case 'nanoseconds':
            return Number(v / 1_000_000n);
          default:
            return Number(v);
        }
      }
      default:
        if (!(value instanceof Date)) throw new DataError(`Expected ${source} to be a java.util.Date, but found ${javaClassOf(value)}`);
        return value.getTime();
    }
  }

  private toType(ms: number, schemaless: boolean): unknown {
    switch (this.type) {
      case 'string':
        return formatSimpleDate(ms, this.format!);
      case 'unix': {
        const v = BigInt(ms);
        const out = this.precision === 'seconds' ? v / 1000n : this.precision === 'microseconds' ? saturate(v * 1000n) : this.precision === 'nanoseconds' ? saturate(v * 1_000_000n) : v;
        return schemaless && Number.isSafeInteger(Number(out)) ? Number(out) : out;
      }
      case 'Date':
        return new Date(Math.floor(ms / MILLIS_PER_DAY) * MILLIS_PER_DAY);
      case 'Time':
        return new Date(((ms % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY);
      case 'Timestamp':
        return new Date(ms);
    }
  }

  close(): void {
    this.schemaCache.clear();
  }
}
