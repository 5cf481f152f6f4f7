/**
 * Parses deeply nested statements on a worker thread with a large stack, synchronously (the
 * caller blocks on Atomics.wait until the worker answers), so nesting up to MAX_NESTING parses
 * whatever stack the calling thread has left. Only statements deeper than MAIN_THREAD_NESTING come
 * here; the worker starts on first use and does not keep the process alive.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { ParseError, type SourcePosition } from '../common/errors.js';

export interface DeepParseRequest {
  readonly rule: 'statement' | 'testStatement' | 'expression' | 'type';
  /** the text the offsets count in */
  readonly text: string;
  /** offsets of the statement's first character and one past its last (before any `;`) */
  readonly start: number;
  readonly end: number;
  /** offset of the `;` ending the statement, if any */
  readonly terminator?: number;
  /** the statement's text, for the error message */
  readonly statement?: string;
}

export type DeepParseReply =
  | { readonly result: unknown }
  | { readonly parseError: { message: string; position?: SourcePosition; sql: string; token?: string; expected?: string[] } }
  | { readonly failure: string };

const STACK_MB = 256;
const TIMEOUT_MS = 30_000;

let worker: Worker | undefined;

export function parseOnLargeStack(request: DeepParseRequest): unknown {
  if (!worker) {
    worker = new Worker(new URL('./deep-parse-worker.js', import.meta.url), { resourceLimits: { stackSizeMb: STACK_MB } });
    worker.unref();
    worker.on('error', () => (worker = undefined));
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    worker.postMessage({ request, port: port2, done }, [port2]);
    Atomics.wait(done, 0, 0, TIMEOUT_MS);
    const reply = receiveMessageOnPort(port1)?.message as DeepParseReply | undefined;
    if (!reply) {
      void worker.terminate();
      worker = undefined;
      throw new Error('the large-stack parser did not answer');
    }
    if ('parseError' in reply) {
      const e = reply.parseError;
      throw new ParseError(e.message, e.position, e.sql, e.token, e.expected);
    }
    if ('failure' in reply) throw new Error(reply.failure);
    return reply.result;
  } finally {
    port1.close();
  }
}
