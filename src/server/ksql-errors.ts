/**
 * ksqlDB's error bodies: `{"@type": "statement_error"|"generic_error", "error_code", "message",
 * "statementText", "entities"}`. `error_code` is the HTTP status times 100 plus a detail digit, as
 * ksqlDB's Errors class numbers them. Internal errors never carry a stack or a secret: the message
 * of a non-Sluice error is replaced by a fixed text (the detail goes to the server's log only).
 */
import { isSluiceError } from '../index.js';

export const ErrorCodes = {
  badRequest: 40000,
  badStatement: 40001,
  queryEndpoint: 40002,
  unauthorized: 40100,
  forbidden: 40300,
  notFound: 40400,
  payloadTooLarge: 41300,
  unsupportedMediaType: 41500,
  serverError: 50000,
  serverShuttingDown: 50300,
} as const;

export interface KsqlErrorBody {
  readonly '@type': 'statement_error' | 'generic_error';
  readonly error_code: number;
  readonly message: string;
  readonly statementText?: string;
  readonly entities?: readonly unknown[];
  /** Sluice's own detail (error class, position), which the remote REPL uses to show errors as the embedded one does */
  readonly sluice?: SluiceErrorDetail;
}

export interface SluiceErrorDetail {
  readonly name: string;
  readonly detail?: string;
  readonly position?: { line: number; column: number; offset: number };
}

function errorDetail(e: Error): SluiceErrorDetail {
  const { detail, position } = e as { detail?: string; position?: { line: number; column: number; offset: number } };
  return { name: e.name, ...(detail !== undefined ? { detail } : {}), ...(position ? { position: { line: position.line, column: position.column, offset: position.offset } } : {}) };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: KsqlErrorBody,
  ) {
    super(body.message);
  }
}

export function genericError(status: number, errorCode: number, message: string): HttpError {
  return new HttpError(status, { '@type': 'generic_error', error_code: errorCode, message });
}

export function statementError(errorCode: number, message: string, statementText: string, entities: readonly unknown[] = []): HttpError {
  return new HttpError(errorCode === ErrorCodes.forbidden ? 403 : Math.floor(errorCode / 100), {
    '@type': 'statement_error',
    error_code: errorCode,
    message,
    statementText,
    entities,
  });
}

/** A failed statement's error body: a Sluice error's message, or a fixed text for anything internal. */
export function statementFailure(e: unknown, statementText: string, entities: readonly unknown[], logInternal: (e: unknown) => void): HttpError {
  if (e instanceof HttpError) return e;
  if (isSluiceError(e)) {
    const err = statementError(ErrorCodes.badStatement, e.message, statementText, entities);
    return new HttpError(err.status, { ...err.body, sluice: errorDetail(e) });
  }
  logInternal(e);
  return new HttpError(500, { '@type': 'statement_error', error_code: ErrorCodes.serverError, message: 'internal server error (see the server log)', statementText, entities });
}

/** Any failure outside a statement as a generic error body. */
export function requestFailure(e: unknown, logInternal: (e: unknown) => void): HttpError {
  if (e instanceof HttpError) return e;
  if (isSluiceError(e)) return genericError(400, ErrorCodes.badRequest, e.message);
  logInternal(e);
  return genericError(500, ErrorCodes.serverError, 'internal server error (see the server log)');
}
