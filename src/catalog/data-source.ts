/** What the catalog knows about a stream or table. Plain data: it is persisted in the command log. */
import type { FormatName } from '../common/format-name.js';
import type { LogicalSchema } from '../common/schema.js';
import type { SourceType } from '../sql/ast.js';

export interface FormatInfo {
  /** upper-case format name: JSON, DELIMITED, KAFKA, NONE, ... */
  readonly format: FormatName;
  readonly delimiter?: string;
  readonly wrapSingleValue?: boolean;
  /** KEY_SCHEMA_ID / VALUE_SCHEMA_ID: a registered schema to write with */
  readonly schemaId?: number;
  /** KEY_SCHEMA_FULL_NAME / VALUE_SCHEMA_FULL_NAME */
  readonly schemaFullName?: string;
  /** KEY_/VALUE_PROTOBUF_NULLABLE_REPRESENTATION */
  readonly nullableRepresentation?: string;
}

export type WindowKind = 'TUMBLING' | 'HOPPING' | 'SESSION';

export interface WindowInfo {
  readonly type: WindowKind;
  /** window size in ms (not for SESSION) */
  readonly sizeMs?: number;
}

export interface TimestampColumn {
  readonly column: string;
  /** a Java date-format pattern when the column is a STRING */
  readonly format?: string;
}

export interface DataSource {
  readonly name: string;
  readonly sourceType: SourceType;
  readonly schema: LogicalSchema;
  readonly topic: string;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  readonly timestamp?: TimestampColumn;
  /** set for windowed sources (windowed aggregations, or WINDOW_TYPE in the WITH clause) */
  readonly window?: WindowInfo;
  /** CREATE SOURCE STREAM/TABLE: read-only, no INSERT, no DELETE TOPIC */
  readonly isSource: boolean;
  /** the persistent query that writes it (CSAS / CTAS) */
  readonly createdByQuery?: string;
  /** the statement text that created it */
  readonly sql: string;
}
