/** StreamSink / TableSink: serializes key and value columns and emits to the sink topic. */
import type { SinkStep } from '../../catalog/query-plan.js';
import { keyColumns, valueColumns } from '../../common/schema.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { createSerde, windowedKeyBytes } from '../../serde/index.js';
import { timestampExtractor } from './timestamp-extractor.js';

export function buildSink(step: SinkStep, ctx: OperatorContext): Downstream {
  const write = sinkWriter(step, ctx);
  return (rec) => write(rec.row, rec);
}

/**
 * Writes `row` as the sink's output for `rec` (whose row it replaces: the fused stateless chain
 * hands the source's record with the select's row, without a record in between).
 */
export function sinkWriter(step: SinkStep, ctx: OperatorContext): (row: unknown[], rec: StreamRecord) => void {
  const keys = keyColumns(step.schema);
  const values = valueColumns(step.schema);
  const keySerde = createSerde(step.keyFormat.format, 'KEY', keys, { ...step.keyFormat, topic: step.topic, schemaRegistry: ctx.schemaRegistry });
  const valueSerde = createSerde(step.valueFormat.format, 'VALUE', values, { ...step.valueFormat, topic: step.topic, schemaRegistry: ctx.schemaRegistry });
  const k = keys.length;
  const n = k + values.length;
  const extractTimestamp = step.timestampColumn ? timestampExtractor(step.timestampColumn, step.columns) : undefined;
  const windowType = step.window?.type;
  return (row, rec) => {
    let target: 'key' | 'value' = 'key';
    try {
      let key = k === 0 || rec.nullKey ? null : keySerde.serialize(row.slice(0, k));
      if (windowType && rec.window) key = windowedKeyBytes(key, rec.window, windowType);
      target = 'value';
      // a row without key columns is the value as it stands (serializers only read it)
      const value = rec.tombstone ? null : valueSerde.serialize(k === 0 && row.length === n ? row : row.slice(k));
      const timestamp = !rec.tombstone && extractTimestamp ? extractTimestamp(row) : rec.timestamp;
      // no headers: none given (the log then has nothing to check or encode for them)
      if (rec.headers.length === 0) ctx.emit({ topic: step.topic, key, value, timestamp });
      else ctx.emit({ topic: step.topic, key, value, timestamp, headers: [...rec.headers] });
    } catch (e) {
      ctx.logError(step.id, e, { topic: step.topic, partition: rec.partition, offset: rec.offset, type: 'SERIALIZATION_ERROR', target });
    }
  };
}

