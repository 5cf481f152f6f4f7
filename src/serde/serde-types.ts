/**
 * Shared shapes of the serde package (kept apart from index.ts so format files can import them
 * without a cycle through the dispatcher).
 */
import type { SqlType } from '../common/sql-types.js';
import type { SchemaRegistry } from './schema-registry.js';

export type { FormatName } from '../common/format-name.js';

export type SerdeTarget = 'KEY' | 'VALUE';

export interface SerdeColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface FormatOptions {
  /**
   * KEY_DELIMITER / VALUE_DELIMITER (DELIMITED only): the delimiter character itself, as the catalog
   * stores it once the WITH clause text is validated with parseDelimiter (so ' ' and '\t' are
   * accepted here), or the names 'TAB' / 'SPACE'. Default ','.
   */
  readonly delimiter?: string;
  /**
   * WRAP_SINGLE_VALUE. Undefined means the format's default: JSON values are wrapped in an object,
   * JSON keys with one column are unwrapped; DELIMITED and KAFKA are always unwrapped.
   */
  readonly wrapSingleValue?: boolean;
  /** Topic name, only used to make error messages (and SerdeError.topic) more useful. */
  readonly topic?: string;
  /** for AVRO, PROTOBUF and JSON_SR: where writer schemas are registered and looked up by id */
  readonly schemaRegistry?: SchemaRegistry;
  /** KEY_SCHEMA_ID / VALUE_SCHEMA_ID: use this registered schema instead of deriving one */
  readonly schemaId?: number;
  /** KEY_SCHEMA_FULL_NAME / VALUE_SCHEMA_FULL_NAME (VALUE_AVRO_SCHEMA_FULL_NAME) */
  readonly schemaFullName?: string;
  /** KEY_/VALUE_PROTOBUF_NULLABLE_REPRESENTATION: 'OPTIONAL' or 'WRAPPER' */
  readonly nullableRepresentation?: string;
  /**
   * VALUE only: the columns the query reads (the planner's list). A format may leave the others
   * NULL in the rows it returns (JSON skips them without building them) but still refuses a record
   * the full schema would refuse. Undefined: every column.
   */
  readonly neededColumns?: readonly string[];
  /** JSON values: parse the whole document and pick the fields (the reference the tests hold the one-pass reader to) */
  readonly generalPath?: boolean;
  /**
   * VALUE only: a format may return rows this long (the slots past the columns empty), so a source
   * can add its pseudo columns to the row it is given instead of copying it. Rows of any other
   * length stay valid answers.
   */
  readonly rowWidth?: number;
}

export interface RowSerde {
  /** values in column order; null row = tombstone / null value */
  serialize(values: readonly unknown[] | null): Buffer | null;
  /**
   * Optional (text formats): what serialize gives for non-null values, as the text whose UTF-8 bytes
   * it is (null: a null payload), for a writer that puts the bytes in place itself (a sink's batch)
   */
  serializeText?(values: readonly unknown[]): string | null;
  /**
   * throws SerdeError; returns null for a null (tombstone) payload. `into`: a row of rowWidth the
   * format may fill and return instead of a new one (its caller reuses it; JSON's fast path does).
   */
  deserialize(bytes: Buffer | null, into?: unknown[]): unknown[] | null;
}

/** What every format factory receives: already-normalised inputs. */
export interface SerdeSpec {
  readonly target: SerdeTarget;
  readonly columns: readonly SerdeColumn[];
  readonly options: FormatOptions;
}

export type SerdeFactory = (spec: SerdeSpec) => RowSerde;
