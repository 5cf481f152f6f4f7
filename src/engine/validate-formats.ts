/** Checks, at CREATE time, that a schema can be written in the chosen key and value formats. */
import { CatalogError, isSluiceError } from '../common/errors.js';
import type { Column, LogicalSchema } from '../common/schema.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { FormatInfo } from '../catalog/data-source.js';
import { InMemorySchemaRegistry, createSerde, isSupportedFormat } from '../serde/index.js';
import type { FormatName } from '../serde/index.js';

const KNOWN_BUT_UNSUPPORTED = new Set(['AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR']);

export function validateFormatNames(keyFormat: FormatInfo, valueFormat: FormatInfo): void {
  for (const f of [keyFormat, valueFormat]) {
    if (isSupportedFormat(f.format)) continue;
    if (KNOWN_BUT_UNSUPPORTED.has(f.format)) throw new CatalogError(`The ${f.format} format is not supported yet by Sluice`);
    throw new CatalogError(`Unknown format: ${f.format}`);
  }
}

export function validateFormats(schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo, wrapGiven: boolean): void {
  validateFormatNames(keyFormat, valueFormat);
  const values = valueColumns(schema);
  if (wrapGiven && values.length !== 1) throw new CatalogError("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
  check('Key', keyFormat, keyColumns(schema));
  check('Value', valueFormat, values);
}

/** ksqlDB's wording: the format, the columns it was asked to hold, and the serde's reason. */
function check(target: 'Key' | 'Value', format: FormatInfo, columns: readonly Column[]): void {
  try {
    createSerde(format.format as FormatName, target === 'Key' ? 'KEY' : 'VALUE', columns, { ...format, schemaRegistry: new InMemorySchemaRegistry() });
  } catch (e) {
    // the serde words it as ksqlDB does ("Key format does not support schema. ...")
    if (isSluiceError(e)) throw new CatalogError(e.message);
    throw e;
  }
}
