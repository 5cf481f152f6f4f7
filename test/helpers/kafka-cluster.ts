/**
 * Runs real Apache Kafka (KRaft, combined broker+controller nodes) for the Kafka backend's tests:
 * the jars come from scripts/kafka/fetch-kafka.sh (a Maven cache outside the repository), each node
 * gets free ports and a temporary directory, and every JVM dies with the test process, even when a
 * test fails or the process is killed (a watchdog shell kills its JVM once the parent pid is gone).
 *
 * SLUICE_KAFKA_BOOTSTRAP=host:port makes startKafka() return that cluster instead (not stopped).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

export const KAFKA_VERSION = process.env.SLUICE_KAFKA_VERSION ?? '4.1.1';

export function kafkaLibsDir(version = KAFKA_VERSION): string {
  return join(process.env.SLUICE_KAFKA_CACHE ?? join(homedir(), '.cache', 'sluice'), `kafka-${version}`, 'libs');
}

/**
 * Why Kafka tests cannot run here, or undefined when they can. Only a missing java is a reason to
 * skip; missing jars are an error (CI fetches them), unless the cluster is external.
 */
export function kafkaSkipReason(): string | undefined {
  if (process.env.SLUICE_KAFKA_BOOTSTRAP) return undefined;
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (java.error || java.status !== 0) return 'java is not installed: the Kafka backend tests need a JDK (17+) to run Apache Kafka';
  return undefined;
}

export interface KafkaNode {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
  process: ChildProcess | undefined;
}

export interface KafkaCluster {
  /** host:port,host:port */
  readonly bootstrap: string;
  readonly brokers: readonly string[];
  readonly nodes: readonly KafkaNode[];
  /** SIGKILLs one node's JVM */
  killNode(nodeId: number): Promise<void>;
  /** starts a killed node again on the same ports and data */
  restartNode(nodeId: number): Promise<void>;
  /** kills every JVM and removes the directories; idempotent */
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

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // synchronous: the last chance when the test process ends without calling stop()
  process.on('exit', () => {
    for (const child of live) if (child.pid) killGroup(child.pid);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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

function serverProperties(node: KafkaNode, voters: string, replication: number, overrides: Readonly<Record<string, string | null>> = {}): string {
  const lines = [
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(node.dir, 'data')}`,
    `offsets.topic.replication.factor=${replication}`,
    'offsets.topic.num.partitions=5',
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${Math.min(2, replication)}`,
    'transaction.state.log.num.partitions=5',
    `default.replication.factor=${replication}`,
    `min.insync.replicas=${Math.min(2, replication)}`,
    'group.initial.rebalance.delay.ms=0',
    // a killed node loses its partitions' leadership within seconds (failover runs)
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=500',
    'num.partitions=1',
    'auto.create.topics.enable=false',
    // topics keep their records: conformance inputs carry 1970 timestamps, which the broker's first
    // retention check (30 s after start) would delete as older than the default 7 days
    'log.retention.ms=-1',
  ];
  const entries = new Map(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) entries.delete(k);
    else entries.set(k, v);
  }
  return [...entries].map(([k, v]) => `${k}=${v}\n`).join('');
}

const LOG4J = `Configuration:
  Appenders:
    File:
      name: FILE
      fileName: \${sys:kafka.logs.dir}/server.log
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: FILE
`;

function javaArgs(libs: string, dir: string, mainClass: string, args: string[], quick = true): string[] {
  return [
    ...(quick ? ['-XX:TieredStopAtLevel=1'] : []),
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-Xshare:auto',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.yaml')}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    join(libs, '*'),
    mainClass,
    ...args,
  ];
}

/** whose end ends a JVM: this process, or (shared) the test runner, and what is removed then */
interface Watch {
  readonly pid: number;
  /** removed once the JVM is gone (a shared broker's directory) */
  readonly removeDir?: string;
}

