/**
 * Kafka's small converters: StringConverter (converter.encoding), ByteArrayConverter, BooleanConverter
 * and the NumberConverters (Integer, Long, Float, Double, Short) over Kafka's fixed-width big-endian
 * serializers. Messages follow Kafka's (the Java cause is not part of the message).
 */
import { ConfigDef, DataError, Schemas, Struct, type Converter, type ConnectHeader, type HeaderConverter, type Schema, type SchemaAndValue } from '../api/index.js';
import { converterConfigDef, converterProps } from './converter-config.js';
import { parseConfig } from '../transforms/util/transform-support.js';
import { javaClassOf } from './connect-values.js';
import { javaDoubleToString } from '../../serde/java-number-text.js';
import { javaFloatToString } from '../../serde/avro/avro-decode.js';

const CHARSETS: Record<string, { encode(s: string): Buffer; decode(b: Buffer): string }> = {
  'UTF-8': { encode: (s) => Buffer.from(s, 'utf8'), decode: (b) => b.toString('utf8') },
  'UTF-16LE': { encode: (s) => Buffer.from(s, 'utf16le'), decode: (b) => b.toString('utf16le') },
  'UTF-16BE': { encode: (s) => Buffer.from(s, 'utf16le').swap16(), decode: (b) => Buffer.from(b).swap16().toString('utf16le') },
  'ISO-8859-1': { encode: (s) => Buffer.from(s, 'latin1'), decode: (b) => b.toString('latin1') },
  'US-ASCII': { encode: (s) => Buffer.from(s.replace(/[^\x00-\x7f]/g, '?'), 'latin1'), decode: (b) => b.toString('latin1').replace(/[^\x00-\x7f]/g, '\ufffd') },
};
const CHARSET_ALIASES: Record<string, string> = { UTF8: 'UTF-8', LATIN1: 'ISO-8859-1', ASCII: 'US-ASCII', UTF_16LE: 'UTF-16LE', UTF_16BE: 'UTF-16BE', 'ISO8859-1': 'ISO-8859-1', 'ISO_8859_1': 'ISO-8859-1' };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date.toString() in a JVM running in UTC: "Tue Nov 14 22:13:20 UTC 2023" */
export function javaDateToString(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Java's Object.toString() for Connect values, as StringConverter writes them */
export function javaToString(value: unknown, schema?: Schema | null): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (schema?.type === 'FLOAT32') return javaFloatToString(value);
    if (schema?.type === 'FLOAT64' || (!schema && !Number.isInteger(value))) return javaDoubleToString(value);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Struct) {
    const parts: string[] = [];
    for (const f of value.schema.fields ?? []) {
      const v = value.getWithoutDefault(f.name);
      if (v !== null && v !== undefined) parts.push(`${f.name}=${javaToString(v, f.schema)}`);
    }
    return `Struct{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => javaToString(v, schema?.valueSchema)).join(', ')}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${javaToString(k, schema?.keySchema)}=${javaToString(v, schema?.valueSchema)}`).join(', ')}}`;
  if (value instanceof Date) return javaDateToString(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && !Buffer.isBuffer(value)) return `{${Object.entries(value).map(([k, v]) => `${k}=${javaToString(v)}`).join(', ')}}`;
  return String(value);
}

/**
 * What Kafka's small converters share: the converter config (converter.type), and a header
 * converter that is the value converter applied to the header's bytes.
 */
abstract class SimpleConverter implements Converter, HeaderConverter {
  config(): ConfigDef {
    return converterConfigDef();
  }

  /** isKey undefined: configured as a header converter (converter.type=header) */
  configure(props: Readonly<Record<string, string>>, isKey?: boolean): void {
    parseConfig(this.config(), converterProps(props, isKey));
  }

  abstract fromConnectData(topic: string, headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null;
  abstract toConnectData(topic: string, headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue;

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, [], schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, [], value);
  }
}

export class StringConverter extends SimpleConverter {
  private charset = CHARSETS['UTF-8']!;
  private encodingName = 'UTF-8';

  override config(): ConfigDef {
    return converterConfigDef().define({ name: 'converter.encoding', type: 'STRING', defaultValue: 'UTF-8', importance: 'HIGH', documentation: 'The name of the Java character set to use for encoding strings as byte arrays.', width: 'MEDIUM', displayName: 'Encoding' });
  }

  /** isKey undefined: configured as a header converter (converter.type=header) */
  override configure(props: Readonly<Record<string, string>>, isKey?: boolean): void {
    const parsed = parseConfig(this.config(), converterProps(props, isKey));
    // Kafka's StringSerializer takes key.serializer.encoding / value.serializer.encoding too, converter.encoding wins
    this.encodingName = parsed['converter.encoding'] as string;
    const upper = this.encodingName.toUpperCase();
    this.charset = CHARSETS[CHARSET_ALIASES[upper] ?? upper] ?? CHARSETS['UTF-8']!;
    if (!CHARSETS[CHARSET_ALIASES[upper] ?? upper]) this.unsupported = true;
  }

  private unsupported = false;

  fromConnectData(_topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (this.unsupported) throw new DataError('Failed to serialize to a string: ');
    // Kafka would write the byte array's identity ("[B@7ea37dbf"); the bytes themselves are more use
    if (Buffer.isBuffer(value)) return Buffer.from(value);
    return this.charset.encode(javaToString(value, schema));
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value !== null && this.unsupported) throw new DataError('Failed to deserialize string: ');
    return { schema: Schemas.primitive('STRING', true), value: value === null ? null : this.charset.decode(value) };
  }
}

export class ByteArrayConverter extends SimpleConverter {
  override configure(): void {}

  fromConnectData(_topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema.type !== 'BYTES') throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    if (value !== null && value !== undefined && !Buffer.isBuffer(value)) throw new DataError(`ByteArrayConverter is not compatible with objects of type ${javaClassOf(value)}`);
    return (value as Buffer | null | undefined) ?? null;
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    return { schema: Schemas.primitive('BYTES', true), value };
  }
}

export class BooleanConverter extends SimpleConverter {
  fromConnectData(_topic: string, _headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema.type !== 'BOOLEAN') throw new DataError(`Invalid schema type for BooleanConverter: ${schema.type}`);
    if (value === null || value === undefined) return null;
    if (typeof value !== 'boolean') throw new DataError(`BooleanConverter is not compatible with objects of type ${javaClassOf(value)}`);
    return Buffer.from([value ? 1 : 0]);
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value === null) return { schema: Schemas.primitive('BOOLEAN', true), value: null };
    if (value.length !== 1 || value[0]! > 1) throw new DataError('Failed to deserialize boolean: ');
    return { schema: Schemas.primitive('BOOLEAN', true), value: value[0] === 1 };
  }
}

type NumberKind = { readonly typeName: string; readonly type: 'INT16' | 'INT32' | 'INT64' | 'FLOAT32' | 'FLOAT64'; readonly size: number };

/** Kafka's NumberConverter<T> over the fixed-width serializer of its type */
export class NumberConverter extends SimpleConverter {
  constructor(private readonly kind: NumberKind) {
    super();
  }

  fromConnectData(_topic: string, _headers: readonly ConnectHeader[], _schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    const { type, size, typeName } = this.kind;
    const ok = type === 'INT64' ? typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)) : typeof value === 'number';
    if (!ok || (type !== 'INT64' && type !== 'FLOAT32' && type !== 'FLOAT64' && !Number.isInteger(value))) {
      throw new DataError(`Failed to serialize to ${typeName} (was ${javaClassOf(value)}): `);
    }
    const out = Buffer.alloc(size);
    if (type === 'INT16') out.writeInt16BE(((value as number) << 16) >> 16);
    else if (type === 'INT32') out.writeInt32BE((value as number) | 0);
    else if (type === 'INT64') out.writeBigInt64BE(BigInt.asIntN(64, BigInt(value as number | bigint)));
    else if (type === 'FLOAT32') out.writeFloatBE(value as number);
    else out.writeDoubleBE(value as number);
    return out;
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    const { type, size, typeName } = this.kind;
    const schema = Schemas.primitive(type, true);
    if (value === null) return { schema, value: null };
    if (value.length !== size) throw new DataError(`Failed to deserialize ${typeName}: `);
    const v = type === 'INT16' ? value.readInt16BE() : type === 'INT32' ? value.readInt32BE() : type === 'INT64' ? value.readBigInt64BE() : type === 'FLOAT32' ? value.readFloatBE() : value.readDoubleBE();
    return { schema, value: v };
  }
}

export const NumberKinds = {
  short: { typeName: 'short', type: 'INT16', size: 2 },
  integer: { typeName: 'integer', type: 'INT32', size: 4 },
  long: { typeName: 'long', type: 'INT64', size: 8 },
  float: { typeName: 'float', type: 'FLOAT32', size: 4 },
  double: { typeName: 'double', type: 'FLOAT64', size: 8 },
} as const satisfies Record<string, NumberKind>;
