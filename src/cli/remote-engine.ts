/**
 * The CLI's session engine over a `sluice server` (`sluice --server URL`): statements go to
 * POST /ksql, pull queries and PRINT to /query-stream and /query, push queries stream from
 * /query-stream and end with /close-query. Results come back as the embedded engine gives them
 * (the server's entities carry the engine's result in their `sluice` field; rows are turned back
 * into runtime values by column type), so the printer shows the same output either way.
 * SET/UNSET stay in this session (as ksqlDB's CLI keeps them) and go with every request.
 *
 * Credentials: SLUICE_USER + SLUICE_PASSWORD (Basic) or SLUICE_API_KEY (bearer), from the
 * environment so they never sit in the process list; SLUICE_CA names a CA file for TLS.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { CatalogError, ExecutionError, ParseError, PlanError, formatResultValue, parseStatements, parseType, resolveType } from '../index.js';
import type { PushQuery, ResultColumn, Row, RowChange, SqlType, StatementResult, ast } from '../index.js';
import type { CompletionNames } from './completer.js';

function toRow(columns: readonly ResultColumn[], values: readonly unknown[]): Row {
  return Object.fromEntries(columns.map((c, i) => [c.name, values[i] ?? null]));
}

/** how long completion names fetched from the server are reused */
const NAMES_KEPT_MS = 2000;

export interface RemoteOptions {
  readonly url: string;
  readonly properties?: Record<string, string>;
  readonly env?: NodeJS.ProcessEnv;
}

interface ErrorBody {
  readonly message?: string;
  readonly error_code?: number;
  readonly sluice?: { name: string; detail?: string; position?: { line: number; column: number; offset: number } };
}

/** The text a statement is sent as: blanks before it keep its line:column (and so error positions) as in the input. */
function positioned(parsed: ast.ParsedStatement): string {
  const { line, column, offset } = parsed.pos;
  const lead = Math.max(0, offset - (line - 1) - (column - 1));
  return ' '.repeat(lead) + '\n'.repeat(line - 1) + ' '.repeat(column - 1) + parsed.text;
}

/** A JSON value back to the engine's runtime representation for its type. */
function fromJson(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'BIGINT':
      return typeof v === 'number' || typeof v === 'string' ? BigInt(v) : v;
    case 'DECIMAL':
      return new Decimal(v as number);
    case 'BYTES':
      return Buffer.from(String(v), 'base64');
    case 'ARRAY':
      return (v as unknown[]).map((x) => fromJson(x, type.element));
    case 'MAP':
      return new Map(Object.entries(v as object).map(([k, x]) => [k, fromJson(x, type.value)]));
    case 'STRUCT':
      return Object.fromEntries(type.fields.map((f) => [f.name, fromJson((v as Record<string, unknown>)[f.name], f.type)]));
    default:
      return v;
  }
}

/** A JSON body's numbers as text, so BIGINT and DECIMAL keep every digit (JSON.parse would round them). */
function parseExact(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _k: string, v: unknown, context?: { source?: string }) {
    return typeof v === 'number' && context?.source && !Number.isSafeInteger(v) && /[.eE]|\d{16,}/.test(context.source) ? context.source : v;
  } as (this: unknown, k: string, v: unknown) => unknown);
}

/** A column type as the server names it (custom types arrive resolved) */
function typeOf(text: string): SqlType {
  return resolveType(parseType(text), () => undefined);
}

export class RemoteEngine {
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly agent: http.Agent;
  private readonly properties = new Map<string, string>();

  constructor(options: RemoteOptions) {
    const env = options.env ?? process.env;
    this.base = new URL(options.url);
    // the server adds its engine's own result and error detail for clients that ask (x-sluice-detail)
    this.headers = { 'content-type': 'application/vnd.ksql.v1+json', accept: 'application/vnd.ksql.v1+json', 'x-sluice-detail': '1' };
    if (env.SLUICE_API_KEY) this.headers.authorization = `Bearer ${env.SLUICE_API_KEY}`;
    else if (env.SLUICE_USER) this.headers.authorization = `Basic ${Buffer.from(`${env.SLUICE_USER}:${env.SLUICE_PASSWORD ?? ''}`).toString('base64')}`;
    const tls = this.base.protocol === 'https:';
    this.agent = tls ? new https.Agent({ keepAlive: true, ...(env.SLUICE_CA ? { ca: readFileSync(env.SLUICE_CA) } : {}) }) : new http.Agent({ keepAlive: true });
    for (const [k, v] of Object.entries(options.properties ?? {})) this.properties.set(k, v);
  }

