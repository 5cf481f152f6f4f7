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
import { COMMAND_TOPIC, LocatedError, formatSqlType, isSluiceError, parseStatement, quoteIdentifier } from '../index.js';
import type { Engine, PushQuery, ResultColumn, ast } from '../index.js';
import { ANONYMOUS, changesSomething, mayRun, type Authenticator, type Principal } from './auth.js';
import { AUDIT_STREAM, type AuditLog } from './audit-log.js';
import { commandIdFor, toEntity } from './entities.js';
import { registerConnectRoutes } from './connect-routes.js';
import { encodeRun, ROWS_PER_WRITE, rowColumnsJson, rowObjectJson } from './row-encoding.js';
import { jsonText, rowJson } from './json-body.js';
import { KSQL_V1_PROTOBUF, ProtobufRows } from './protobuf-rows.js';
import { ErrorCodes, HttpError, genericError, requestFailure, statementError, statementFailure } from './ksql-errors.js';
import { connectorsOf, registerConsole } from './console-routes.js';
import { isConsoleAsset } from './console-assets.js';

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
  readonly sql: string;
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

/**
 * The engine's own result and error detail (`sluice` field) go only to clients that ask with this
 * header (the REPL's remote mode); ksqlDB's clients get ksqlDB's objects field for field. An entity
 * ksqlDB has no type for (`sluice_table`) keeps its table there for everyone.
 */
export const DETAIL_HEADER = 'x-sluice-detail';

function wantsDetail(req: FastifyRequest): boolean {
  return req.headers[DETAIL_HEADER] === '1';
}

function withoutDetail(entity: unknown): unknown {
  const e = entity as Record<string, unknown>;
  if (!e || typeof e !== 'object' || !('sluice' in e) || e['@type'] === 'sluice_table') return entity;
  const { sluice: _, ...rest } = e;
  return rest;
}

/** Hands an upgrade request back to the polyglot listener's HTTP/1.1 server with the Upgrade header removed. */
function redispatchWithoutUpgrade(server: httpolyglot.Server, req: IncomingMessage, socket: Socket, head: Buffer): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'upgrade' || lower === 'http2-settings') continue;
    if (lower === 'connection') {
      const kept = value.split(',').map((t) => t.trim()).filter((t) => t && !/^(upgrade|http2-settings)$/i.test(t));
      if (kept.length) lines.push(`${name}: ${kept.join(', ')}`);
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), head]));
  // httpolyglot's HTTP/1.1 sub-server (it serves both cleartext and TLS HTTP/1.1 sockets)
  (server as unknown as { _httpServer: import('node:http').Server })._httpServer.emit('connection', socket);
}

