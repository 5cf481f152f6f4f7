/**
 * ksqlDB's REST API over one engine, on fastify. One port serves HTTP/1.1 and cleartext HTTP/2
 * (and, with a key and certificate, both over TLS), through @httptoolkit/httpolyglot, which also
 * forwards `upgrade` for the /ws/query websocket (ws).
 *
 *   POST /ksql            statements -> entities (ksqlDB's response objects and error bodies)
 *   POST /query           a query as a chunked JSON array (header, rows, finalMessage)
 *   POST /query-stream    a query: header then rows, delimited lines or a JSON array
 *   POST /inserts-stream  a target line then a row per line; an ack line per row
 *   POST /close-query     ends a push query by id
 *   GET  /info /healthcheck /status[/type/entity/action] /clusterStatus, WS /ws/query
 *
 * Streams wait for a slow client to drain up to `slowClientMs`, then drop it (its query ends);
 * everyone else keeps being served. `close()` ends push queries, finishes in-flight inserts and
 * closes the engine.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import * as httpolyglot from '@httptoolkit/httpolyglot';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { LocatedError, formatSqlType, isSluiceError, parseStatement } from '../index.js';
import type { Engine, PushQuery, ResultColumn, ast } from '../index.js';
import { ANONYMOUS, changesSomething, mayRun, type Authenticator, type Principal } from './auth.js';
import type { AuditLog } from './audit-log.js';
import { commandIdFor, toEntity } from './entities.js';
import { registerConnectRoutes } from './connect-routes.js';
import { jsonText, rowJson } from './json-body.js';
import { ErrorCodes, HttpError, genericError, requestFailure, statementError, statementFailure } from './ksql-errors.js';

export interface RestServerOptions {
  readonly engine: Engine;
  /** http://host:port or https://host:port (https needs `tls`) */
  readonly listen: string;
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** when set, every request needs valid credentials */
  readonly auth?: Authenticator;
  readonly audit?: AuditLog;
  /** the largest request body accepted (bytes); /inserts-stream: the largest line */
  readonly maxBodyBytes?: number;
  /** how long a client may leave a stream unread before it is dropped */
  readonly slowClientMs?: number;
  /** the server's log (never given a secret) */
  readonly log?: (line: string) => void;
}

const KSQL_V1 = 'application/vnd.ksql.v1+json';
const DELIMITED = 'application/vnd.ksqlapi.delimited.v1';
const VERSION = '0.29.0-sluice';

interface RunningQuery {
  readonly query: PushQuery;
  readonly principal: string;
}

/** ksqlDB's header schema text: `NAME` TYPE [KEY], ... */
function schemaText(columns: readonly ResultColumn[]): string {
  return columns.map((c) => `\`${c.name}\` ${formatSqlType(c.type)}${c.key ? ' KEY' : ''}`).join(', ');
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return VERSION;
  }
}

/** The client's address; an HTTP/2 stream's socket proxy may not carry it, its session's socket does. */
function sourceAddress(req: FastifyRequest): string {
  const raw = req.raw as IncomingMessage & { stream?: { session?: { socket?: Socket & { stream?: Socket } } } };
  const session = raw.stream?.session?.socket;
  return req.ip ?? raw.socket?.remoteAddress ?? session?.remoteAddress ?? session?.stream?.remoteAddress ?? 'unknown';
}

export class RestServer {
  readonly app: FastifyInstance;
  private readonly engine: Engine;
  private readonly running = new Map<string, RunningQuery>();
  private readonly inFlightInserts = new Set<Promise<unknown>>();
  private readonly sockets = new Set<Socket>();
  private readonly commandStatuses = new Map<string, { status: string; message: string }>();
  private commandSequenceNumber = 0;
  private pullQueries = 0;
  /** statements run one at a time, as ksqlDB's command runner does */
  private statementTail: Promise<unknown> = Promise.resolve();
  private readonly wss = new WebSocketServer({ noServer: true });
  private closing = false;
  private readonly log: (line: string) => void;
  private readonly slowClientMs: number;
  private address = '';

