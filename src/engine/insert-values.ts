/** INSERT INTO source [(columns)] VALUES (...): evaluates, casts, serializes and appends one record. */
import { CatalogError, isSluiceError } from '../common/errors.js';
import { keyColumns, quoteIdentifierIfNeeded, valueColumns } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes } from '../common/sql-types.js';
import { evaluateConstant } from '../expr/index.js';
import { collectExpressions } from '../planner/rewrite-expression.js';
import { createSerde } from '../serde/index.js';
import type { FormatName } from '../serde/index.js';
import type { InsertValues } from '../sql/ast.js';
import type { SourcePosition } from '../common/errors.js';
import type { DataSource } from '../catalog/data-source.js';
import type { ProduceRecord } from '../log/log.js';
import type { HandlerContext } from './handler-context.js';
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
  if (stmt.columns && names.length !== stmt.values.length)
    throw new CatalogError(`Failed to prepare statement: Expected number columns and values to match: ${names.length}, ${stmt.values.length}`, stmt.pos);
  const pseudo = names.find((n) => n === 'ROWPARTITION' || n === 'ROWOFFSET');
  if (pseudo) throw new CatalogError(`Inserting into column \`${pseudo}\` is not allowed.`, stmt.pos);
  for (const v of stmt.values) {
    const qualified = collectExpressions(v, (x) => x.kind === 'ColumnRef' && !!x.source)[0];
    if (qualified?.kind === 'ColumnRef') throw new CatalogError(`Failed to prepare statement: '${qualified.source}' is not a valid stream/table name or alias.`, qualified.pos);
  }
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
  await writeRows(ctx.engine, source, [{ values: given, ...(rowtime !== undefined ? { rowtime } : {}) }], stmt.pos);
  return { kind: stmt.kind, statement: ctx.text, message: `Inserted 1 row into ${source.name}` };
}

/**
 * Serializes rows (column name -> runtime value) through the source's key and value serdes and
 * appends them in one produce call; shared by INSERT VALUES and Engine.insert.
 */
export async function writeRows(
  engine: Pick<HandlerContext['engine'], 'log' | 'schemaRegistry' | 'flushSchemaRegistrations'>,
  source: DataSource,
  rows: readonly { readonly values: ReadonlyMap<string, unknown>; readonly rowtime?: number }[],
  pos?: SourcePosition,
): Promise<void> {
  const keys = keyColumns(source.schema);
  const values = valueColumns(source.schema);
  const options = (f: DataSource['keyFormat']) => ({ ...f, topic: source.topic, schemaRegistry: engine.schemaRegistry() });
  const records: ProduceRecord[] = [];
  try {
    const keySerde = keys.length ? createSerde(source.keyFormat.format as FormatName, 'KEY', keys, options(source.keyFormat)) : undefined;
    const valueSerde = createSerde(source.valueFormat.format as FormatName, 'VALUE', values, options(source.valueFormat));
    const now = Date.now();
    for (const row of rows) {
      const key = keySerde ? keySerde.serialize(keys.map((c) => row.values.get(c.name) ?? null)) : null;
      const value = valueSerde.serialize(values.map((c) => row.values.get(c.name) ?? null));
      records.push({ topic: source.topic, key, value, timestamp: row.rowtime ?? now });
    }
  } catch (e) {
    if (isSluiceError(e)) throw new CatalogError(`Failed to insert values into '${source.name}'. ${e.message}`, pos);
    throw e;
  }
  await engine.flushSchemaRegistrations();
  await engine.log().produce(records);
}
