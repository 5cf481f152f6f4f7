/**
 * Kafka Connect's REST API over the engine's embedded worker, on the server's port (the paths do
 * not clash with ksqlDB's) and on the worker's own (connect-listener.ts). Shapes, status codes,
 * error bodies (`{"error_code":..,"message":..}`) and messages are Kafka Connect 4.1's, compared
 * with a real Connect worker by test/connect/rest-vs-kafka.test.ts (`npm run kafka:connect-rest`):
 *
 *   GET    /connectors[?expand=status&expand=info] names, or by name {status, info}
 *   POST   /connectors                            {name, config} -> 201 info (no tasks yet); 409 when it exists
 *   GET    /connectors/{c}  /config  /status  /tasks  /tasks/{t}/status  /topics  /offsets
 *   PUT    /connectors/{c}/config                 201 created / 200 updated, info
 *   DELETE /connectors/{c}                        204
 *   POST   /connectors/{c}/restart[?includeTasks&onlyFailed]   204, or 202 with the status
 *   POST   /connectors/{c}/tasks/{t}/restart      204
 *   PUT    /connectors/{c}/pause  /resume         202;  PUT /connectors/{c}/stop  204
 *   PUT    /connectors/{c}/topics/reset           202
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

/** a task id; anything but an integer matches no route of Connect's (its JAX-RS answers a bare 404) */
function taskIndex(req: Req): number {
  const t = req.params['task']!;
  if (!/^\d+$/.test(t)) throw fail(404, 'HTTP 404 Not Found');
  return Number(t);
}

type WorkerStatus = ReturnType<Engine['connect']['status']>;
type Versioned<T> = T & { version?: string };
type Status = Omit<WorkerStatus, 'connector' | 'tasks'> & { connector: Versioned<WorkerStatus['connector']>; tasks: Versioned<WorkerStatus['tasks'][number]>[] };
type State = Status['connector'] | Status['tasks'][number];

/** Connect's order of a state's keys (state, worker_id, trace, version), with the plugin's version (KIP-891) */
function versioned<S extends State>(s: S, version: string | undefined): S {
  const { trace, ...rest } = s;
  return { ...rest, ...(trace ? { trace } : {}), ...(version !== undefined ? { version } : {}) } as S;
}

/**
 * Connect's SinkUtils.parseSinkConnectorOffsets: sink partitions are {kafka_topic, kafka_partition}
 * and offsets {kafka_offset} or null, numbers given as numbers or numeric strings
 */
