/**
 * Runs a real Apache Kafka Connect worker in distributed mode (`ConnectDistributed
 * worker.properties`, connect-runtime with connect-file, connect-json and connect-transforms) against a
 * Kafka cluster from kafka-cluster.ts, on a free REST port in a temporary directory. The jars come
 * from scripts/kafka/fetch-connect.sh (Maven Central into ~/.cache/sluice, fetched here when missing);
 * the JVM dies with the test process (a watchdog shell), like the broker's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/repo-root.js';
import { KAFKA_VERSION } from './kafka-cluster.js';

export function connectLibsDir(version = KAFKA_VERSION): string {
  return join(process.env.SLUICE_KAFKA_CACHE ?? join(homedir(), '.cache', 'sluice'), `connect-worker-${version}`, 'libs');
}

/** fetches the worker's jars when missing (Maven); returns why the worker cannot run, or undefined */
export function prepareConnectWorker(): string | undefined {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) return 'java is not installed: the Connect comparison needs a JDK (17+)';
  if (existsSync(join(connectLibsDir(), '.complete'))) return undefined;
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) return 'mvn is not installed: it fetches Kafka Connect (scripts/kafka/fetch-connect.sh)';
  const fetched = spawnSync(join(repoRoot(), 'scripts', 'kafka', 'fetch-connect.sh'), [KAFKA_VERSION], { encoding: 'utf8', timeout: 300_000 });
  if (fetched.status !== 0) throw new Error(`scripts/kafka/fetch-connect.sh failed: ${fetched.stderr}`);
  return undefined;
}

export interface ConnectWorker {
  /** http://127.0.0.1:port */
  readonly url: string;
  readonly dir: string;
  /** the worker's log so far (WARN and above) */
  log(): Promise<string>;
  /** kills the JVM and removes the directory; idempotent */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const LOG4J = `Configuration:
  Appenders:
    File:
      name: FILE
      fileName: \${sys:kafka.logs.dir}/connect.log
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: FILE
`;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Starts the worker and waits until its REST API answers and it has joined its group (GET
 * /connectors answers 200: before that a distributed worker answers 409 or 500).
 */
export async function startConnectWorker(bootstrap: string, options: { groupId?: string; startTimeoutMs?: number; props?: Record<string, string> } = {}): Promise<ConnectWorker> {
  const libs = connectLibsDir();
  if (!existsSync(join(libs, `connect-runtime-${KAFKA_VERSION}.jar`))) throw new Error(`Kafka Connect ${KAFKA_VERSION} jars are missing from ${libs}: run scripts/kafka/fetch-connect.sh (CI's .ci/run does)`);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const child of live) if (child.pid) killGroup(child.pid);
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-worker-'));
  const port = await freePort();
  const group = options.groupId ?? `sluice-test-connect-${port}`;
  const props: Record<string, string> = {
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'config.storage.topic': `${group}-configs`,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'offset.storage.partitions': '1',
    'status.storage.replication.factor': '1',
    'status.storage.partitions': '1',
    'offset.flush.interval.ms': '500',
    listeners: `http://127.0.0.1:${port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': String(port),
    'plugin.discovery': 'only_scan',
    // a new connector's tasks start without the default 3 s rebalance delay
    'scheduled.rebalance.max.delay.ms': '0',
    ...options.props,
  };
  await writeFile(join(dir, 'worker.properties'), Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  await writeFile(join(dir, 'log4j2.yaml'), LOG4J);
  const java = [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.yaml')}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    join(libs, '*'),
    'org.apache.kafka.connect.cli.ConnectDistributed',
    join(dir, 'worker.properties'),
  ];
  const script = `java "$@" >"${join(dir, 'stdout.log')}" 2>&1 & jvm=$!; trap 'kill -9 $jvm 2>/dev/null; exit 0' TERM INT; while kill -0 ${process.pid} 2>/dev/null && kill -0 $jvm 2>/dev/null; do sleep 1; done; kill -9 $jvm 2>/dev/null; wait $jvm 2>/dev/null`;
  const child = spawn('bash', ['-c', script, 'connect-worker', ...java], { detached: true, stdio: 'ignore' });
  child.unref();
  live.add(child);
  child.once('exit', () => live.delete(child));
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const worker: ConnectWorker = {
    url,
    dir,
    log: async () => (await readFile(join(dir, 'stdout.log'), 'utf8').catch(() => '')) + (await readFile(join(dir, 'connect.log'), 'utf8').catch(() => '')),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.pid) killGroup(child.pid);
      while (child.exitCode === null && child.signalCode === null) await new Promise((r) => setTimeout(r, 50));
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/connectors`).then((r) => r.status, () => 0);
    if (status === 200) return worker;
    if (Date.now() > deadline || child.exitCode !== null) {
      const log = await worker.log();
      await worker.stop();
      throw new Error(`Kafka Connect did not answer on ${url} within ${timeoutMs} ms (last status ${status}):\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
