/**
 * The web console's back end, under /console/api (JSON). Statements still go through the ksqlDB
 * endpoints (/ksql, /query-stream, /query), so the console obeys exactly what any client does;
 * these routes add what those lack: splitting a script with positions, the live catalog for
 * completion, pipelines with their topology graphs and rates, processing-log entries, topic tail
 * and produce, and consumer lag with its history.
 *
 * Every route is behind the server's authentication; the read-only role reads everything and
 * changes nothing (produce and restart answer 403 and are audited as DENIED).
 *
 * Connectors: /console/api/connectors lists every connector with its info and status in one call
 * (`connectors` in the options; without it, { available: false }). Creating, validating, pausing,
 * resuming and restarting go through Kafka Connect's REST routes (connect-routes.ts), which refuse
 * the read-only role themselves.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DataSource, Engine, FetchedRecord, FormatName } from '../index.js';
import { ParseError, createSerde, formatSqlType, isSluiceError, keyColumns, partitionForKey, sqlKeywords, splitWindowedKey, toJsonValue, valueColumns } from '../index.js';
import type { AuditLog } from './audit-log.js';
import type { Principal } from './auth.js';
import type { ConsoleHistory } from './console-history.js';
import { jsonText } from './json-body.js';
import { ErrorCodes, genericError } from './ksql-errors.js';

/** What the console shows of Connect. */
export interface ConnectorsSeam {
  list(): Promise<unknown[]>;
}

/** The engine's Connect worker as the console lists it: Connect's info and status per connector. */
export function connectorsOf(engine: Engine): ConnectorsSeam {
  return {
    list: async () => {
      const worker = engine.connect;
      return worker.list().flatMap((name) => {
        try {
          return [{ name, info: worker.info(name), status: worker.status(name) }];
        } catch {
          return []; // deleted while listing
        }
      });
    },
  };
}

export interface ConsoleApiOptions {
  readonly engine: Engine;
  readonly history: ConsoleHistory;
  readonly audit?: AuditLog;
  readonly version: string;
  readonly connectors?: ConnectorsSeam;
}

/** the session properties the console shows, defaulting as the REPL does */
const SESSION_DEFAULTS: Readonly<Record<string, string>> = { 'auto.offset.reset': 'latest' };

const TAIL_PER_PARTITION = 100;

function principalOf(req: FastifyRequest): Principal {
  return (req as FastifyRequest & { principal: Principal }).principal;
}

function sourceAddress(req: FastifyRequest): string {
  return req.ip ?? 'unknown';
}

/** Bytes shown as the text they hold, else hex. */
function bytesText(b: Buffer): string {
  const text = b.toString('utf8');
  // eslint-disable-next-line no-control-regex
  return Buffer.from(text, 'utf8').equals(b) && !/[\u0000-\u0008\u000e-\u001f]/.test(text) ? text : `0x${b.toString('hex')}`;
}