function parseSinkOffsets(offsets: { partition: Record<string, unknown> | null; offset: Record<string, unknown> | null }[]): { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[] {
  const integer = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : undefined);
  return offsets.map(({ partition, offset }) => {
    if (!partition) throw fail(400, 'The partition for a sink connector offset cannot be null or missing');
    if (!('kafka_topic' in partition) || !('kafka_partition' in partition)) throw fail(400, "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    if (partition['kafka_topic'] === null) throw fail(400, 'Kafka topic names must be valid strings and may not be null');
    if (partition['kafka_partition'] === null) throw fail(400, 'Kafka partitions must be valid numbers and may not be null');
    const p = integer(partition['kafka_partition']);
    if (p === undefined) throw fail(400, `Failed to parse the following Kafka partition value in the provided offsets: '${String(partition['kafka_partition'])}'. Partition values for sink connectors need to be integers.`);
    const parsed = { kafka_topic: String(partition['kafka_topic']), kafka_partition: p };
    if (offset === null) return { partition: parsed, offset: null };
    if (!('kafka_offset' in offset)) throw fail(400, "The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    const o = integer(offset['kafka_offset']);
    if (o === undefined) throw fail(400, `Failed to parse the following Kafka offset value in the provided offsets: '${String(offset['kafka_offset'])}'. Offset values for sink connectors need to be integers.`);
    return { partition: parsed, offset: { kafka_offset: o } };
  });
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
    const known = (name: string): boolean => worker().has(name);
    /** a connector's status with its plugin's version on the connector and each task, as Connect 4 shows them */
    const statusOf = (name: string): Status => {
      const w = worker();
      const s = w.status(name);
      const version = w.plugins.findConnector(w.connectorClass(name))?.version;
      return { ...s, connector: versioned(s.connector, version), tasks: s.tasks.map((t) => versioned(t, version)) };
    };
    /** Connect's 404s differ by endpoint; these are its words */
    const mustExist = (name: string, message: string): void => {
      if (!known(name)) throw fail(404, message);
    };

    scope.get('/connectors', async (req: Req) => {
      const w = worker();
      const expand = ([] as string[]).concat(req.query['expand'] ?? []);
      const names = w.list();
      if (!expand.length) return names;
      return Object.fromEntries(names.map((n) => [n, { ...(expand.includes('status') ? { status: statusOf(n) } : {}), ...(expand.includes('info') ? { info: w.info(n) } : {}) }]));
    });

    scope.post('/connectors', async (req: Req, reply: FastifyReply) => {
      const body = req.body as { name?: unknown; config?: unknown } | undefined;
      const config = asStringMap(body?.config ?? {}, 'config');
      const name = typeof body?.name === 'string' ? body.name : config['name'];
      // Connect validates a missing name as an empty one
      if (!name || !name.trim()) throw fail(400, `Connector configuration is invalid and contains the following 1 error(s):\nInvalid value ${name?.trim() ?? ''} for configuration name: String may not be empty\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``);
      if (config['name'] !== undefined && config['name'] !== name) throw fail(400, `Connector name configuration (${config['name']}) doesn't match connector name in the URL (${name})`);
      // Kafka Connect 4.1 creates such a connector, which no path can then reach (not even DELETE): refused here
      if (/\//.test(name)) throw fail(400, 'Connector name cannot contain "/"');
      const info = await worker().create(name, { ...config, name });
      // Connect answers before the connector has generated its tasks
      return reply.code(201).header('location', `/connectors/${encodeURIComponent(name)}`).send({ ...info, tasks: [] });
    });

    scope.get('/connectors/:connector', async (req: Req) => worker().info(req.params['connector']!));
    scope.get('/connectors/:connector/config', async (req: Req) => worker().info(req.params['connector']!).config);
    scope.put('/connectors/:connector/config', async (req: Req, reply: FastifyReply) => {
      const name = req.params['connector']!;
      const config = asStringMap(req.body, 'The connector configuration');
      const { created, info } = await worker().put(name, config);
      if (created) void reply.header('location', `/connectors/${encodeURIComponent(name)}`);
      return reply.code(created ? 201 : 200).send(created ? { ...info, tasks: [] } : info);
    });
    scope.get('/connectors/:connector/status', async (req: Req) => {
      const name = req.params['connector']!;
      mustExist(name, `No status found for connector ${name}`);
      return statusOf(name);
    });
    scope.get('/connectors/:connector/tasks', async (req: Req) => worker().taskConfigs(req.params['connector']!));
    scope.get('/connectors/:connector/tasks/:task/status', async (req: Req) => {
      const name = req.params['connector']!;
      const id = taskIndex(req);
      const task = known(name) ? statusOf(name).tasks.find((t) => t.id === id) : undefined;
      if (!task) throw fail(404, `No status found for task ${name}-${id}`);
      return task;
    });
    scope.delete('/connectors/:connector', async (req: Req, reply: FastifyReply) => {
      await worker().delete(req.params['connector']!);
      return reply.code(204).send();
    });
    scope.post('/connectors/:connector/restart', async (req: Req, reply: FastifyReply) => {
      const name = req.params['connector']!;
      const includeTasks = flag(req.query['includeTasks']);
      const onlyFailed = flag(req.query['onlyFailed']);
      mustExist(name, `Unknown connector: ${name}`);
      const current = statusOf(name);
      if (current.connector.state === 'STOPPED') {
        // a stopped connector stays stopped (it has no tasks); Connect accepts the request all the same
        if (!includeTasks && !onlyFailed) return reply.code(204).send();
        return reply.code(202).send({ ...current, connector: { ...current.connector, state: onlyFailed ? 'STOPPED' : 'RESTARTING' } });
      }
      const status = await worker().restart(name, { includeTasks, onlyFailed });
      // the plain form answers as Connect did before KIP-745
      if (!includeTasks && !onlyFailed) return reply.code(204).send();
      const version = current.connector.version;
      return reply.code(202).send({ ...status, connector: versioned(status.connector, version), tasks: status.tasks.map((t) => versioned(t, version)) });
    });
    scope.post('/connectors/:connector/tasks/:task/restart', async (req: Req, reply: FastifyReply) => {
      const name = req.params['connector']!;
      const id = taskIndex(req);
      mustExist(name, `Unknown connector: ${name}`);
      if (!worker().taskConfigs(name).some((t) => t.id.task === id)) throw fail(404, `Unknown task: ${name}-${id}`);
      await worker().restartTask(name, id);
      return reply.code(204).send();
    });
    scope.put('/connectors/:connector/pause', async (req: Req, reply: FastifyReply) => {
      mustExist(req.params['connector']!, `Unknown connector ${req.params['connector']!}`);
      await worker().pause(req.params['connector']!);
      return reply.code(202).send();
    });
    scope.put('/connectors/:connector/resume', async (req: Req, reply: FastifyReply) => {
      mustExist(req.params['connector']!, `Unknown connector ${req.params['connector']!}`);
      await worker().resume(req.params['connector']!);
      return reply.code(202).send();
    });
    scope.put('/connectors/:connector/stop', async (req: Req, reply: FastifyReply) => {
      mustExist(req.params['connector']!, `Unknown connector ${req.params['connector']!}`);
      await worker().stop(req.params['connector']!);
      return reply.code(204).send();
    });
    scope.get('/connectors/:connector/topics', async (req: Req) => {
      const name = req.params['connector']!;
      // Connect reads the status topic: an unknown connector has used no topics
      return { [name]: { topics: known(name) ? worker().activeTopics(name) : [] } };
    });
    scope.put('/connectors/:connector/topics/reset', async (req: Req, reply: FastifyReply) => {
      const name = req.params['connector']!;
      if (known(name)) worker().resetActiveTopics(name);
      return reply.code(202).send();
    });
    scope.get('/connectors/:connector/offsets', async (req: Req) => worker().offsets(req.params['connector']!));
    scope.patch('/connectors/:connector/offsets', async (req: Req) => {
      const name = req.params['connector']!;
      const body = req.body as { offsets?: unknown } | undefined;
      if (!body || !Array.isArray(body.offsets) || !body.offsets.length) throw fail(400, 'Partitions / offsets need to be provided for an alter offsets request');
      const given = body.offsets.map((o: unknown) => {
        const e = (o ?? {}) as { partition?: unknown; offset?: unknown };
        const map = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
        return { partition: map(e.partition), offset: map(e.offset) };
      });
      mustExist(name, `Connector ${name} not found`);
      let offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[];
      if (worker().type(name) === 'sink') offsets = parseSinkOffsets(given);
      else {
        offsets = given.map(({ partition, offset }) => {
          if (!partition) throw fail(400, 'Partition objects cannot be null');
          return { partition, offset };
        });
      }
      return { message: await worker().alterOffsets(name, offsets) };
    });
    scope.delete('/connectors/:connector/offsets', async (req: Req) => ({ message: await worker().alterOffsets(req.params['connector']!, 'reset') }));

    scope.get('/connector-plugins', async (req: Req) => {
      const connectorsOnly = req.query['connectorsOnly'] === undefined ? true : flag(req.query['connectorsOnly']);
      return worker().plugins.list(connectorsOnly);
    });
    scope.get('/connector-plugins/:plugin/config', async (req: Req) => {
      const info = worker().plugins.pluginConfigInfo(req.params['plugin']!);
      if (!info) throw fail(404, `Unknown plugin ${req.params['plugin']}.`);
      return info;
    });
    scope.put('/connector-plugins/:plugin/config/validate', async (req: Req) => {
      const plugin = req.params['plugin']!;
      const config = asStringMap(req.body, 'The connector configuration');
      const included = config['connector.class'];
      // Connect compares the names as given (a simple name matches a qualified one ending with it)
      const normalized = (n: string) => (n.endsWith('Connector') && n.length > 'Connector'.length ? n.slice(0, -'Connector'.length) : n);
      if (included !== undefined && !normalized(included).endsWith(normalized(plugin))) throw fail(400, `Included connector type ${included} does not match request type ${plugin}`);
      // the configuration names the connector, not the path
      return worker().validate(config);
    });
  });
}