function absolutePath(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** ksqlDB's HTTP/2 API (ErrorResponse) marks its error bodies with "status": "error" */
const STREAMING_API = new Set(['/query-stream', '/inserts-stream', '/close-query']);

function acceptsProtobuf(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes(KSQL_V1_PROTOBUF);
}

/** ksqlDB's streaming endpoints answer delimited lines unless the client accepts JSON (and not the delimited type) */
function acceptsJsonArray(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return /application\/json|application\/vnd\.ksql\.v1\+json/.test(accept) && !accept.includes(DELIMITED);
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
  private terminated = false;
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
      // HTTP/1.1 servers must accept the absolute-form target (`POST http://host:8088/ksql`, RFC 9112
      // 3.2.2), as ksqlDB's does; some clients send it
      rewriteUrl: (req) => absolutePath(req.url ?? '/'),
      // a client's own socket errors end its request only
      serverFactory: (handler) => {
        const server = httpolyglot.createServer(options.tls ? { tls: { key: options.tls.key, cert: options.tls.cert, ALPNProtocols: ['h2', 'http/1.1'] } } : {}, handler);
        server.on('connection', (s: Socket) => {
          this.sockets.add(s);
          s.once('close', () => this.sockets.delete(s));
        });
        server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
          // only the websocket is upgraded; any other Upgrade (h2c from HTTP/1.1) is ignored and the
          // request served over HTTP/1.1, as RFC 9110 7.8 lets a server do: Node hands every
          // Upgrade request to 'upgrade', so it goes back to the HTTP/1.1 parser without the header
          if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return redispatchWithoutUpgrade(server, req, socket, head);
          void this.upgrade(req, socket, head);
        });
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
    app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
      if (error instanceof HttpError) {
        const body = wantsDetail(req) ? error.body : (withoutDetail(error.body) as typeof error.body);
        return void reply.code(error.status).type(KSQL_V1).send(STREAMING_API.has(req.url.split('?')[0]!) ? { ...body, status: 'error' } : body);
      }
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
    // content negotiation: a client that accepts application/json and not ksqlDB's versioned type
    // gets its JSON labelled application/json, as ksqlDB answers it
    app.addHook('onSend', async (req, reply, payload) => {
      const accept = req.headers.accept ?? '';
      if (String(reply.getHeader('content-type') ?? '').startsWith(KSQL_V1) && /application\/json/.test(accept) && !accept.includes(KSQL_V1)) reply.type('application/json');
      return payload;
    });
    app.addHook('onRequest', async (req) => {
      if (this.closing) throw genericError(503, ErrorCodes.serverShuttingDown, 'The server is shutting down');
      // as ksqlDB after TERMINATE CLUSTER: only introspection still answers
      if (this.terminated && req.method === 'POST') throw genericError(503, ErrorCodes.serverShuttingDown, 'The cluster has been terminated. No new request will be accepted.');
      // the console's page and scripts hold no data; its API calls carry the credentials
      if (isConsoleAsset(req.method, req.url)) return;
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
    // the web console at / and GET /metrics (Prometheus)
    registerConsole(app, { engine: this.engine, ...(this.options.audit ? { audit: this.options.audit } : {}), version: packageVersion(), pushClients: () => this.running.size, connectors: connectorsOf(this.engine) });
    app.post('/ksql', (req, reply) => this.ksql(req, reply));
    app.post('/ksql/terminate', (req, reply) => this.terminateCluster(req, reply));
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
          const pushQueries = [...this.running].map(([id, r]) => ({ id, sql: r.sql }));
          if (s.statement.kind !== 'InsertValues') done.push(await toEntity(this.engine, s.statement, result, seq, pushQueries));
          if (audited) await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/ksql', statement: s.text, outcome: 'SUCCESS', detail: result.message });
        } catch (e) {
          if (audited) await this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/ksql', statement: s.text, outcome: 'FAILED', detail: isSluiceError(e) ? e.message : 'internal error' });
          throw statementFailure(e, s.text, done, (x) => this.internal(x));
        }
      }
      return done;
    }));
    reply.type(KSQL_V1).send(jsonText(wantsDetail(req) ? entities : entities.map(withoutDetail)));
  }

  // ---- /ksql/terminate --------------------------------------------------------------------

  /**
   * ksqlDB's TERMINATE CLUSTER: ends every push and persistent query, drops every source, deletes
   * the topics of query-created sources that match `deleteTopicList` (names or regular
   * expressions) and the command log, then refuses new statements.
   */
  private async terminateCluster(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const text = 'TERMINATE CLUSTER;';
    const principal = this.principal(req);
    const list = (req.body as { deleteTopicList?: unknown } | undefined)?.deleteTopicList ?? [];
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw genericError(400, ErrorCodes.badRequest, '"deleteTopicList" must be a list of topic names or patterns');
    let patterns: RegExp[];
    try {
      patterns = (list as string[]).map((t) => new RegExp(`^(?:${t})$`));
    } catch (e) {
      throw genericError(400, ErrorCodes.badRequest, `Invalid topic pattern in "deleteTopicList": ${(e as Error).message}`);
    }
    const audit = (outcome: 'DENIED' | 'SUCCESS', detail: string) => this.options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: '/ksql/terminate', statement: `${text} deleteTopicList=${JSON.stringify(list)}`, outcome, detail });
    if (!mayRun(principal, 'QueryControl')) {
      await audit('DENIED', `role ${principal.role}`);
      throw statementError(ErrorCodes.forbidden, `Access denied: the ${principal.role} role may run SELECT, PRINT, SHOW and DESCRIBE only`, text);
    }
    const deleted = await this.serially(async () => {
      // which sources a query created, read before their queries are terminated
      const queryCreated = new Set(this.engine.catalog.listSources().filter((s) => s.createdByQuery).map((s) => s.name));
      await Promise.all([...this.running.values()].map((r) => r.query.close().catch(() => {})));
      if (this.engine.queryIds().length) await this.engine.execute('TERMINATE ALL;');
      const topics: string[] = [];
      // sinks before the sources they read from; the audit stream outlives the cluster (it records this)
      const sources = this.engine.catalog.listSources().filter((s) => s.name !== AUDIT_STREAM).reverse();
      for (const s of sources) {
        const del = queryCreated.has(s.name) && patterns.some((p) => p.test(s.topic));
        await this.engine.execute(`DROP ${s.sourceType} IF EXISTS ${quoteIdentifier(s.name)}${del ? ' DELETE TOPIC' : ''};`);
        if (del) topics.push(s.topic);
      }
      // as ksqlDB deletes its command topic: a restart replays nothing (replaying would recreate
      // the deleted topics of the dropped CREATE ... AS SELECT sources)
      await this.engine.log.deleteTopic(COMMAND_TOPIC);
      this.terminated = true;
      return topics;
    });
    await audit('SUCCESS', deleted.length ? `deleted topics ${deleted.join(', ')}` : 'no topic deleted');
    const commandId = 'cluster/TerminateCluster/terminate';
    this.commandStatuses.set(commandId, { status: 'SUCCESS', message: 'Cluster terminated' });
    reply.type(KSQL_V1).send(jsonText([{ '@type': 'currentStatus', statementText: text, warnings: [], commandId, commandStatus: { status: 'SUCCESS', message: 'Cluster terminated', queryId: null }, commandSequenceNumber: ++this.commandSequenceNumber }]));
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
    this.running.set(query.queryId, { query, principal: principal.name, sql: text });
    void query.ended.finally(() => this.running.delete(query.queryId));
    return query;
  }

  /** Ends a push query whose client is gone; it stops being closable by id at once. */
  private endQuery(query: PushQuery): Promise<void> {
    this.running.delete(query.queryId);
    return query.close();
  }

  /** A writer over a response that waits for a slow client up to slowClientMs, then drops it. */
  private writer(reply: FastifyReply, onGone: () => void): { write: (chunk: string) => Promise<boolean>; frame: (chunk: string) => Promise<boolean>; end: (chunk?: string) => void } {
    const res = reply.raw;
    let gone = false;
    res.on('close', () => {
      gone = true;
      onGone();
    });
    const waitFor = (event: 'drain' | 'written', written?: (cb: () => void) => void) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.slowClientMs);
        const done = (ok: boolean) => () => {
          clearTimeout(timer);
          resolve(ok);
        };
        if (event === 'drain') res.once('drain', done(true));
        else written!(done(true));
        res.once('close', done(false));
      });
    const dropIfStuck = (drained: boolean) => {
      if (!drained && !gone) {
        this.log(`dropping a client that stopped reading (${this.slowClientMs} ms)`);
        gone = true;
        onGone();
        res.destroy();
      }
      return drained;
    };
    return {
      // one chunk in its own HTTP/2 DATA frame, as ksqlDB's server sends each row: Node would
      // otherwise merge writes queued together into one frame
      frame: async (chunk) => {
        if (gone) return false;
        return dropIfStuck(await waitFor('written', (cb) => res.write(chunk, cb)));
      },
      write: async (chunk) => {
        if (gone) return false;
        if (res.write(chunk)) return true;
        const drained = await waitFor('drain');
        return dropIfStuck(drained);
      },
      end: (chunk) => {
        if (!gone) res.end(chunk);
      },
    };
  }

  private async queryV1(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { text, stmt, properties } = this.queryStatement(req, 'ksql');
    if (stmt.kind === 'Print') return this.print(req, reply, stmt, text);
    if (acceptsProtobuf(req)) return this.protobufQuery(req, reply, stmt as ast.QueryStatement, text, properties);
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
    // ksqlDB's layout (JsonStreamedRowResponseWriter): every object ends its own line with ",\n", so
    // a line-reading client sees each row as it is written; the final message closes the array
    let ok = await out.write(`[${jsonText({ header: { queryId: query.queryId, schema: schemaText(query.columns) } })},\n`);
    let failure: string | undefined;
    try {
      const changes = query.changes();
      for (let next = await changes.next(); !next.done && ok; next = await changes.next()) {
        const rows = [next.value, ...query.takeReady(ROWS_PER_WRITE)];
        ok = await out.write(encodeRun(rows, 'query-lines', (c) => rowObjectJson(c, true), '', ',\n'));
      }
    } catch (e) {
      failure = jsonText({ errorMessage: requestFailure(e, (x) => this.internal(x)).body });
    } finally {
      await query.close();
    }
    const why = await query.ended;
    out.end(`${failure ?? jsonText({ finalMessage: why === 'limit' ? 'Limit Reached' : 'Query Completed' })}]\n`);
  }

  /** A query in ksqlDB's PROTOBUF output, the same on /query and /query-stream (protobuf-rows.ts). */
  private async protobufQuery(req: FastifyRequest, reply: FastifyReply, stmt: ast.QueryStatement, text: string, properties: Record<string, string>): Promise<void> {
    if (stmt.query.emit !== 'CHANGES') {
      const result = await this.pull(text);
      let rows: ProtobufRows;
      try {
        rows = new ProtobufRows(result.columns);
      } catch (e) {
        throw statementFailure(e, text, [], (x) => this.internal(x));
      }
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': KSQL_V1_PROTOBUF });
      const lines = [rows.header(`query_${++this.pullQueries}`, schemaText(result.columns)), ...result.values.map((v) => rows.row(v))];
      reply.raw.end(`[${lines.join(',\n')}]`);
      return;
    }
    const query = await this.startPush(text, properties, this.principal(req));
    let rows: ProtobufRows;
    try {
      rows = new ProtobufRows(query.columns);
    } catch (e) {
      await this.endQuery(query);
      throw statementFailure(e, text, [], (x) => this.internal(x));
    }
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': KSQL_V1_PROTOBUF });
    const out = this.writer(reply, () => void this.endQuery(query));
    let ok = await out.write(`[${rows.header(query.queryId, schemaText(query.columns))},\n`);
    let failure: string | undefined;
    try {
      const changes = query.changes();
      for (let next = await changes.next(); !next.done && ok; next = await changes.next()) {
        let chunk = '';
        for (const change of [next.value, ...query.takeReady(ROWS_PER_WRITE)]) chunk += `${rows.row(change.values)},\n`;
        ok = await out.write(chunk);
      }
    } catch (e) {
      failure = jsonText({ errorMessage: requestFailure(e, (x) => this.internal(x)).body });
    } finally {
      await query.close();
    }
    const why = await query.ended;
    out.end(`${failure ?? jsonText({ finalMessage: why === 'limit' ? 'Limit Reached' : 'Query Completed' })}]`);
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
    if (acceptsProtobuf(req)) return this.protobufQuery(req, reply, stmt as ast.QueryStatement, text, properties);
    const asArray = acceptsJsonArray(req);
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
      if (!asArray && req.raw.httpVersionMajor === 2) {
        const out = this.writer(reply, () => {});
        for (const p of parts) if (!(await out.frame(`${p}\n`))) return;
        return out.end();
      }
      reply.raw.end(asArray ? `[${parts.join(',')}]` : parts.map((p) => `${p}\n`).join(''));
      return;
    }
    const query = await this.startPush(text, properties, this.principal(req));
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': contentType });
    const out = this.writer(reply, () => void this.endQuery(query));
    const first = jsonText(header(query.queryId, query.columns));
    // over HTTP/2, delimited lines go one per DATA frame (header, then each row), as ksqlDB sends them
    const perFrame = !asArray && req.raw.httpVersionMajor === 2;
    let ok = await (perFrame ? out.frame(`${first}\n`) : out.write(asArray ? `[${first}` : `${first}\n`));
    try {
      const changes = query.changes();
      for (let next = await changes.next(); !next.done && ok; next = await changes.next()) {
        if (perFrame) {
          ok = await out.frame(`${rowColumnsJson(next.value)}\n`);
          continue;
        }
        const rows = [next.value, ...query.takeReady(ROWS_PER_WRITE)];
        ok = await out.write(asArray ? encodeRun(rows, 'array', rowColumnsJson, ',') : encodeRun(rows, 'lines', rowColumnsJson, '', '\n'));
      }
    } catch (e) {
      const err = jsonText({ ...(withoutDetail(requestFailure(e, (x) => this.internal(x)).body) as object), status: 'error' });
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
    // as ksqlDB's InsertsStreamHandler: acks as delimited lines by default, as one JSON array when the client accepts JSON
    const asArray = acceptsJsonArray(req);
    res.writeHead(200, { 'content-type': asArray ? 'application/json' : DELIMITED });
    let acked = 0;
    const ack = (o: unknown) => res.write(asArray ? `${acked++ ? ',' : '['}${jsonText(o)}` : `${jsonText(o)}\n`);
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
    if (!res.destroyed) res.end(asArray ? (acked ? ']' : '[]') : undefined);
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
        ws.send(rowObjectJson(change, false));
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