function startJvm(libs: string, node: KafkaNode, quick: boolean, watch: Watch = { pid: process.pid }): ChildProcess {
  const java = javaArgs(libs, node.dir, 'kafka.Kafka', [join(node.dir, 'server.properties')], quick);
  const cleanup = watch.removeDir ? `; rm -rf "${watch.removeDir}"` : '';
  // a watchdog shell: the JVM is SIGKILLed as soon as the watched process is gone, however it ended
  const script = `java "$@" >"${join(node.dir, 'stdout.log')}" 2>&1 & jvm=$!; trap 'kill -9 $jvm 2>/dev/null; exit 0' TERM INT; while kill -0 ${watch.pid} 2>/dev/null && kill -0 $jvm 2>/dev/null; do sleep 1; done; kill -9 $jvm 2>/dev/null; wait $jvm 2>/dev/null${cleanup}`;
  const child = spawn('bash', ['-c', script, 'kafka-node', ...java], { detached: true, stdio: 'ignore' });
  child.unref();
  // a shared broker outlives this process: only its watchdog ends it
  if (watch.pid === process.pid) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

async function waitForPort(node: KafkaNode, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(node.port)) return;
    if (node.process && node.process.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const log = await readFile(join(node.dir, 'stdout.log'), 'utf8').catch(() => '');
  const server = await readFile(join(node.dir, 'server.log'), 'utf8').catch(() => '');
  throw new Error(`Kafka node ${node.nodeId} did not listen on ${node.port} within ${timeoutMs} ms:\n${(log + server).slice(-3000)}`);
}

/** until every broker is registered with the controller (a listening port comes earlier) */
async function waitForBrokers(brokers: readonly string[], count: number, timeoutMs: number): Promise<void> {
  const admin = new Kafka({ brokers: [...brokers], clientId: 'sluice-test-ready', logLevel: logLevel.NOTHING }).admin();
  const deadline = Date.now() + timeoutMs;
  try {
    await admin.connect();
    for (;;) {
      const described = await admin.describeCluster().catch(() => undefined);
      if (described && described.brokers.length >= count && described.controller !== null) return;
      if (Date.now() > deadline) throw new Error(`Kafka: ${described?.brokers.length ?? 0} of ${count} broker(s) registered after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * A fresh cluster creates its group and transaction coordinators' topics on first use and its JVM
 * is cold: one topic, a produce, a group commit and a transaction make it ready before a test runs.
 */
async function warmUp(brokers: readonly string[]): Promise<void> {
  const kafka = new Kafka({ brokers: [...brokers], clientId: 'sluice-test-warmup', logLevel: logLevel.NOTHING, retry: { retries: 20, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  const producer = kafka.producer({ transactionalId: 'sluice-test-warmup', idempotent: true, maxInFlightRequests: 1 });
  const topic = '_sluice_test_warmup';
  const retry = async (op: () => Promise<unknown>) => {
    for (let i = 0; ; i++) {
      try {
        return await op();
      } catch (e) {
        if (i >= 60) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  try {
    // the group coordinator (with the topic) and the transaction coordinator come up side by side
    await Promise.all([
      (async () => {
        await admin.connect();
        await retry(() => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));
        await retry(() => admin.setOffsets({ groupId: 'sluice-test-warmup', topic, partitions: [{ partition: 0, offset: '0' }] }));
        await retry(() => admin.fetchOffsets({ groupId: 'sluice-test-warmup', topics: [topic] }));
      })(),
      retry(() => producer.connect()),
    ]);
    await retry(async () => {
      const t = await producer.transaction();
      try {
        await t.send({ topic, messages: [{ key: 'k', value: 'v', partition: 0 }] });
        await t.sendOffsets({ consumerGroupId: 'sluice-test-warmup', topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
        await t.commit();
      } catch (e) {
        await t.abort().catch(() => {});
        throw e;
      }
    });
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

export interface StartKafkaOptions {
  /** combined broker+controller nodes: 1 for CI, 3 for failover runs */
  readonly brokers?: number;
  readonly startTimeoutMs?: number;
  /** server.properties entries to add or replace; null removes one of the defaults */
  readonly overrides?: Readonly<Record<string, string | null>>;
  /**
   * JIT only to C1 (default true): a broker that starts in about half the CPU, for tests; a
   * benchmark measuring the broker's throughput passes false
   */
  readonly quickStart?: boolean;
  /** (sharedKafka) the directory to run in, the process whose end stops the cluster, and what goes with it */
  readonly root?: string;
  readonly watchPid?: number;
  readonly removeOnEnd?: string;
}

/**
 * KRaft storage formatted by Kafka's StorageTool (meta.properties with the cluster and node ids and
 * the bootstrap metadata), once per cluster size and node into the cache, then copied: formatting
 * starts a JVM, a second or more of CPU per node per cluster. Ports and paths are not in it.
 */
async function formatStorage(libs: string, nodes: readonly KafkaNode[]): Promise<void> {
  const templates = join(libs, '..', 'formatted', `${nodes.length}-nodes`);
  if (!existsSync(join(templates, '.complete'))) {
    const staging = `${templates}.${process.pid}.${randomBytes(4).toString('hex')}`;
    // Kafka's cluster ids are 16 random bytes in URL-safe base64
    const clusterId = randomBytes(16).toString('base64url');
    await Promise.all(
      nodes.map(async (node) => {
        const dir = join(staging, `node-${node.nodeId}`);
        await mkdir(dir, { recursive: true });
        const props = join(dir, 'server.properties');
        await writeFile(props, (await readFile(join(node.dir, 'server.properties'), 'utf8')).replace(/^log\.dirs=.*$/m, `log.dirs=${join(dir, 'data')}`));
        const format = spawnSync('java', javaArgs(libs, node.dir, 'kafka.tools.StorageTool', ['format', `--cluster-id=${clusterId}`, '-c', props]), { encoding: 'utf8' });
        if (format.status !== 0) throw new Error(`formatting Kafka storage failed: ${format.stderr || format.stdout}`);
      }),
    );
    await writeFile(join(staging, '.complete'), '');
    // another process may have made it meanwhile: either copy is good
    await rename(staging, templates).catch(() => rm(staging, { recursive: true, force: true }));
  }
  await Promise.all(nodes.map((node) => cp(join(templates, `node-${node.nodeId}`, 'data'), join(node.dir, 'data'), { recursive: true })));
}

/** Starts a KRaft cluster of combined nodes in a temporary directory on free ports. */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const external = process.env.SLUICE_KAFKA_BOOTSTRAP;
  if (external) {
    const brokers = external.split(',');
    return { bootstrap: external, brokers, nodes: [], killNode: async () => {}, restartNode: async () => {}, stop: async () => {} };
  }
  const count = options.brokers ?? 1;
  const libs = kafkaLibsDir();
  if (!existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`)))
    throw new Error(`Apache Kafka ${KAFKA_VERSION} jars are missing from ${libs}: run scripts/kafka/fetch-kafka.sh (CI's .ci/run does)`);
  installExitHook();
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'sluice-kafka-')));
  const watch: Watch = options.watchPid ? { pid: options.watchPid, removeDir: options.removeOnEnd ?? root } : { pid: process.pid };
  const nodes: KafkaNode[] = [];
  for (let i = 1; i <= count; i++) {
    const dir = join(root, `node-${i}`);
    await mkdir(dir, { recursive: true });
    nodes.push({ nodeId: i, port: await freePort(), controllerPort: await freePort(), dir, process: undefined });
  }
  const voters = nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const quick = options.quickStart ?? true;
  await Promise.all(
    nodes.map(async (node) => {
      await writeFile(join(node.dir, 'server.properties'), serverProperties(node, voters, Math.min(3, count), options.overrides));
      await writeFile(join(node.dir, 'log4j2.yaml'), LOG4J);
    }),
  );
  await formatStorage(libs, nodes);
  for (const node of nodes) node.process = startJvm(libs, node, quick, watch);
  let stopped = false;
  const cluster: KafkaCluster = {
    bootstrap: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    nodes,
    async killNode(nodeId) {
      const node = nodes.find((n) => n.nodeId === nodeId)!;
      const child = node.process;
      node.process = undefined;
      if (!child?.pid) return;
      killGroup(child.pid);
      // polled with a timer that holds the event loop (the child itself is unref'd)
      while (child.exitCode === null && child.signalCode === null && alive(child.pid)) await new Promise((r) => setTimeout(r, 50));
    },
    async restartNode(nodeId) {
      const node = nodes.find((n) => n.nodeId === nodeId)!;
      if (node.process) return;
      node.process = startJvm(libs, node, quick, watch);
      await waitForPort(node, options.startTimeoutMs ?? 60_000);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(nodes.map((n) => cluster.killNode(n.nodeId)));
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((n) => waitForPort(n, options.startTimeoutMs ?? 60_000)));
    await waitForBrokers(cluster.brokers, count, options.startTimeoutMs ?? 60_000);
    await warmUp(cluster.brokers);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

/**
 * One broker for every test file of a `node --test` run (each file runs in its own process, a
 * child of the runner): the first file to ask starts it, watched by the runner's pid, so it ends
 * with the run and its directory goes with it; the others find its address in that directory.
 * Tests on it keep to names of their own (topics, groups, service ids). stop() leaves it running.
 * Outside the test runner, or with SLUICE_KAFKA_BOOTSTRAP, the same as startKafka().
 */
export async function sharedKafka(options: { startTimeoutMs?: number } = {}): Promise<KafkaCluster> {
  const runner = process.ppid;
  if (process.env.SLUICE_KAFKA_BOOTSTRAP || !process.env.NODE_TEST_CONTEXT || runner <= 1) return startKafka(options);
  const dir = join(tmpdir(), `sluice-kafka-shared-${runner}`);
  const ready = join(dir, 'ready.json');
  const shared = (bootstrap: string): KafkaCluster => ({
    bootstrap,
    brokers: bootstrap.split(','),
    nodes: [],
    killNode: async () => {
      throw new Error('the shared broker cannot be killed: use startKafka()');
    },
    restartNode: async () => {},
    stop: async () => {},
  });
  let owner = true;
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    owner = false;
  }
  if (owner) {
    try {
      const cluster = await startKafka({ ...options, root: join(dir, 'cluster'), watchPid: runner, removeOnEnd: dir });
      await writeFile(`${ready}.tmp`, JSON.stringify({ bootstrap: cluster.bootstrap }));
      await rename(`${ready}.tmp`, ready);
      return shared(cluster.bootstrap);
    } catch (e) {
      await writeFile(join(dir, 'failed'), String((e as Error).message)).catch(() => {});
      throw e;
    }
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000) + 60_000;
  for (;;) {
    if (existsSync(ready)) {
      const { bootstrap } = JSON.parse(await readFile(ready, 'utf8')) as { bootstrap: string };
      // a runner pid used again after an earlier run's directory was left behind: start a broker of our own
      if (await portOpen(Number(bootstrap.split(':').pop()))) return shared(bootstrap);
      return startKafka(options);
    }
    if (existsSync(join(dir, 'failed'))) throw new Error(`the shared Kafka broker did not start: ${await readFile(join(dir, 'failed'), 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the shared Kafka broker in ${dir} was not ready in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
