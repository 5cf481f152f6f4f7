/** org.apache.kafka.connect.transforms.Cast$Key / Cast$Value */
import { ConfigDef, DataError, Schemas, Struct, type ConnectRecord, type Schema, type SchemaType, type Transformation } from '../api/index.js';
import { configError, configValueError, copySchemaBasics, parseConfig, putChecked, requireMap, requireStruct, Sides, structSchema, type Side, schemaCache } from './util/transform-support.js';
import { dateFromLogical, formatConnectDate, inferSchemaType, isLogical, javaClassOf, timeFromLogical } from '../converters/connect-values.js';
import { javaDoubleToString, parseJavaDouble } from '../../serde/java-number-text.js';
import { javaFloatToString } from '../../serde/avro/avro-decode.js';

const INPUT_TYPES: SchemaType[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES'];
const OUTPUT_TYPES: SchemaType[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING'];
const ALL_TYPES: SchemaType[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES', 'ARRAY', 'MAP', 'STRUCT'];
const PURPOSE = 'cast types';
const WHOLE = '\u0000whole';

function parseFieldTypes(mappings: readonly string[]): Map<string, SchemaType> {
  const m = new Map<string, SchemaType>();
  let whole = false;
  const typeOf = (text: string): SchemaType => {
    const t = text.trim().toUpperCase() as SchemaType;
    // Kafka passes the cause as the config value: ConfigException(name, value)
    if (!ALL_TYPES.includes(t)) throw configError(`Invalid value java.lang.IllegalArgumentException: No enum constant org.apache.kafka.connect.data.Schema.Type.${t} for configuration Invalid type found in casting spec: ${text.trim()}`);
    if (!OUTPUT_TYPES.includes(t)) throw configError(`Cast transformation does not support casting to ${t}; supported types are [${OUTPUT_TYPES.join(', ')}]`);
    return t;
  };
  for (const mapping of mappings) {
    const parts = javaSplit(mapping, ':');
    if (parts.length > 2) throw configValueError('renames', mappings, `Invalid rename mapping: ${mapping}`);
    if (parts.length === 1) {
      m.set(WHOLE, typeOf(parts[0]!));
      whole = true;
    } else m.set(parts[0]!.trim(), typeOf(parts[1]!));
  }
  if (whole && mappings.length > 1) throw configError('Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
  return m;
}

/** String.split(sep): trailing empty strings removed */
export function javaSplit(text: string, sep: string): string[] {
  const parts = text.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '' && text.length > 0) return [];
  return parts;
}

const CONFIG_DEF = (): ConfigDef =>
  new ConfigDef()
    .define({
      name: 'spec',
      type: 'LIST',
      validator: (_name, value) => {
        const list = value as string[] | null;
        if (!list || list.length === 0) throw configError('Must specify at least one field to cast.');
        parseFieldTypes(list);
      },
      importance: 'HIGH',
      documentation:
        'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
    })
    .define({ name: 'replace.null.with.default', type: 'BOOLEAN', defaultValue: true, importance: 'MEDIUM', documentation: 'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.' });

/** a Java Number: integral, floating, or a BigDecimal (kept as its text) */
type NumberLike = { kind: 'int'; value: bigint } | { kind: 'float'; value: number; decimal?: string };

/** the Java Number a value is, if it is one: integers (including Decimal's integer part) or floating */
function asNumber(value: unknown, schema: Schema | null): NumberLike | undefined {
  if (typeof value === 'bigint') return { kind: 'int', value };
  if (typeof value === 'number') {
    const floating = schema ? schema.type === 'FLOAT32' || schema.type === 'FLOAT64' : !Number.isInteger(value);
    return floating ? { kind: 'float', value } : { kind: 'int', value: BigInt(value) };
  }
  if (typeof value === 'string' && isLogical.decimal(schema)) return { kind: 'float', value: Number(value), decimal: value };
  return undefined;
}

function decimalIntegerPart(text: string): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
  let v = BigInt(digits || '0');
  if (exp >= 0) v *= 10n ** BigInt(exp);
  else v /= 10n ** BigInt(-exp);
  return m[1] === '-' ? -v : v;
}

function integerValue(n: NumberLike, bits: number): bigint {
  if (n.kind === 'float' && n.decimal !== undefined) return BigInt.asIntN(bits, decimalIntegerPart(n.decimal));
  if (n.kind === 'int') return BigInt.asIntN(bits, n.value);
  // (int)/(long) of a double saturates; byte/short narrow the int
  const d = n.value;
  const satBits = bits === 64 ? 64 : 32;
  const max = (1n << BigInt(satBits - 1)) - 1n;
  const min = -(1n << BigInt(satBits - 1));
  const t = Number.isNaN(d) ? 0n : d >= Number(max) ? max : d <= Number(min) ? min : BigInt(Math.trunc(d));
  return BigInt.asIntN(bits, t);
}

function parseJavaInteger(text: string, bits: number, value: unknown): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw outOfRange(value);
  const v = BigInt(text);
  if (v < -(1n << BigInt(bits - 1)) || v >= 1n << BigInt(bits - 1)) throw outOfRange(value);
  return v;
}

function outOfRange(value: unknown): DataError {
  return new DataError(`Value (${String(value)}) was out of range for requested data type`);
}

export function castValueToType(schema: Schema | null, value: unknown, target: SchemaType, schemaless: boolean): unknown {
  if (value === null || value === undefined) return null;
  const inferred = schema ? schema.type : inferSchemaType(value);
  if (!inferred) throw new DataError(`Cast transformation was passed a value of type ${javaClassOf(value)} which is not supported by Connect's data API`);
  if (!INPUT_TYPES.includes(inferred)) throw new DataError(`Cast transformation does not support casting from ${inferred}; supported types are [${INPUT_TYPES.join(', ')}]`);
  let v = value;
  let s = schema;
  if (schema?.name !== undefined && target !== 'STRING') {
    if (isLogical.date(schema)) v = dateFromLogical(value as Date);
    else if (isLogical.time(schema)) v = timeFromLogical(value as Date);
    else if (isLogical.timestamp(schema)) v = BigInt((value as Date).getTime());
    if (v !== value) s = null;
  }
  const n = asNumber(v, s);
  const unexpected = (): never => {
    throw new DataError(`Unexpected type in Cast transformation: ${javaClassOf(v)}`);
  };
  const intOut = (b: bigint, bits: number): unknown => (bits === 64 ? (schemaless && Number.isSafeInteger(Number(b)) ? Number(b) : b) : Number(b));
  switch (target) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64': {
      const bits = target === 'INT8' ? 8 : target === 'INT16' ? 16 : target === 'INT32' ? 32 : 64;
      if (n) return intOut(integerValue(n, bits), bits);
      if (typeof v === 'boolean') return intOut(v ? 1n : 0n, bits);
      if (typeof v === 'string') return intOut(parseJavaInteger(v, bits, v), bits);
      return unexpected();
    }
    case 'FLOAT32':
    case 'FLOAT64': {
      // schemaless data has no FLOAT32 to say so: a float becomes the double with the float's digits (0.1f -> 0.1)
      const round = target === 'FLOAT32' ? (schemaless ? (x: number) => Number(javaFloatToString(Math.fround(x))) : Math.fround) : (x: number) => x;
      if (n) return round(n.kind === 'int' ? Number(n.value) : n.value);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string') {
        const d = parseJavaDouble(v);
        if (d === undefined) throw outOfRange(v);
        return round(d);
      }
      return unexpected();
    }
    case 'BOOLEAN':
      if (n) return integerValue(n, 64) !== 0n;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') return v.toLowerCase() === 'true';
      return unexpected();
    case 'STRING':
      if (v instanceof Date) return formatConnectDate(v);
      if (Buffer.isBuffer(v)) return v.toString('base64');
      if (typeof v === 'number' && s) {
        if (s.type === 'FLOAT32') return javaFloatToString(v);
        if (s.type === 'FLOAT64') return javaDoubleToString(v);
      }
      if (typeof v === 'number' && !s && !Number.isInteger(v)) return javaDoubleToString(v);
      if (v instanceof Struct) return String(v);
      return String(v);
    default:
      throw new DataError(`${target} is not supported in the Cast transformation.`);
  }
}

