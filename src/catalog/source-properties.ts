/**
 * The WITH clause of CREATE STREAM/TABLE [AS SELECT] and INSERT INTO: known names, value types
 * and validation, with ksqlDB's error messages where they are well known.
 */
import { CatalogError } from '../common/errors.js';
import { FORMAT_NAMES, isFormatName, type FormatName } from '../common/format-name.js';
import type { Property } from '../sql/ast.js';

type PropertyKind = 'string' | 'int' | 'boolean';

const KNOWN: Record<string, PropertyKind> = {
  KAFKA_TOPIC: 'string',
  PARTITIONS: 'int',
  REPLICAS: 'int',
  RETENTION_MS: 'int',
  KEY_FORMAT: 'string',
  VALUE_FORMAT: 'string',
  FORMAT: 'string',
  TIMESTAMP: 'string',
  TIMESTAMP_FORMAT: 'string',
  VALUE_DELIMITER: 'string',
  KEY_DELIMITER: 'string',
  WRAP_SINGLE_VALUE: 'boolean',
  WINDOW_TYPE: 'string',
  WINDOW_SIZE: 'string',
  KEY_SCHEMA_ID: 'int',
  VALUE_SCHEMA_ID: 'int',
  KEY_SCHEMA_FULL_NAME: 'string',
  VALUE_SCHEMA_FULL_NAME: 'string',
  VALUE_AVRO_SCHEMA_FULL_NAME: 'string',
  KEY_PROTOBUF_NULLABLE_REPRESENTATION: 'string',
  VALUE_PROTOBUF_NULLABLE_REPRESENTATION: 'string',
  CLEANUP_POLICY: 'string',
};

/** Every format name ksqlDB knows; which of them Sluice supports is the serde layer's business. */
export const KNOWN_FORMATS: ReadonlySet<string> = new Set<string>(FORMAT_NAMES);

export interface SourceProperties {
  readonly kafkaTopic?: string;
  readonly partitions?: number;
  readonly replicas?: number;
  readonly retentionMs?: number;
  readonly keyFormat?: FormatName;
  readonly valueFormat?: FormatName;
  readonly timestamp?: string;
  readonly timestampFormat?: string;
  readonly valueDelimiter?: string;
  readonly keyDelimiter?: string;
  readonly wrapSingleValue?: boolean;
  readonly windowType?: string;
  readonly windowSize?: string;
  readonly keySchemaId?: number;
  readonly valueSchemaId?: number;
  readonly keySchemaFullName?: string;
  readonly valueSchemaFullName?: string;
  readonly valueAvroSchemaFullName?: string;
  readonly keyProtobufNullableRepresentation?: string;
  readonly valueProtobufNullableRepresentation?: string;
  /** every property as given, upper-cased name -> JS value */
  readonly raw: ReadonlyMap<string, string | number | boolean | null>;
}

function literalValue(p: Property): string | number | boolean | null {
  const v = p.value;
  switch (v.kind) {
    case 'NullLiteral':
      return null;
    case 'BooleanLiteral':
      return v.value;
    case 'StringLiteral':
      return v.value;
    default:
      return Number(v.text);
  }
}

function coerce(name: string, kind: PropertyKind, value: string | number | boolean | null, p: Property): string | number | boolean {
  if (value === null) throw new CatalogError(`Invalid value null for property ${name}`, p.pos);
  switch (kind) {
    case 'string':
      return String(value);
    case 'int': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n)) throw new CatalogError(`Invalid value ${JSON.stringify(value)} for property ${name}: expected an integer`, p.pos);
      return n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const s = String(value).toLowerCase();
      if (s === 'true' || s === 'false') return s === 'true';
      throw new CatalogError(`Invalid value ${JSON.stringify(value)} for property ${name}: expected true or false`, p.pos);
    }
  }
}

export function readSourceProperties(props: readonly Property[]): SourceProperties {
  const raw = new Map<string, string | number | boolean | null>();
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const p of props) {
    const name = p.name.toUpperCase();
    const kind = KNOWN[name];
    const value = literalValue(p);
    raw.set(name, value);
    if (!kind) {
      unknown.push(name);
      continue;
    }
    out[camel(name)] = coerce(name, kind, value, p);
  }
  if (unknown.length) throw new CatalogError(`Invalid config variable(s) in the WITH clause: ${unknown.join(',')}`, props[0]?.pos);
  const fmt = out.format as string | undefined;
  if (fmt !== undefined) {
    const other = out.valueFormat !== undefined ? 'VALUE_FORMAT' : out.keyFormat !== undefined ? 'KEY_FORMAT' : undefined;
    if (other)
      throw new CatalogError(`Cannot supply both '${other}' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.`);
    out.keyFormat = fmt;
    out.valueFormat = fmt;
  }
  for (const k of ['keyFormat', 'valueFormat'] as const) {
    if (typeof out[k] !== 'string') continue;
    out[k] = formatNamed(out[k] as string);
  }
  if (typeof out.partitions === 'number' && out.partitions < 1)
    throw new CatalogError(`Invalid number of partitions: ${out.partitions} (must be at least 1)`);
  return { ...(out as Omit<SourceProperties, 'raw'>), raw };
}

/** A format name as written in a WITH clause or a config default, checked. */
export function formatNamed(text: string): FormatName {
  const name = text.toUpperCase();
  if (!isFormatName(name)) throw new CatalogError(`Unknown format: ${name}`);
  return name;
}

function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The schema-registry settings of one side (key or value) as FormatInfo fields. */
export function schemaSettings(
  props: SourceProperties,
  target: 'KEY' | 'VALUE',
): { schemaId?: number; schemaFullName?: string; nullableRepresentation?: string } {
  const id = target === 'KEY' ? props.keySchemaId : props.valueSchemaId;
  const name = target === 'KEY' ? props.keySchemaFullName : props.valueSchemaFullName ?? props.valueAvroSchemaFullName;
  const nullable = target === 'KEY' ? props.keyProtobufNullableRepresentation : props.valueProtobufNullableRepresentation;
  return {
    ...(id !== undefined ? { schemaId: id } : {}),
    ...(name !== undefined ? { schemaFullName: name } : {}),
    ...(nullable !== undefined ? { nullableRepresentation: nullable.toUpperCase() } : {}),
  };
}

/** ksqlDB's VALUE_DELIMITER / KEY_DELIMITER: one character or TAB / SPACE. */
export function parseDelimiter(text: string | undefined, property: string): string | undefined {
  if (text === undefined) return undefined;
  const upper = text.toUpperCase();
  if (upper === 'TAB') return '\t';
  if (upper === 'SPACE') return ' ';
  if (text.length === 0)
    throw new CatalogError(`Configuration ${property} is invalid: Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'`);
  if (text.length !== 1)
    throw new CatalogError(`Configuration ${property} is invalid: Invalid delimiter value: '${text}'. Delimiter must be a single character or TAB or SPACE`);
  return text;
}
