/** An engine over a fresh data directory with the Kafka listener on a free port. */
import { spawnSync } from 'node:child_process';
import { Engine } from '../../src/index.js';
import { KafkaBroker, type KafkaBrokerOptions } from '../../src/broker/kafka-broker.js';
import { tempDir } from '../support/temp-dir.js';

export interface BrokerFixture {
  engine: Engine;
  broker: KafkaBroker;
  /** HOST:PORT */
  address: string;
  logLines: string[];
}

export async function withBroker<T>(work: (f: BrokerFixture) => Promise<T>, options: Partial<KafkaBrokerOptions> = {}): Promise<T> {
  const dir = await tempDir('sluice-broker-');
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest' } });
  const logLines: string[] = [];
  const broker = new KafkaBroker({ log: engine.log, listen: '127.0.0.1:0', onLog: (l) => logLines.push(l), ...options });
  try {
    const address = await broker.listen();
    return await work({ engine, broker, address, logLines });
  } finally {
    await broker.close();
    await engine.close();
    await dir.cleanup();
  }
}

/** why an external client cannot run here, or undefined when it can */
export function missingTool(tool: 'kcat' | 'python'): string | undefined {
  if (tool === 'kcat') {
    const r = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
    return r.status === 0 ? undefined : 'kcat is not installed (apt-get install kcat; .ci/run installs it)';
  }
  const r = spawnSync('python3', ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'python3 with confluent-kafka is not installed (pip install confluent-kafka; .ci/run installs it)';
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