/** A record's key or value decoded by the formats of a source over its topic, else as JSON or text. */
function decode(engine: Engine, source: DataSource | undefined, target: 'KEY' | 'VALUE', bytes: Buffer | null): unknown {
  if (bytes === null) return null;
  if (source) {
    const format = target === 'KEY' ? source.keyFormat : source.valueFormat;
    try {
      let data = bytes;
      let window: { start: number; end: number } | undefined;
      if (target === 'KEY' && source.window) {
        const split = splitWindowedKey(bytes, { type: source.window.type, ...(source.window.sizeMs !== undefined ? { sizeMs: source.window.sizeMs } : {}) });
        data = split.keyBytes;
        window = split.window;
      }
      const columns = target === 'KEY' ? keyColumns(source.schema) : valueColumns(source.schema);
      const values = createSerde(format.format as FormatName, target, columns, { ...format, topic: source.topic, schemaRegistry: engine.schemaRegistry }).deserialize(data);
      if (values === null) return null;
      const row: Record<string, unknown> = Object.fromEntries(columns.map((c, i) => [c.name, toJsonValue(values[i])]));
      if (window) row.WINDOW = window;
      return row;
    } catch {
      // not readable with the source's format: shown raw
    }
  }
  const text = bytesText(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function registerConsoleApi(app: FastifyInstance, options: ConsoleApiOptions): void {
  const { engine, history } = options;
  const send = (reply: { type: (t: string) => { send: (b: string) => unknown } }, body: unknown) => reply.type('application/json').send(jsonText(body));
  const requireAdmin = async (req: FastifyRequest, what: string): Promise<void> => {
    const principal = principalOf(req);
    if (principal.role === 'admin') return;
    await options.audit?.record({ principal: principal.name, sourceAddress: sourceAddress(req), endpoint: req.url.split('?')[0]!, statement: what, outcome: 'DENIED', detail: `role ${principal.role}` });
    throw genericError(403, ErrorCodes.forbidden, `Access denied: the ${principal.role} role may not ${what}`);
  };
  const sourceOfTopic = (topic: string) => engine.catalog.listSources().find((s) => s.topic === topic);

  app.get('/console/api/session', async (req, reply) => {
    const p = principalOf(req);
    send(reply, { user: p.name, role: p.role, authenticated: p.method !== 'anonymous', version: options.version, properties: SESSION_DEFAULTS });
  });

  // a script split into statements, with each one's kind and position (the editor runs them one by one)
  app.post('/console/api/split', async (req, reply) => {
    const sql = (req.body as { sql?: unknown } | undefined)?.sql;
    if (typeof sql !== 'string') throw genericError(400, ErrorCodes.badRequest, 'The request body needs a "sql" field');
    try {
      const statements = engine.parse(sql).map((s) => ({
        text: s.text,
        kind: s.statement.kind,
        push: s.statement.kind === 'QueryStatement' && s.statement.query.emit === 'CHANGES',
        ...(s.statement.kind === 'SetProperty' ? { name: s.statement.name, value: s.statement.value } : {}),
        ...(s.statement.kind === 'UnsetProperty' ? { name: s.statement.name } : {}),
        pos: s.pos,
      }));
      send(reply, { statements });
    } catch (e) {
      if (e instanceof ParseError) return send(reply.code(400), { error: e.message, pos: e.position ?? null });
      if (isSluiceError(e)) return send(reply.code(400), { error: e.message, pos: null });
      throw e;
    }
  });

  app.get('/console/api/catalog', async (_req, reply) => {
    const sources = engine.catalog.listSources().map((s) => ({
      name: s.name,
      type: s.sourceType,
      topic: s.topic,
      keyFormat: s.keyFormat.format,
      valueFormat: s.valueFormat.format,
      windowed: s.window ? s.window.type : null,
      readOnly: s.isSource,
      createdBy: s.createdByQuery ?? null,
      columns: [...keyColumns(s.schema), ...valueColumns(s.schema)].map((c) => ({ name: c.name, type: formatSqlType(c.type), key: c.namespace === 'KEY' })),
    }));
    const functions = engine.registry.list().map((f) => ({ name: f.name, kind: f.kind, category: f.category, description: f.description, signatures: f.signatures }));
    const types = engine.catalog.listTypes().map(([name, t]) => ({ name, type: formatSqlType(t) }));
    send(reply, { sources, functions, types, keywords: sqlKeywords() });
  });

  app.get('/console/api/queries', async (_req, reply) => {
    await history.ensureStarted();
    const failed = new Map(engine.failedQueries().map((f) => [f.queryId, f.error.message]));
    const queries = [...engine.catalog.queries.values()].map((q) => {
      const error = failed.get(q.id);
      return {
        id: q.id,
        sql: q.sql,
        sink: q.sink,
        sources: q.sources,
        state: error ? 'ERROR' : q.state,
        error: error ?? null,
        topology: engine.queryTopology(q.id) ?? null,
        rates: history.rates(q.id) ?? null,
        errors: engine.processingLog.filter((e) => e.queryId === q.id).length,
      };
    });
    send(reply, { queries, pushQueries: history.latest()?.pushQueries ?? 0 });
  });

  app.get<{ Params: { id: string } }>('/console/api/queries/:id/errors', async (req, reply) => {
    send(reply, { entries: engine.processingLog.filter((e) => e.queryId === req.params.id).slice(-200).reverse() });
  });

  // restart: a new task from the query's plan, from its committed offsets and state
  app.post<{ Params: { id: string } }>('/console/api/queries/:id/restart', async (req, reply) => {
    await requireAdmin(req, `restart query ${req.params.id}`);
    const info = engine.catalog.queries.get(req.params.id);
    if (!info) throw genericError(404, ErrorCodes.notFound, `Unknown query: ${req.params.id}`);
    // a paused query stays paused across restarts of the server (PAUSE is in the command log): RESUME it instead
    if (info.state === 'PAUSED' && !engine.failedQueries().some((f) => f.queryId === info.id)) throw genericError(400, ErrorCodes.badRequest, `Query ${info.id} is paused: RESUME it instead`);
    engine.restartQuery(info.id);
    info.state = 'RUNNING';
    await options.audit?.record({ principal: principalOf(req).name, sourceAddress: sourceAddress(req), endpoint: '/console/api/queries/restart', statement: `restart ${info.id}`, outcome: 'SUCCESS', detail: `Query ${info.id} restarted.` });
    send(reply, { message: `Query ${info.id} restarted.` });
  });

  app.get<{ Querystring: { query?: string } }>('/console/api/lag', async (req, reply) => {
    await history.ensureStarted();
    send(reply, { partitions: history.lag(req.query.query) });
  });

  app.get<{ Querystring: { internal?: string } }>('/console/api/topics', async (req, reply) => {
    const names = (await engine.log.listTopics()).filter((t) => req.query.internal === 'true' || !t.startsWith('_')).sort();
    const topics = [];
    for (const name of names) {
      const d = await engine.log.describeTopic(name);
      const source = sourceOfTopic(name);
      topics.push({
        name,
        partitions: d.partitions.map((p) => ({ partition: p.partition, start: String(p.logStartOffset), end: String(p.highWatermark) })),
        records: d.partitions.reduce((n, p) => n + Number(p.highWatermark - p.logStartOffset), 0),
        source: source?.name ?? null,
        keyFormat: source?.keyFormat.format ?? null,
        valueFormat: source?.valueFormat.format ?? null,
      });
    }
    send(reply, { topics });
  });

  /**
   * Records of a topic, decoded. `after`: JSON {partition: nextOffset} from the previous answer
   * (the live tail polls with it); without it, the last records of each partition. `q`: only
   * records whose key, value or headers contain the text.
   */
  app.get<{ Params: { topic: string }; Querystring: { after?: string; q?: string; limit?: string } }>('/console/api/topics/:topic/records', async (req, reply) => {
    const topic = req.params.topic;
    let desc;
    try {
      desc = await engine.log.describeTopic(topic);
    } catch {
      throw genericError(404, ErrorCodes.notFound, `Unknown topic: ${topic}`);
    }
    let after: Record<string, string> = {};
    try {
      after = req.query.after ? (JSON.parse(req.query.after) as Record<string, string>) : {};
    } catch {
      throw genericError(400, ErrorCodes.badRequest, '"after" must be JSON: {"partition": "offset"}');
    }
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? TAIL_PER_PARTITION) || TAIL_PER_PARTITION));
    const search = req.query.q?.toLowerCase();
    const source = sourceOfTopic(topic);
    const records: unknown[] = [];
    const next: Record<string, string> = {};
    for (const p of desc.partitions) {
      const from = after[p.partition] !== undefined ? BigInt(after[p.partition]!) : p.highWatermark - BigInt(limit) > p.logStartOffset ? p.highWatermark - BigInt(limit) : p.logStartOffset;
      let offset = from < p.logStartOffset ? p.logStartOffset : from;
      const fetched: FetchedRecord[] = [];
      while (offset < p.highWatermark && fetched.length < limit) {
        const batch = await engine.log.fetch(topic, p.partition, offset, { maxRecords: limit - fetched.length });
        fetched.push(...batch.records);
        if (batch.nextOffset === offset) break;
        offset = batch.nextOffset;
      }
      next[p.partition] = String(offset);
      for (const r of fetched) {
        const row = {
          partition: r.partition,
          offset: String(r.offset),
          timestamp: r.timestamp,
          key: decode(engine, source, 'KEY', r.key),
          value: decode(engine, source, 'VALUE', r.value),
          headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : bytesText(h.value) })),
        };
        if (search && !jsonText(row).toLowerCase().includes(search)) continue;
        records.push(row);
      }
    }
    records.sort((a, b) => (a as { timestamp: number }).timestamp - (b as { timestamp: number }).timestamp);
    send(reply, { topic, source: source?.name ?? null, keyFormat: source?.keyFormat.format ?? null, valueFormat: source?.valueFormat.format ?? null, records, next });
  });

  /** Produces one record: key and value as text (UTF-8), optional partition and headers. */
  app.post<{ Params: { topic: string } }>('/console/api/topics/:topic/records', async (req, reply) => {
    const topic = req.params.topic;
    await requireAdmin(req, `produce to topic ${topic}`);
    const body = (req.body ?? {}) as { key?: unknown; value?: unknown; partition?: unknown; headers?: unknown };
    let desc;
    try {
      desc = await engine.log.describeTopic(topic);
    } catch {
      throw genericError(404, ErrorCodes.notFound, `Unknown topic: ${topic}`);
    }
    const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8'));
    const key = text(body.key);
    const value = text(body.value);
    const n = desc.partitions.length;
    let partition: number;
    if (body.partition !== undefined && body.partition !== null && body.partition !== '') {
      partition = Number(body.partition);
      if (!Number.isInteger(partition) || partition < 0 || partition >= n) throw genericError(400, ErrorCodes.badRequest, `partition must be 0..${n - 1}`);
    } else partition = key ? partitionForKey(key, n) : 0;
    const headers = Array.isArray(body.headers) ? (body.headers as { key?: unknown; value?: unknown }[]).filter((h) => typeof h.key === 'string' && h.key).map((h) => ({ key: h.key as string, value: text(h.value) })) : [];
    const [result] = await engine.log.produce([{ topic, partition, key, value, timestamp: Date.now(), headers }]);
    await options.audit?.record({ principal: principalOf(req).name, sourceAddress: sourceAddress(req), endpoint: '/console/api/topics/records', statement: `produce to ${topic}`, outcome: 'SUCCESS', detail: `partition ${partition}, offset ${String(result?.baseOffset)}` });
    send(reply, { topic, partition, offset: String(result?.baseOffset ?? "") });
  });

  app.get('/console/api/connectors', async (_req, reply) => {
    if (!options.connectors) return send(reply, { available: false, connectors: [] });
    send(reply, { available: true, connectors: await options.connectors.list() });
  });
}
