/**
 * `sluice server`: one engine over a data directory serving ksqlDB's REST API until SIGTERM or
 * SIGINT, then a graceful stop (push queries end, in-flight inserts finish, the engine closes so
 * the data directory is left clean). Settings come from flags, else the --config JSON file:
 *   { "listen": "http://0.0.0.0:8088", "dataDir": "...", "usersFile": "users.json",
 *     "tls": { "key": "key.pem", "cert": "cert.pem" }, "maxBodyBytes": 4194304,
 *     "slowClientMs": 30000, "auditRetentionMs": 2592000000, "properties": { ... },
 *     "kafkaListen": "127.0.0.1:9092",
 *     "kafka": { "autoCreateTopics": true, "defaultPartitions": 1, "advertise": "host:port" } }
 * The Kafka listener (src/broker/) serves the same log to Kafka clients; it shares the users file
 * (SASL) and TLS settings. "none" turns it off; the default address, when taken, only warns.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, Engine, readWorkerProperties } from '../index.js';
import { connectListenUrl, startConnectListener } from './connect-listener.js';
import { AuditLog, DEFAULT_AUDIT_RETENTION_MS } from './audit-log.js';
import { Authenticator, hashSecret } from './auth.js';
import { RestServer } from './rest-server.js';
import { KafkaBroker } from '../broker/kafka-broker.js';
import { scramCredentialFor } from '../broker/scram-credentials.js';

export interface ServerFlags {
  readonly dataDir?: string;
  readonly listen?: string;
  readonly config?: string;
  readonly users?: string;
  readonly tlsKey?: string;
  readonly tlsCert?: string;
  readonly set?: Record<string, string>;
  readonly kafkaListen?: string;
}

interface ServerConfig {
  listen?: string;
  dataDir?: string;
  usersFile?: string;
  tls?: { key?: string; cert?: string };
  maxBodyBytes?: number;
  slowClientMs?: number;
  auditRetentionMs?: number;
  properties?: Record<string, string>;
  kafkaListen?: string;
  kafka?: { autoCreateTopics?: boolean; defaultPartitions?: number; maxRequestBytes?: number; advertise?: string };
}

interface Io {
  out(line: string): void;
  err(line: string): void;
}

async function readConfig(path: string | undefined): Promise<ServerConfig> {
  if (!path) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ServerConfig;
  } catch (e) {
    throw new ConfigError(`cannot read the server configuration ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new ConfigError(`cannot read the TLS ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Opens the engine and starts serving; returns the server and a stop function (tests use this). */
