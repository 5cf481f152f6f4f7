/**
 * Error construction shared by the formats. Record-level problems are SerdeErrors whose message
 * follows ksqlDB's processing-log wording ("Failed to deserialize value from topic: t. <why>");
 * creation-time problems (bad schema/format combination) are ConfigErrors with ksqlDB's statement
 * messages.
 */
import { StacklessError } from './stackless-error.js';
import { ConfigError, SerdeError } from '../common/errors.js';
import { formatSqlType } from '../common/sql-types.js';
import type { SerdeColumn, SerdeSpec } from './serde-types.js';

/** Raised inside converters; the format adds the "Failed to deserialize ..." prefix once. */
export class RecordFailure extends StacklessError {}

function where(spec: SerdeSpec): string {
  return spec.options.topic !== undefined ? ` from topic: ${spec.options.topic}` : '';
}

export function deserializeFailure(spec: SerdeSpec, detail: string, cause?: unknown): SerdeError {
  const what = spec.target === 'KEY' ? 'key' : 'value';
  // one per bad record, shown by its message alone: no stack to capture (most of its cost)
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SerdeError(`Failed to deserialize ${what}${where(spec)}. ${detail}`, spec.options.topic, { cause });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function serializeFailure(spec: SerdeSpec, detail: string, cause?: unknown): SerdeError {
  const what = spec.target === 'KEY' ? 'key' : 'value';
  const topic = spec.options.topic !== undefined ? ` to topic: ${spec.options.topic}` : '';
  return new SerdeError(`Failed to serialize ${what}${topic}. ${detail}`, spec.options.topic, { cause });
}

/** Any failure (including a stack overflow on hostile input) becomes a SerdeError. */
export function asDeserializeError(spec: SerdeSpec, e: unknown): SerdeError {
  if (e instanceof SerdeError) return e;
  const detail = e instanceof RangeError ? 'Input is too deeply nested or too large' : e instanceof Error ? e.message : String(e);
  return deserializeFailure(spec, detail, e);
}

export function asSerializeError(spec: SerdeSpec, e: unknown): SerdeError {
  if (e instanceof SerdeError) return e;
  return serializeFailure(spec, e instanceof Error ? e.message : String(e), e);
}

/** ksqlDB's column rendering in statement errors: "`FOO` INTEGER" or "`K` INTEGER KEY". */
export function describeColumns(spec: SerdeSpec): string {
  const suffix = spec.target === 'KEY' ? ' KEY' : '';
  return `[${spec.columns.map((c: SerdeColumn) => `\`${c.name}\` ${formatSqlType(c.type)}${suffix}`).join(', ')}]`;
}

export function configError(message: string): ConfigError {
  return new ConfigError(message);
}

/**
 * Thrown by a format factory when the format cannot hold the schema (a type it does not support,
 * too many columns, ...). createSerde turns it into a ConfigError with ksqlDB's full message, see
 * schemaNotSupportedMessage; statement-level problems (options, wrapping) stay plain ConfigErrors.
 */
export class SchemaNotSupported extends Error {}

/** ksqlDB's SerdeFeatures of a persistence schema, as printed in "features=[...]". */
function serdeFeatures(format: string, spec: SerdeSpec): string[] {
  const wrap = spec.options.wrapSingleValue;
  if (wrap !== undefined) return [wrap ? 'WRAP_SINGLES' : 'UNWRAP_SINGLES'];
  // a single key column is explicitly unwrapped by formats that can do both (of ours, JSON only)
  if (spec.target === 'KEY' && spec.columns.length === 1 && format === 'JSON') return ['UNWRAP_SINGLES'];
  return [];
}

/**
 * ksqlDB's SchemaNotSupportedException message (GenericSerdeFactory):
 *   Key format does not support schema.
 *   format: KAFKA
 *   schema: Persistence{columns=[`K` BOOLEAN KEY], features=[]}
 *   reason: The 'KAFKA' format does not support type 'BOOLEAN'
 */
export function schemaNotSupportedMessage(format: string, spec: SerdeSpec, reason: string): string {
  const what = spec.target === 'KEY' ? 'Key' : 'Value';
  return (
    `${what} format does not support schema.\nformat: ${format}\n` +
    `schema: Persistence{columns=${describeColumns(spec)}, features=[${serdeFeatures(format, spec).join(', ')}]}\n` +
    `reason: ${reason}`
  );
}

export function columnCountMismatch(serialization: boolean, expected: number, got: number): RecordFailure {
  return new RecordFailure(
    `Column count mismatch on ${serialization ? 'serialization' : 'deserialization'}. expected: ${expected}, got: ${got}`,
  );
}
