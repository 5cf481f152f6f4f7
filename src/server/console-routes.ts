/**
 * The web console and the metrics endpoint, registered on the REST server: the built front end at
 * `/`, its API under /console/api, and GET /metrics. The console's sampler stops with the server.
 */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../index.js';
import type { AuditLog } from './audit-log.js';
import { connectorsOf, registerConsoleApi } from './console-api.js';
import type { ConnectorsSeam } from './console-api.js';
import { registerConsoleAssets } from './console-assets.js';
import { ConsoleHistory } from './console-history.js';
import { registerMetricsEndpoint } from './metrics-endpoint.js';

export { connectorsOf };

export interface ConsoleOptions {
  readonly engine: Engine;
  readonly audit?: AuditLog;
  readonly version: string;
  /** push queries streaming to this server's clients */
  readonly pushClients: () => number;
  /** the console's view of the Connect worker (its changes go through Connect's REST routes) */
  readonly connectors?: ConnectorsSeam;
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const history = new ConsoleHistory(options.engine);
  app.addHook('onClose', async () => history.stop());
  registerConsoleAssets(app);
  registerConsoleApi(app, { engine: options.engine, history, version: options.version, ...(options.audit ? { audit: options.audit } : {}), ...(options.connectors ? { connectors: options.connectors } : {}) });
  registerMetricsEndpoint(app, { engine: options.engine, pushClients: options.pushClients });
}
