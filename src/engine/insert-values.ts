/** INSERT INTO source [(columns)] VALUES (...): evaluates, casts, serializes and appends one record. */
import { CatalogError, isSluiceError } from '../common/errors.js';
import { keyColumns, quoteIdentifierIfNeeded, valueColumns } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes } from '../common/sql-types.js';
import { evaluateConstant } from '../expr/index.js';
import { createSerde } from '../serde/index.js';
import type { FormatName } from '../serde/index.js';
import type { InsertValues } from '../sql/ast.js';
import type { HandlerContext } from './handler-context.js';
import { ScratchSchemaRegistry } from './scratch-schema-registry.js';
import type { StatementResult } from './statement-result.js';

export async function insertValues(stmt: InsertValues, ctx: HandlerContext): Promise<StatementResult> {
  const catalog = ctx.engine.catalog();
  const source = catalog.getSource(stmt.target);
  if (!source) {
    const hint = catalog.getSource(stmt.target.toUpperCase()) ? `\nDid you mean ${stmt.target.toUpperCase()}? Hint: try removing double quotes from the source name.` : '';
    throw new CatalogError(`Cannot insert values into an unknown stream/table: ${quoteIdentifierIfNeeded(stmt.target)}${hint}`, stmt.pos);
  }
  if (source.isSource) throw new CatalogError(`Cannot insert values into read-only ${source.sourceType.toLowerCase()}: ${source.name}`, stmt.pos);
  if (source.createdByQuery && source.sourceType === 'TABLE') throw new CatalogError(`Cannot insert values into table ${source.name}: it is the output of a query`, stmt.pos);
  const schemaColumns = source.schema.columns;
  const names = stmt.columns ?? schemaColumns.map((c) => c.name);
  if (names.length !== stmt.values.length)
    throw new CatalogError(`Expected a value for each column. Expected Columns: [${names.join(', ')}]. Got ${stmt.values.length} values.`, stmt.pos);
  const headerNames = schemaColumns.filter((c) => c.namespace === 'HEADER' || c.namespace === 'HEADERS').map((c) => c.name);
  const badHeaders = names.filter((n) => headerNames.includes(n));
  if (badHeaders.length) throw new CatalogError(`Cannot insert into HEADER columns: ${badHeaders.join(', ')}`, stmt.pos);

  const given = new Map<string, unknown>();
  let rowtime: number | undefined;
  names.forEach((name, i) => {
    const expr = stmt.values[i]!;
    const column = name === 'ROWTIME' ? { type: SqlTypes.BIGINT as SqlType } : schemaColumns.find((c) => c.name === name);
    if (!column) throw new CatalogError(`Column name ${name} does not exist.`, expr.pos);
    let value: unknown;
    try {
      value = evaluateConstant(expr, ctx.engine.registry(), column.type);
    } catch (e) {
      if (isSluiceError(e)) throw new CatalogError(`Failed to insert values into '${source.name}'. ${e.message}`, expr.pos);
      throw e;
    }
    if (name === 'ROWTIME') rowtime = value === null ? undefined : Number(value);
    else given.set(name, value);
  });
  const keys = keyColumns(source.schema);
  const values = valueColumns(source.schema);
  // serialized against a copy of the registry: a record that fails to serialize registers nothing
  const registry = new ScratchSchemaRegistry(ctx.engine.schemaRegistry());
  let keyBytes: Buffer | null;
  let valueBytes: Buffer | null;
  try {
    keyBytes = keys.length ? createSerde(source.keyFormat.format as FormatName, 'KEY', keys, { ...source.keyFormat, topic: source.topic, schemaRegistry: registry }).serialize(keys.map((c) => given.get(c.name) ?? null)) : null;
    valueBytes = createSerde(source.valueFormat.format as FormatName, 'VALUE', values, { ...source.valueFormat, topic: source.topic, schemaRegistry: registry }).serialize(values.map((c) => given.get(c.name) ?? null));
  } catch (e) {
    if (isSluiceError(e)) throw new CatalogError(`Failed to insert values into '${source.name}'. ${e.message}`, stmt.pos);
    throw e;
  }
  registry.commit();
  await ctx.engine.flushSchemaRegistrations();
  await ctx.engine.log().produce([{ topic: source.topic, key: keyBytes, value: valueBytes, timestamp: rowtime ?? Date.now() }]);
  return { kind: stmt.kind, statement: ctx.text, message: `Inserted 1 row into ${source.name}` };
}
