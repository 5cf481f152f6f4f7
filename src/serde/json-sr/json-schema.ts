/**
 * JSON Schema documents for JSON_SR, as Confluent's JsonSchemaData writes and reads them.
 *
 * Derived from columns (what the serializer registers): a wrapped row is a required object whose
 * properties carry "connect.index" and are nullable (`oneOf: [null, T]`); an unwrapped single
 * column is the nullable type itself. INTEGER is {"type":"integer","connect.type":"int32"},
 * BIGINT int64, DOUBLE {"type":"number","connect.type":"float64"}, BYTES a string with
 * "connect.type":"bytes", DECIMAL / DATE / TIME / TIMESTAMP carry Connect's logical type name as
 * "title", maps are objects with "connect.type":"map" and "additionalProperties".
 *
 * Inference reads those documents back, and plain JSON Schema too: "integer" without a
 * connect.type is BIGINT, "number" DOUBLE, nullable unions (oneOf / anyOf / type arrays with
 * "null") their other member, "$ref"s into "definitions" / "$defs" are followed.
 */
import { SqlTypes, type SqlType, type StructField } from '../../common/sql-types.js';
import { configError } from '../serde-failure.js';
import type { SerdeColumn, SerdeTarget } from '../serde-types.js';

type Json = Record<string, unknown>;

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const DATE = 'org.apache.kafka.connect.data.Date';
const TIME = 'org.apache.kafka.connect.data.Time';
const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';

function nullable(schema: Json): Json {
  return { oneOf: [{ type: 'null' }, schema] };
}

function typeSchema(t: SqlType): Json {
  switch (t.kind) {
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'INTEGER':
      return { type: 'integer', 'connect.type': 'int32' };
    case 'BIGINT':
      return { type: 'integer', 'connect.type': 'int64' };
    case 'DOUBLE':
      return { type: 'number', 'connect.type': 'float64' };
    case 'STRING':
      return { type: 'string' };
    case 'BYTES':
      return { type: 'string', 'connect.type': 'bytes' };
    case 'DECIMAL':
      return {
        type: 'number',
        title: DECIMAL,
        'connect.version': 1,
        'connect.parameters': { scale: String(t.scale), 'connect.decimal.precision': String(t.precision) },
      };
    case 'DATE':
      return { type: 'integer', title: DATE, 'connect.version': 1, 'connect.type': 'int32' };
    case 'TIME':
      return { type: 'integer', title: TIME, 'connect.version': 1, 'connect.type': 'int32' };
    case 'TIMESTAMP':
      return { type: 'integer', title: TIMESTAMP, 'connect.version': 1, 'connect.type': 'int64' };
    case 'ARRAY':
      return { type: 'array', items: nullable(typeSchema(t.element)) };
    case 'MAP':
      if (t.key.kind === 'STRING') return { type: 'object', additionalProperties: nullable(typeSchema(t.value)), 'connect.type': 'map' };
      // Connect writes other maps as arrays of key/value objects
      return {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            key: { 'connect.index': 0, ...nullable(typeSchema(t.key)) },
            value: { 'connect.index': 1, ...nullable(typeSchema(t.value)) },
          },
        },
        'connect.type': 'map',
      };
    case 'STRUCT':
      return objectSchema(t.fields);
  }
}

function objectSchema(fields: readonly StructField[]): Json {
  const properties: Json = {};
  fields.forEach((f, i) => {
    properties[f.name] = { 'connect.index': i, ...nullable(typeSchema(f.type)) };
  });
  return { type: 'object', properties };
}

/** The JSON Schema document (as an object) for columns, wrapped in an object or not. */
export function deriveJsonSchema(columns: readonly SerdeColumn[], wrapped: boolean): Json {
  if (!wrapped && columns.length === 1) return nullable(typeSchema(columns[0]!.type));
  return objectSchema(columns);
}

// ---------------------------------------------------------------------------------------------
// inference

class Inference {
  constructor(private readonly root: unknown) {}

