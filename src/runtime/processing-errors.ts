/**
 * The one handler every record-level failure goes through (Kafka Streams' deserialization and
 * production exception handlers, ksqlDB's processing logger): it builds a JSON-safe processing-log
 * entry, hands it on, and then applies the policy for the error's type: log and continue (the
 * record is skipped) or fail (a ProcessingFailure is thrown, which stops the query).
 *
 * Policies follow ksqlDB's settings:
 * - DESERIALIZATION_ERROR: `ksql.fail.on.deserialization.error` (default false: log and skip)
 * - PRODUCTION_ERROR: `ksql.fail.on.production.error` (default true: the query fails)
 * - RECORD_PROCESSING_ERROR (an expression or function failing for one record) and
 *   SERIALIZATION_ERROR: always logged and skipped, as ksqlDB does
 * - QUERY_ERROR: the entry written when a query stops; it is already failing
 */
import { ExecutionError } from '../common/errors.js';
import type { ProcessingErrorType, ProcessingErrorWhere, ProcessingLogEntry } from './processor.js';

export type ErrorPolicy = 'continue' | 'fail';

export const FAIL_ON_DESERIALIZATION_ERROR = 'ksql.fail.on.deserialization.error';
export const FAIL_ON_PRODUCTION_ERROR = 'ksql.fail.on.production.error';
/** include the record (base64 bytes for a deserialization error) in processing-log entries */
export const PROCESSING_LOG_ROWS_INCLUDE = 'ksql.logging.processing.rows.include';

const flag = (config: ReadonlyMap<string, string>, name: string, fallback: boolean): boolean => {
  const v = config.get(name) ?? config.get(name.replace(/^ksql\./, 'ksql.streams.'));
  return v === undefined ? fallback : v.trim().toLowerCase() === 'true';
};

export function errorPolicies(config: ReadonlyMap<string, string>): Readonly<Record<ProcessingErrorType, ErrorPolicy>> {
  return {
    DESERIALIZATION_ERROR: flag(config, FAIL_ON_DESERIALIZATION_ERROR, false) ? 'fail' : 'continue',
    PRODUCTION_ERROR: flag(config, FAIL_ON_PRODUCTION_ERROR, true) ? 'fail' : 'continue',
    RECORD_PROCESSING_ERROR: 'continue',
    SERIALIZATION_ERROR: 'continue',
    QUERY_ERROR: 'continue',
  };
}

/** Thrown by the handler when a policy says fail: the query stops with this as its cause. */
export class ProcessingFailure extends ExecutionError {
  constructor(readonly entry: ProcessingLogEntry, options?: { cause?: unknown }) {
    super(entry.message, { queryId: entry.queryId, ...(entry.topic !== undefined ? { topic: entry.topic } : {}), ...(entry.partition !== undefined ? { partition: entry.partition } : {}), ...(entry.offset !== undefined ? { offset: BigInt(entry.offset) } : {}) }, options);
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The error's messages, outermost first, following `cause` (ksqlDB's CAUSE list). */
function causes(error: unknown): string[] {
  const out: string[] = [];
  let e: unknown = error instanceof Error ? error.cause : undefined;
  while (e !== undefined && e !== null && out.length < 10) {
    out.push(messageOf(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return out;
}

/** A JSON-safe entry: no bigint, no Buffer, no Error object. */
export function processingLogEntry(queryId: string, step: string, error: unknown, where: ProcessingErrorWhere = {}, includeRows = false): ProcessingLogEntry {
  const type = where.type ?? 'RECORD_PROCESSING_ERROR';
  return {
    queryId,
    step,
    type,
    message: messageOf(error),
    cause: causes(error),
    ...(where.topic !== undefined ? { topic: where.topic } : {}),
    ...(where.partition !== undefined ? { partition: where.partition } : {}),
    ...(where.offset !== undefined ? { offset: Number(where.offset) } : {}),
    ...(where.target !== undefined ? { target: where.target } : {}),
    ...(includeRows && where.record ? { recordBase64: Buffer.from(where.record).toString('base64') } : {}),
    time: Date.now(),
  };
}

/**
 * Builds the handler for one query: `report` receives every entry; the returned function throws
 * a ProcessingFailure after reporting when the entry's policy is fail.
 */
export function processingErrorHandler(
  queryId: string,
  config: ReadonlyMap<string, string>,
  report: (entry: ProcessingLogEntry) => void,
): (step: string, error: unknown, where?: ProcessingErrorWhere) => void {
  const policies = errorPolicies(config);
  const includeRows = flag(config, PROCESSING_LOG_ROWS_INCLUDE, false);
  return (step, error, where) => {
    const entry = processingLogEntry(queryId, step, error, where, includeRows);
    report(entry);
    if (policies[entry.type] === 'fail') throw new ProcessingFailure(entry, { cause: error });
  };
}
