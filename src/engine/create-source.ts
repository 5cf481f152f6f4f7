/**
 * CREATE [OR REPLACE] [SOURCE] STREAM|TABLE: validates columns and properties the way ksqlDB
 * does and turns them into a DataSource. Topic checks are done by the caller (it owns the log).
 */
import { CatalogError } from '../common/errors.js';
import type { Column, LogicalSchema } from '../common/schema.js';
import { RESERVED_COLUMN_NAMES } from '../common/schema.js';
import { formatSqlType } from '../common/sql-types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource, FormatInfo, WindowInfo } from '../catalog/data-source.js';
import { resolveType } from '../catalog/resolve-type.js';
import type { SourceProperties } from '../catalog/source-properties.js';
import { formatNamed, readSourceProperties, schemaSettings } from '../catalog/source-properties.js';
import { isSluiceError } from '../common/errors.js';
import { inferColumns, parseDelimiter as parseSerdeDelimiter, validateFormatOptions } from '../serde/index.js';
import type { FormatName, SchemaRegistry } from '../serde/index.js';
import type { CreateSource } from '../sql/ast.js';
import { validateFormatNames, validateFormats } from './validate-formats.js';

export interface SourceDefinition {
  readonly source: DataSource;
  readonly properties: SourceProperties;
}

export function defineSource(
  stmt: CreateSource,
  sql: string,
  catalog: Catalog,
  config: ReadonlyMap<string, string>,
  schemaRegistry: SchemaRegistry,
): SourceDefinition {
  const props = readSourceProperties(stmt.properties);
  const kind = stmt.sourceType === 'STREAM' ? 'stream' : 'table';
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const c of stmt.columns) {
    if (RESERVED_COLUMN_NAMES.has(c.name)) throw new CatalogError(`'${c.name}' is a reserved column name. You cannot use it as a name for a column.`, c.pos);
    if (seen.has(c.name)) throw new CatalogError(`Duplicate column names: ${c.name}`, c.pos);
    seen.add(c.name);
    if (stmt.sourceType === 'STREAM' && c.constraint === 'PRIMARY_KEY')
      throw new CatalogError(`Column \`${c.name}\` is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`, c.pos);
    if (stmt.sourceType === 'TABLE' && c.constraint === 'KEY')
      throw new CatalogError(`Column \`${c.name}\` is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`, c.pos);
    const type = resolveType(c.type, catalog.lookupType);
    const namespace = c.constraint === 'KEY' || c.constraint === 'PRIMARY_KEY' ? 'KEY' : c.constraint === 'NONE' ? 'VALUE' : c.constraint;
    if (namespace === 'HEADERS' && !isHeadersType(type))
      throw new CatalogError(`Invalid type for HEADERS column: expected ARRAY<STRUCT<\`KEY\` STRING, \`VALUE\` BYTES>>, got ${formatSqlType(type)}`, c.pos);
    if (namespace === 'HEADER' && type.kind !== 'BYTES')
      throw new CatalogError(`Invalid type for HEADER('${c.headerKey}') column: expected BYTES, got ${formatSqlType(type)}`, c.pos);
    columns.push({ name: c.name, type, namespace, ...(c.headerKey !== undefined ? { headerKey: c.headerKey } : {}) });
  }
  if (stmt.isSource && stmt.orReplace)
    throw new CatalogError(`Cannot add ${kind} '${stmt.name}': CREATE OR REPLACE is not supported on source ${kind}s.`, stmt.pos);

  const defaultValueFormat = config.get('ksql.persistence.default.format.value');
  const valueFormatName = props.valueFormat ?? (defaultValueFormat ? formatNamed(defaultValueFormat) : undefined);
  if (!valueFormatName)
    throw new CatalogError(
      "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.",
      stmt.pos,
    );
  const defaultKeyFormat = config.get('ksql.persistence.default.format.key');
  const keyFormatName = props.keyFormat ?? (defaultKeyFormat ? formatNamed(defaultKeyFormat) : 'KAFKA');
  const keyFormat: FormatInfo = { format: keyFormatName, ...delimiter(props.keyDelimiter, 'KEY'), ...schemaSettings(props, 'KEY') };
  const wrapDefault = config.get('ksql.persistence.wrap.single.values');
  const valueFormat: FormatInfo = {
    format: valueFormatName,
    ...delimiter(props.valueDelimiter, 'VALUE'),
    ...schemaSettings(props, 'VALUE'),
    ...(props.wrapSingleValue !== undefined
      ? { wrapSingleValue: props.wrapSingleValue }
      : wrapDefault !== undefined && columns.filter((c) => c.namespace === 'VALUE').length === 1
        ? { wrapSingleValue: wrapDefault === 'true' }
        : {}),
  };
  validateFormatNames(keyFormat, valueFormat);
  const inferable = (f: FormatInfo) => ['AVRO', 'PROTOBUF', 'JSON_SR'].includes(f.format);
  for (const [target, format, declared] of [
    ['KEY', keyFormat, columns.some((c) => c.namespace === 'KEY')],
    ['VALUE', valueFormat, columns.some((c) => c.namespace === 'VALUE')],
  ] as const) {
    if (format.schemaId === undefined) continue;
    if (!inferable(format))
      throw new CatalogError(`${target}_FORMAT should support schema inference when ${target}_SCHEMA_ID is provided. Current format is ${format.format}.`, stmt.pos);
    if (declared) throw new CatalogError(`Table elements and ${target}_SCHEMA_ID cannot both exist for create statement.`, stmt.pos);
  }
  // schema inference: columns left out are read from the schema registry, as ksqlDB does
  const topic = props.kafkaTopic ?? stmt.name;
  const infer = (target: 'KEY' | 'VALUE', format: FormatInfo) => {
    if (columns.some((c) => (target === 'KEY' ? c.namespace === 'KEY' : c.namespace === 'VALUE'))) return;
    let inferred;
    try {
      inferred = inferColumns(format.format as FormatName, target, schemaRegistry, { topic, ...format });
    } catch (e) {
      if (isSluiceError(e)) throw new CatalogError(e.message, stmt.pos);
      throw e;
    }
    for (const c of inferred ?? []) columns.push({ name: c.name, type: c.type, namespace: target });
  };
  infer('KEY', keyFormat);
  infer('VALUE', valueFormat);
  columns.sort((a, b) => (a.namespace === 'KEY' ? 0 : 1) - (b.namespace === 'KEY' ? 0 : 1));
  if (stmt.sourceType === 'TABLE' && columns.length && !columns.some((c) => c.namespace === 'KEY'))
    throw new CatalogError('Tables require a PRIMARY KEY. Please define the PRIMARY KEY.', stmt.pos);
  const schema: LogicalSchema = { columns };
  validateOptions(keyFormat, 'KEY');
  validateOptions(valueFormat, 'VALUE');
  if (columns.length === 0) throw new CatalogError('No columns supplied.', stmt.pos);
  validateFormats(schema, keyFormat, valueFormat, props.wrapSingleValue !== undefined);

  let timestamp: DataSource['timestamp'];
  if (props.timestamp) {
    const name = props.timestamp.startsWith('`') ? props.timestamp.slice(1, -1) : props.timestamp.toUpperCase();
    const col = columns.find((c) => c.name === name);
    if (!col) throw new CatalogError(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${name}'`, stmt.pos);
    if (col.type.kind === 'STRING' && !props.timestampFormat)
      throw new CatalogError(`A String timestamp field has been specified without also specifying the TIMESTAMP_FORMAT property.`, stmt.pos);
    if (!['BIGINT', 'TIMESTAMP', 'STRING'].includes(col.type.kind))
      throw new CatalogError(`Timestamp column, \`${name}\`, should be LONG(INT64), TIMESTAMP, or a String with a TIMESTAMP_FORMAT specified.`, stmt.pos);
    timestamp = { column: name, ...(props.timestampFormat ? { format: props.timestampFormat } : {}) };
  }
  let window: WindowInfo | undefined;
  if (props.windowType) {
    const type = props.windowType.toUpperCase();
    if (type !== 'TUMBLING' && type !== 'HOPPING' && type !== 'SESSION')
      throw new CatalogError(`Invalid WINDOW_TYPE: ${props.windowType}. Valid values are SESSION, HOPPING, TUMBLING.`, stmt.pos);
    if (type !== 'SESSION' && !props.windowSize)
      throw new CatalogError(`${type} windows require 'WINDOW_SIZE' to be provided in the WITH clause. For example: 'WINDOW_SIZE'='10 SECONDS'`, stmt.pos);
    window = { type, ...(props.windowSize ? { sizeMs: parseDurationText(props.windowSize) } : {}) };
  }
  const source: DataSource = {
    name: stmt.name,
    sourceType: stmt.sourceType,
    schema,
    topic: props.kafkaTopic ?? stmt.name,
    keyFormat,
    valueFormat,
    ...(timestamp ? { timestamp } : {}),
    ...(window ? { window } : {}),
    isSource: stmt.isSource,
    sql,
  };
  return { source, properties: props };
}

