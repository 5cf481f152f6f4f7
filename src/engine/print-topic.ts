/**
 * PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n]: lets the queries catch up, then shows the
 * topic's records the way ksqlDB prints them, decoded with the formats of a source over it.
 */
import { CatalogError, LogError } from '../common/errors.js';
import { keyColumns, valueColumns } from '../common/schema.js';
import type { DataSource } from '../catalog/data-source.js';
import { createSerde, splitWindowedKey } from '../serde/index.js';
import type { FormatName, SchemaRegistry } from '../serde/index.js';
import type { Print } from '../sql/ast.js';
import type { HandlerContext } from './handler-context.js';
import type { StatementResult } from './statement-result.js';

export async function printTopic(stmt: Print, ctx: HandlerContext): Promise<StatementResult> {
  const log = ctx.engine.log();
  const catalog = ctx.engine.catalog();
  // a quoted topic keeps its case; an unquoted one may name a source or an upper-cased topic
  const source = catalog.listSources().find((s) => s.topic === stmt.topic) ?? catalog.listSources().find((s) => s.topic.toUpperCase() === stmt.topic.toUpperCase());
  const topic = source?.topic ?? stmt.topic;
  let desc;
  try {
    desc = await log.describeTopic(topic);
  } catch (e) {
    if (e instanceof LogError && e.code === 'UNKNOWN_TOPIC') throw new CatalogError(`Could not find topic '${stmt.topic}', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.`, stmt.pos);
    throw e;
  }
  await ctx.engine.runUntilIdle();
  const limit = stmt.limit ?? Number.POSITIVE_INFINITY;
  const interval = Math.max(1, stmt.interval ?? 1);
  const lines: string[] = [`Key format: ${source ? keyFormatName(source) : 'BYTES'}`, `Value format: ${source?.valueFormat.format ?? 'BYTES'}`];
  let seen = 0;
  let shown = 0;
  for (const p of desc.partitions) {
    let offset = stmt.fromBeginning ? p.logStartOffset : p.highWatermark;
    while (shown < limit) {
      const batch = await log.fetch(topic, p.partition, offset, { maxRecords: 1000 });
      for (const r of batch.records) {
        if (seen++ % interval !== 0) continue;
        if (shown++ >= limit) break;
        lines.push(
          `rowtime: ${formatRowtime(r.timestamp)}, key: ${renderKey(source, r.key, ctx.engine.schemaRegistry())}, value: ${render(source, 'VALUE', r.value, ctx.engine.schemaRegistry())}, partition: ${r.partition}`,
        );
      }
      if (batch.records.length === 0 || batch.nextOffset === offset) break;
      offset = batch.nextOffset;
    }
  }
  return { kind: stmt.kind, statement: ctx.text, message: lines.join('\n') };
}

function formatRowtime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} Z`;
}

/** ksqlDB's PRINT names a KAFKA key by its type (KAFKA_STRING, KAFKA_INT, ...) and a windowed one by its window */
function keyFormatName(source: DataSource): string {
  let name: string = source.keyFormat.format;
  const keys = keyColumns(source.schema);
  if (name === 'KAFKA' && keys.length === 1) {
    const t = keys[0]!.type;
    const base = t.kind === 'INTEGER' ? 'INT' : t.kind;
    name = `KAFKA_${base}`;
  }
  return source.window ? `${source.window.type}(${name})` : name;
}

/** `key @ [start, end)` for a windowed key, start and end as UTC times */
function renderKey(source: DataSource | undefined, bytes: Buffer | null, schemaRegistry: SchemaRegistry): string {
  if (bytes === null || !source?.window) return render(source, 'KEY', bytes, schemaRegistry);
  try {
    const { keyBytes, window } = splitWindowedKey(bytes, { type: source.window.type, ...(source.window.sizeMs !== undefined ? { sizeMs: source.window.sizeMs } : {}) });
    return `${render(source, 'KEY', keyBytes, schemaRegistry)} @ [${formatRowtime(window.start)}, ${formatRowtime(window.end)})`;
  } catch {
    return bytes.toString('hex');
  }
}

function render(source: DataSource | undefined, target: 'KEY' | 'VALUE', bytes: Buffer | null, schemaRegistry: SchemaRegistry): string {
  if (bytes === null) return '<null>';
  const format = target === 'KEY' ? source?.keyFormat : source?.valueFormat;
  if (!source || !format || format.format === 'JSON' || format.format === 'DELIMITED') return bytes.toString('utf8');
  try {
    const columns = target === 'KEY' ? keyColumns(source.schema) : valueColumns(source.schema);
    const values = createSerde(format.format as FormatName, target, columns, { ...format, topic: source.topic, schemaRegistry }).deserialize(bytes);
    return values === null ? '<null>' : values.map(String).join(', ');
  } catch {
    return bytes.toString('hex');
  }
}
