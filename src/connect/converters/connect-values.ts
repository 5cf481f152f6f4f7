/**
 * Helpers shared by the converters and transforms for Connect values in Sluice's JS form
 * (see api/schema.ts): Java class names for Kafka's error messages, Decimal bytes, and the
 * Date/Time/Timestamp logical conversions.
 */
import { DataError, LogicalTypeNames, Struct, type Schema } from '../api/index.js';
import { parseDecimalText, decimalToJavaString } from '../../serde/java-number-text.js';

/** what value.getClass() prints in Kafka's messages for a JS value */
export function javaClassOf(value: unknown, schema?: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && schema) {
    const byType: Partial<Record<Schema['type'], string>> = { INT8: 'Byte', INT16: 'Short', INT32: 'Integer', INT64: 'Long', FLOAT32: 'Float', FLOAT64: 'Double' };
    if (byType[schema.type]) return `class java.lang.${byType[schema.type]}`;
  }
  if (typeof value === 'string') return 'class java.lang.String';
  if (typeof value === 'boolean') return 'class java.lang.Boolean';
  if (typeof value === 'bigint') return 'class java.lang.Long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'class java.lang.Long' : 'class java.lang.Double';
  if (Buffer.isBuffer(value)) return 'class [B';
  if (value instanceof Date) return 'class java.util.Date';
  if (value instanceof Struct) return 'class org.apache.kafka.connect.data.Struct';
  if (Array.isArray(value)) return 'class java.util.ArrayList';
  if (value instanceof Map || typeof value === 'object') return 'class java.util.HashMap';
  return `class ${typeof value}`;
}

/** schemaless values as Connect's ConnectSchema.schemaType(value.getClass()) types them */
export function inferSchemaType(value: unknown): Schema['type'] | undefined {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'bigint') return 'INT64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'FLOAT64';
  if (Buffer.isBuffer(value)) return 'BYTES';
  if (value instanceof Struct) return 'STRUCT';
  if (Array.isArray(value)) return 'ARRAY';
  if (value instanceof Date) return undefined;
  if (value instanceof Map || (value !== null && typeof value === 'object')) return 'MAP';
  return undefined;
}

/** a schemaless map (Record or Map) as entries */
export function mapEntries(value: unknown): [unknown, unknown][] {
  if (value instanceof Map) return [...value.entries()];
  return Object.entries(value as Record<string, unknown>);
}

export function isSchemalessMap(value: unknown): value is Record<string, unknown> | Map<unknown, unknown> {
  return value instanceof Map || (value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Struct) && !(value instanceof Date));
}

// ---- Decimal: a string holding the BigDecimal, its scale is the schema's `scale` parameter

export function decimalScale(schema: Schema): number {
  const text = schema.parameters?.['scale'];
  if (text === undefined) throw new DataError('Invalid Decimal schema: scale parameter not found.');
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new DataError('Invalid scale parameter found in Decimal schema: ');
  return n;
}

export function decimalParts(text: string): { unscaled: bigint; scale: number } {
  const d = parseDecimalText(text);
  if (!d) throw new DataError(`Invalid decimal ${text}`);
  const unscaled = BigInt(d.unscaled);
  return { unscaled: d.negative ? -unscaled : unscaled, scale: d.scale };
}

export function decimalFromParts(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  return decimalToJavaString({ negative, unscaled: (negative ? -unscaled : unscaled).toString(), scale });
}

/** Decimal.fromLogical: the unscaled value as minimal big-endian two's complement (BigInteger.toByteArray) */
export function decimalToBytes(schema: Schema, value: string): Buffer {
  const { unscaled, scale } = decimalParts(value);
  const expected = decimalScale(schema);
  if (scale !== expected) throw new DataError(`Decimal value has mismatching scale for given Decimal schema. Schema has scale ${expected}, value has scale ${scale}.`);
  return bigIntToBytes(unscaled);
}

export function decimalFromBytes(schema: Schema, bytes: Buffer): string {
  return decimalFromParts(bytesToBigInt(bytes), decimalScale(schema));
}

export function bigIntToBytes(n: bigint): Buffer {
  let len = 1;
  while (n < -(1n << BigInt(8 * len - 1)) || n >= 1n << BigInt(8 * len - 1)) len++;
  const out = Buffer.alloc(len);
  let v = BigInt.asUintN(8 * len, n);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToBigInt(bytes: Buffer): bigint {
  if (bytes.length === 0) throw new DataError('Zero length BigInteger');
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(8 * bytes.length, v);
}

// ---- Date / Time / Timestamp

const MILLIS_PER_DAY = 86_400_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Values.dateFormatFor(date).format(date), in UTC */
export function formatConnectDate(d: Date): string {
  const ms = d.getTime();
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (ms < MILLIS_PER_DAY) return time;
  if (ms % MILLIS_PER_DAY === 0) return date;
  return `${date}T${time}`;
}

export function dateFromLogical(value: Date): number {
  const ms = value.getTime();
  if (ms % MILLIS_PER_DAY !== 0) throw new DataError('Kafka Connect Date type should not have any time fields set to non-zero values.');
  return ms / MILLIS_PER_DAY;
}

export function timeFromLogical(value: Date): number {
  const ms = value.getTime();
  if (ms < 0 || ms > MILLIS_PER_DAY) throw new DataError('Kafka Connect Time type should not have any date fields set to non-zero values.');
  return ms;
}

export function timeToLogical(ms: number): Date {
  if (ms < 0 || ms > MILLIS_PER_DAY) throw new DataError('Time values must use number of milliseconds greater than 0 and less than 86400000');
  return new Date(ms);
}

export const isLogical = {
  decimal: (s: Schema | null | undefined): boolean => s?.name === LogicalTypeNames.decimal,
  date: (s: Schema | null | undefined): boolean => s?.name === LogicalTypeNames.date,
  time: (s: Schema | null | undefined): boolean => s?.name === LogicalTypeNames.time,
  timestamp: (s: Schema | null | undefined): boolean => s?.name === LogicalTypeNames.timestamp,
};
