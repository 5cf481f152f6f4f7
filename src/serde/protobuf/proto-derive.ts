/**
 * The .proto schema ksqlDB (through Confluent's ProtobufData) derives from a source's columns:
 *
 *   syntax = "proto3";
 *
 *   message ConnectDefault1 {
 *     int32 ID = 1;
 *     ConnectDefault2 ADDRESS = 2;
 *
 *     message ConnectDefault2 {
 *       string STREET = 1;
 *     }
 *   }
 *
 * Fields are numbered in column order; anonymous structs become nested ConnectDefault<n>
 * messages (n counting depth-first, maps use a number too); every column is nullable, which the
 * nullable representation decides how to express: plain proto3 fields (NULL is written as the
 * type's default), `optional` fields, or google.protobuf wrapper messages.
 */
import type { SqlType, StructField } from '../../common/sql-types.js';
import { SchemaNotSupported } from '../serde-failure.js';

/** KEY_/VALUE_PROTOBUF_NULLABLE_REPRESENTATION; undefined is ksqlDB's default (plain fields) */
export type NullableRepresentation = 'OPTIONAL' | 'WRAPPER';

export const MAP_KEYS_MESSAGE =
  'PROTOBUF format only supports MAP types with STRING keys. See https://github.com/confluentinc/ksql/issues/6177.';

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Confluent's scrubName: a column name made a valid protobuf identifier. */
export function protoFieldName(name: string): string {
  if (VALID_NAME.test(name)) return name;
  let encoded = encodeURIComponent(name).replace(/%20/g, '+');
  if (!/^[A-Za-z]/.test(encoded)) encoded = `x${encoded}`;
  return encoded.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Throws SchemaNotSupported for what the PROTOBUF formats cannot hold. */
export function checkProtobufSupport(type: SqlType): void {
  switch (type.kind) {
    case 'MAP':
      if (type.key.kind !== 'STRING') throw new SchemaNotSupported(MAP_KEYS_MESSAGE);
      checkProtobufSupport(type.value);
      return;
    case 'ARRAY':
      // a repeated field cannot hold another repeated field (Confluent: "Array cannot be nested")
      if (type.element.kind === 'ARRAY' || type.element.kind === 'MAP') {
        throw new SchemaNotSupported(`PROTOBUF format does not support ${type.element.kind === 'ARRAY' ? 'nested arrays' : 'arrays of maps'}`);
      }
      checkProtobufSupport(type.element);
      return;
    case 'STRUCT':
      for (const f of type.fields) checkProtobufSupport(f.type);
      return;
    default:
      return;
  }
}

class DeriveContext {
  private counter = 0;
  readonly imports: string[] = [];
  constructor(readonly nullable: NullableRepresentation | undefined) {}

  nextName(): string {
    this.counter++;
    return `ConnectDefault${this.counter}`;
  }

  use(file: string): void {
    if (!this.imports.includes(file)) this.imports.push(file);
  }
}

const WRAPPERS: Partial<Record<SqlType['kind'], string>> = {
  INTEGER: 'google.protobuf.Int32Value',
  BIGINT: 'google.protobuf.Int64Value',
  DOUBLE: 'google.protobuf.DoubleValue',
  BOOLEAN: 'google.protobuf.BoolValue',
  STRING: 'google.protobuf.StringValue',
  BYTES: 'google.protobuf.BytesValue',
};

const PLAIN: Partial<Record<SqlType['kind'], string>> = {
  INTEGER: 'int32',
  BIGINT: 'int64',
  DOUBLE: 'double',
  BOOLEAN: 'bool',
  STRING: 'string',
  BYTES: 'bytes',
};

interface Rendered {
  /** the field's type name */
  readonly type: string;
  /** ` [(confluent.field_meta) = ...]` or '' */
  readonly options: string;
}

function decimalOptions(precision: number, scale: number): string {
  return ` [(confluent.field_meta) = { params: [{ key: "precision", value: "${precision}" }, { key: "scale", value: "${scale}" }] }]`;
}

/** The type of a (nullable) value; nested messages it needs are appended to `nested`. */
function renderType(ctx: DeriveContext, t: SqlType, fieldName: string, nested: string[][], indent: string): Rendered {
  switch (t.kind) {
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
    case 'BOOLEAN':
    case 'STRING':
    case 'BYTES':
      if (ctx.nullable === 'WRAPPER') {
        ctx.use('google/protobuf/wrappers.proto');
        return { type: WRAPPERS[t.kind]!, options: '' };
      }
      return { type: PLAIN[t.kind]!, options: '' };
    case 'DECIMAL':
      ctx.use('confluent/meta.proto');
      ctx.use('confluent/type/decimal.proto');
      return { type: 'confluent.type.Decimal', options: decimalOptions(t.precision, t.scale) };
    case 'DATE':
      ctx.use('google/type/date.proto');
      return { type: 'google.type.Date', options: '' };
    case 'TIME':
      ctx.use('google/type/timeofday.proto');
      return { type: 'google.type.TimeOfDay', options: '' };
    case 'TIMESTAMP':
      ctx.use('google/protobuf/timestamp.proto');
      return { type: 'google.protobuf.Timestamp', options: '' };
    case 'STRUCT': {
      let name = ctx.nextName();
      if (name === fieldName) name += 'Message';
      nested.push(renderMessage(ctx, name, t.fields, indent));
      return { type: name, options: '' };
    }
    case 'ARRAY':
    case 'MAP':
      // handled by the caller (repeated fields); nested ones are rejected by checkProtobufSupport
      throw new SchemaNotSupported(`PROTOBUF format does not support nested ${t.kind === 'ARRAY' ? 'arrays' : 'maps'} here`);
  }
}

function renderMessage(ctx: DeriveContext, name: string, fields: readonly StructField[], indent: string): string[] {
  const inner = `${indent}  `;
  const lines: string[] = [`${indent}message ${name} {`];
  const nested: string[][] = [];
  fields.forEach((f, i) => {
    const fname = protoFieldName(f.name);
    const num = i + 1;
    const t = f.type;
    if (t.kind === 'ARRAY') {
      const r = renderType(ctx, t.element, fname, nested, inner);
      lines.push(`${inner}repeated ${r.type} ${fname} = ${num}${r.options};`);
    } else if (t.kind === 'MAP') {
      if (t.value.kind === 'ARRAY' || t.value.kind === 'MAP') {
        // protobuf's map<K, V> cannot hold a repeated value: spell out the entry message
        lines.push(`${inner}repeated ${renderMapValue(ctx, t, nested, inner)} ${fname} = ${num};`);
      } else {
        ctx.nextName(); // Confluent names the entry message ConnectDefault<n>Entry
        const r = renderType(ctx, t.value, 'value', nested, inner);
        lines.push(`${inner}map<string, ${r.type}> ${fname} = ${num}${r.options};`);
      }
    } else {
      const r = renderType(ctx, t, fname, nested, inner);
      const label = ctx.nullable === 'OPTIONAL' ? 'optional ' : '';
      lines.push(`${inner}${label}${r.type} ${fname} = ${num}${r.options};`);
    }
  });
  for (const block of nested) lines.push('', ...block);
  lines.push(`${indent}}`);
  return lines;
}

/** an explicit map entry message (for maps whose values are arrays or maps); returns its name */
function renderMapValue(ctx: DeriveContext, m: Extract<SqlType, { kind: 'MAP' }>, nested: string[][], indent: string): string {
  const entry = `${ctx.nextName()}Entry`;
  const lines: string[] = [`${indent}message ${entry} {`, `${indent}  string key = 1;`];
  const inner: string[][] = [];
  const v = m.value;
  if (v.kind === 'ARRAY') {
    const r = renderType(ctx, v.element, 'value', inner, `${indent}  `);
    lines.push(`${indent}  repeated ${r.type} value = 2${r.options};`);
  } else if (v.kind === 'MAP') {
    lines.push(`${indent}  repeated ${renderMapValue(ctx, v, inner, `${indent}  `)} value = 2;`);
  } else {
    const r = renderType(ctx, v, 'value', inner, `${indent}  `);
    lines.push(`${indent}  ${r.type} value = 2${r.options};`);
  }
  for (const block of inner) lines.push('', ...block);
  lines.push(`${indent}}`);
  nested.push(lines);
  return entry;
}

/**
 * The schema text for columns. `fullName` (KEY_/VALUE_SCHEMA_FULL_NAME) names the message,
 * a dotted name giving its package; the default is ConnectDefault1. Throws SchemaNotSupported
 * for types the format cannot hold (maps with non-STRING keys, nested arrays).
 */
export function deriveProtobufSchema(
  columns: readonly StructField[],
  options: { readonly fullName?: string | undefined; readonly nullable?: NullableRepresentation | undefined } = {},
): string {
  for (const c of columns) checkProtobufSupport(c.type);
  const ctx = new DeriveContext(options.nullable);
  let pkg: string | undefined;
  let name: string;
  const full = options.fullName?.trim();
  if (full) {
    const dot = full.lastIndexOf('.');
    pkg = dot >= 0 ? full.slice(0, dot) : undefined;
    name = protoFieldName(dot >= 0 ? full.slice(dot + 1) : full);
    if (pkg !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(pkg)) {
      throw new SchemaNotSupported(`Invalid protobuf schema full name: ${full}`);
    }
  } else {
    name = ctx.nextName();
  }
  const body = renderMessage(ctx, name, columns, '');
  const head = ['syntax = "proto3";', ''];
  if (pkg !== undefined) head.push(`package ${pkg};`, '');
  if (ctx.imports.length > 0) head.push(...ctx.imports.map((i) => `import "${i}";`), '');
  return `${[...head, ...body].join('\n')}\n`;
}
