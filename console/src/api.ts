/** Talking to the server: credentials on every request, ksqlDB's endpoints, and the console's own. */

const AUTH_KEY = 'sluice.console.auth';

export function authHeader(): string | null {
  return sessionStorage.getItem(AUTH_KEY);
}

export function setCredentials(user: string, password: string, apiKey: string): void {
  if (apiKey) sessionStorage.setItem(AUTH_KEY, `Bearer ${apiKey}`);
  else sessionStorage.setItem(AUTH_KEY, `Basic ${btoa(unescape(encodeURIComponent(`${user}:${password}`)))}`);
}

export function signOut(): void {
  sessionStorage.removeItem(AUTH_KEY);
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: any,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  // Sluice's own clients ask for the `sluice` detail (positions, tables) ksqlDB's clients never see
  const h: Record<string, string> = { 'x-sluice-detail': '1', ...extra };
  const auth = authHeader();
  if (auth) h.authorization = auth;
  return h;
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  const message = typeof body === 'object' && body ? (body.message ?? body.error ?? text) : text || res.statusText;
  return new ApiError(String(message), res.status, body);
}

export async function getJson<T = any>(path: string): Promise<T> {
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function postJson<T = any>(path: string, body: unknown, extra: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: headers({ 'content-type': 'application/json', ...extra }), body: JSON.stringify(body) });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Runs statements (not SELECT/PRINT) through /ksql; answers ksqlDB's entities. */
export function ksql(text: string, streamsProperties: Record<string, string>): Promise<any[]> {
  return postJson('/ksql', { ksql: text, streamsProperties }, { accept: 'application/vnd.ksql.v1+json' });
}

export interface PushHeader {
  queryId?: string;
  columnNames: string[];
  columnTypes: string[];
}

/**
 * A push query over /query-stream (delimited lines): header, then rows as they come. Resolves when
 * the query ends (LIMIT, stop, server gone); `stop()` closes it on the server and the stream.
 */
export function pushQuery(sql: string, properties: Record<string, string>, on: { header(h: PushHeader): void; rows(rows: unknown[][]): void; error(message: string): void }): { done: Promise<void>; stop(): Promise<void> } {
  const abort = new AbortController();
  let queryId: string | undefined;
  const done = (async () => {
    const res = await fetch('/query-stream', { method: 'POST', signal: abort.signal, headers: headers({ 'content-type': 'application/json', accept: 'application/vnd.ksqlapi.delimited.v1' }), body: JSON.stringify({ sql, properties }) });
    if (!res.ok) throw await failure(res);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    let first = true;
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffered += decoder.decode(value, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        const rows: unknown[][] = [];
        for (const line of lines) {
          if (!line.trim()) continue;
          const item = JSON.parse(line);
          if (first) {
            first = false;
            queryId = item.queryId;
            on.header(item as PushHeader);
          } else if (Array.isArray(item)) rows.push(item);
          else if (item && typeof item === 'object' && item.message) on.error(String(item.message));
        }
        // a batch of rows per network chunk: the grid renders once per batch
        if (rows.length) on.rows(rows);
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  })();
  return {
    done,
    stop: async () => {
      if (queryId) await postJson('/close-query', { queryId }).catch(() => undefined);
      abort.abort();
    },
  };
}

/** A pull query: header and all rows. */
export async function pullQuery(sql: string, properties: Record<string, string>): Promise<{ header: PushHeader; rows: unknown[][] }> {
  const res = await fetch('/query-stream', { method: 'POST', headers: headers({ 'content-type': 'application/json', accept: 'application/json' }), body: JSON.stringify({ sql, properties }) });
  if (!res.ok) throw await failure(res);
  const [header, ...rows] = (await res.json()) as [PushHeader, ...unknown[][]];
  return { header, rows };
}

/** PRINT through /query: the printed lines. */
export async function print(sql: string, properties: Record<string, string>): Promise<string> {
  const res = await fetch('/query', { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify({ ksql: sql, streamsProperties: properties }) });
  if (!res.ok) throw await failure(res);
  return res.text();
}

/** Any method with an optional JSON body (Connect's REST API uses PUT and empty answers). */
export async function sendJson<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}