  private resolve(ref: string, seen: Set<string>): unknown {
    if (seen.has(ref)) throw configError(`JSON schema is recursive at ${ref}; recursive schemas are not supported`);
    if (!ref.startsWith('#')) throw configError(`Unsupported JSON schema reference: ${ref}`);
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter((p) => p !== '')) {
      const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) throw configError(`Unresolved JSON schema reference: ${ref}`);
      node = (node as Json)[part];
    }
    return node;
  }

  sqlType(schema: unknown, seen: Set<string>): SqlType {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw configError(`Unsupported JSON schema: ${JSON.stringify(schema)}`);
    const s = schema as Json;
    if (typeof s['$ref'] === 'string') return this.sqlType(this.resolve(s['$ref'], seen), new Set([...seen, s['$ref']]));
    for (const key of ['oneOf', 'anyOf'] as const) {
      const members = s[key];
      if (Array.isArray(members)) {
        const nonNull = members.filter((m) => !(typeof m === 'object' && m !== null && (m as Json)['type'] === 'null'));
        if (nonNull.length === 1) return this.sqlType(nonNull[0], seen);
        throw configError(`Unsupported JSON schema: ${key} with ${nonNull.length} non-null members`);
      }
    }
    if (Array.isArray(s['allOf']) && s['allOf'].length === 1) return this.sqlType(s['allOf'][0], seen);
    let type = s['type'];
    if (Array.isArray(type)) {
      const nonNull = type.filter((x) => x !== 'null');
      if (nonNull.length !== 1) throw configError(`Unsupported JSON schema type: ${JSON.stringify(type)}`);
      type = nonNull[0];
    }
    if (type === undefined && (s['properties'] !== undefined || s['additionalProperties'] !== undefined)) type = 'object';
    if (type === undefined && s['items'] !== undefined) type = 'array';
    const connectType = s['connect.type'];
    const title = s['title'];
    switch (type) {
      case 'boolean':
        return SqlTypes.BOOLEAN;
      case 'integer':
        if (title === DATE) return SqlTypes.DATE;
        if (title === TIME) return SqlTypes.TIME;
        if (title === TIMESTAMP) return SqlTypes.TIMESTAMP;
        return connectType === 'int8' || connectType === 'int16' || connectType === 'int32' ? SqlTypes.INTEGER : SqlTypes.BIGINT;
      case 'number': {
        if (title === DECIMAL) {
          const params = (s['connect.parameters'] ?? {}) as Json;
          const precision = Number(params['connect.decimal.precision'] ?? 64);
          const scale = Number(params['scale'] ?? 0);
          if (!Number.isInteger(precision) || !Number.isInteger(scale)) throw configError('Invalid decimal parameters in JSON schema');
          return SqlTypes.decimal(precision, scale);
        }
        return SqlTypes.DOUBLE;
      }
      case 'string':
        return connectType === 'bytes' ? SqlTypes.BYTES : SqlTypes.STRING;
      case 'array': {
        const items = s['items'];
        if (connectType === 'map' && typeof items === 'object' && items !== null) {
          const props = ((items as Json)['properties'] ?? {}) as Json;
          if (props['key'] !== undefined && props['value'] !== undefined) {
            return SqlTypes.map(this.sqlType(props['key'], seen), this.sqlType(props['value'], seen));
          }
        }
        if (items === undefined || Array.isArray(items)) throw configError('Unsupported JSON schema: array without a single items schema');
        return SqlTypes.array(this.sqlType(items, seen));
      }
      case 'object': {
        const props = s['properties'];
        const additional = s['additionalProperties'];
        const hasProps = typeof props === 'object' && props !== null && Object.keys(props).length > 0;
        if ((connectType === 'map' || !hasProps) && typeof additional === 'object' && additional !== null) {
          return SqlTypes.map(SqlTypes.STRING, this.sqlType(additional, seen));
        }
        return SqlTypes.struct(this.fields(s, seen));
      }
      default:
        throw configError(`Unsupported JSON schema type: ${JSON.stringify(type)}`);
    }
  }

  /** an object schema's properties, in connect.index order when every property has one */
  fields(s: Json, seen: Set<string>): StructField[] {
    const props = (s['properties'] ?? {}) as Json;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw configError('Invalid JSON schema properties');
    const entries = Object.entries(props);
    const indexOf = (v: unknown): number | undefined => {
      const i = typeof v === 'object' && v !== null ? (v as Json)['connect.index'] : undefined;
      return typeof i === 'number' ? i : undefined;
    };
    if (entries.every(([, v]) => indexOf(v) !== undefined)) entries.sort((a, b) => indexOf(a[1])! - indexOf(b[1])!);
    return entries.map(([name, v]) => ({ name, type: this.sqlType(v, seen) }));
  }

  /** the object (after nullable unions and refs) a schema describes, or undefined */
  objectOf(schema: unknown, seen: Set<string>): Json | undefined {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
    const s = schema as Json;
    if (typeof s['$ref'] === 'string') return this.objectOf(this.resolve(s['$ref'], seen), new Set([...seen, s['$ref']]));
    for (const key of ['oneOf', 'anyOf'] as const) {
      const members = s[key];
      if (Array.isArray(members)) {
        const nonNull = members.filter((m) => !(typeof m === 'object' && m !== null && (m as Json)['type'] === 'null'));
        return nonNull.length === 1 ? this.objectOf(nonNull[0], seen) : undefined;
      }
    }
    const type = Array.isArray(s['type']) ? s['type'].filter((x) => x !== 'null') : [s['type']];
    const isObject = type.length === 1 && (type[0] === 'object' || (type[0] === undefined && s['properties'] !== undefined));
    if (!isObject) return undefined;
    const hasProps = typeof s['properties'] === 'object' && s['properties'] !== null;
    if (s['connect.type'] === 'map' || (!hasProps && s['additionalProperties'] !== undefined)) return undefined;
    return s;
  }
}

