/**
 * .proto schema text -> a resolved message model the codec works from. protobufjs does the
 * parsing; imports of the well-known types Confluent's converter uses (wrappers, Timestamp,
 * google.type.Date / TimeOfDay, confluent.type.Decimal, ...) are built in, other imports are
 * asked of a resolver (the schema registry's references, see protobuf-format.ts).
 */
import protobuf from 'protobufjs';

export type ScalarType =
  | 'double'
  | 'float'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'sint32'
  | 'sint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed32'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes';

export interface ProtoScalar {
  readonly kind: 'scalar';
  readonly scalar: ScalarType;
}

export interface ProtoEnum {
  readonly kind: 'enum';
  readonly fullName: string;
  readonly byNumber: ReadonlyMap<number, string>;
  readonly byName: ReadonlyMap<string, number>;
}

/** messages Confluent's converter maps to Connect logical types or primitives */
export type WellKnown = 'timestamp' | 'date' | 'timeofday' | 'decimal' | 'wrapper';

export interface ProtoMessage {
  readonly kind: 'message';
  readonly fullName: string;
  readonly name: string;
  readonly fields: ProtoField[];
  readonly byNumber: Map<number, ProtoField>;
  /** real oneofs (not the synthetic ones of proto3 `optional`) */
  readonly oneofs: ProtoOneof[];
  /** message types declared inside this one, in order (for Confluent's message indexes) */
  readonly nested: ProtoMessage[];
  /** a map<K, V> entry: fields key = 1 and value = 2 */
  mapEntry: boolean;
  wellKnown?: WellKnown;
}

export interface ProtoOneof {
  readonly name: string;
  /** its position among the message's oneofs, as Connect names the union: `<name>_<index>` */
  readonly index: number;
  readonly fields: ProtoField[];
}

export type ProtoType = ProtoScalar | ProtoEnum | ProtoMessage;

export interface ProtoField {
  readonly name: string;
  readonly number: number;
  /** position in the message's field list (decoded messages are arrays indexed by it) */
  readonly index: number;
  readonly repeated: boolean;
  readonly packed: boolean;
  readonly type: ProtoType;
  /** presence is tracked (proto3 `optional`, oneof members, proto2, messages) */
  readonly explicitPresence: boolean;
  /** absent reads as NULL rather than the type's default (proto3 `optional`, oneof members) */
  readonly nullWhenAbsent: boolean;
  readonly oneof?: ProtoOneof;
  /** the scalar/enum value an absent field reads as */
  readonly defaultValue: unknown;
  /** (confluent.field_meta).params: precision / scale of decimals, connect.type, ... */
  readonly params: ReadonlyMap<string, string>;
}

/** A parsed .proto file: its top-level messages in declaration order. */
export interface ProtoFile {
  readonly packageName: string | undefined;
  readonly messages: readonly ProtoMessage[];
}

export class ProtoSchemaError extends Error {}

/** Returns the text of an imported file, or undefined when unknown. */
export type ImportResolver = (name: string) => string | undefined;

const WRAPPERS_PROTO = `syntax = "proto3";
package google.protobuf;
message DoubleValue { double value = 1; }
message FloatValue { float value = 1; }
message Int64Value { int64 value = 1; }
message UInt64Value { uint64 value = 1; }
message Int32Value { int32 value = 1; }
message UInt32Value { uint32 value = 1; }
message BoolValue { bool value = 1; }
message StringValue { string value = 1; }
message BytesValue { bytes value = 1; }
`;

