/**
 * A real Apache Kafka broker for the differential test: Kafka 4.1 (KRaft, one combined
 * broker+controller node) assembled from Maven Central with `mvn dependency:copy-dependencies`,
 * cached under the OS temp dir. SLUICE_KAFKA_BOOTSTRAP=host:port uses a broker already running.
 * Returns a skip reason when neither Java+Maven nor a bootstrap address is available.
 *
 * (The Kafka backend's test helper does the same for its own tests; this one stays small so that
 * the broker's differential test does not depend on another branch.)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const VERSION = '4.1.0';
const CACHE = join(tmpdir(), `sluice-kafka-server-${VERSION}`);

export interface RealKafka {
  readonly bootstrap: string;
  stop(): Promise<void>;
}

async function have(cmd: string, args: string[]): Promise<boolean> {
  try {
    await execFileAsync(cmd, args);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startRealKafka(): Promise<RealKafka | { skip: string }> {
  const given = process.env.SLUICE_KAFKA_BOOTSTRAP;
  if (given) return { bootstrap: given, stop: async () => {} };
  if (!(await have('java', ['-version']))) return { skip: 'no Java to run Apache Kafka (or set SLUICE_KAFKA_BOOTSTRAP)' };
  const lib = join(CACHE, 'lib');
  if (!existsSync(lib) || readdirSync(lib).length < 20) {
    if (!(await have('mvn', ['-v']))) return { skip: 'no Maven to fetch Apache Kafka from Maven Central (or set SLUICE_KAFKA_BOOTSTRAP)' };
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(
      join(CACHE, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>sluice.test</groupId><artifactId>kafka-server</artifactId><version>1</version>
<dependencies><dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${VERSION}</version></dependency></dependencies></project>`,
    );
    try {
      await execFileAsync('mvn', ['-q', '-B', '-f', join(CACHE, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], { timeout: 300_000 });
    } catch (e) {
      return { skip: `could not fetch Apache Kafka ${VERSION} from Maven Central: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  const port = await freePort();
  const controller = await freePort();
  const dir = join(CACHE, `run-${process.pid}-${port}`);
  mkdirSync(dir, { recursive: true });
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=1',
      'group.initial.rebalance.delay.ms=0',
      'num.partitions=1',
    ].join('\n'),
  );
  const cp = `${lib}/*`;
  await execFileAsync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', 'c2x1dWljZS1kaWZmZXJlbnRp', '-c', props], { timeout: 120_000 });
  const child: ChildProcess = spawn('java', ['-Xmx512m', '-cp', cp, 'kafka.Kafka', props], { stdio: 'ignore' });
  const deadline = Date.now() + 120_000;
  while (!(await reachable(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      return { skip: 'Apache Kafka did not start' };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 15_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      await execFileAsync('rm', ['-rf', dir]);
    },
  };
}
