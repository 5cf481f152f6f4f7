/**
 * Kafka Connect's REST API on its own port, as a Connect worker serves it: started by `sluice server`
 * when the worker properties name `listeners` (e.g. `http://0.0.0.0:8083`) or `rest.port`
 * (with `rest.host.name`). The same routes are always on the server's own port too.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyRequest } from 'fastify';
import type { Engine } from '../index.js';
import { ConnectError } from '../index.js';
import type { Authenticator } from './auth.js';
import { registerConnectRoutes } from './connect-routes.js';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** where the worker properties ask Connect's REST API to listen, if they do */
export function connectListenUrl(props: Readonly<Record<string, string>>): string | undefined {
  const listeners = props['listeners']?.split(',').map((s) => s.trim()).find((s) => s.startsWith('http://'));
  if (listeners) return listeners.replace('://:', '://0.0.0.0:');
  if (props['rest.port']) return `http://${props['rest.host.name'] || '0.0.0.0'}:${props['rest.port']}`;
  return undefined;
}

export async function startConnectListener(engine: Engine, listen: string, auth?: Authenticator): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.decorateRequest('principal', null);
  if (auth) {
    app.addHook('onRequest', async (req) => {
      const principal = await auth.authenticate(req.headers.authorization);
      if (!principal) throw new ConnectError('Unauthorized', 401);
      (req as FastifyRequest & { principal: unknown }).principal = principal;
    });
  }
  app.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    const status = error instanceof ConnectError ? error.status : (error.statusCode ?? 500);
    void reply.code(status).send({ error_code: status, message: error.message });
  });
  // Connect (JAX-RS) answers 405 to a path it serves under another method
  const routes: RegExp[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+')}/?$`));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (routes.some((r) => r.test(path))) return void reply.code(405).send({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
    void reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' });
  });
  // Connect's root: its version, commit and Kafka cluster id (the commit is unknown, as Kafka says when its build lacks one)
  app.get('/', async () => ({ version: packageVersion(), commit: 'unknown', kafka_cluster_id: 'sluice-embedded-log' }));
  registerConnectRoutes(app, engine);
  const url = new URL(listen);
  await app.listen({ host: url.hostname, port: Number(url.port || 8083) });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : Number(url.port);
  return { url: `http://${url.hostname === '0.0.0.0' ? 'localhost' : url.hostname}:${port}`, close: () => app.close() };
}
