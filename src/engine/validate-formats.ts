/** Checks, at CREATE time, that a schema can be written in the chosen key and value formats. */
import { CatalogError, isSluiceError } from '../common/errors.js';
import type { LogicalSchema } from '../common/schema.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { FormatInfo } from '../catalog/data-source.js';
import { createSerde, isSupportedFormat } from '../serde/index.js';

const KNOWN_BUT_UNSUPPORTED = new Set(['AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR']);

export function validateFormats(schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo, wrapGiven: boolean): void {
  for (const f of [keyFormat, valueFormat]) {
    if (isSupportedFormat(f.format)) continue;
    if (KNOWN_BUT_UNSUPPORTED.has(f.format)) throw new CatalogError(`The ${f.format} format is not supported yet by Sluice`);
    throw new CatalogError(`Unknown format: ${f.format}`);
  }
  const values = valueColumns(schema);
  if (wrapGiven && values.length !== 1) throw new CatalogError("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
  try {
    createSerde(keyFormat.format as never, 'KEY', keyColumns(schema), keyFormat);
    createSerde(valueFormat.format as never, 'VALUE', values, valueFormat);
  } catch (e) {
    if (isSluiceError(e)) throw new CatalogError(e.message);
    throw e;
  }
}
