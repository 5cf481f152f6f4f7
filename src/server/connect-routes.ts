/**
 * Kafka Connect's REST API over the engine's embedded worker, on the server's port (the paths do
 * not clash with ksqlDB's). Shapes, status codes and error bodies (`{"error_code":..,"message":..}`)
 * are Connect's:
 *
 *   GET    /connectors[?expand=status&expand=info] names, or by name {status, info}
 *   POST   /connectors                            {name, config} -> 201 info; 409 when it exists
 *   GET    /connectors/{c}  /config  /status  /tasks  /tasks/{t}/status  /topics  /offsets
 *   PUT    /connectors/{c}/config                 201 created / 200 updated, info
 *   DELETE /connectors/{c}                        204
 *   POST   /connectors/{c}/restart[?includeTasks&onlyFailed]   204, or 202 with the status
 *   POST   /connectors/{c}/tasks/{t}/restart      204
 *   PUT    /connectors/{c}/pause  /resume         202;  PUT /connectors/{c}/stop  204
 *   PUT    /connectors/{c}/topics/reset           200
 *   PATCH  /connectors/{c}/offsets  DELETE /connectors/{c}/offsets   200 {message}
 *   GET    /connector-plugins[?connectorsOnly=false]  GET /connector-plugins/{p}/config
 *   PUT    /connector-plugins/{p}/config/validate
 */
import { HttpError } from './ksql-errors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../index.js';
import { ConnectError } from '../index.js';


type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | string[] | undefined>; Body: unknown }>;

const fail = (status: number, message: string): ConnectError => new ConnectError(message, status);

