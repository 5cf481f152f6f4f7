/** Errors of the Connect worker, each with the HTTP status Kafka Connect's REST API gives it. */
import { SluiceError } from '../../common/errors.js';

export class ConnectError extends SluiceError {
  readonly phase = 'execution' as const;
  constructor(
    message: string,
    /** Connect's error_code: 400 bad request, 404 not found, 409 conflict (rebalance/state), 500 */
    readonly status: number = 500,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (message: string): ConnectError => new ConnectError(message, 404);
export const badRequest = (message: string): ConnectError => new ConnectError(message, 400);
export const conflict = (message: string): ConnectError => new ConnectError(message, 409);

export { RetriableError } from '../api/errors.js';

/** the error errors.tolerance=none raises when a stage fails (Connect's ConnectException text) */
export class ToleranceExceededError extends Error {
  override readonly name = 'ToleranceExceededError';
}

/** Connect's trace: the error with its causes, as the status' `trace` field shows it */
export function traceOf(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  while (cur && parts.length < 5) {
    parts.push(cur instanceof Error ? (cur.stack ?? `${cur.name}: ${cur.message}`) : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
    if (cur) parts.push('Caused by: ');
  }
  return parts.join('\n').replace(/Caused by: \n/g, 'Caused by: ');
}