  private names: { readonly at: number; readonly value: Promise<CompletionNames> } | undefined;

  /**
   * Tab completion's names from the server: sources and their columns (SHOW ... EXTENDED), functions,
   * properties and variables, in one /ksql request, kept for a moment so typing stays quick.
   */
  completionNames(): Promise<CompletionNames> {
    if (this.names && Date.now() - this.names.at < NAMES_KEPT_MS) return this.names.value;
    const value = this.fetchNames();
    this.names = { at: Date.now(), value };
    value.catch(() => (this.names = undefined));
    return value;
  }

  private async fetchNames(): Promise<CompletionNames> {
    const { status, text } = await this.request('POST', '/ksql', { ksql: 'SHOW STREAMS EXTENDED; SHOW TABLES EXTENDED; SHOW FUNCTIONS; SHOW PROPERTIES; SHOW VARIABLES;', streamsProperties: this.props() });
    if (status !== 200) throw this.failure(status, text, undefined);
    type Entity = { sourceDescriptions?: { name: string; fields: { name: string }[] }[]; sluice?: { table?: { rows: readonly (readonly string[])[] } } };
    const [streams, tables, functions, properties, variables] = JSON.parse(text) as Entity[];
    const described = [...(streams?.sourceDescriptions ?? []), ...(tables?.sourceDescriptions ?? [])];
    const firstColumn = (e: Entity | undefined) => e?.sluice?.table?.rows.map((r) => r[0]!) ?? [];
    return {
      sources: described.map((d) => d.name),
      columns: described.flatMap((d) => d.fields.map((f) => f.name)),
      functions: firstColumn(functions),
      properties: firstColumn(properties),
      variables: firstColumn(variables),
    };
  }

  /** Checks the server answers (and accepts the credentials). */
  async connect(): Promise<void> {
    const { status, text } = await this.request('GET', '/info');
    if (status !== 200) throw this.failure(status, text, undefined);
  }

  parse(sql: string): ast.ParsedStatement[] {
    return parseStatements(sql);
  }

  async executeStatement(parsed: ast.ParsedStatement): Promise<StatementResult> {
    const stmt = parsed.statement;
    if (stmt.kind === 'SetProperty') {
      this.properties.set(stmt.name, stmt.value);
      return { kind: stmt.kind, statement: parsed.text, message: `Successfully changed local property '${stmt.name}' to '${stmt.value}'.` };
    }
    if (stmt.kind === 'UnsetProperty') {
      this.properties.delete(stmt.name);
      return { kind: stmt.kind, statement: parsed.text, message: `Successfully unset local property '${stmt.name}'.` };
    }
    if (stmt.kind === 'QueryStatement') return this.pull(parsed);
    if (stmt.kind === 'Print') {
      const { status, text } = await this.request('POST', '/query', { ksql: positioned(parsed), streamsProperties: this.props() });
      if (status !== 200) throw this.failure(status, text, parsed);
      return { kind: stmt.kind, statement: parsed.text, message: text.replace(/\n$/, '') };
    }
    const { status, text } = await this.request('POST', '/ksql', { ksql: positioned(parsed), streamsProperties: this.props() });
    if (status !== 200) throw this.failure(status, text, parsed);
    const entities = JSON.parse(text) as { sluice?: Omit<StatementResult, 'statement'> }[];
    const own = entities[0]?.sluice;
    // INSERT VALUES answers no entity, as in ksqlDB
    if (!own) return { kind: stmt.kind, statement: parsed.text, message: stmt.kind === 'InsertValues' ? `Inserted 1 row into ${stmt.target.toUpperCase()}` : '' };
    return { ...own, statement: parsed.text };
  }

  private async pull(parsed: ast.ParsedStatement): Promise<StatementResult> {
    const { status, text } = await this.request('POST', '/query-stream', { sql: positioned(parsed), properties: this.props() }, { accept: 'application/json' });
    if (status !== 200) throw this.failure(status, text, parsed);
    const [header, ...rows] = parseExact(text) as [{ columnNames: string[]; columnTypes: string[] }, ...unknown[][]];
    const types = header.columnTypes.map((t) => typeOf(t));
    const n = rows.length;
    return {
      kind: 'QueryStatement',
      statement: parsed.text,
      message: `${n} row${n === 1 ? '' : 's'}`,
      table: { columns: header.columnNames, rows: rows.map((r) => r.map((v, i) => formatResultValue(fromJson(v, types[i]!)))) },
    };
  }

