/**
 * Columns from a registered protobuf schema (ksqlDB's schema inference through Confluent's
 * ProtobufData.toConnectSchema): the fields of the record message in order, after its oneofs
 * (each a STRUCT named `<oneof>_<index>`). int32/sint32/sfixed32 -> INTEGER; int64, uint32,
 * uint64 and the fixed kinds -> BIGINT; float/double -> DOUBLE; enums -> STRING; repeated ->
 * ARRAY; map<K, V> -> MAP; google.protobuf wrappers -> their primitive; Timestamp, google.type
 * Date / TimeOfDay and confluent.type.Decimal (precision from its field_meta, default 64) ->
 * TIMESTAMP, DATE, TIME, DECIMAL; other messages -> STRUCT. Names keep their case.
 */
import { SqlTypes, type SqlType, type StructField } from '../../common/sql-types.js';
import { configError } from '../serde-failure.js';
import type { SerdeColumn, SerdeTarget } from '../serde-types.js';
import { findMessage, ProtoSchemaError, type ImportResolver, type ProtoField, type ProtoMessage, type ProtoType, type ScalarType } from './proto-schema.js';
import { parseProtoFile } from './proto-schema.js';

function scalarSql(s: ScalarType): SqlType {
  switch (s) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return SqlTypes.INTEGER;
    case 'float':
    case 'double':
      return SqlTypes.DOUBLE;
    case 'bool':
      return SqlTypes.BOOLEAN;
    case 'string':
      return SqlTypes.STRING;
    case 'bytes':
      return SqlTypes.BYTES;
    default:
      return SqlTypes.BIGINT;
  }
}

function intParam(f: ProtoField, name: string): number | undefined {
  const v = f.params.get(name);
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

function elementSql(f: ProtoField, t: ProtoType, stack: string[]): SqlType {
  if (t.kind === 'scalar') return scalarSql(t.scalar);
  if (t.kind === 'enum') return SqlTypes.STRING;
  switch (t.wellKnown) {
    case 'timestamp':
      return SqlTypes.TIMESTAMP;
    case 'date':
      return SqlTypes.DATE;
    case 'timeofday':
      return SqlTypes.TIME;
    case 'decimal': {
      const precision = intParam(f, 'precision') ?? 64;
      const scale = intParam(f, 'scale') ?? 0;
      return SqlTypes.decimal(precision, scale);
    }
    case 'wrapper':
      return scalarSql((t.byNumber.get(1)!.type as { scalar: ScalarType }).scalar);
    default:
      return SqlTypes.struct(messageFields(t, stack));
  }
}

function fieldSql(f: ProtoField, stack: string[]): SqlType {
  const t = f.type;
  if (f.repeated) {
    if (t.kind === 'message' && t.mapEntry) {
      const k = t.byNumber.get(1)!;
      const v = t.byNumber.get(2)!;
      return SqlTypes.map(fieldSql(k, stack), fieldSql(v, stack));
    }
    return SqlTypes.array(elementSql(f, t, stack));
  }
  return elementSql(f, t, stack);
}

function messageFields(msg: ProtoMessage, stack: string[]): StructField[] {
  if (stack.includes(msg.fullName)) {
    throw configError(`Protobuf schema is recursive (message ${msg.fullName} contains itself); recursive schemas are not supported`);
  }
  stack.push(msg.fullName);
  const out: StructField[] = [];
  for (const o of msg.oneofs) {
    out.push({ name: `${o.name}_${o.index}`, type: SqlTypes.struct(o.fields.map((f) => ({ name: f.name, type: fieldSql(f, stack) }))) });
  }
  for (const f of msg.fields) if (!f.oneof) out.push({ name: f.name, type: fieldSql(f, stack) });
  stack.pop();
  return out;
}

/** The columns of a message (a parsed schema's), as ksqlDB infers them. */
export function columnsOfProtobufMessage(msg: ProtoMessage): SerdeColumn[] {
  return messageFields(msg, []);
}

/**
 * Columns for a source whose key or value schema is this PROTOBUF schema text: the fields of the
 * message named `fullName` (KEY_/VALUE_SCHEMA_FULL_NAME), else of the first message. PROTOBUF
 * keys are always wrapped, so `target` changes nothing. `resolveImport` provides the text of
 * imports that are not well-known types (schema references). Throws ConfigError.
 */
export function inferColumnsFromProtobufSchema(
  text: string,
  target: SerdeTarget,
  fullName?: string,
  resolveImport?: ImportResolver,
): SerdeColumn[] {
  void target;
  let file;
  try {
    file = parseProtoFile(text, resolveImport);
  } catch (e) {
    if (e instanceof ProtoSchemaError) throw configError(e.message);
    throw e;
  }
  const msg = fullName !== undefined ? findMessage(file, fullName) : file.messages[0];
  if (msg === undefined) {
    throw configError(fullName !== undefined ? `Schema does not contain a message named ${fullName}` : 'Protobuf schema declares no message');
  }
  return columnsOfProtobufMessage(msg);
}