function primitiveSchema(type: SchemaType): Schema {
  if (!OUTPUT_TYPES.includes(type)) throw new DataError(`Unexpected type in Cast transformation: ${type}`);
  return Schemas.primitive(type as 'INT8');
}

export class Cast implements Transformation {
  private casts = new Map<string, SchemaType>();
  private whole: SchemaType | undefined;
  private replaceNullWithDefault = true;
  private readonly schemaCache = schemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG_DEF();
  }

  configure(props: Readonly<Record<string, string>>): void {
    const config = parseConfig(CONFIG_DEF(), props);
    this.casts = parseFieldTypes(config['spec'] as string[]);
    this.whole = this.casts.get(WHOLE);
    this.replaceNullWithDefault = config['replace.null.with.default'] as boolean;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = Sides.value(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = Sides.schema(record, this.side);
    if (!schema) {
      if (this.whole) return Sides.newRecord(record, this.side, null, castValueToType(null, value, this.whole, true));
      const map = requireMap(value, PURPOSE);
      const updated: Record<string, unknown> = { ...map };
      for (const [field, type] of this.casts) updated[field] = castValueToType(null, map[field] ?? null, type, true);
      return Sides.newRecord(record, this.side, null, updated);
    }
    const updatedSchema = this.buildSchema(schema);
    if (this.whole) return Sides.newRecord(record, this.side, updatedSchema, castValueToType(schema, value, this.whole, false));
    const struct = requireStruct(value, PURPOSE);
    const out = new Struct(updatedSchema);
    for (const field of struct.schema.fields ?? []) {
      const orig = this.replaceNullWithDefault ? struct.get(field.name) : struct.getWithoutDefault(field.name);
      const target = this.casts.get(field.name);
      putChecked(out, field.name, target ? castValueToType(field.schema, orig, target, false) : orig);
    }
    return Sides.newRecord(record, this.side, updatedSchema, out);
  }

  private buildSchema(schema: Schema): Schema {
    const cached = this.schemaCache.get(schema);
    if (cached) return cached;
    let built: Schema;
    if (this.whole) built = copySchemaBasics(schema, primitiveSchema(this.whole));
    else {
      const fields = (schema.fields ?? []).map((f) => {
        const target = this.casts.get(f.name);
        if (!target) return { name: f.name, schema: f.schema };
        let fs: Schema = { ...primitiveSchema(target), optional: f.schema.optional };
        if (f.schema.defaultValue !== undefined && f.schema.defaultValue !== null) fs = { ...fs, defaultValue: castValueToType(f.schema, f.schema.defaultValue, target, false) };
        return { name: f.name, schema: fs };
      });
      built = copySchemaBasics(schema, structSchema(fields));
    }
    built = { ...built, optional: schema.optional };
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) built = { ...built, defaultValue: castValueToType(schema, schema.defaultValue, built.type, false) };
    this.schemaCache.set(schema, built);
    return built;
  }

  close(): void {
    this.schemaCache.clear();
  }
}
