/**
 * JSON format (ksqlDB's KsqlJsonSerdeFactory semantics). Several columns, or one column with
 * WRAP_SINGLE_VALUE, are an object keyed by column name; an unwrapped single column is the JSON
 * document itself (keys with one column are unwrapped by default, values are wrapped).
 */
import type { SqlType } from '../common/sql-types.js';
import { compileFieldsReader, compileJsonReader, invalidConversion, isJsonObject, JsonCoercionFailure, schemaName } from './json-value-reader.js';
import { compileProjectedFieldsReader, type ProjectedReader } from './json-projected-reader.js';
import { compileJsonWriter } from './json-value-writer.js';
import { JsonSyntaxError, parseJsonText } from './lossless-json.js';
import {
  asDeserializeError,
  asSerializeError,
  columnCountMismatch,
  deserializeFailure,
  SchemaNotSupported,
} from './serde-failure.js';
import type { RowSerde, SerdeFactory, SerdeSpec } from './serde-types.js';
import { hasNonStringMapKey } from './connect-types.js';

/** An empty payload is Jackson's MissingNode: an error, except "" for an unwrapped STRING. */
const MISSING_NODE = 'MissingNode';

/** Buffer's own Latin-1 decoder (what toString('latin1') calls, without the encoding lookup) */
interface Latin1Slicing {
  latin1Slice(start: number, end: number): string;
}
const hasLatin1Slice = typeof (Buffer.prototype as Partial<Latin1Slicing>).latin1Slice === 'function';

function latin1Text(bytes: Buffer): string {
  return hasLatin1Slice ? (bytes as unknown as Latin1Slicing).latin1Slice(0, bytes.length) : bytes.toString('latin1');
}

/** records read as UTF-8 first after one that could not be read as ASCII */
const UTF8_FIRST_RECORDS = 64;

/** Options are checked by createSerde (validateFormatOptions) before this runs. */
export const createJsonSerde: SerdeFactory = (spec: SerdeSpec): RowSerde => {
  if (spec.columns.some((c) => hasNonStringMapKey(c.type))) throw new SchemaNotSupported('JSON only supports MAP types with STRING keys');
  const columns = spec.columns;
  const n = columns.length;
  const wrap = spec.options.wrapSingleValue ?? !(spec.target === 'KEY' && n === 1);
  return n === 1 && !wrap ? unwrappedSerde(spec) : wrappedSerde(spec);
};

function documentText(bytes: Buffer): string {
  // Jackson skips a UTF-8 byte order mark
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  // toString() without arguments is UTF-8 straight to the native decoder (no encoding lookup)
  return body.toString();
}

function readDocument(spec: SerdeSpec, bytes: Buffer, text = documentText(bytes)): unknown {
  try {
    return parseJsonText(text);
  } catch (e) {
    // like ksqlDB, keep record content out of the message (it ends up in logs)
    if (e instanceof JsonSyntaxError) throw deserializeFailure(spec, `Invalid JSON: ${e.message}`);
    throw asDeserializeError(spec, e);
  }
}

function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

function coercionError(spec: SerdeSpec, e: unknown): Error {
  if (e instanceof JsonCoercionFailure) return deserializeFailure(spec, e.describe(), e);
  return asDeserializeError(spec, e);
}

function wrappedSerde(spec: SerdeSpec): RowSerde {
  const columns = spec.columns;
  const n = columns.length;
  const rowType: SqlType = { kind: 'STRUCT', fields: columns };
  const rowName = schemaName(rowType);
  const readFields = compileFieldsReader(columns);
  const needed = spec.options.neededColumns;
  // one pass over the text beats JSON.parse and then picking the fields, even when every column
  // is needed (values only: keys are short, and most are a single unwrapped column)
  const projected: ProjectedReader | undefined =
    spec.target === 'VALUE' && n > 0 && !spec.options.generalPath
      ? compileProjectedFieldsReader(
          columns,
          columns.map((c) => needed === undefined || needed.includes(c.name)),
          spec.options.rowWidth,
        )
      : undefined;
  // records read as Latin-1 first (see ProjectedReader.ascii); after one that is not ASCII, as
  // UTF-8 for a while, so a topic of non-ASCII text does not decode every record twice
  let utf8First = 0;
  const writers = columns.map((c) => compileJsonWriter(c.type));
  const prefixes = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const serializeText = (values: readonly unknown[]): string => {
    try {
      if (values.length !== n) throw columnCountMismatch(true, n, values.length);
      if (n === 0) return '{}';
      let s = '';
      for (let i = 0; i < n; i++) {
        const v = values[i];
        s += prefixes[i]! + (v === null || v === undefined ? 'null' : writers[i]!(v));
      }
      return `${s}}`;
    } catch (e) {
      throw asSerializeError(spec, e);
    }
  };
  return {
    serialize: (values) => (values === null ? null : Buffer.from(serializeText(values), 'utf8')),
    serializeText,
    deserialize(bytes, into) {
      if (bytes === null) return null;
      let text: string | undefined;
      if (projected !== undefined) {
        if (utf8First === 0) {
          const row = projected.ascii(latin1Text(bytes), into);
          if (row !== undefined) return row;
          utf8First = UTF8_FIRST_RECORDS;
        } else utf8First--;
        text = documentText(bytes);
        // undefined: the general path below answers (a bad record's error comes from there)
        const row = projected(text, true, into);
        if (row !== undefined) return row;
      }
      if (isBlank(bytes)) throw deserializeFailure(spec, `Can't convert type. sourceType: ${MISSING_NODE}, requiredType: ${rowName}, path: $`);
      const doc = readDocument(spec, bytes, text);
      if (doc === null) return null;
      try {
        if (!isJsonObject(doc)) throw invalidConversion(doc, rowName);
        return readFields(doc);
      } catch (e) {
        throw coercionError(spec, e);
      }
    },
  };
}

function unwrappedSerde(spec: SerdeSpec): RowSerde {
  const column = spec.columns[0]!;
  const read = compileJsonReader(column.type);
  const write = compileJsonWriter(column.type);
  const serializeText = (values: readonly unknown[]): string | null => {
    try {
      if (values.length !== 1) throw columnCountMismatch(true, 1, values.length);
      const v = values[0];
      // ksqlDB writes a NULL unwrapped value as a null payload, not the text "null"
      if (v === null || v === undefined) return null;
      return write(v);
    } catch (e) {
      throw asSerializeError(spec, e);
    }
  };
  return {
    serialize(values) {
      if (values === null) return null;
      const text = serializeText(values);
      return text === null ? null : Buffer.from(text, 'utf8');
    },
    serializeText,
    deserialize(bytes) {
      if (bytes === null) return null;
      if (isBlank(bytes)) {
        if (column.type.kind === 'STRING') return [''];
        throw deserializeFailure(
          spec,
          `Can't convert type. sourceType: ${MISSING_NODE}, requiredType: ${schemaName(column.type)}, path: $`,
        );
      }
      const doc = readDocument(spec, bytes);
      if (doc === null) return [null];
      try {
        return [read(doc)];
      } catch (e) {
        throw coercionError(spec, e);
      }
    },
  };
}