export async function startServer(flags: ServerFlags, io: Io): Promise<{ server: RestServer; engine: Engine; url: string; kafka?: string; stop: () => Promise<void> }> {
  const config = await readConfig(flags.config);
  const dataDir = resolve(flags.dataDir ?? config.dataDir ?? '.sluice-data');
  const listen = flags.listen ?? config.listen ?? 'http://0.0.0.0:8088';
  const usersFile = flags.users ?? config.usersFile;
  const keyPath = flags.tlsKey ?? config.tls?.key;
  const certPath = flags.tlsCert ?? config.tls?.cert;
  if (!!keyPath !== !!certPath) throw new ConfigError('TLS needs both a key and a certificate');
  const tls = keyPath && certPath ? { key: await readPem(keyPath, 'key'), cert: await readPem(certPath, 'certificate') } : undefined;
  const auth = usersFile ? await Authenticator.fromFile(usersFile) : undefined;
  const properties = { ...(config.properties ?? {}), ...(flags.set ?? {}) };
  const workerConfig = properties['ksql.connect.worker.config'];
  const workerProps = workerConfig ? readWorkerProperties(workerConfig) : undefined;
  const engine = await Engine.open({
    dataDir,
    properties,
    // the Connect worker: Kafka Connect worker properties from ksql.connect.worker.config, as ksqlDB takes them
    connect: { ...(workerProps ? { workerProps } : {}), logLine: (line) => io.err(line) },
    onProcessingLog: (e) => io.err(`processing error in ${e.queryId} (${e.step}): ${e.message}`),
  });
  let server: RestServer;
  try {
    const audit = await AuditLog.open(engine, config.auditRetentionMs ?? DEFAULT_AUDIT_RETENTION_MS, (e) => io.err(`audit log write failed: ${(e as Error).message}`));
    engine.start();
    server = new RestServer({
      engine,
      listen,
      ...(tls ? { tls } : {}),
      ...(auth ? { auth } : {}),
      audit,
      ...(config.maxBodyBytes ? { maxBodyBytes: config.maxBodyBytes } : {}),
      ...(config.slowClientMs ? { slowClientMs: config.slowClientMs } : {}),
      log: (line) => io.err(line),
    });
    const url = await server.listen();
    const kafkaListen = flags.kafkaListen ?? config.kafkaListen ?? '127.0.0.1:9092';
    let broker: KafkaBroker | undefined;
    let kafka: string | undefined;
    if (kafkaListen !== 'none') {
      broker = new KafkaBroker({
        log: engine.log,
        listen: kafkaListen,
        ...config.kafka,
        ...(auth ? { auth: { authenticator: auth, ...(usersFile ? { usersFile } : {}) } } : {}),
        ...(tls ? { tls } : {}),
        audit: (e) => audit.record({ principal: e.principal, sourceAddress: e.source, endpoint: `kafka:${e.action}`, statement: `${e.action} ${e.topic}${e.detail ? ` (${e.detail})` : ''}`, outcome: e.ok ? 'SUCCESS' : 'FAILED', detail: e.detail }),
        onLog: (line) => io.err(line),
      });
      try {
        kafka = await broker.listen();
      } catch (e) {
        await broker.close();
        broker = undefined;
        const explicit = flags.kafkaListen ?? config.kafkaListen;
        if (explicit) {
          await server.close();
          throw new ConfigError(`cannot listen for Kafka clients on ${kafkaListen}: ${(e as Error).message}`);
        }
        io.err(`Kafka listener not started on ${kafkaListen}: ${(e as Error).message} (--kafka-listen HOST:PORT or none)`);
      }
    }
    // Connect's REST API also on the worker's own port when its properties name one
    const connectUrl = workerProps ? connectListenUrl(workerProps) : undefined;
    const connectListener = connectUrl ? await startConnectListener(engine, connectUrl, auth) : undefined;
    if (connectListener) io.err(`Kafka Connect REST API listening on ${connectListener.url}`);
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await broker?.close();
        await connectListener?.close();
        await server.close();
        await engine.close();
      })());
    return { server, engine, url, ...(kafka ? { kafka } : {}), stop };
  } catch (e) {
    await engine.close();
    throw e;
  }
}

export async function runServer(flags: ServerFlags, io: Io): Promise<number> {
  const { url, kafka, stop } = await startServer(flags, io);
  io.out(`sluice server listening on ${url}`);
  if (kafka) io.out(`Kafka listener on ${kafka}`);
  await new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      io.err(`${signal}: stopping (push queries end, in-flight inserts finish)`);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void stop().then(done, (e) => {
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

/** `sluice hash-secret`: a password or API key's scrypt hash for the users file, the secret read from stdin. */
export async function runHashSecret(io: Io, flags: { scram?: boolean } = {}): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!secret) {
    io.err('hash-secret: give the secret on stdin');
    return 1;
  }
  if (flags.scram) {
    // a users-file entry for the Kafka listener's SASL: PLAIN checks the scrypt hash, SCRAM the keys
    const scram = { 'SCRAM-SHA-256': scramCredentialFor(secret, 'SCRAM-SHA-256'), 'SCRAM-SHA-512': scramCredentialFor(secret, 'SCRAM-SHA-512') };
    io.out(JSON.stringify({ password: await hashSecret(secret), scram }, null, 2));
    return 0;
  }
  io.out(await hashSecret(secret));
  return 0;
}
