/** Real HTTP/1.1 and HTTP/2 requests for the server tests (node:http, node:https, node:http2). */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';

export type Protocol = 'h1' | 'h2';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface Options {
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** TLS: trust this certificate */
  readonly ca?: string | Buffer;
  /** called with each chunk as it arrives; return true to stop reading (the request is closed) */
  readonly onChunk?: (soFar: string) => boolean;
}

export function request(protocol: Protocol, base: string, path: string, options: Options = {}): Promise<Reply> {
  return protocol === 'h1' ? request1(base, path, options) : request2(base, path, options);
}

function request1(base: string, path: string, options: Options): Promise<Reply> {
  const url = new URL(path, base);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      { method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'), headers: { 'content-type': 'application/vnd.ksql.v1+json', ...options.headers }, ...(options.ca ? { ca: options.ca } : {}), agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          if (options.onChunk?.(text)) {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function request2(base: string, path: string, options: Options): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(base, options.ca ? { ca: options.ca } : {});
    session.on('error', reject);
    const req = session.request({
      ':method': options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      ':path': path,
      'content-type': 'application/vnd.ksql.v1+json',
      ...options.headers,
    });
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let text = '';
    req.on('response', (h) => {
      status = Number(h[':status']);
      headers = h as Record<string, string | string[] | undefined>;
    });
    req.setEncoding('utf8');
    const finish = () => {
      session.close();
      resolve({ status, headers, text });
    };
    req.on('data', (c: string) => {
      text += c;
      if (options.onChunk?.(text)) {
        req.close();
        finish();
      }
    });
    req.on('end', finish);
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export const json = (r: Reply): unknown => JSON.parse(r.text);
