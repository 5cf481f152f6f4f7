/**
 * CAST semantics (ksqlDB's CastEvaluator): which casts exist and a converter for each. A converter
 * maps a non-null runtime value of `from` to one of `to`, or throws on bad input (the runtime turns
 * that into NULL plus a processing-log entry).
 */
import { Decimal } from 'decimal.js';
import { javaDoubleToString } from '../functions/scalar/java-format.js';
import type { DecimalType, SqlType, SqlStruct } from '../common/sql-types.js';
import { formatSqlType, isNumericType, sqlTypeEquals } from '../common/sql-types.js';
import { ExecutionError } from '../common/errors.js';
import { fitDecimal, formatDecimal } from './decimal-math.js';
import {
  MS_PER_DAY,
  formatDateText,
  formatTimeText,
  formatTimestampText,
  parseDateText,
  parseTimeText,
  parseTimestampText,
} from './date-time-text.js';

export type Converter = (value: any) => unknown;

const identity: Converter = (v) => v;

/** Whether CAST(x AS to) is allowed for x of type `from`. */
export function isCastSupported(from: SqlType, to: SqlType): boolean {
  if (sqlTypeEquals(from, to)) return true;
  if (to.kind === 'STRING') return from.kind !== 'BYTES';
  const f = from.kind;
  switch (to.kind) {
    case 'BOOLEAN':
      return f === 'STRING';
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
    case 'DECIMAL':
      return isNumericType(from) || f === 'STRING';
    case 'DATE':
    case 'TIME':
      return f === 'STRING' || f === 'TIMESTAMP';
    case 'TIMESTAMP':
      return f === 'STRING' || f === 'DATE';
    case 'BYTES':
      return false;
    case 'ARRAY':
      return from.kind === 'ARRAY' && isCastSupported(from.element, to.element);
    case 'MAP':
      return from.kind === 'MAP' && isCastSupported(from.key, to.key) && isCastSupported(from.value, to.value);
    case 'STRUCT': {
      if (from.kind !== 'STRUCT') return false;
      // fields are matched by name; fields missing on either side become NULL / are dropped
      return to.fields.every((tf) => {
        const ff = from.fields.find((x) => x.name === tf.name);
        return !ff || isCastSupported(ff.type, tf.type);
      });
    }
  }
}

function fail(value: unknown, to: SqlType): never {
  throw new ExecutionError(`Cannot cast '${String(value)}' to ${formatSqlType(to)}`);
}

const INT_RE = /^[+-]?\d+$/;

function parseIntText(s: string): number {
  const t = s.trim();
  if (!INT_RE.test(t)) fail(s, { kind: 'INTEGER' });
  const n = Number(t);
  if (n > 2147483647 || n < -2147483648) fail(s, { kind: 'INTEGER' });
  return n;
}

function parseBigIntText(s: string): bigint {
  const t = s.trim();
  if (!INT_RE.test(t)) fail(s, { kind: 'BIGINT' });
  const n = BigInt(t);
  if (n !== BigInt.asIntN(64, n)) fail(s, { kind: 'BIGINT' });
  return n;
}

const DOUBLE_RE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[dDfF]?$/;

export function parseDoubleText(s: string): number {
  const t = s.trim();
  if (!DOUBLE_RE.test(t)) fail(s, { kind: 'DOUBLE' });
  return Number(t.replace(/[dDfF]$/, ''));
}

export function parseDecimalText(s: string, type: DecimalType): Decimal {
  let d: Decimal;
  try {
    d = new Decimal(s.trim());
  } catch {
    fail(s, type);
  }
  if (!d.isFinite()) fail(s, type);
  return fitDecimal(d, type);
}

/**
 * ksqlDB's SqlBooleans: 'true'/'yes' and their prefixes are true, 'false'/'no' and prefixes are
 * false (case-insensitive); undefined for anything else.
 */
export function parseBooleanExact(s: string): boolean | undefined {
  const t = s.trim().toLowerCase();
  if (t.length === 0) return undefined;
  if ('true'.startsWith(t) || 'yes'.startsWith(t)) return true;
  if ('false'.startsWith(t) || 'no'.startsWith(t)) return false;
  return undefined;
}

/** Java (int) of a double: truncates, NaN is 0, saturates. */
function doubleToInt(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d >= 2147483647) return 2147483647;
  if (d <= -2147483648) return -2147483648;
  return Math.trunc(d);
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** Java (long) of a double. */
function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 9223372036854775807) return LONG_MAX;
  if (d <= -9223372036854775808) return LONG_MIN;
  return BigInt(Math.trunc(d));
}

/** BigDecimal.longValue(): the low 64 bits of the truncated integer. */
function decimalToLong(d: Decimal): bigint {
  return BigInt.asIntN(64, BigInt(d.trunc().toFixed(0)));
}

/**
 * Java's toString of a runtime value of type t, as ksqlDB renders values cast to STRING:
 * lists `[1, 2]`, maps `{a=1}`, structs `Struct{A=1,B=x}` (null fields omitted).
 */