function asStringMap(value: unknown, what: string): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail(400, `${what} must be a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

const flag = (v: string | string[] | undefined): boolean => (Array.isArray(v) ? v.at(-1) : v)?.toLowerCase() === 'true';

function taskIndex(req: Req): number {
  const t = req.params['task']!;
  if (!/^\d+$/.test(t)) throw fail(404, `Task ${req.params['connector']}-${t} not found`);
  return Number(t);
}

export function registerConnectRoutes(app: FastifyInstance, engine: Engine): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
      // the server's own refusals (401 without credentials, 503 while stopping) keep their status
      const status = error instanceof ConnectError || error instanceof HttpError ? error.status : error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      void reply.code(status).type('application/json').send({ error_code: status, message: error.message });
    });
    // a read-only principal may look, not change
    scope.addHook('preHandler', async (req) => {
      const role = (req as FastifyRequest & { principal?: { role?: string } }).principal?.role;
      if (role === 'read-only' && req.method !== 'GET') throw fail(403, `${(req as FastifyRequest & { principal?: { name?: string } }).principal?.name ?? 'This principal'} may not change connectors (read-only)`);
    });
    const worker = () => engine.connect;


    scope.get('/connectors', async (req: Req) => {
      const w = worker();
      const expand = ([] as string[]).concat(req.query['expand'] ?? []);
      const names = w.list();
      if (!expand.length) return names;
      return Object.fromEntries(names.map((n) => [n, { ...(expand.includes('status') ? { status: w.status(n) } : {}), ...(expand.includes('info') ? { info: w.info(n) } : {}) }]));
    });

    scope.post('/connectors', async (req: Req, reply: FastifyReply) => {
      const body = req.body as { name?: unknown; config?: unknown } | undefined;
      const config = asStringMap(body?.config ?? {}, 'config');
      const name = typeof body?.name === 'string' ? body.name : config['name'];
      if (!name || !name.trim()) throw fail(400, 'Connector name configuration must be provided');
      if (config['name'] !== undefined && config['name'] !== name) throw fail(400, `Connector name configuration (${config['name']}) doesn't match connector name in the URL (${name})`);
      if (/\//.test(name)) throw fail(400, 'Connector name cannot contain "/"');
      const info = await worker().create(name, { ...config, name });
      return reply.code(201).header('location', `/connectors/${encodeURIComponent(name)}`).send(info);
    });

    scope.get('/connectors/:connector', async (req: Req) => worker().info(req.params['connector']!));
    scope.get('/connectors/:connector/config', async (req: Req) => worker().info(req.params['connector']!).config);
    scope.put('/connectors/:connector/config', async (req: Req, reply: FastifyReply) => {
      const name = req.params['connector']!;
      const config = asStringMap(req.body, 'The connector configuration');
      const { created, info } = await worker().put(name, config);
      if (created) void reply.header('location', `/connectors/${encodeURIComponent(name)}`);
      return reply.code(created ? 201 : 200).send(info);
    });
    scope.get('/connectors/:connector/status', async (req: Req) => worker().status(req.params['connector']!));
    scope.get('/connectors/:connector/tasks', async (req: Req) => worker().taskConfigs(req.params['connector']!));
    scope.get('/connectors/:connector/tasks/:task/status', async (req: Req) => worker().taskStatus(req.params['connector']!, taskIndex(req)));
    scope.delete('/connectors/:connector', async (req: Req, reply: FastifyReply) => {
      await worker().delete(req.params['connector']!);
      return reply.code(204).send();
    });
    scope.post('/connectors/:connector/restart', async (req: Req, reply: FastifyReply) => {
      const includeTasks = flag(req.query['includeTasks']);
      const onlyFailed = flag(req.query['onlyFailed']);
      const status = await worker().restart(req.params['connector']!, { includeTasks, onlyFailed });
      // the plain form answers as Connect did before KIP-745
      if (!includeTasks && !onlyFailed) return reply.code(204).send();
      return reply.code(202).send(status);
    });
    scope.post('/connectors/:connector/tasks/:task/restart', async (req: Req, reply: FastifyReply) => {
      await worker().restartTask(req.params['connector']!, taskIndex(req));
      return reply.code(204).send();
    });
    scope.put('/connectors/:connector/pause', async (req: Req, reply: FastifyReply) => {
      await worker().pause(req.params['connector']!);
      return reply.code(202).send();
    });
    scope.put('/connectors/:connector/resume', async (req: Req, reply: FastifyReply) => {
      await worker().resume(req.params['connector']!);
      return reply.code(202).send();
    });
    scope.put('/connectors/:connector/stop', async (req: Req, reply: FastifyReply) => {
      await worker().stop(req.params['connector']!);
      return reply.code(204).send();
    });
    scope.get('/connectors/:connector/topics', async (req: Req) => {
      const name = req.params['connector']!;
      return { [name]: { topics: worker().activeTopics(name) } };
    });
    scope.put('/connectors/:connector/topics/reset', async (req: Req, reply: FastifyReply) => {
      worker().resetActiveTopics(req.params['connector']!);
      return reply.code(200).send();
    });
    scope.get('/connectors/:connector/offsets', async (req: Req) => worker().offsets(req.params['connector']!));
    scope.patch('/connectors/:connector/offsets', async (req: Req) => {
      const body = req.body as { offsets?: unknown } | undefined;
      if (!body || !Array.isArray(body.offsets)) throw fail(400, 'Offsets must be specified and non-empty');
      const offsets = body.offsets.map((o: unknown) => {
        const e = o as { partition?: unknown; offset?: unknown };
        if (!e || typeof e.partition !== 'object' || e.partition === null) throw fail(400, 'Partitions must be specified and non-null');
        return { partition: e.partition as Record<string, unknown>, offset: (e.offset ?? null) as Record<string, unknown> | null };
      });
      if (!offsets.length) throw fail(400, 'Offsets must be specified and non-empty');
      return { message: await worker().alterOffsets(req.params['connector']!, offsets) };
    });
    scope.delete('/connectors/:connector/offsets', async (req: Req) => ({ message: await worker().alterOffsets(req.params['connector']!, 'reset') }));

    scope.get('/connector-plugins', async (req: Req) => {
      const connectorsOnly = req.query['connectorsOnly'] === undefined ? true : flag(req.query['connectorsOnly']);
      return worker().plugins.list(connectorsOnly);
    });
    scope.get('/connector-plugins/:plugin/config', async (req: Req) => {
      const def = worker().plugins.pluginConfig(req.params['plugin']!);
      if (!def) throw fail(404, `Unknown plugin ${req.params['plugin']}.`);
      return [...def.configKeys().values()].map((k) => ({
        name: k.name,
        type: k.type,
        required: k.defaultValue === undefined,
        default_value: k.defaultValue === undefined || k.defaultValue === null ? null : String(k.defaultValue),
        importance: k.importance,
        documentation: k.documentation,
        group: k.group ?? null,
        width: k.width ?? 'NONE',
        display_name: k.displayName ?? k.name,
        dependents: k.dependents ?? [],
        order: k.orderInGroup ?? -1,
      }));
    });
    scope.put('/connector-plugins/:plugin/config/validate', async (req: Req) => {
      const plugin = req.params['plugin']!;
      const config = asStringMap(req.body, 'The connector configuration');
      const w = worker();
      const byPath = w.plugins.findConnector(plugin);
      if (config['connector.class'] !== undefined) {
        const byBody = w.plugins.findConnector(config['connector.class']);
        if (!byBody || !byPath || byBody.className !== byPath.className) throw fail(400, `Included connector type ${config['connector.class']} does not match request type ${plugin}`);
      }
      return w.validate({ ...config, 'connector.class': config['connector.class'] ?? plugin });
    });
  });
}
