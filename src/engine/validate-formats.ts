/** Checks, at CREATE time, that a schema can be written in the chosen key and value formats. */
import { CatalogError, PlanError, isSluiceError } from '../common/errors.js';
import type { Column, LogicalSchema } from '../common/schema.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { FormatInfo } from '../catalog/data-source.js';
import { InMemorySchemaRegistry, createSerde, inferColumns, isSupportedFormat } from '../serde/index.js';
import type { FormatName, SchemaRegistry } from '../serde/index.js';
import { formatSqlType } from '../common/sql-types.js';
import type { QueryPlan, SourceStep, Step } from '../catalog/query-plan.js';
import { stepInputs } from '../catalog/query-plan.js';
import { resolveAggregateCall } from '../expr/aggregate-call.js';
import type { FunctionRegistry } from '../functions/registry.js';

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

/**
 * A query writing with KEY_SCHEMA_ID / VALUE_SCHEMA_ID: the registered schema must hold the query's
 * columns, in order and of the same types, first (later fields of its own are filled by their
 * defaults when written). ksqlDB's wording.
 */
export function validateSinkSchemaIds(schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo, topic: string, registry: SchemaRegistry): void {
  for (const [target, format, columns] of [
    ['KEY', keyFormat, keyColumns(schema)],
    ['VALUE', valueFormat, valueColumns(schema)],
  ] as const) {
    if (format.schemaId === undefined || !['AVRO', 'PROTOBUF', 'JSON_SR'].includes(format.format)) continue;
    let registered;
    try {
      registered = inferColumns(format.format as FormatName, target, registry, { topic, ...format });
    } catch {
      continue; // an unreadable schema is reported when the sink's serde is built
    }
    if (!registered) continue;
    const show = (c: { name: string; type: Column['type'] }) => `\`${c.name}\` ${formatSqlType(c.type)}`;
    const changed = columns.filter((c, i) => {
      const r = registered[i];
      return !r || r.name !== c.name || formatSqlType(r.type) !== formatSqlType(c.type);
    });
    if (changed.length)
      throw new CatalogError(
        `The following ${target.toLowerCase()} columns are changed, missing or reordered: [${changed.map(show).join(', ')}]. Schema from schema registry is [${registered.map(show).join(', ')}]`,
      );
  }
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

/**
 * ksqlDB keeps an aggregation's intermediate values (AVG's STRUCT<SUM, COUNT>, TOPK's ARRAY) in the
 * value format of the rows it aggregates, and refuses a GROUP BY whose format cannot hold them.
 */
export function validateAggregateFormats(plan: QueryPlan, registry: FunctionRegistry): void {
  const visit = (step: Step): void => {
    stepInputs(step).forEach(visit);
    if (step.kind !== 'StreamAggregate' && step.kind !== 'TableAggregate') return;
    const source = firstSource(step.input);
    if (!source) return;
    const columns: Column[] = step.aggregates.map((a, i) => {
      const call = resolveAggregateCall(
        { kind: 'FunctionCall', name: a.name, args: [...a.args, ...a.initArgs], distinct: false, star: a.args.length + a.initArgs.length === 0 },
        step.input.columns,
        registry,
      );
      const { overload, argTypes, returnType } = call.resolution;
      const type = overload.aggregateType?.({ argTypes: argTypes.slice(0, call.argCount), returnType }) ?? returnType;
      return { name: `KSQL_AGG_VARIABLE_${i}`, type, namespace: 'VALUE' };
    });
    // only the format itself matters here, not a schema id or name the sink may use
    const format: FormatInfo = { format: source.valueFormat.format, ...(source.valueFormat.delimiter ? { delimiter: source.valueFormat.delimiter } : {}) };
    try {
      createSerde(format.format as FormatName, 'VALUE', columns, { ...format, schemaRegistry: new InMemorySchemaRegistry() });
    } catch (e) {
      if (!isSluiceError(e)) throw e;
      throw new PlanError('One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.');
    }
  };
  visit(plan.sink);
}

/** The source whose rows reach `step` (the left-most one of a join). */
function firstSource(step: Step): SourceStep | undefined {
  if (step.kind === 'StreamSource' || step.kind === 'TableSource') return step;
  const inputs = stepInputs(step);
  return inputs.length ? firstSource(inputs[0]!) : undefined;
}