/** parses a registered JSON Schema document; throws ConfigError */
export function parseJsonSchemaText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw configError(`Invalid JSON schema: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Columns for a source whose key or value schema is this JSON Schema text. A key is one column,
 * ROWKEY, of the whole schema's type (JSON_SR keys are unwrapped); a value object's properties
 * are the columns, any other value schema is one column, ROWVAL. Throws ConfigError.
 */
export function inferColumnsFromJsonSchema(text: string, target: SerdeTarget): SerdeColumn[] {
  const root = parseJsonSchemaText(text);
  const inf = new Inference(root);
  if (target === 'KEY') return [{ name: 'ROWKEY', type: inf.sqlType(root, new Set()) }];
  const obj = inf.objectOf(root, new Set());
  if (obj !== undefined) return inf.fields(obj, new Set());
  return [{ name: 'ROWVAL', type: inf.sqlType(root, new Set()) }];
}

/** The properties of a registered object schema (for writing with a schema id), or undefined. */
export function jsonSchemaProperties(
  text: string,
): { readonly names: readonly string[]; readonly required: ReadonlySet<string>; readonly defaults: ReadonlyMap<string, unknown> } | undefined {
  const root = parseJsonSchemaText(text);
  const obj = new Inference(root).objectOf(root, new Set());
  if (obj === undefined) return undefined;
  const props = (obj['properties'] ?? {}) as Json;
  const names = Object.keys(props);
  const indexOf = (n: string): number | undefined => {
    const v = props[n];
    const i = typeof v === 'object' && v !== null ? (v as Json)['connect.index'] : undefined;
    return typeof i === 'number' ? i : undefined;
  };
  if (names.every((n) => indexOf(n) !== undefined)) names.sort((a, b) => indexOf(a)! - indexOf(b)!);
  const required = new Set(Array.isArray(obj['required']) ? (obj['required'] as unknown[]).map(String) : []);
  const defaults = new Map<string, unknown>();
  for (const n of names) {
    const v = props[n];
    if (typeof v === 'object' && v !== null && Object.hasOwn(v, 'default')) defaults.set(n, (v as Json)['default']);
  }
  return { names, required, defaults };
}
