/**
 * DELIMITED format (ksqlDB's KsqlDelimitedSerdeFactory): one CSV record, columns in order, only
 * primitive types. An empty field is NULL whatever the type (so an empty STRING reads as NULL, as
 * in ksqlDB). DECIMAL prints as plain text at the type's scale, BYTES as base64, DATE as epoch
 * days, TIME/TIMESTAMP as milliseconds, DOUBLE as Java's Double.toString.
 */
import { Decimal } from 'decimal.js';
import { formatSqlType, type SqlType } from '../common/sql-types.js';
import { decodeBase64, encodeBase64 } from './base64-text.js';
import { parseCsvRecord, printCsvRecord } from './csv-record.js';
import { fitDecimalText } from './decimal-fit.js';
import { javaDoubleToString, parseJavaBoolean, parseJavaDouble, parseJavaInt, parseJavaLong } from './java-number-text.js';
import {
  asDeserializeError,
  asSerializeError,
  columnCountMismatch,
  configError,
  RecordFailure,
  SchemaNotSupported,
} from './serde-failure.js';
import type { RowSerde, SerdeFactory, SerdeSpec, SerdeTarget } from './serde-types.js';

type FieldParser = (text: string) => unknown;
type FieldPrinter = (v: unknown) => string;

const NAMED_DELIMITERS: Readonly<Record<string, string>> = { TAB: '\t', SPACE: ' ' };

/**
 * ksqlDB's Delimiter.parse of the user's KEY_DELIMITER / VALUE_DELIMITER text, with the
 * config-error wording of a bad WITH property: a single (non-blank) character, or the names 'TAB'
 * and 'SPACE' (case-sensitive, as in ksqlDB). For statement validation; the serde itself takes an
 * already-resolved delimiter (see delimiterChar).
 */
export function parseDelimiter(raw: string | undefined, target: SerdeTarget): string {
  if (raw === undefined) return ',';
  const prefix = `Configuration ${target}_DELIMITER is invalid: `;
  // Java's String.trim(): everything <= ' ' counts as blank
  // eslint-disable-next-line no-control-regex
  if (raw.replace(/[\x00-\x20]/g, '').length === 0) {
    throw configError(
      `${prefix}Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'\nExample valid value: ';'`,
    );
  }
  const d = raw.length === 1 ? raw : NAMED_DELIMITERS[raw];
  if (d === undefined) {
    throw configError(
      `${prefix}Invalid delimiter value: '${raw}'. Delimiter must be a single character or TAB,SPACE\nExample valid value: ';'`,
    );
  }
  return d;
}

/**
 * The delimiter character of FormatOptions.delimiter: either the character itself (what the
 * catalog stores once the WITH clause is validated, so ' ' and '\t' are fine here) or one of the
 * names TAB / SPACE; anything else is rejected with parseDelimiter's ConfigError.
 */
export function delimiterChar(raw: string | undefined, target: SerdeTarget): string {
  return raw !== undefined && raw.length === 1 ? raw : parseDelimiter(raw, target);
}

/** delimiterChar, plus the checks commons-csv's CSVFormat makes while ksqlDB builds the serde. */
function resolveDelimiter(raw: string | undefined, target: SerdeTarget): string {
  const d = delimiterChar(raw, target);
  if (d === '"') throw new SchemaNotSupported(`The quoteChar character and the delimiter cannot be the same ('"')`);
  if (d === '\r' || d === '\n') throw new SchemaNotSupported('The delimiter cannot be a line break');
  return d;
}

/** ksqlDB's wording quotes the field; a long or binary one is described instead (it would end up in logs) */
function badText(text: string): RecordFailure {
  if (text.length <= 40 && /^[\x20-\x7e]*$/.test(text)) return new RecordFailure(`For input string: "${text}"`);
  return new RecordFailure(`For input string of ${text.length} characters (not shown: long or not printable)`);
}

