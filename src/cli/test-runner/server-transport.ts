/**
 * REST conformance cases through `sluice server`: a RestServer on the case's engine listens on a
 * free port and the case's statements go to POST /ksql and its queries to POST /query over real
 * HTTP, their answers read as a client reads them. A statement_error answer becomes a SluiceError
 * with the server's message (as the engine's error would be); an internal error stays internal.
 */
import http from 'node:http';
import { ExecutionError } from '../../index.js';
import type { Engine } from '../../index.js';
import { RestServer } from '../../server/rest-server.js';

type Response = Record<string, unknown>;

export class ServerTransport {
  private constructor(
    private readonly server: RestServer,
    private readonly url: string,
  ) {}

  static async start(engine: Engine): Promise<ServerTransport> {
    const server = new RestServer({ engine, listen: 'http://127.0.0.1:0', log: () => {} });
    return new ServerTransport(server, await server.listen());
  }

  async statement(sql: string): Promise<Response[]> {
    const { status, text } = await this.post('/ksql', { ksql: sql, streamsProperties: {} });
    const body = JSON.parse(text) as Response | Response[];
    if (status !== 200) throw failure(body as Response);
    return body as Response[];
  }

  /**
   * A query's answer lines (header, rows, finalMessage). `afterHeader` runs once the header is
   * in; a query without LIMIT is read until `idle` resolves and then closed, as a client would.
   */
  query(sql: string, afterHeader: () => Promise<void>, idle: () => Promise<unknown>): Promise<Response[]> {
    return new Promise((resolve, reject) => {
      const req = http.request(new URL('/query', this.url), { method: 'POST', headers: { 'content-type': 'application/vnd.ksql.v1+json' }, agent: false }, (res) => {
        let text = '';
        let headerSeen = false;
        let settled = false;
        const done = () => {
          if (settled) return;
          settled = true;
          try {
            const body = JSON.parse(res.statusCode === 200 ? closeArray(text) : text) as Response | Response[];
            if (res.statusCode !== 200) return reject(failure(body as Response));
            resolve(body as Response[]);
          } catch (e) {
            reject(e);
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (!headerSeen && res.statusCode === 200 && text.includes('"header"')) {
            headerSeen = true;
            void afterHeader()
              .then(() => (/LIMIT\s+\d+/i.test(sql) || !/EMIT\s+CHANGES/i.test(sql) ? undefined : idle()))
              .then(() => {
                if (/EMIT\s+CHANGES/i.test(sql) && !/LIMIT\s+\d+/i.test(sql)) {
                  done();
                  req.destroy();
                }
              }, reject);
          }
        });
        res.on('end', done);
        res.on('error', () => done());
      });
      req.on('error', (e) => (/socket hang up|aborted/.test(e.message) ? undefined : reject(e)));
      req.end(JSON.stringify({ ksql: sql, streamsProperties: {} }));
    });
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private post(path: string, body: unknown): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(path, this.url), { method: 'POST', headers: { 'content-type': 'application/vnd.ksql.v1+json' }, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }
}

/** a stream read part way: its array closed after the last complete line */
function closeArray(text: string): string {
  const trimmed = text.trimEnd();
  if (trimmed.endsWith(']')) return trimmed;
  return `${trimmed.replace(/,$/, '')}]`;
}

function failure(body: Response): Error {
  const message = String(body.message ?? JSON.stringify(body));
  return body.error_code === 50000 ? new Error(message) : new ExecutionError(message);
}