export function valueToJavaString(v: unknown, t: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'BOOLEAN':
    case 'INTEGER':
    case 'BIGINT':
      return String(v);
    case 'DOUBLE':
      return javaDoubleToString(v as number);
    case 'DECIMAL':
      return formatDecimal(v as Decimal, t.scale);
    case 'STRING':
      return v as string;
    case 'BYTES':
      return (v as Buffer).toString('base64');
    case 'DATE':
      return formatDateText(v as number);
    case 'TIME':
      return formatTimeText(v as number);
    case 'TIMESTAMP':
      return formatTimestampText(v as number);
    case 'ARRAY':
      return '[' + (v as unknown[]).map((e) => valueToJavaString(e, t.element)).join(', ') + ']';
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) parts.push(`${valueToJavaString(k, t.key)}=${valueToJavaString(x, t.value)}`);
      return '{' + parts.join(', ') + '}';
    }
    case 'STRUCT': {
      const s = v as SqlStruct;
      const parts: string[] = [];
      for (const f of t.fields) {
        const x = s[f.name];
        if (x !== null && x !== undefined) parts.push(`${f.name}=${valueToJavaString(x, f.type)}`);
      }
      return 'Struct{' + parts.join(',') + '}';
    }
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Java's Base64.getDecoder().decode: padding required, nothing but the alphabet. */
export function decodeBase64Strict(s: string): Buffer {
  if (!BASE64_RE.test(s)) throw new ExecutionError(`Illegal base64 character in '${s}'`);
  return Buffer.from(s, 'base64');
}

/** Builds the converter for CAST(from AS to); throws a plain Error if the cast is not supported. */
export function castConverter(from: SqlType, to: SqlType): Converter {
  if (sqlTypeEquals(from, to)) return identity;
  // not a CAST users may write, but the implicit conversion of a STRING argument to a BYTES parameter
  if (from.kind === 'STRING' && to.kind === 'BYTES') return decodeBase64Strict;
  if (!isCastSupported(from, to)) throw new Error(`Cast of ${formatSqlType(from)} to ${formatSqlType(to)} is not supported`);
  return (CONVERTERS[to.kind] as ConverterTo<SqlType['kind']>)(from, to as never);
}

/** The converter to one target kind from a (castable) source type. */
type ConverterTo<K extends SqlType['kind']> = (from: SqlType, to: Extract<SqlType, { readonly kind: K }>) => Converter;

/** `from` has the target's structure (checked by isCastSupported) */
const sameShape = <T extends SqlType>(from: SqlType): T => from as T;

const CONVERTERS: { readonly [K in SqlType['kind']]: ConverterTo<K> } = {
  STRING: (from) => {
    if (from.kind === 'INTEGER' || from.kind === 'BIGINT') return (v) => String(v);
    if (from.kind === 'BOOLEAN') return (v) => (v ? 'true' : 'false');
    return (v) => valueToJavaString(v, from);
  },
  BOOLEAN: () => (v: string) => parseBooleanExact(v) ?? false,
  INTEGER: (from) => numericConverter(from, {
    STRING: parseIntText,
    BIGINT: (v: bigint) => Number(BigInt.asIntN(32, v)),
    DOUBLE: doubleToInt,
    DECIMAL: (v: Decimal) => Number(BigInt.asIntN(32, decimalToLong(v))),
  }),
  BIGINT: (from) => numericConverter(from, { STRING: parseBigIntText, INTEGER: (v: number) => BigInt(v), DOUBLE: doubleToLong, DECIMAL: decimalToLong }),
  DOUBLE: (from) => numericConverter(from, { STRING: parseDoubleText, BIGINT: (v: bigint) => Number(v), DECIMAL: (v: Decimal) => v.toNumber() }),
  DECIMAL: (from, to) => {
    const fromNumber = (v: number) => {
      if (!Number.isFinite(v)) fail(v, to);
      return fitDecimal(new Decimal(v), to);
    };
    return numericConverter(from, {
      STRING: (v: string) => parseDecimalText(v, to),
      INTEGER: fromNumber,
      DOUBLE: fromNumber,
      BIGINT: (v: bigint) => fitDecimal(new Decimal(v.toString()), to),
    }, (v: Decimal) => fitDecimal(v, to));
  },
  DATE: (from) => (from.kind === 'STRING' ? parseDateText : (v: number) => Math.floor(v / MS_PER_DAY)),
  TIME: (from) => (from.kind === 'STRING' ? parseTimeText : (v: number) => ((v % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY),
  TIMESTAMP: (from) => (from.kind === 'STRING' ? parseTimestampText : (v: number) => v * MS_PER_DAY),
  BYTES: () => identity,
  ARRAY: (from, to) => {
    const el = castConverter(sameShape<typeof to>(from).element, to.element);
    return (v: unknown[]) => v.map((x) => (x === null ? null : el(x)));
  },
  MAP: (from, to) => {
    const f = sameShape<typeof to>(from);
    const kc = castConverter(f.key, to.key);
    const vc = castConverter(f.value, to.value);
    return (v: Map<unknown, unknown>) => {
      const out = new Map<unknown, unknown>();
      for (const [k, x] of v) out.set(k === null ? null : kc(k), x === null ? null : vc(x));
      return out;
    };
  },
  STRUCT: (from, to) => {
    const f = sameShape<typeof to>(from);
    const plan = to.fields.map((tf) => {
      const ff = f.fields.find((x) => x.name === tf.name);
      return { name: tf.name, present: !!ff, conv: ff ? castConverter(ff.type, tf.type) : identity };
    });
    return (v: SqlStruct) => {
      const out: SqlStruct = {};
      for (const p of plan) {
        const x = p.present ? v[p.name] : null;
        out[p.name] = x === null || x === undefined ? null : p.conv(x);
      }
      return out;
    };
  },
};

/** A numeric target: the converter for the source's kind, else `otherwise` (the value as it is). */
function numericConverter(from: SqlType, bySource: Partial<Record<SqlType['kind'], Converter>>, otherwise: Converter = identity): Converter {
  return bySource[from.kind] ?? otherwise;
}

/** CAST of one runtime value: NULL stays NULL; throws ExecutionError on bad input. */
export function castValue(value: unknown, from: SqlType, to: SqlType): unknown {
  if (value === null || value === undefined) return null;
  return castConverter(from, to)(value);
}
