/** StreamSink / TableSink: serializes key and value columns and emits to the sink topic. */
import type { SinkStep } from '../../catalog/query-plan.js';
import { keyColumns, valueColumns } from '../../common/schema.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { OutputRecord } from '../../runtime/output-record.js';
import { createSerde, windowedKeyBytes, writeWindowBounds } from '../../serde/index.js';
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
  // A single key column's bytes are kept for its last value: consecutive outputs often share it (a
  // hopping window's outputs of one record, a table's updates of one group). Only primitives are
  // compared (a struct or array value is serialized each time); the bytes are only read downstream.
  let lastKey: unknown;
  let lastKeyBytes: Buffer | null = null;
  const keyBytesOf = (row: unknown[]): Buffer | null => {
    if (k !== 1) return keySerde.serialize(row.slice(0, k));
    const v = row[0];
    if (Object.is(v, lastKey) && lastKeyBytes !== null) return lastKeyBytes;
    const bytes = keySerde.serialize([v]);
    const t = typeof v;
    if (t === 'number' || t === 'string' || t === 'bigint' || t === 'boolean') {
      lastKey = v;
      lastKeyBytes = bytes;
    }
    return bytes;
  };
  // the value columns copied into one reused array (serializers only read it, synchronously)
  const valueRow = new Array<unknown>(n - k);
  const valuesOf = (row: unknown[]): unknown[] => {
    if (row.length !== n) return row.slice(k);
    for (let i = k; i < n; i++) valueRow[i - k] = row[i];
    return valueRow;
  };
  // records with a timestamp the log takes go straight into its batches (no key or value Buffer,
  // no ProduceRecord); others go as records, for the log to refuse with its own error
  const out = ctx.batchOutput?.(step.topic);
  const valueText = valueSerde.serializeText?.bind(valueSerde);
  return (row, rec) => {
    let target: 'key' | 'value' = 'key';
    try {
      const keyBytes = k === 0 || rec.nullKey ? null : keyBytesOf(row);
      const window = windowType ? rec.window : undefined;
      target = 'value';
      // a row without key columns is the value as it stands (serializers only read it)
      const values = rec.tombstone ? null : k === 0 && row.length === n ? row : valuesOf(row);
      const text = values !== null && valueText !== undefined ? valueText(values) : undefined;
      const value = text === undefined ? valueSerde.serialize(values) : null;
      const timestamp = !rec.tombstone && extractTimestamp ? extractTimestamp(row) : rec.timestamp;
      if (out !== undefined && out.encodable(timestamp)) {
        out.start(timestamp);
        if (window) {
          const at = out.openField();
          if (keyBytes !== null) out.bytes(keyBytes);
          writeWindowBounds(out, window, windowType!);
          out.closeField(at);
        } else if (keyBytes === null) out.nullField();
        else out.bytesField(keyBytes);
        if (typeof text === 'string') {
          const at = out.openField();
          out.text(text);
          out.closeField(at);
        } else if (value === null) out.nullField();
        else out.bytesField(value);
        out.headers(rec.headers);
        out.end();
        return;
      }
      const key = window ? windowedKeyBytes(keyBytes, window, windowType!) : keyBytes;
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : value;
      // no headers: none given (the log then has nothing to check or encode for them)
      ctx.emit(new OutputRecord(step.topic, key, bytes, timestamp, rec.headers.length === 0 ? undefined : [...rec.headers]));
    } catch (e) {
      out?.abort();
      ctx.logError(step.id, e, { topic: step.topic, partition: rec.partition, offset: rec.offset, type: 'SERIALIZATION_ERROR', target });
    }
  };
}
