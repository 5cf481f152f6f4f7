/**
 * Avro schemas as the AVRO format needs them: a resolved tree (named types resolved, recursive
 * records are cyclic) with the attributes Kafka Connect's AvroData looks at (logical types read
 * from the properties, MapEntry arrays), parsed from the registry's JSON text.
 *
 * Name checks follow Java Avro (Schema.validateName), so messages read like ksqlDB's
 * "Schema is not compatible with Avro: Illegal initial character: 1abc".
 */

export interface DecimalInfo {
  readonly precision: number;
  readonly scale: number;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroNode;
  readonly hasDefault: boolean;
  /** the JSON default (only meaningful when hasDefault) */
  readonly default: unknown;
}

export interface AvroRecord {
  readonly kind: 'record';
  /** full name */
  readonly name: string;
  readonly fields: AvroField[];
  /** an entry of Connect's array representation of a map (connect.internal.type MapEntry) */
  readonly mapEntry: boolean;
}

export type AvroNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean' }
  /** logical: 'date' | 'time-millis' (others are plain ints, as Connect sees them) */
  | { readonly kind: 'int'; readonly logical?: 'date' | 'time-millis' }
  | { readonly kind: 'long'; readonly logical?: 'timestamp-millis' }
  | { readonly kind: 'float' }
  | { readonly kind: 'double' }
  | { readonly kind: 'string' }
  | { readonly kind: 'bytes'; readonly decimal?: DecimalInfo }
  | { readonly kind: 'fixed'; readonly name: string; readonly size: number; readonly decimal?: DecimalInfo }
  | { readonly kind: 'enum'; readonly name: string; readonly symbols: readonly string[] }
  | { readonly kind: 'array'; readonly items: AvroNode }
  | { readonly kind: 'map'; readonly values: AvroNode }
  | AvroRecord
  | { readonly kind: 'union'; readonly branches: readonly AvroNode[] };

/** An invalid schema (Java's SchemaParseException); the message is Java Avro's where there is one. */
export class AvroSchemaError extends Error {}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Java's Character.isLetter / isLetterOrDigit, close enough for names. */
const LETTER = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

/** Java Avro's Schema.validateName. */
export function validateAvroName(name: string): void {
  if (name.length === 0) throw new AvroSchemaError('Empty name');
  const chars = [...name];
  const first = chars[0]!;
  if (!(first === '_' || LETTER.test(first))) throw new AvroSchemaError(`Illegal initial character: ${name}`);
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i]!;
    if (!(c === '_' || LETTER_OR_DIGIT.test(c))) throw new AvroSchemaError(`Illegal character in: ${name}`);
  }
}

/** Validates every dot-separated part of a (full) name. */
export function validateAvroFullName(fullName: string): void {
  for (const part of fullName.split('.')) validateAvroName(part);
}