  async query(sql: string, options: { signal?: AbortSignal } = {}): Promise<PushQuery> {
    const hasLimit = (() => {
      try {
        const [s] = parseStatements(sql);
        return s?.statement.kind === 'QueryStatement' && s.statement.query.limit !== undefined;
      } catch {
        return false;
      }
    })();
    const res = await this.open('/query-stream', { sql, properties: this.props() }, { accept: 'application/vnd.ksqlapi.delimited.v1' });
    const lines = this.lines(res);
    const first = await lines.next();
    if (res.statusCode !== 200 || first.done) {
      const rest: string[] = first.done ? [] : [first.value];
      for await (const l of lines) rest.push(l);
      throw this.failure(res.statusCode ?? 0, rest.join('\n'), undefined);
    }
    const header = JSON.parse(first.value) as { queryId: string; columnNames: string[]; columnTypes: string[] };
    const columns: ResultColumn[] = header.columnNames.map((name, i) => ({ name, type: typeOf(header.columnTypes[i]!) }));
    let closedByUs = false;
    let endedResolve!: (why: 'limit' | 'closed' | 'failed') => void;
    const ended = new Promise<'limit' | 'closed' | 'failed'>((r) => (endedResolve = r));
    const close = async () => {
      if (closedByUs) return;
      closedByUs = true;
      // ksqlDB's way; closing the stream alone would end it too
      await this.request('POST', '/close-query', { queryId: header.queryId }).catch(() => undefined);
      res.destroy();
    };
    const onAbort = () => void close();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let failure: Error | undefined;
    const self = this;
    async function* changes(): AsyncGenerator<RowChange> {
      try {
        for await (const line of lines) {
          const value = parseExact(line);
          if (!Array.isArray(value)) {
            failure = self.failure(500, line, undefined);
            break;
          }
          yield { values: value.map((v, i) => fromJson(v, columns[i]!.type)), tombstone: false };
        }
      } catch (e) {
        if (!closedByUs) failure = e as Error;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        endedResolve(closedByUs ? 'closed' : failure ? 'failed' : hasLimit ? 'limit' : 'closed');
        if (!closedByUs) res.destroy();
      }
      if (failure) throw failure;
    }
    const iterator = changes();
    return {
      queryId: header.queryId,
      columns,
      changes: () => iterator,
      // rows arrive through the iterator only; nothing is held back to hand out at once
      takeReady: () => [],
      close,
      ended,
      [Symbol.asyncIterator]: async function* () {
        for await (const c of iterator) yield toRow(columns, c.values);
      },
    } as PushQuery;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private props(): Record<string, string> {
    return Object.fromEntries(this.properties);
  }

  private async *lines(res: http.IncomingMessage): AsyncGenerator<string> {
    let buffered = '';
    res.setEncoding('utf8');
    for await (const chunk of res) {
      buffered += chunk as string;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) yield line;
      }
    }
    if (buffered.trim()) yield buffered;
  }

  private open(path: string, body: unknown, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
    const lib = this.base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(new URL(path, this.base), { method: 'POST', agent: this.agent, headers: { ...this.headers, ...headers } }, resolve);
      req.on('error', (e) => reject(new ExecutionError(`cannot reach the server at ${this.base.origin}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      req.end(JSON.stringify(body));
    });
  }

  private async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const lib = this.base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(new URL(path, this.base), { method, agent: this.agent, headers: { ...this.headers, ...headers } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', (e) => reject(new ExecutionError(`cannot reach the server at ${this.base.origin}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** The server's error body as the error the embedded engine would have thrown (so it prints alike). */
  private failure(status: number, text: string, parsed: ast.ParsedStatement | undefined): Error {
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      body = { message: text || `HTTP ${status}` };
    }
    const message = body.message ?? `HTTP ${status}`;
    if (status === 401) return new ExecutionError(`the server refused the credentials (401 ${message}): set SLUICE_USER and SLUICE_PASSWORD, or SLUICE_API_KEY`);
    const own = body.sluice;
    let e: Error;
    if (own?.name === 'ParseError') e = new ParseError(message, own.position, parsed?.text ?? '');
    else if (own?.position && own.detail !== undefined) {
      e = own.name === 'CatalogError' ? new CatalogError(own.detail, own.position) : new PlanError(own.detail, own.position);
      e.message = message;
    } else e = new ExecutionError(message);
    return e;
  }
}