function fieldParser(t: SqlType, name: string): FieldParser {
  switch (t.kind) {
    case 'BOOLEAN':
      return parseJavaBoolean;
    case 'INTEGER':
      return (s) => parseJavaInt(s) ?? fail(badText(s));
    case 'BIGINT':
      return (s) => parseJavaLong(s) ?? fail(badText(s));
    case 'DOUBLE':
      return (s) => parseJavaDouble(s) ?? fail(badText(s));
    case 'STRING':
      return (s) => s;
    case 'DECIMAL':
      return (s) => fitDecimalText(s, t);
    case 'BYTES':
      return (s) => decodeBase64(s) ?? fail(new RecordFailure(`Illegal base64 value: "${s}"`));
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      return (s) => {
        const n = parseJavaLong(s);
        if (n === undefined) throw badText(s);
        return Number(n);
      };
    default:
      throw unsupported(t, name);
  }
}

function fail(e: Error): never {
  throw e;
}

function wrongValue(v: unknown, t: SqlType): RecordFailure {
  return new RecordFailure(`Value ${typeof v === 'bigint' ? `${v}n` : String(v)} is not a valid ${t.kind} value`);
}

function fieldPrinter(t: SqlType, name: string): FieldPrinter {
  switch (t.kind) {
    case 'BOOLEAN':
      return (v) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : fail(wrongValue(v, t)));
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
      return (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : fail(wrongValue(v, t)));
    case 'BIGINT':
      return (v) => (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)) ? String(v) : fail(wrongValue(v, t)));
    case 'DOUBLE':
      return (v) => (typeof v === 'number' ? javaDoubleToString(v) : fail(wrongValue(v, t)));
    case 'STRING':
      return (v) => (typeof v === 'string' ? v : fail(wrongValue(v, t)));
    case 'DECIMAL':
      return (v) => (Decimal.isDecimal(v) ? (v as Decimal).toFixed(t.scale) : fail(wrongValue(v, t)));
    case 'BYTES':
      return (v) => (v instanceof Uint8Array ? encodeBase64(v) : fail(wrongValue(v, t)));
    default:
      throw unsupported(t, name);
  }
}

function unsupported(t: SqlType, name: string): Error {
  return new SchemaNotSupported(`The 'DELIMITED' format does not support type '${t.kind}', column: \`${name}\``);
}

/** Options are checked by createSerde (validateFormatOptions) before this runs. */
export const createDelimitedSerde: SerdeFactory = (spec: SerdeSpec): RowSerde => {
  const delimiter = resolveDelimiter(spec.options.delimiter, spec.target);
  const columns = spec.columns;
  const n = columns.length;
  const parsers = columns.map((c) => fieldParser(c.type, c.name));
  const printers = columns.map((c) => fieldPrinter(c.type, c.name));
  return {
    serialize(values) {
      if (values === null) return null;
      try {
        if (values.length !== n) throw columnCountMismatch(true, n, values.length);
        const fields = new Array<string | null>(n);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          fields[i] = v === null || v === undefined ? null : printers[i]!(v);
        }
        return Buffer.from(printCsvRecord(fields, delimiter), 'utf8');
      } catch (e) {
        throw asSerializeError(spec, e);
      }
    },
    deserialize(bytes) {
      if (bytes === null) return null;
      let col = -1;
      try {
        const text = bytes.toString('utf8');
        if (n === 0 && text.length === 0) return [];
        // an empty payload is one empty field: a single NULL column round-trips
        const fields = text.length === 0 ? [''] : parseCsvRecord(text, delimiter);
        if (fields.length !== n) throw columnCountMismatch(false, n, fields.length);
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const f = fields[i]!;
          col = i;
          out[i] = f.length === 0 ? null : parsers[i]!(f);
        }
        return out;
      } catch (e) {
        if (e instanceof RecordFailure && col >= 0) {
          const c = columns[col]!;
          throw asDeserializeError(spec, new RecordFailure(`Error parsing column \`${c.name}\` ${formatSqlType(c.type)}: ${e.message}`));
        }
        throw asDeserializeError(spec, e);
      }
    },
  };
};
