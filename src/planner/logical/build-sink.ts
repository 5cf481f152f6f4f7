/**
 * The sink: its schema from the projection (keys first), its topic and formats from the WITH clause
 * or inherited from the left-most source; or, for INSERT INTO, the existing stream it must match.
 */
import { PlanError } from '../../common/errors.js';
import type { Column, LogicalSchema } from '../../common/schema.js';
import { formatSqlType, sqlTypeEquals } from '../../common/sql-types.js';
import type { DataSource, FormatInfo, TimestampColumn, WindowInfo } from '../../catalog/data-source.js';
import type { WindowSpec } from '../../catalog/query-plan.js';
import type { SourceProperties } from '../../catalog/source-properties.js';
import { parseDelimiter, schemaSettings } from '../../catalog/source-properties.js';
import type { QueryContext, SinkRequest } from '../plan-context.js';
import { castToSink } from './cast-to-sink.js';
import type { ProjectNode, SinkNode } from './logical-plan.js';

/** `sources`: the query's sources, left to right (the left-most one's formats are inherited). */
export function buildSink(qc: QueryContext, built: ProjectNode, window: WindowSpec | undefined, sources: readonly DataSource[]): SinkNode {
  const existing = qc.sinkRequest.existing;
  const project = existing ? castToSink(built, existing.schema) : built;
  const columns: Column[] = project.schema.map((c, i) => ({ name: c.name, type: c.type, namespace: i < project.keyCount ? 'KEY' : 'VALUE' }));
  const schema: LogicalSchema = { columns };
  const windowInfo: WindowInfo | undefined = window ? { type: window.type, ...(window.sizeMs !== undefined ? { sizeMs: window.sizeMs } : {}) } : undefined;
  const sink = existing ? existingSink(existing, schema) : newSink(qc, sources, schema, windowInfo);
  return { kind: 'Sink', schema: project.schema, input: project, sink, ...(windowInfo ? { window: windowInfo } : {}) };
}

/** INSERT INTO: a writable stream whose schema is the projection's. */
function existingSink(target: DataSource, schema: LogicalSchema): Omit<DataSource, 'sql'> {
  if (target.sourceType !== 'STREAM') throw new PlanError(`INSERT INTO can only be used to insert into a stream. ${target.name} is a table.`);
  if (target.isSource) throw new PlanError(`Cannot insert into read-only ${target.sourceType.toLowerCase()}: ${target.name}`);
  const same =
    target.schema.columns.length === schema.columns.length &&
    target.schema.columns.every((c, i) => {
      const o = schema.columns[i]!;
      return c.name === o.name && c.namespace === o.namespace && sqlTypeEquals(c.type, o.type);
    });
  if (!same)
    throw new PlanError(`Incompatible schema between results and sink.\nResult schema is ${describeColumns(schema)}\nSink schema is ${describeColumns(target.schema)}`);
  return target;
}

function newSink(qc: QueryContext, sources: readonly DataSource[], schema: LogicalSchema, window: WindowInfo | undefined): Omit<DataSource, 'sql'> {
  const req: SinkRequest = qc.sinkRequest;
  const props = req.properties;
  const input = sources[0]!;
  // a key-less left side of a join is repartitioned by the join key: the result takes the key format
  // of a side that has one, as ksqlDB does
  const keyFrom = (input.keyFormat.format === 'NONE' && sources.find((s) => s.keyFormat.format !== 'NONE')) || input;
  const { keyFormat, valueFormat } = sinkFormats(props, input, keyFrom, schema, qc.config);
  const timestamp = sinkTimestamp(props, schema);
  return {
    name: req.name,
    sourceType: req.sourceType,
    schema,
    topic: props.kafkaTopic ?? (qc.config.get('ksql.output.topic.name.prefix') ?? '') + req.name,
    keyFormat,
    valueFormat,
    ...(timestamp ? { timestamp } : {}),
    ...(window ? { window } : {}),
    isSource: false,
    createdByQuery: qc.queryId,
  };
}

function sinkFormats(
  props: SourceProperties,
  input: DataSource,
  keyFrom: DataSource,
  schema: LogicalSchema,
  config: ReadonlyMap<string, string>,
): { keyFormat: FormatInfo; valueFormat: FormatInfo } {
  const hasKey = schema.columns.some((c) => c.namespace === 'KEY');
  if (!hasKey && props.keyFormat && props.keyFormat !== 'NONE') throw new PlanError('Key format specified for stream without key columns.');
  const valueFormatName = props.valueFormat ?? input.valueFormat.format;
  // a key-less input (NONE) that gains key columns needs a real key format: the value's if it can hold keys
  const inheritedKey = keyFrom.keyFormat.format === 'NONE' ? (valueFormatName === 'JSON' || valueFormatName === 'DELIMITED' ? valueFormatName : 'KAFKA') : keyFrom.keyFormat.format;
  const keyFormat: FormatInfo = {
    format: hasKey ? (props.keyFormat ?? inheritedKey) : 'NONE',
    ...schemaSettings(props, 'KEY'),
    ...withDelimiter(props.keyDelimiter, 'KEY_DELIMITER', hasKey && !props.keyFormat ? keyFrom.keyFormat.delimiter : undefined),
  };
  const valueFormat: FormatInfo = {
    format: valueFormatName,
    ...schemaSettings(props, 'VALUE'),
    ...withDelimiter(props.valueDelimiter, 'VALUE_DELIMITER', props.valueFormat ? undefined : input.valueFormat.delimiter),
    ...wrapSingleValue(props, config, schema),
  };
  return { keyFormat, valueFormat };
}

function sinkTimestamp(props: SourceProperties, schema: LogicalSchema): TimestampColumn | undefined {
  if (!props.timestamp) return undefined;
  const name = timestampColumnName(props.timestamp)!;
  if (!schema.columns.some((c) => c.name === name)) throw new PlanError(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${name}'`);
  return { column: name, ...(props.timestampFormat ? { format: props.timestampFormat } : {}) };
}

function withDelimiter(given: string | undefined, property: string, inherited: string | undefined): { delimiter?: string } {
  const d = given !== undefined ? parseDelimiter(given, property) : inherited;
  return d !== undefined ? { delimiter: d } : {};
}

/** The column a TIMESTAMP property names (backquoted: as written, else upper-cased). */
export function timestampColumnName(property: string | undefined): string | undefined {
  if (!property) return undefined;
  return property.startsWith('`') ? property.slice(1, -1) : property.toUpperCase();
}

/** As ksqlDB prints a LogicalSchema: every name backquoted. */
function describeColumns(schema: LogicalSchema): string {
  return schema.columns.map((c) => `\`${c.name}\` ${formatSqlType(c.type)}${c.namespace === 'KEY' ? ' KEY' : ''}`).join(', ');
}

/** WRAP_SINGLE_VALUE as given, else ksql.persistence.wrap.single.values for one-column values. */
function wrapSingleValue(props: SourceProperties, config: ReadonlyMap<string, string>, schema: LogicalSchema): { wrapSingleValue?: boolean } {
  if (props.wrapSingleValue !== undefined) return { wrapSingleValue: props.wrapSingleValue };
  const fallback = config.get('ksql.persistence.wrap.single.values');
  if (fallback === undefined || schema.columns.filter((c) => c.namespace === 'VALUE').length !== 1) return {};
  return { wrapSingleValue: fallback === 'true' };
}