const BUILTIN_FILES: Readonly<Record<string, string>> = {
  'google/protobuf/wrappers.proto': WRAPPERS_PROTO,
  'google/protobuf/timestamp.proto': 'syntax = "proto3"; package google.protobuf; message Timestamp { int64 seconds = 1; int32 nanos = 2; }',
  'google/protobuf/duration.proto': 'syntax = "proto3"; package google.protobuf; message Duration { int64 seconds = 1; int32 nanos = 2; }',
  'google/protobuf/empty.proto': 'syntax = "proto3"; package google.protobuf; message Empty {}',
  'google/protobuf/any.proto': 'syntax = "proto3"; package google.protobuf; message Any { string type_url = 1; bytes value = 2; }',
  'google/protobuf/field_mask.proto': 'syntax = "proto3"; package google.protobuf; message FieldMask { repeated string paths = 1; }',
  // options-only files: nothing a record can hold
  'google/protobuf/descriptor.proto': 'syntax = "proto2"; package google.protobuf;',
  'confluent/meta.proto': 'syntax = "proto3"; package confluent;',
  'google/type/date.proto': 'syntax = "proto3"; package google.type; message Date { int32 year = 1; int32 month = 2; int32 day = 3; }',
  'google/type/timeofday.proto':
    'syntax = "proto3"; package google.type; message TimeOfDay { int32 hours = 1; int32 minutes = 2; int32 seconds = 3; int32 nanos = 4; }',
  'confluent/type/decimal.proto':
    'syntax = "proto3"; package confluent.type; message Decimal { bytes value = 1; uint32 precision = 2; int32 scale = 3; }',
};

const WELL_KNOWN: Readonly<Record<string, WellKnown>> = {
  'google.protobuf.Timestamp': 'timestamp',
  'google.type.Date': 'date',
  'google.type.TimeOfDay': 'timeofday',
  'confluent.type.Decimal': 'decimal',
  'google.protobuf.DoubleValue': 'wrapper',
  'google.protobuf.FloatValue': 'wrapper',
  'google.protobuf.Int64Value': 'wrapper',
  'google.protobuf.UInt64Value': 'wrapper',
  'google.protobuf.Int32Value': 'wrapper',
  'google.protobuf.UInt32Value': 'wrapper',
  'google.protobuf.BoolValue': 'wrapper',
  'google.protobuf.StringValue': 'wrapper',
  'google.protobuf.BytesValue': 'wrapper',
};

const SCALARS: ReadonlySet<string> = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

const PARSE_OPTIONS = { keepCase: true };

function stripDot(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Parses schema text and the files it imports. Throws ProtoSchemaError for text protobufjs cannot
 * parse and for types that do not resolve.
 */
export function parseProtoFile(text: string, resolveImport: ImportResolver = () => undefined): ProtoFile {
  const root = new protobuf.Root();
  let main: protobuf.IParserResult;
  try {
    main = protobuf.parse(text, root, PARSE_OPTIONS);
  } catch (e) {
    throw new ProtoSchemaError(`Invalid protobuf schema: ${errorText(e)}`);
  }
  // the file's own types, before imports sharing its package join the namespace
  const ns = main.package !== undefined ? root.lookup(main.package) : root;
  const ownTypes =
    ns instanceof protobuf.Namespace ? ns.nestedArray.filter((o): o is protobuf.Type => o instanceof protobuf.Type) : [];

  const loaded = new Set<string>();
  const load = (imports: readonly string[] | undefined, depth: number): void => {
    for (const name of imports ?? []) {
      if (loaded.has(name)) continue;
      loaded.add(name);
      const source = BUILTIN_FILES[name] ?? resolveImport(name);
      // an unknown import only matters if a type from it is used: resolveAll says so
      if (source === undefined) continue;
      if (depth > 32) throw new ProtoSchemaError(`Protobuf imports nest too deeply at ${name}`);
      let r: protobuf.IParserResult;
      try {
        r = protobuf.parse(source, root, PARSE_OPTIONS);
      } catch (e) {
        throw new ProtoSchemaError(`Invalid protobuf schema in import ${name}: ${errorText(e)}`);
      }
      load([...(r.imports ?? []), ...(r.weakImports ?? [])], depth + 1);
    }
  };
  load([...(main.imports ?? []), ...(main.weakImports ?? [])], 0);
  try {
    root.resolveAll();
  } catch (e) {
    throw new ProtoSchemaError(`Invalid protobuf schema: ${errorText(e)}`);
  }
  const built = new Map<protobuf.Type, ProtoMessage>();
  const messages = ownTypes.map((t) => buildMessage(t, built));
  return { packageName: main.package, messages };
}

function buildEnum(e: protobuf.Enum): ProtoEnum {
  const byNumber = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const [name, n] of Object.entries(e.values)) {
    if (!byNumber.has(n)) byNumber.set(n, name);
    byName.set(name, n);
  }
  return { kind: 'enum', fullName: stripDot(e.fullName), byNumber, byName };
}