/** VALUE_DELIMITER / KEY_DELIMITER as written, validated by the DELIMITED format's own rules. */
function delimiter(text: string | undefined, target: 'KEY' | 'VALUE'): { delimiter?: string } {
  if (text === undefined) return {};
  try {
    return { delimiter: parseSerdeDelimiter(text, target) };
  } catch (e) {
    if (isSluiceError(e)) throw new CatalogError(`Failed to prepare statement: ${e.message}`);
    throw e;
  }
}

function isHeadersType(t: Column['type']): boolean {
  return (
    t.kind === 'ARRAY' &&
    t.element.kind === 'STRUCT' &&
    t.element.fields.length === 2 &&
    t.element.fields[0]!.name === 'KEY' &&
    t.element.fields[0]!.type.kind === 'STRING' &&
    t.element.fields[1]!.name === 'VALUE' &&
    t.element.fields[1]!.type.kind === 'BYTES'
  );
}

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1, MILLISECONDS: 1, SECOND: 1000, SECONDS: 1000, MINUTE: 60_000, MINUTES: 60_000,
  HOUR: 3_600_000, HOURS: 3_600_000, DAY: 86_400_000, DAYS: 86_400_000,
};

/** '10 SECONDS' -> 10000 */
export function parseDurationText(text: string): number {
  const m = /^\s*(\d+)\s*([A-Za-z]+)\s*$/.exec(text);
  const unit = m ? UNIT_MS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new CatalogError(`Invalid duration: '${text}'. Expected e.g. '10 SECONDS'`);
  return Number(m[1]) * unit;
}

/** Options that do not depend on the columns (a delimiter given to JSON, ...). */
function validateOptions(format: FormatInfo, target: 'KEY' | 'VALUE'): void {
  try {
    validateFormatOptions(format.format as FormatName, target, format);
  } catch (e) {
    if (isSluiceError(e)) throw new CatalogError(e.message);
    throw e;
  }
}