  constructor(private readonly options: RestServerOptions) {
    this.engine = options.engine;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.slowClientMs = options.slowClientMs ?? 30_000;
    const bodyLimit = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.app = Fastify({
      bodyLimit,
      logger: false,
      // a client's own socket errors end its request only
      serverFactory: (handler) => {
        const server = httpolyglot.createServer(options.tls ? { tls: { key: options.tls.key, cert: options.tls.cert, ALPNProtocols: ['h2', 'http/1.1'] } } : {}, handler);
        server.on('connection', (s: Socket) => {
          this.sockets.add(s);
          s.once('close', () => this.sockets.delete(s));
        });
        server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.upgrade(req, socket, head));
        return server as unknown as import('node:http').Server;
      },
    });
    this.routes(bodyLimit);
  }

  private routes(bodyLimit: number): void {
    const app = this.app;
    const json = app.getDefaultJsonParser('error', 'ignore');
    app.addContentTypeParser([KSQL_V1, DELIMITED, 'text/plain', 'application/x-www-form-urlencoded'], { parseAs: 'string' }, json);
    // any other or no content type: the body is still read as JSON, as ksqlDB does
    app.addContentTypeParser('*', { parseAs: 'string' }, json);
    app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
      if (error instanceof HttpError) return void reply.code(error.status).type(KSQL_V1).send(error.body);
      const status = error.statusCode ?? 500;
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return void reply.code(413).type(KSQL_V1).send(genericError(413, ErrorCodes.payloadTooLarge, `request body over the limit of ${bodyLimit} bytes`).body);
      if (status >= 400 && status < 500) {
        const message = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported content type' : error instanceof SyntaxError || /JSON/.test(error.message) ? `malformed JSON in the request body: ${error.message}` : error.message;
        return void reply.code(status).type(KSQL_V1).send(genericError(status, status === 415 ? ErrorCodes.unsupportedMediaType : ErrorCodes.badRequest, message).body);
      }
      const failure = requestFailure(error, (e) => this.internal(e));
      reply.code(failure.status).type(KSQL_V1).send(failure.body);
    });
    app.setNotFoundHandler((req, reply) => {
      reply.code(404).type(KSQL_V1).send(genericError(404, ErrorCodes.notFound, `HTTP 404 Not Found: ${req.method} ${req.url.split('?')[0]}`).body);
    });
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (req) => {
      if (this.closing) throw genericError(503, ErrorCodes.serverShuttingDown, 'The server is shutting down');
      (req as FastifyRequest & { principal: Principal }).principal = await this.authenticate(req.headers.authorization);
    });

    app.get('/info', async (_req, reply) => {
      reply.type(KSQL_V1);
      return { KsqlServerInfo: { version: packageVersion(), kafkaClusterId: 'sluice-embedded-log', ksqlServiceId: 'default_', serverStatus: 'RUNNING' } };
    });
    app.get('/healthcheck', async () => ({ isHealthy: true, details: { metastore: { isHealthy: true }, kafka: { isHealthy: true }, commandRunner: { isHealthy: true } } }));
    app.get('/status', async (_req, reply) => {
      reply.type(KSQL_V1);
      return { commandStatuses: Object.fromEntries([...this.commandStatuses].map(([id, s]) => [id, s.status])) };
    });
    app.get<{ Params: { type: string; entity: string; action: string } }>('/status/:type/:entity/:action', async (req, reply) => {
      const id = `${req.params.type}/${req.params.entity}/${req.params.action}`;
      const status = this.commandStatuses.get(id);
      if (!status) throw genericError(404, ErrorCodes.notFound, `Command not found: ${id}`);
      reply.type(KSQL_V1);
      return status;
    });
    app.get('/clusterStatus', async (_req, reply) => {
      reply.type(KSQL_V1);
      const now = Date.now();
      return { clusterStatus: { [this.address]: { hostAlive: true, lastStatusUpdateMs: now, activeStandbyPerQuery: {}, hostStoreLags: { stateStoreLags: {}, updateTimeMs: now } } } };
    });
    app.post('/ksql', (req, reply) => this.ksql(req, reply));
    app.post('/ksql/terminate', async (req) => {
      throw statementError(ErrorCodes.badStatement, 'Terminating the cluster is not supported by sluice server', (req.body as { ksql?: string } | undefined)?.ksql ?? '');
    });
    app.post('/query', (req, reply) => this.queryV1(req, reply));
    app.post('/query-stream', (req, reply) => this.queryStream(req, reply));
    app.post('/close-query', async (req, reply) => {
      const id = (req.body as { queryId?: unknown } | undefined)?.queryId;
      if (typeof id !== 'string') throw genericError(400, ErrorCodes.badRequest, 'No queryId in the request body');
      const running = this.running.get(id);
      if (!running) throw genericError(400, ErrorCodes.badRequest, `No query with id ${id}`);
      await running.query.close();
      reply.code(200).send('');
    });
    // Kafka Connect's REST API over the embedded worker
    registerConnectRoutes(app, this.engine);
    // the body is a stream of lines: read raw, not parsed
    app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
      scope.post('/inserts-stream', (req, reply) => this.insertsStream(req, reply, bodyLimit));
    });
  }

  private principal(req: FastifyRequest): Principal {
    return (req as FastifyRequest & { principal: Principal }).principal;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    if (!this.options.auth) return ANONYMOUS;
    const principal = await this.options.auth.authenticate(header);
    if (!principal) throw new HttpError(401, { '@type': 'generic_error', error_code: ErrorCodes.unauthorized, message: 'Unauthorized' });
    return principal;
  }

  private internal(e: unknown): void {
    this.log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.statementTail.then(work, work);
    this.statementTail = run.catch(() => undefined);
    return run;
  }

  // ---- /ksql ------------------------------------------------------------------------------

  private async ksql(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = req.body as { ksql?: unknown; streamsProperties?: Record<string, unknown> } | undefined;
    if (!body || typeof body.ksql !== 'string') throw genericError(400, ErrorCodes.badRequest, 'The request body needs a "ksql" field with the statements');
    const text = body.ksql;
    const principal = this.principal(req);
    let statements: ast.ParsedStatement[];
    try {
      statements = this.engine.parse(text);
    } catch (e) {
      throw statementFailure(e, text, [], (x) => this.internal(x));
    }
    for (const s of statements) {
      if (s.statement.kind === 'QueryStatement' || s.statement.kind === 'Print')
        throw statementError(ErrorCodes.queryEndpoint, "The following statement types should be issued to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT", s.text);
      if (!mayRun(principal, s.statement.kind)) {
        await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/ksql', statement: s.text, outcome: 'DENIED', detail: `role ${principal.role}` });
        throw statementError(ErrorCodes.forbidden, `Access denied: the ${principal.role} role may run SELECT, PRINT, SHOW and DESCRIBE only`, s.text);
      }
    }
    const requestProperties = Object.fromEntries(Object.entries(body.streamsProperties ?? {}).map(([k, v]) => [k, String(v)]));
    const entities = await this.serially(() => this.engine.withSessionProperties(requestProperties, async () => {
      const done: unknown[] = [];
      for (const s of statements) {
        const audited = changesSomething(s.statement.kind);
        try {
          const result = await this.engine.executeStatement(s);
          const commandId = commandIdFor(s.statement);
          const seq = commandId ? ++this.commandSequenceNumber : this.commandSequenceNumber;
          if (commandId) this.commandStatuses.set(commandId, { status: 'SUCCESS', message: result.message });
          // INSERT VALUES answers no entity in ksqlDB
          if (s.statement.kind !== 'InsertValues') done.push(await toEntity(this.engine, s.statement, result, seq));
          if (audited) await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/ksql', statement: s.text, outcome: 'SUCCESS', detail: result.message });
        } catch (e) {
          if (audited) await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/ksql', statement: s.text, outcome: 'FAILED', detail: isSluiceError(e) ? e.message : 'internal error' });
          throw statementFailure(e, s.text, done, (x) => this.internal(x));
        }
      }
      return done;
    }));
    reply.type(KSQL_V1).send(jsonText(entities));
  }

  // ---- queries ----------------------------------------------------------------------------

  /** Parses a request's single query statement and checks the principal may run it. */
  private queryStatement(req: FastifyRequest, field: 'ksql' | 'sql'): { text: string; stmt: ast.Statement; properties: Record<string, string> } {
    const body = req.body as Record<string, unknown> | undefined;
    const text = body?.[field];
    if (typeof text !== 'string') throw genericError(400, ErrorCodes.badRequest, `The request body needs a "${field}" field with the query`);
    let stmt: ast.Statement;
    try {
      const parsed = this.engine.parse(text);
      if (parsed.length !== 1) throw statementError(ErrorCodes.badStatement, `Expected exactly one statement, got ${parsed.length}`, text);
      stmt = parsed[0]!.statement;
    } catch (e) {
      throw statementFailure(e, text, [], (x) => this.internal(x));
    }
    if (stmt.kind !== 'QueryStatement' && stmt.kind !== 'Print') throw statementError(ErrorCodes.badStatement, `The ${field === 'ksql' ? '/query' : '/query-stream'} endpoint runs SELECT and PRINT only; use /ksql for other statements`, text);
    if (!mayRun(this.principal(req), stmt.kind)) throw statementError(ErrorCodes.forbidden, 'Access denied', text);
    const rawProps = (body?.[field === 'ksql' ? 'streamsProperties' : 'properties'] ?? {}) as Record<string, unknown>;
    const properties = Object.fromEntries(Object.entries(rawProps).map(([k, v]) => [k, String(v)]));
    return { text, stmt, properties };
  }

  private async startPush(text: string, properties: Record<string, string>, principal: Principal): Promise<PushQuery> {
    let query: PushQuery;
    try {
      query = await this.engine.query(text, { properties });
    } catch (e) {
      throw statementFailure(e, text, [], (x) => this.internal(x));
    }
    this.running.set(query.queryId, { query, principal: principal.name });
    void query.ended.finally(() => this.running.delete(query.queryId));
    return query;
  }

  /** Ends a push query whose client is gone; it stops being closable by id at once. */
  private endQuery(query: PushQuery): Promise<void> {
    this.running.delete(query.queryId);
    return query.close();
  }

  /** A writer over a response that waits for a slow client up to slowClientMs, then drops it. */
  private writer(reply: FastifyReply, onGone: () => void): { write: (chunk: string) => Promise<boolean>; end: (chunk?: string) => void } {
    const res = reply.raw;
    let gone = false;
    res.on('close', () => {
      gone = true;
      onGone();
    });
    return {
      write: async (chunk) => {
        if (gone) return false;
        if (res.write(chunk)) return true;
        const drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), this.slowClientMs);
          res.once('drain', () => {
            clearTimeout(timer);
            resolve(true);
          });
          res.once('close', () => {
            clearTimeout(timer);
            resolve(false);
          });
        });
        if (!drained && !gone) {
          this.log(`dropping a client that stopped reading (${this.slowClientMs} ms)`);
          gone = true;
          onGone();
          res.destroy();
        }
        return drained;
      },
      end: (chunk) => {
        if (!gone) res.end(chunk);
      },
    };
  }

  private async queryV1(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { text, stmt, properties } = this.queryStatement(req, 'ksql');
    if (stmt.kind === 'Print') return this.print(req, reply, stmt, text);
    const q = (stmt as ast.QueryStatement).query;
    if (q.emit !== 'CHANGES') {
      const result = await this.pull(text);
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': KSQL_V1 });
      const lines = [jsonText({ header: { queryId: `query_${++this.pullQueries}`, schema: schemaText(result.columns) } }), ...result.values.map((v) => jsonText({ row: { columns: rowJson(v) } }))];
      // a pull query over a stream is a scan that ends, with ksqlDB's final message
      const source = q.from.kind === 'SourceRelation' ? this.engine.catalog.getSource(q.from.name) : undefined;
      if (source?.sourceType === 'STREAM') lines.push(jsonText({ finalMessage: q.limit !== undefined && result.values.length >= q.limit ? 'Limit Reached' : 'Query Completed' }));
      reply.raw.end(`[${lines.join(',\n')}]\n`);
      return;
    }
    const query = await this.startPush(text, properties, this.principal(req));
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': KSQL_V1 });
    const out = this.writer(reply, () => void this.endQuery(query));
    let ok = await out.write(`[${jsonText({ header: { queryId: query.queryId, schema: schemaText(query.columns) } })}`);
    try {
      for await (const change of query.changes()) {
        if (!ok) break;
        ok = await out.write(`,\n${jsonText({ row: change.tombstone ? { columns: rowJson(change.values), tombstone: true } : { columns: rowJson(change.values) } })}`);
      }
    } catch (e) {
      ok = ok && (await out.write(`,\n${jsonText({ errorMessage: requestFailure(e, (x) => this.internal(x)).body })}`));
    } finally {
      await query.close();
    }
    const why = await query.ended;
    out.end(why === 'limit' ? `,\n${jsonText({ finalMessage: 'Limit Reached' })}]\n` : ']\n');
  }

  private async pull(text: string) {
    try {
      return await this.engine.pull(text);
    } catch (e) {
      // as executing the statement would: the message names the place and shows the caret
      if (e instanceof LocatedError) e.locate(text);
      throw statementFailure(e, text, [], (x) => this.internal(x));
    }
  }

  private async print(req: FastifyRequest, reply: FastifyReply, stmt: ast.Statement, text: string): Promise<void> {
    let result;
    try {
      result = await this.engine.executeStatement({ statement: stmt, text, pos: { line: 1, column: 1, offset: 0 } } as ast.ParsedStatement);
    } catch (e) {
      throw statementFailure(e, text, [], (x) => this.internal(x));
    }
    void req;
    reply.type('text/plain');
    // the engine's PRINT answers ksqlDB's printed lines as its message
    return void reply.send(`${result.message}\n`);
  }

  private async queryStream(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { text, stmt, properties } = this.queryStatement(req, 'sql');
    if (stmt.kind === 'Print') return this.print(req, reply, stmt, text);
    const asArray = /application\/json|application\/vnd\.ksql\.v1\+json/.test(req.headers.accept ?? '') && !(req.headers.accept ?? '').includes(DELIMITED);
    const contentType = asArray ? 'application/json' : DELIMITED;
    const header = (queryId: string | undefined, columns: readonly ResultColumn[]) => ({
      ...(queryId ? { queryId } : {}),
      columnNames: columns.map((c) => c.name),
      columnTypes: columns.map((c) => formatSqlType(c.type)),
    });
    const q = (stmt as ast.QueryStatement).query;
    if (q.emit !== 'CHANGES') {
      const result = await this.pull(text);
      const parts = [jsonText(header(`query_${++this.pullQueries}`, result.columns)), ...result.values.map((v) => jsonText(rowJson(v)))];
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': contentType });
      reply.raw.end(asArray ? `[${parts.join(',')}]` : parts.map((p) => `${p}\n`).join(''));
      return;
    }
    const query = await this.startPush(text, properties, this.principal(req));
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': contentType });
    const out = this.writer(reply, () => void this.endQuery(query));
    const first = jsonText(header(query.queryId, query.columns));
    let ok = await out.write(asArray ? `[${first}` : `${first}\n`);
    try {
      for await (const change of query.changes()) {
        if (!ok) break;
        const row = jsonText(rowJson(change.values));
        ok = await out.write(asArray ? `,${row}` : `${row}\n`);
      }
    } catch (e) {
      const err = jsonText(requestFailure(e, (x) => this.internal(x)).body);
      ok = ok && (await out.write(asArray ? `,${err}` : `${err}\n`));
    } finally {
      await query.close();
    }
    out.end(asArray ? ']' : undefined);
  }

  // ---- /inserts-stream --------------------------------------------------------------------

  private async insertsStream(req: FastifyRequest, reply: FastifyReply, maxLine: number): Promise<void> {
    const principal = this.principal(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': DELIMITED });
    const ack = (o: unknown) => res.write(`${jsonText(o)}\n`);
    const lines = createInterface({ input: req.raw, crlfDelay: Infinity });
    let target: string | undefined;
    let seq = 0;
    let inserted = 0;
    let rejected = 0;
    let failed = false;
    const MAX_BATCH = 2000;
    let pending: { seq: number; row: Record<string, unknown> }[] = [];
    let flushing: Promise<void> | undefined;
    const insertBatch = async (batch: { seq: number; row: Record<string, unknown> }[]) => {
      const insert = this.engine.insert(target!, batch.map((b) => b.row));
      this.inFlightInserts.add(insert);
      try {
        await insert;
        for (const b of batch) ack({ status: 'ok', seq: b.seq });
        inserted += batch.length;
      } catch (e) {
        // a batch is all or nothing (rows are all serialised before any is written): find the bad rows one by one
        if (batch.length > 1) {
          for (const b of batch) await insertBatch([b]);
          return;
        }
        const f = requestFailure(e, (x) => this.internal(x));
        ack({ status: 'error', seq: batch[0]!.seq, error_code: f.body.error_code, message: f.body.message });
        rejected++;
      } finally {
        this.inFlightInserts.delete(insert);
      }
    };
    const flush = async (): Promise<void> => {
      // let the lines already received join the batch
      await new Promise((r) => setImmediate(r));
      while (pending.length) {
        const batch = pending;
        pending = [];
        await insertBatch(batch);
      }
      flushing = undefined;
    };
    const drainAll = async () => {
      while (flushing) await flushing;
      if (pending.length) await flush();
    };
    const fail = (status: number, code: number, message: string) => {
      failed = true;
      return drainAll().then(() => ack({ status: 'error', seq, error_code: code, message }));
    };
    try {
      for await (const line of lines) {
        if (line.length > maxLine) {
          await fail(413, ErrorCodes.payloadTooLarge, `a line over the limit of ${maxLine} bytes`);
          break;
        }
        if (!line.trim()) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (e) {
          await fail(400, ErrorCodes.badRequest, `malformed JSON: ${(e as Error).message}`);
          break;
        }
        if (target === undefined) {
          const t = (parsed as { target?: unknown }).target;
          if (typeof t !== 'string') {
            await fail(400, ErrorCodes.badRequest, 'The first line needs a "target" stream');
            break;
          }
          if (!mayRun(principal, 'InsertValues')) {
            await fail(403, ErrorCodes.forbidden, 'Access denied: the read-only role may not insert');
            await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/inserts-stream', statement: `INSERT INTO ${t}`, outcome: 'DENIED', detail: `role ${principal.role}` });
            break;
          }
          target = t;
          continue;
        }
        if (this.closing) {
          await fail(503, ErrorCodes.serverShuttingDown, 'The server is shutting down');
          break;
        }
        // rows that arrive together are inserted together (one produce), acked one by one
        pending.push({ seq: seq++, row: parsed as Record<string, unknown> });
        if (!flushing) flushing = flush();
        if (pending.length >= MAX_BATCH) await flushing;
      }
      await drainAll();
    } catch {
      // the client went away mid-request: what was acked is in the log
    }
    await drainAll().catch(() => undefined);
    if (target !== undefined)
      await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/inserts-stream', statement: `INSERT INTO ${target} (${inserted} rows)`, outcome: failed || rejected ? 'FAILED' : 'SUCCESS', detail: `${inserted} rows inserted, ${rejected} rejected${failed ? ', request ended by an error' : ''}` });
    if (!res.destroyed) res.end();
  }

  // ---- /ws/query --------------------------------------------------------------------------

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, body: unknown) => {
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'}\r\ncontent-type: ${KSQL_V1}\r\nconnection: close\r\n\r\n${jsonText(body)}`);
    };
    if (url.pathname !== '/ws/query') return reject(404, genericError(404, ErrorCodes.notFound, 'HTTP 404 Not Found').body);
    let principal: Principal;
    try {
      const token = url.searchParams.get('access_token');
      principal = await this.authenticate(req.headers.authorization ?? (token ? `Bearer ${token}` : undefined));
    } catch (e) {
      return reject(401, (e as HttpError).body);
    }
    let request: { ksql?: string; streamsProperties?: Record<string, unknown> };
    try {
      request = JSON.parse(url.searchParams.get('request') ?? '');
    } catch {
      return reject(400, genericError(400, ErrorCodes.badRequest, 'The "request" parameter must be JSON with a "ksql" field').body);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.wsQuery(ws, request, principal));
  }

  private async wsQuery(ws: WebSocket, request: { ksql?: string; streamsProperties?: Record<string, unknown> }, principal: Principal): Promise<void> {
    const text = request.ksql ?? '';
    const fail = (e: unknown) => {
      const f = requestFailure(e, (x) => this.internal(x));
      ws.close(4000 + (f.status % 1000), f.body.message.slice(0, 120));
    };
    let stmt: ast.Statement;
    try {
      stmt = parseStatement(text);
      if (stmt.kind !== 'QueryStatement') throw statementError(ErrorCodes.badStatement, 'Only SELECT runs over /ws/query', text);
      if (!mayRun(principal, stmt.kind)) throw statementError(ErrorCodes.forbidden, 'Access denied', text);
    } catch (e) {
      return fail(e);
    }
    const fields = (columns: readonly ResultColumn[]) => columns.map((c) => ({ name: c.name, schema: { type: formatSqlType(c.type).replace(/[<(].*/, ''), fields: null, memberSchema: null } }));
    const properties = Object.fromEntries(Object.entries(request.streamsProperties ?? {}).map(([k, v]) => [k, String(v)]));
    try {
      if (stmt.query.emit !== 'CHANGES') {
        const result = await this.engine.pull(text);
        ws.send(jsonText(fields(result.columns)));
        for (const v of result.values) ws.send(jsonText({ row: { columns: rowJson(v) } }));
        return ws.close(1000, 'Query Completed');
      }
      const query = await this.startPush(text, properties, principal);
      ws.on('close', () => void query.close());
      ws.send(jsonText(fields(query.columns)));
      for await (const change of query.changes()) {
        if (ws.readyState !== ws.OPEN) break;
        ws.send(jsonText({ row: { columns: rowJson(change.values) } }));
      }
      await query.close();
      if ((await query.ended) === 'limit') ws.send(jsonText({ finalMessage: 'Limit Reached' }));
      ws.close(1000, 'Query ended');
    } catch (e) {
      fail(e);
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  async listen(): Promise<string> {
    const url = new URL(this.options.listen);
    if (url.protocol === 'https:' && !this.options.tls) throw genericError(500, ErrorCodes.serverError, 'https listener without a key and certificate');
    await this.app.listen({ host: url.hostname, port: Number(url.port || 8088) });
    const addr = this.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : Number(url.port);
    this.address = `${url.hostname}:${port}`;
    return `${this.options.tls ? 'https' : 'http'}://${url.hostname === '0.0.0.0' ? 'localhost' : url.hostname}:${port}`;
  }

  /** Ends push queries (their streams close), waits for in-flight inserts, then closes the listener. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all([...this.running.values()].map((r) => r.query.close().catch(() => {})));
    await Promise.allSettled([...this.inFlightInserts]);
    await this.options.audit?.flush();
    for (const c of this.wss.clients) c.close(1001, 'server shutting down');
    // idle keep-alive and HTTP/2 sessions would hold close() open
    const forced = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 2000);
    for (const s of this.sockets) if (!(s as Socket & { _httpMessage?: unknown })._httpMessage) s.end();
    await this.app.close().catch(() => {});
    clearTimeout(forced);
    for (const s of this.sockets) s.destroy();
  }
}