function fieldParams(f: protobuf.Field): Map<string, string> {
  const params = new Map<string, string>();
  for (const opt of (f.parsedOptions ?? []) as Record<string, unknown>[]) {
    const meta = opt['(confluent.field_meta)'];
    if (typeof meta !== 'object' || meta === null) continue;
    const p = (meta as Record<string, unknown>)['params'];
    for (const entry of Array.isArray(p) ? p : p !== undefined ? [p] : []) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { key, value } = entry as { key?: unknown; value?: unknown };
      if (key !== undefined && value !== undefined) params.set(String(key), String(value));
    }
  }
  return params;
}

function scalarDefault(s: ScalarType): unknown {
  switch (s) {
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return 0;
  }
}

/** the `[default = x]` of a proto2 field, in the codec's representation */
function explicitDefault(f: protobuf.Field, type: ProtoType): unknown {
  const d = (f.options as Record<string, unknown> | undefined)?.['default'];
  if (d === undefined || d === null) return undefined;
  if (type.kind === 'enum') return typeof d === 'string' ? type.byName.get(d) : Number(d);
  if (type.kind !== 'scalar') return undefined;
  switch (type.scalar) {
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      try {
        return BigInt(String(d));
      } catch {
        return undefined;
      }
    case 'bool':
      return d === true || d === 'true';
    case 'string':
      return String(d);
    case 'bytes':
      return typeof d === 'string' ? Buffer.from(d, 'utf8') : undefined;
    default:
      return Number(d);
  }
}

function buildMessage(t: protobuf.Type, built: Map<protobuf.Type, ProtoMessage>): ProtoMessage {
  const existing = built.get(t);
  if (existing) return existing;
  const fullName = stripDot(t.fullName);
  const msg: ProtoMessage = {
    kind: 'message',
    fullName,
    name: t.name,
    fields: [],
    byNumber: new Map(),
    oneofs: [],
    nested: [],
    mapEntry: false,
  };
  const wk = WELL_KNOWN[fullName];
  if (wk !== undefined) msg.wellKnown = wk;
  built.set(t, msg);

  const oneofs = new Map<protobuf.OneOf, ProtoOneof>();
  for (const o of t.oneofsArray) {
    const synthetic = o.fieldsArray.length === 1 && (o.fieldsArray[0]!.options as Record<string, unknown> | undefined)?.['proto3_optional'] === true;
    if (synthetic) continue;
    const oneof: ProtoOneof = { name: o.name, index: msg.oneofs.length, fields: [] };
    msg.oneofs.push(oneof);
    oneofs.set(o, oneof);
  }

  for (const f of t.fieldsArray) {
    let type: ProtoType;
    let repeated = f.repeated;
    if (f.map) {
      // map<K, V>: a repeated entry message, as protoc describes it
      const mf = f as unknown as protobuf.MapField;
      const entry: ProtoMessage = {
        kind: 'message',
        fullName: `${fullName}.${f.name}Entry`,
        name: `${f.name}Entry`,
        fields: [],
        byNumber: new Map(),
        oneofs: [],
        nested: [],
        mapEntry: true,
      };
      const keyType: ProtoType = { kind: 'scalar', scalar: mf.keyType as ScalarType };
      const valueType = fieldType(f, built);
      entry.fields.push(plainField('key', 1, 0, keyType), plainField('value', 2, 1, valueType));
      for (const ef of entry.fields) entry.byNumber.set(ef.number, ef);
      type = entry;
      repeated = true;
    } else {
      type = fieldType(f, built);
    }
    const oneof = f.partOf ? oneofs.get(f.partOf) : undefined;
    const proto3Optional = (f.options as Record<string, unknown> | undefined)?.['proto3_optional'] === true;
    const isMessage = type.kind === 'message';
    const explicitPresence = !repeated && (isMessage || oneof !== undefined || f.hasPresence);
    const field: ProtoField = {
      name: f.name,
      number: f.id,
      index: msg.fields.length,
      repeated,
      packed: repeated && !f.map && f.packed && type.kind !== 'message' && !(type.kind === 'scalar' && (type.scalar === 'string' || type.scalar === 'bytes')),
      type,
      explicitPresence,
      nullWhenAbsent: !repeated && (isMessage || oneof !== undefined || proto3Optional),
      ...(oneof ? { oneof } : {}),
      defaultValue: defaultFor(f, type),
      params: fieldParams(f),
    };
    msg.fields.push(field);
    msg.byNumber.set(field.number, field);
    if (oneof) oneof.fields.push(field);
  }

  for (const n of t.nestedArray) if (n instanceof protobuf.Type) msg.nested.push(buildMessage(n, built));
  // a map entry declared by hand (Confluent's converter writes them when a map holds arrays)
  if (
    msg.fields.length === 2 &&
    msg.name.endsWith('Entry') &&
    msg.fields[0]!.name === 'key' &&
    msg.fields[1]!.name === 'value' &&
    msg.fields[0]!.number === 1 &&
    msg.fields[1]!.number === 2
  ) {
    msg.mapEntry = true;
  }
  return msg;
}

