/** The large-stack parser thread (see deep-parse.ts). */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { ParseError } from '../common/errors.js';
import type { DeepParseReply, DeepParseRequest } from './deep-parse.js';
import { parseInThisThread } from './parse.js';

parentPort!.on('message', ({ request, port, done }: { request: DeepParseRequest; port: MessagePort; done: Int32Array }) => {
  let reply: DeepParseReply;
  try {
    reply = { result: parseInThisThread(request) };
  } catch (e) {
    reply =
      e instanceof ParseError
        ? { parseError: { message: e.message, position: e.position, sql: e.sql, token: e.token, expected: e.expected ? [...e.expected] : undefined } }
        : { failure: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
