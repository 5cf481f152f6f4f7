/**
 * Connect data to PostgreSQL: column types for schemas (as the JDBC sink's PostgreSQL dialect maps
 * them) and parameter values for record values. Schemaless values (plain JSON) are read against the
 * schema the host knows for the topic, with Sluice's JSON encodings (DATE as days, TIMESTAMP as ms).
 */
import { LogicalTypeNames, Schemas, Struct, type Schema } from '../../api/schema.js';

export function pgType(schema: Schema): string {
  switch (schema.name) {
    case LogicalTypeNames.decimal:
      return 'NUMERIC';
    case LogicalTypeNames.date:
      return 'DATE';
    case LogicalTypeNames.time:
      return 'TIME';
    case LogicalTypeNames.timestamp:
      return 'TIMESTAMP';
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
      return 'SMALLINT';
    case 'INT32':
      return 'INT';
    case 'INT64':
      return 'BIGINT';
    case 'FLOAT32':
      return 'REAL';
    case 'FLOAT64':
      return 'DOUBLE PRECISION';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'STRING':
      return 'TEXT';
    case 'BYTES':
      return 'BYTEA';
    default:
      // arrays, maps and structs are kept whole, as JSON
      return 'JSONB';
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function plain(v: unknown): unknown {
  if (v instanceof Struct) return Object.fromEntries((v.schema.fields ?? []).map((f) => [f.name, plain(v.get(f.name))]));
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** a value of this schema as a node-postgres parameter */
export function pgParam(schema: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (schema.name) {
    case LogicalTypeNames.date: {
      const d = v instanceof Date ? v : new Date(Number(v) * 86_400_000);
      return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    }
    case LogicalTypeNames.time: {
      const d = v instanceof Date ? v : new Date(Number(v));
      return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
    }
    case LogicalTypeNames.timestamp: {
      const d = v instanceof Date ? v : new Date(Number(v));
      return d.toISOString().replace('Z', '');
    }
    case LogicalTypeNames.decimal:
      return String(v);
  }
  switch (schema.type) {
    case 'INT64':
      return typeof v === 'bigint' ? v.toString() : v;
    case 'BYTES':
      return Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return JSON.stringify(plain(v));
    case 'STRING':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(plain(v)) : String(v);
    default:
      return v;
  }
}

/** a schema for a schemaless JSON value, when nothing better is known */
export function inferSchema(v: unknown): Schema {
  if (typeof v === 'boolean') return Schemas.primitive('BOOLEAN', true);
  if (typeof v === 'bigint') return Schemas.primitive('INT64', true);
  if (typeof v === 'number') return Number.isInteger(v) ? Schemas.primitive('INT64', true) : Schemas.primitive('FLOAT64', true);
  if (typeof v === 'string' || v === null || v === undefined) return Schemas.primitive('STRING', true);
  if (Array.isArray(v)) return Schemas.array(Schemas.primitive('STRING', true), true);
  return Schemas.struct([], { optional: true });
}

/** a field of a schemaless object, by exact name or, failing that, ignoring case (Sluice writes upper-case names) */
export function fieldOf(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return null;
}

/** PostgreSQL's text output of a value of a primitive Connect type (booleans as t/f, bytea as \x hex) */
export function primitiveFromText(schema: Schema, text: string): unknown {
  switch (schema.type) {
    case 'BOOLEAN':
      return text === 't' || text === 'true';
    case 'INT16':
    case 'INT32':
    case 'FLOAT32':
    case 'FLOAT64':
      return Number(text);
    case 'INT64':
      return BigInt(text);
    case 'BYTES':
      return Buffer.from(text.replace(/^\\x/, ''), 'hex');
    default:
      return text;
  }
}
