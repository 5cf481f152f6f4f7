/**
 * StreamSource / TableSource: deserializes key and value, reads header columns, adds the pseudo
 * columns and extracts the record timestamp. A record that cannot be read goes to the processing
 * log and is skipped (or, with ksql.fail.on.deserialization.error, stops the query).
 */
import type { SourceStep } from '../../catalog/query-plan.js';
import { ExecutionError } from '../../common/errors.js';
import { keyColumns, orderedSchemaColumns, valueColumns } from '../../common/schema.js';
import type { FetchedRecord } from '../../log/log.js';
import type { Downstream, OperatorContext, ProcessingErrorWhere, SourceEntry, StreamRecord } from '../../runtime/processor.js';
import { createSerde, splitWindowedKey } from '../../serde/index.js';
import { timestampExtractor } from './timestamp-extractor.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** a record that cannot be read, reported through the error policy when it is processed */
interface Failure {
  readonly error: unknown;
  readonly where: ProcessingErrorWhere;
  /** ksql.timestamp.throw.on.invalid: the query stops */
  readonly fatal?: boolean;
}
/** a record a table drops without a report (no key) */
const SKIP = Symbol('skip');
/** a record read (into the source's current-record variables) */
const DECODED = 0;

/** how a fused stateless chain builds its source (fused-chain.ts) */
export interface SourceOptions {
  /**
   * The chain's first step when it is a filter: run on the row before the record is made, so a
   * record it drops costs no record object, and (read into a scratch row the format fills) no
   * row of its own. false drops the record; `downstream` gets only records it passed.
   */
  readonly prefilter?: (row: unknown[], tombstone: boolean) => boolean;
}

