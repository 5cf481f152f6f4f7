/**
 * `sluice connect-distributed worker.properties`: a Connect worker as Kafka's
 * `connect-distributed.sh worker.properties` starts one. The engine runs on the Kafka cluster the
 * file names (`bootstrap.servers` and the client's `security.protocol`, `sasl.*`, `ssl.*`); workers
 * started with one `group.id` form one Connect cluster; Kafka Connect's REST API is served on
 * `listeners` (or `rest.host.name`/`rest.port`; Connect's default http://0.0.0.0:8083). No ksqlDB
 * listener and no Kafka listener: this process is only a worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, Engine, readWorkerProperties } from '../index.js';
import { connectListenUrl, startConnectListener } from '../server/connect-listener.js';
import type { CliIo } from './cli-io.js';

export interface ConnectDistributedFlags {
  readonly dataDir?: string;
  readonly set?: Record<string, string>;
}

/** worker properties that configure the Kafka client, as Connect passes them to its clients */
const KAFKA_CLIENT_KEY = /^(bootstrap\.servers|security\.protocol|client\.id|sasl\..+|ssl\..+)$/;

export async function runConnectDistributed(file: string, flags: ConnectDistributedFlags, io: CliIo): Promise<number> {
  let workerProps: Record<string, string>;
  try {
    workerProps = readWorkerProperties(file);
  } catch (e) {
    throw new ConfigError(`cannot read the worker properties ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!workerProps['group.id']?.trim()) throw new ConfigError(`${file}: group.id is required in distributed mode (the Connect cluster the worker joins)`);
  // Connect's default, localhost:9092, when the file names no cluster
  const kafka = Object.fromEntries(Object.entries({ 'bootstrap.servers': 'localhost:9092', ...workerProps }).filter(([k]) => KAFKA_CLIENT_KEY.test(k)));
  // a worker keeps nothing of its own on disk (its state is in the internal topics): a scratch
  // directory for the engine's local state unless --data-dir names one
  const scratch = flags.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'sluice-connect-'));
  const dataDir = flags.dataDir ? resolve(flags.dataDir) : scratch!;
  // the worker's own service id (unless --set names one): a Connect worker runs no ksqlDB queries, and
  // a `sluice server` on the same cluster keeps its command topic to itself
  const serviceId = `connect-${workerProps['group.id'].trim()}_`;
  const engine = await Engine.open({ dataDir, properties: { 'ksql.service.id': serviceId, ...kafka, ...(flags.set ?? {}) }, connect: { workerProps, logLine: (line) => io.err(line) } });
  let listener: { url: string; close: () => Promise<void> };
  try {
    engine.start();
    listener = await startConnectListener(engine, connectListenUrl(workerProps) ?? 'http://0.0.0.0:8083');
  } catch (e) {
    await engine.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw e;
  }
  io.out(`Kafka Connect worker ${engine.connect.workerId} of group ${workerProps['group.id']} on ${kafka['bootstrap.servers']}; REST API on ${listener.url}`);
  await new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      // as Connect: the worker leaves the group (the others take its work at once) and sinks commit
      io.err(`${signal}: stopping (the worker leaves its group; tasks stop and commit)`);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void (async () => {
        await listener.close().catch(() => {});
        await engine.close();
        if (scratch) await rm(scratch, { recursive: true, force: true, maxRetries: 5 });
      })().then(done, (e) => {
        io.err(`stop failed: ${(e as Error).message}`);
        done();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  io.err('stopped');
  return 0;
}
