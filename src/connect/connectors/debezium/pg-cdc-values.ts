/**
 * PostgreSQL column values as Debezium's PostgreSQL connector writes them: its default
 * `time.precision.mode=adaptive` temporal types (io.debezium.time.*), `decimal.handling.mode`
 * precise / double / string, JSON and UUID as named strings. Values arrive as PostgreSQL's text
 * output (pgoutput's text tuples, and the snapshot's rows read as text), in UTC.
 */
import { LogicalTypeNames, Schemas, Struct, type Schema } from '../../api/schema.js';
import { primitiveFromText } from '../jdbc/pg-values.js';

export type DecimalHandling = 'precise' | 'double' | 'string';
export type TimePrecision = 'adaptive' | 'adaptive_time_microseconds' | 'connect';

export interface ValueSettings {
  readonly decimalHandling: DecimalHandling;
  readonly timePrecision: TimePrecision;
}

/** a column as pgoutput's relation message and the catalog describe it */
export interface PgColumn {
  readonly name: string;
  readonly typeOid: number;
  /** -1 when the type has no modifier (numeric without precision, timestamp without precision) */
  readonly typeMod: number;
}

const Oid = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

const named = (type: 'INT32' | 'INT64' | 'STRING', name: string): Schema => ({ type, optional: true, name, version: 1 });

/** fractional-second digits of a timestamp or time column (PostgreSQL's default is 6) */
const timePrecision = (typeMod: number): number => (typeMod < 0 ? 6 : typeMod);

export function columnSchema(column: PgColumn, settings: ValueSettings): Schema {
  const connectTime = settings.timePrecision === 'connect';
  switch (column.typeOid) {
    case Oid.bool:
      return Schemas.primitive('BOOLEAN', true);
    case Oid.int2:
      return Schemas.primitive('INT16', true);
    case Oid.int4:
      return Schemas.primitive('INT32', true);
    case Oid.int8:
    case Oid.oid:
      return Schemas.primitive('INT64', true);
    case Oid.float4:
      return Schemas.primitive('FLOAT32', true);
    case Oid.float8:
      return Schemas.primitive('FLOAT64', true);
    case Oid.bytea:
      return Schemas.primitive('BYTES', true);
    case Oid.json:
    case Oid.jsonb:
      return named('STRING', 'io.debezium.data.Json');
    case Oid.uuid:
      return named('STRING', 'io.debezium.data.Uuid');
    case Oid.numeric: {
      if (settings.decimalHandling === 'double') return Schemas.primitive('FLOAT64', true);
      if (settings.decimalHandling === 'string') return Schemas.primitive('STRING', true);
      if (column.typeMod < 0) {
        return Schemas.struct([{ name: 'scale', schema: Schemas.primitive('INT32') }, { name: 'value', schema: Schemas.primitive('BYTES') }], { name: 'io.debezium.data.VariableScaleDecimal', version: 1, optional: true, doc: 'Variable scaled decimal' });
      }
      const precision = ((column.typeMod - 4) >> 16) & 0xffff;
      const scale = (column.typeMod - 4) & 0xffff;
      return { type: 'BYTES', optional: true, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) } };
    }
    case Oid.date:
      return connectTime ? { type: 'INT32', optional: true, name: LogicalTypeNames.date, version: 1 } : named('INT32', 'io.debezium.time.Date');
    case Oid.time:
      if (connectTime) return { type: 'INT32', optional: true, name: LogicalTypeNames.time, version: 1 };
      return timePrecision(column.typeMod) <= 3 && settings.timePrecision === 'adaptive' ? named('INT32', 'io.debezium.time.Time') : named('INT64', 'io.debezium.time.MicroTime');
    case Oid.timestamp:
      if (connectTime) return { type: 'INT64', optional: true, name: LogicalTypeNames.timestamp, version: 1 };
      return timePrecision(column.typeMod) <= 3 ? named('INT64', 'io.debezium.time.Timestamp') : named('INT64', 'io.debezium.time.MicroTimestamp');
    case Oid.timestamptz:
      return named('STRING', 'io.debezium.time.ZonedTimestamp');
    case Oid.timetz:
      return named('STRING', 'io.debezium.time.ZonedTime');
    default:
      return Schemas.primitive('STRING', true);
  }
}

/** 'YYYY-MM-DD' -> days since the epoch */
function epochDays(text: string): number {
  return Math.floor(Date.parse(`${text.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

/** 'HH:MM:SS[.ffffff]' -> microseconds since midnight */
function microsOfDay(text: string): bigint {
  const [hms, frac = ''] = text.split('.');
  const [h, m, s] = hms!.split(':').map(Number);
  return BigInt(((h! * 60 + m!) * 60 + s!) * 1_000_000) + BigInt(frac.slice(0, 6).padEnd(6, '0'));
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC) -> microseconds since the epoch */
function epochMicros(text: string): bigint {
  const [date, time = '00:00:00'] = text.split(' ');
  return BigInt(epochDays(date!)) * 86_400_000_000n + microsOfDay(time);
}

/** timestamptz text in UTC ('2024-01-02 03:04:05.1234+00') -> ISO-8601 as Debezium's ZonedTimestamp writes it */
function zonedTimestamp(text: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?)?$/.exec(text);
  if (!m) return text;
  const zone = !m[3] || /^[+-]00(:?00)?$/.test(m[3]) ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3];
  return `${m[1]}T${m[2]}${zone}`;
}

/** a BigInteger's two's-complement big-endian bytes (java.math.BigInteger.toByteArray) */
export function bigIntegerBytes(n: bigint): Buffer {
  let hex = (n < 0n ? -n : n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (n >= 0n) return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes.length ? bytes : Buffer.from([0]);
  // negate: invert and add one
  bytes = Buffer.from(bytes.map((b) => ~b & 0xff));
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = (bytes[i]! + 1) & 0xff;
    if (bytes[i] !== 0) break;
  }
  return bytes[0]! & 0x80 ? bytes : Buffer.concat([Buffer.from([0xff]), bytes]);
}

export function columnValue(schema: Schema, text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  switch (schema.name) {
    case 'io.debezium.time.Date':
      return epochDays(text);
    case 'io.debezium.time.Time':
      return Number(microsOfDay(text) / 1000n);
    case 'io.debezium.time.MicroTime':
      return microsOfDay(text);
    case 'io.debezium.time.Timestamp':
      return epochMicros(text) / 1000n;
    case 'io.debezium.time.MicroTimestamp':
      return epochMicros(text);
    case 'io.debezium.time.ZonedTimestamp':
      return zonedTimestamp(text);
    case LogicalTypeNames.date:
      return new Date(`${text.slice(0, 10)}T00:00:00Z`);
    case LogicalTypeNames.time:
      return new Date(Number(microsOfDay(text) / 1000n));
    case LogicalTypeNames.timestamp:
      return new Date(Number(epochMicros(text) / 1000n));
    case LogicalTypeNames.decimal:
      return text;
    case 'io.debezium.data.VariableScaleDecimal': {
      const [whole, frac = ''] = text.split('.');
      return new Struct(schema).put('scale', frac.length).put('value', bigIntegerBytes(BigInt(`${whole}${frac}`)));
    }
  }
  return primitiveFromText(schema, text);
}

/** a log sequence number 'X/Y' as one number (Debezium stores LSNs as longs) */
export function lsnToNumber(lsn: string): number {
  const [hi, lo] = lsn.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
}

export function numberToLsn(n: number): string {
  return `${Math.floor(n / 2 ** 32).toString(16).toUpperCase()}/${(n % 2 ** 32).toString(16).toUpperCase()}`;
}