function defaultFor(f: protobuf.Field, type: ProtoType): unknown {
  const explicit = explicitDefault(f, type);
  if (explicit !== undefined) return explicit;
  if (type.kind === 'scalar') return scalarDefault(type.scalar);
  if (type.kind === 'enum') {
    // proto3: 0; proto2: the first declared value
    const first = type.byNumber.keys().next();
    return type.byNumber.has(0) || first.done ? 0 : first.value;
  }
  return null;
}

function plainField(name: string, number: number, index: number, type: ProtoType): ProtoField {
  return {
    name,
    number,
    index,
    repeated: false,
    packed: false,
    type,
    explicitPresence: type.kind === 'message',
    nullWhenAbsent: type.kind === 'message',
    defaultValue: type.kind === 'scalar' ? scalarDefault(type.scalar) : type.kind === 'enum' ? 0 : null,
    params: new Map(),
  };
}

function fieldType(f: protobuf.Field, built: Map<protobuf.Type, ProtoMessage>): ProtoType {
  if (SCALARS.has(f.type) && !f.resolvedType) return { kind: 'scalar', scalar: f.type as ScalarType };
  const r = f.resolvedType;
  if (r instanceof protobuf.Type) return buildMessage(r, built);
  if (r instanceof protobuf.Enum) return buildEnum(r);
  throw new ProtoSchemaError(`Unresolved protobuf type ${f.type} of field ${f.name}`);
}

/** The message a full name designates (with or without the package), or undefined. */
export function findMessage(file: ProtoFile, fullName: string): ProtoMessage | undefined {
  const search = (msgs: readonly ProtoMessage[], wanted: string): ProtoMessage | undefined => {
    for (const m of msgs) {
      if (m.fullName === wanted) return m;
      const inner = search(m.nested, wanted);
      if (inner) return inner;
    }
    return undefined;
  };
  const wanted = stripDot(fullName);
  return search(file.messages, wanted) ?? (file.packageName !== undefined ? search(file.messages, `${file.packageName}.${wanted}`) : undefined);
}

/** Confluent's message indexes of a message: its position among the file's types, then nested. */
export function messageIndexes(file: ProtoFile, msg: ProtoMessage): number[] | undefined {
  const walk = (msgs: readonly ProtoMessage[], path: number[]): number[] | undefined => {
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      if (m === msg) return [...path, i];
      const inner = walk(m.nested, [...path, i]);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(file.messages, []);
}

/** The message at Confluent's message indexes, or undefined. */
export function messageAt(file: ProtoFile, indexes: readonly number[]): ProtoMessage | undefined {
  let list: readonly ProtoMessage[] = file.messages;
  let msg: ProtoMessage | undefined;
  for (const i of indexes) {
    msg = list[i];
    if (msg === undefined) return undefined;
    list = msg.nested;
  }
  return msg;
}