export function splitFullName(fullName: string): { namespace: string | undefined; name: string } {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? { namespace: undefined, name: fullName } : { namespace: fullName.slice(0, dot), name: fullName.slice(dot + 1) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intProp(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/**
 * Connect's view of a decimal: logicalType "decimal" (read as a property, so an Avro-invalid one
 * still counts), scale (default 0) and precision (default 64, Connect's "unknown").
 */
function decimalOf(o: Record<string, unknown>): DecimalInfo | undefined {
  if (typeof o.logicalType !== 'string' || o.logicalType.toLowerCase() !== 'decimal') return undefined;
  const scale = intProp(o, 'scale') ?? 0;
  const precision = intProp(o, 'precision') ?? 64;
  if (scale < 0 || precision <= 0) return undefined;
  return { precision, scale };
}

class Parser {
  private readonly names = new Map<string, AvroNode>();
  private depth = 0;

  parse(json: unknown, namespace: string | undefined): AvroNode {
    if (++this.depth > 500) throw new AvroSchemaError('Schema is too deeply nested');
    try {
      return this.parseInner(json, namespace);
    } finally {
      this.depth--;
    }
  }

  private fullName(name: string, namespace: string | undefined): string {
    return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
  }

  private lookup(name: string, namespace: string | undefined): AvroNode {
    const found = this.names.get(this.fullName(name, namespace)) ?? this.names.get(name);
    if (found === undefined) throw new AvroSchemaError(`Undefined name: ${JSON.stringify(name)}`);
    return found;
  }

  private define(fullName: string, node: AvroNode): void {
    validateAvroFullName(fullName);
    if (this.names.has(fullName)) throw new AvroSchemaError(`Can't redefine: ${fullName}`);
    this.names.set(fullName, node);
  }

  private named(o: Record<string, unknown>, namespace: string | undefined): { full: string; space: string | undefined } {
    if (typeof o.name !== 'string') throw new AvroSchemaError(`No name in schema: ${JSON.stringify(o)}`);
    const explicit = typeof o.namespace === 'string' && o.namespace !== '' ? o.namespace : undefined;
    const full = o.name.includes('.') ? o.name : this.fullName(o.name, explicit ?? (o.namespace === '' ? undefined : namespace));
    return { full, space: splitFullName(full).namespace };
  }

  private parseInner(json: unknown, namespace: string | undefined): AvroNode {
    if (typeof json === 'string') return PRIMITIVES.has(json) ? primitive(json, {}) : this.lookup(json, namespace);
    if (Array.isArray(json)) {
      const branches = json.map((b) => this.parse(b, namespace));
      if (branches.some((b) => b.kind === 'union')) throw new AvroSchemaError(`Nested union: ${JSON.stringify(json)}`);
      return { kind: 'union', branches };
    }
    if (!isObject(json)) throw new AvroSchemaError(`Schema not yet supported: ${JSON.stringify(json)}`);
    const type = json.type;
    if (typeof type !== 'string') {
      if (type === undefined) throw new AvroSchemaError(`No type: ${JSON.stringify(json)}`);
      return this.parse(type, namespace);
    }
    if (PRIMITIVES.has(type)) return primitive(type, json);
    switch (type) {
      case 'record':
      case 'error': {
        const { full, space } = this.named(json, namespace);
        const fields: AvroField[] = [];
        const mapEntry = json['connect.internal.type'] === 'MapEntry' || full === 'io.confluent.connect.avro.MapEntry';
        const node: AvroRecord = { kind: 'record', name: full, fields, mapEntry };
        this.define(full, node);
        if (!Array.isArray(json.fields)) throw new AvroSchemaError(`Record has no fields: ${JSON.stringify(json)}`);
        const seen = new Set<string>();
        for (const f of json.fields) {
          if (!isObject(f) || typeof f.name !== 'string') throw new AvroSchemaError(`No field name: ${JSON.stringify(f)}`);
          validateAvroName(f.name);
          if (seen.has(f.name)) throw new AvroSchemaError(`Duplicate field ${f.name} in record ${full}`);
          seen.add(f.name);
          if (f.type === undefined) throw new AvroSchemaError(`No field type: ${JSON.stringify(f)}`);
          fields.push({ name: f.name, type: this.parse(f.type, space), hasDefault: Object.hasOwn(f, 'default'), default: f.default });
        }
        return node;
      }
      case 'enum': {
        const { full } = this.named(json, namespace);
        if (!Array.isArray(json.symbols) || !json.symbols.every((s) => typeof s === 'string')) {
          throw new AvroSchemaError(`Enum symbols must be a sequence of strings: ${JSON.stringify(json)}`);
        }
        const node: AvroNode = { kind: 'enum', name: full, symbols: json.symbols as string[] };
        this.define(full, node);
        return node;
      }
      case 'fixed': {
        const { full } = this.named(json, namespace);
        const size = intProp(json, 'size');
        if (size === undefined || size < 0) throw new AvroSchemaError(`Invalid or no size: ${JSON.stringify(json)}`);
        const decimal = decimalOf(json);
        const node: AvroNode = decimal ? { kind: 'fixed', name: full, size, decimal } : { kind: 'fixed', name: full, size };
        this.define(full, node);
        return node;
      }
      case 'array':
        if (json.items === undefined) throw new AvroSchemaError(`Array has no items type: ${JSON.stringify(json)}`);
        return { kind: 'array', items: this.parse(json.items, namespace) };
      case 'map':
        if (json.values === undefined) throw new AvroSchemaError(`Map has no values type: ${JSON.stringify(json)}`);
        return { kind: 'map', values: this.parse(json.values, namespace) };
      default:
        return this.lookup(type, namespace);
    }
  }
}

function primitive(type: string, attrs: Record<string, unknown>): AvroNode {
  const logical = typeof attrs.logicalType === 'string' ? attrs.logicalType : undefined;
  switch (type) {
    case 'int':
      return logical === 'date' || logical === 'time-millis' ? { kind: 'int', logical } : { kind: 'int' };
    case 'long':
      return logical === 'timestamp-millis' ? { kind: 'long', logical } : { kind: 'long' };
    case 'bytes': {
      const decimal = decimalOf(attrs);
      return decimal ? { kind: 'bytes', decimal } : { kind: 'bytes' };
    }
    default:
      return { kind: type } as AvroNode;
  }
}

/** Parses Avro schema JSON text (or an already-parsed JSON value); throws AvroSchemaError. */
export function parseAvroSchema(schema: string | unknown): AvroNode {
  let json: unknown = schema;
  if (typeof schema === 'string') {
    try {
      json = JSON.parse(schema);
    } catch {
      // a bare primitive name is valid schema text too
      json = schema.trim();
    }
  }
  return new Parser().parse(json, undefined);
}

/** The one non-null branch of an optional union (["null", T] or [T, "null"]), if it is one. */
export function optionalBranch(node: AvroNode): AvroNode | undefined {
  if (node.kind !== 'union') return undefined;
  const others = node.branches.filter((b) => b.kind !== 'null');
  return others.length === 1 && node.branches.length <= 2 ? others[0] : undefined;
}

/** Connect's representation of an array of MapEntry records: a map. */
export function mapEntryRecord(node: AvroNode): AvroRecord | undefined {
  if (node.kind !== 'array' || node.items.kind !== 'record' || !node.items.mapEntry) return undefined;
  const names = node.items.fields.map((f) => f.name);
  return names.includes('key') && names.includes('value') ? node.items : undefined;
}

/** Connect schema type names, as ksqlDB's "Cannot deserialize type X as type Y" messages use them. */
export function connectTypeName(node: AvroNode): string {
  switch (node.kind) {
    case 'int':
      return 'int32';
    case 'long':
      return 'int64';
    case 'float':
      return 'float32';
    case 'double':
      return 'float64';
    case 'fixed':
      return 'bytes';
    case 'enum':
      return 'string';
    case 'record':
      return 'struct';
    case 'array':
      return mapEntryRecord(node) ? 'map' : 'array';
    case 'union': {
      const only = optionalBranch(node);
      return only ? connectTypeName(only) : 'struct';
    }
    default:
      return node.kind;
  }
}

/** AvroData's field name for a branch of a general union (the union becomes a Connect struct). */
export function unionMemberName(node: AvroNode): string {
  switch (node.kind) {
    case 'record':
    case 'enum':
    case 'fixed':
      return splitFullName(node.name).name;
    default:
      return node.kind;
  }
}