export function buildSource(step: SourceStep, ctx: OperatorContext, downstream: Downstream, options: SourceOptions = {}): SourceEntry {
  const keys = keyColumns(step.schema);
  const values = valueColumns(step.schema);
  const keySerde = createSerde(step.keyFormat.format, 'KEY', keys, { ...step.keyFormat, topic: step.topic, schemaRegistry: ctx.schemaRegistry });
  const valueSerde = createSerde(step.valueFormat.format, 'VALUE', values, {
    ...step.valueFormat,
    topic: step.topic,
    schemaRegistry: ctx.schemaRegistry,
    ...(step.neededValueColumns ? { neededColumns: step.neededValueColumns } : {}),
    // rows as wide as this step's, so the value row can become the record's row (see valueFirst)
    rowWidth: step.columns.length,
  });
  const ordered = orderedSchemaColumns(step.schema.columns);
  // where each schema column comes from: key index, value index, or a header
  const fill = ordered.map((c) => {
    if (c.namespace === 'KEY') return { from: 'key' as const, i: keys.indexOf(c) };
    if (c.namespace === 'VALUE') return { from: 'value' as const, i: values.indexOf(c) };
    return { from: c.namespace === 'HEADERS' ? ('headers' as const) : ('header' as const), i: 0, key: c.headerKey };
  });
  const width = step.columns.length;
  const base = ordered.length;
  // the row starts with the value columns in order (no key or header columns): a value row of the
  // full width (the format's rowWidth) is taken as the record's row, not copied
  const valueFirst = fill.length === values.length && fill.every((f, i) => f.from === 'value' && f.i === i);
  const isTable = step.kind === 'TableSource';
  const extractTimestamp = step.timestamp ? timestampExtractor(step.timestamp, step.columns) : undefined;
  // (unless the TIMESTAMP column is ROWTIME itself, which the extractor reads from the row)
  const extractsRowtime = extractTimestamp !== undefined && step.timestamp!.column !== 'ROWTIME';
  const throwOnInvalidTimestamp = ctx.config.get('ksql.timestamp.throw.on.invalid') === 'true';
  const nullKeyValues = keys.map(() => null);
  // per record: no allocation beyond the row and the record (this is every query's hot path)
  const where = (rec: FetchedRecord) => ({ topic: rec.topic, partition: rec.partition, offset: rec.offset });

  /** a record decoded ahead of processing (the task asked for its timestamp), until it is processed */
  const decodedAhead = extractTimestamp ? new WeakMap<FetchedRecord, Mutable<StreamRecord>>() : undefined;
  /** records put in decodedAhead and not yet taken (a task with one input never decodes ahead: no lookup then) */
  let aheadCount = 0;
  /**
   * the record decoded ahead last, kept out of the WeakMap: the task asks for its head's
   * timestamp and then processes that head, so most lookups are this one (no hashing then)
   */
  let aheadRec: FetchedRecord | undefined;
  let aheadDecoded: Mutable<StreamRecord> | undefined;

  /** the last extracted ROWTIME and its BigInt */
  let lastRowtime = Number.NaN;
  let lastRowtimeBig = 0n;

  // what decodeRow read, until the record is made (none for a record the prefilter drops)
  let dRow: unknown[] = [];
  let dTimestamp = 0;
  let dTombstone = false;
  let dNullKey = false;
  let dBounds: { start: number; end: number } | undefined;

  /** reads the record into the d* variables (a value row into `into` when the format can), or what went wrong */
  const decodeRow = (rec: FetchedRecord, into?: unknown[]): typeof DECODED | Failure | typeof SKIP => {
    let key: unknown[] | null;
    let value: unknown[] | null;
    let bounds: { start: number; end: number } | undefined;
    let keyBytes = rec.key;
    if (step.window && keyBytes) {
      if (keyBytes.length < (step.window.type === 'SESSION' ? 16 : 8))
        return { error: new Error('Windowed key too short for its window bounds'), where: { ...where(rec), type: 'DESERIALIZATION_ERROR', target: 'key', record: rec.key } };
      const split = splitWindowedKey(keyBytes, step.window);
      keyBytes = split.keyBytes;
      bounds = split.window;
    }
    try {
      key = keySerde.deserialize(keyBytes);
    } catch (e) {
      return { error: e, where: { ...where(rec), type: 'DESERIALIZATION_ERROR', target: 'key', record: rec.key } };
    }
    try {
      value = valueSerde.deserialize(rec.value, into);
    } catch (e) {
      return { error: e, where: { ...where(rec), type: 'DESERIALIZATION_ERROR', target: 'value', record: rec.value } };
    }
    // tables cannot hold a row without a key; ksqlDB drops such records
    if (key === null && isTable && keys.length) return SKIP;
    const keyValues = key ?? nullKeyValues;
    const tombstone = value === null;
    let row: unknown[];
    if (valueFirst && value !== null && value.length === width) {
      row = value;
      for (let i = 0; i < base; i++) if (row[i] === undefined) row[i] = null;
    } else {
      row = new Array<unknown>(width);
      for (let i = 0; i < fill.length; i++) {
        const f = fill[i]!;
        switch (f.from) {
          case 'key':
            row[i] = keyValues[f.i] ?? null;
            break;
          case 'value':
            row[i] = tombstone ? null : value![f.i] ?? null;
            break;
          case 'headers':
            row[i] = rec.headers.map((h) => ({ KEY: h.key, VALUE: h.value }));
            break;
          case 'header': {
            const found = rec.headers.filter((h) => h.key === f.key).at(-1);
            row[i] = found ? found.value : null;
            break;
          }
        }
      }
    }
    // pseudo columns live in the value, as in ksqlDB: a tombstone has none
    // with a TIMESTAMP column ROWTIME is the extracted time, set below (one BigInt, not two)
    row[base] = tombstone || extractsRowtime ? null : BigInt(rec.timestamp);
    row[base + 1] = tombstone ? null : rec.partition;
    row[base + 2] = tombstone ? null : rec.offset;
    if (bounds) {
      row[base + 3] = BigInt(bounds.start);
      row[base + 4] = BigInt(bounds.end);
    }
    let timestamp = rec.timestamp;
    if (extractTimestamp && !tombstone) {
      try {
        timestamp = extractTimestamp(row);
      } catch (e) {
        // ksql.timestamp.throw.on.invalid: a bad timestamp stops the query instead of skipping the record
        if (throwOnInvalidTimestamp)
          return {
            error: new ExecutionError(`Fatal user code error in TimestampExtractor callback for record ${rec.topic}-${rec.partition}@${rec.offset}: ${e instanceof Error ? e.message : String(e)}`, { topic: rec.topic, partition: rec.partition, offset: rec.offset }, { cause: e }),
            where: where(rec),
            fatal: true,
          };
        return { error: e, where: where(rec) };
      }
      // consecutive records often share a millisecond: one BigInt for them
      if (timestamp !== lastRowtime) {
        lastRowtime = timestamp;
        lastRowtimeBig = BigInt(timestamp);
      }
      row[base] = lastRowtimeBig;
    }
    dRow = row;
    dTimestamp = timestamp;
    dTombstone = tombstone;
    dNullKey = key === null;
    dBounds = bounds;
    return DECODED;
  };

  /** the record decodeRow read, with `row` */
  const record = (rec: FetchedRecord, row: unknown[]): Mutable<StreamRecord> => {
    // optional fields assigned rather than spread in: object spread is slow on this path
    const out: Mutable<StreamRecord> = { row, timestamp: dTimestamp, partition: rec.partition, offset: rec.offset, headers: rec.headers };
    if (dTombstone) out.tombstone = true;
    if (dNullKey) out.nullKey = true;
    if (dBounds) out.window = dBounds;
    return out;
  };

  /** the record as a row, or what went wrong (reported only when the record is processed) */
  const decode = (rec: FetchedRecord): Mutable<StreamRecord> | Failure | typeof SKIP => {
    const r = decodeRow(rec);
    return r === DECODED ? record(rec, dRow) : r;
  };

  const prefilter = options.prefilter;
  /** the row a prefiltered record is read into (copied when the record passes) */
  const scratch = new Array<unknown>(width);

  const report = (failure: Failure): void => {
    if (failure.fatal) throw failure.error;
    // the error policy decides: skip the record (default) or fail the query (logError throws)
    ctx.logError(step.id, failure.error, failure.where);
  };

  const entry = (rec: FetchedRecord) => {
    let decoded: Mutable<StreamRecord> | Failure | typeof SKIP | undefined;
    if (rec === aheadRec) {
      decoded = aheadDecoded;
      aheadRec = aheadDecoded = undefined;
    } else if (aheadCount > 0) {
      decoded = decodedAhead!.get(rec);
      if (decoded) {
        decodedAhead!.delete(rec);
        aheadCount--;
      }
    }
    if (decoded === undefined && prefilter !== undefined) {
      const r = decodeRow(rec, scratch);
      if (r === SKIP) return;
      if (r !== DECODED) return report(r);
      if (extractTimestamp && !dTombstone) ctx.observeTimestamp(dTimestamp);
      if (!prefilter(dRow, dTombstone)) return;
      return downstream(record(rec, dRow === scratch ? scratch.slice() : dRow));
    }
    decoded ??= decode(rec);
    if (decoded === SKIP) return;
    if ('error' in decoded) return report(decoded);
    if (extractTimestamp && !decoded.tombstone) ctx.observeTimestamp(decoded.timestamp);
    if (prefilter !== undefined && !prefilter(decoded.row, decoded.tombstone === true)) return;
    return downstream(decoded);
  };
  if (!decodedAhead) return entry;
  // decoded once: the row is kept for the processing; a record that cannot be read is picked at
  // its log timestamp and reported when processed
  const timestampOf = (rec: FetchedRecord): number => {
    if (rec === aheadRec) return aheadDecoded!.timestamp;
    const cached = aheadCount > 0 ? decodedAhead.get(rec) : undefined;
    if (cached) return cached.timestamp;
    const decoded = decode(rec);
    if (decoded === SKIP || 'error' in decoded) return rec.timestamp;
    if (aheadRec !== undefined) {
      // a record decoded ahead before the last one was processed: it waits in the WeakMap
      decodedAhead.set(aheadRec, aheadDecoded!);
      aheadCount++;
    }
    aheadRec = rec;
    aheadDecoded = decoded;
    return decoded.timestamp;
  };
  return Object.assign(entry, { timestampOf });
}
