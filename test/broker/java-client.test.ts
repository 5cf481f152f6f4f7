/**
 * The Apache Kafka Java client (org.apache.kafka:kafka-clients 4.1 from Maven Central, with its
 * codec libraries) against the listener: admin, idempotent producers with every codec, a
 * committed and an aborted transaction, a read_committed group consumer. The jars are cached
 * under the OS temp dir; skipped with the reason when Java or Maven Central is not reachable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBroker } from './broker-fixture.js';

const MAVEN = 'https://repo1.maven.org/maven2';
const JARS = [
  'org/apache/kafka/kafka-clients/4.1.0/kafka-clients-4.1.0.jar',
  'org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar',
  'org/lz4/lz4-java/1.8.0/lz4-java-1.8.0.jar',
  'org/xerial/snappy/snappy-java/1.1.10.7/snappy-java-1.1.10.7.jar',
  'com/github/luben/zstd-jni/1.5.6-10/zstd-jni-1.5.6-10.jar',
];
const CACHE = join(tmpdir(), 'sluice-kafka-java-client');

async function prepare(): Promise<string | { skip: string }> {
  if (spawnSync('javac', ['-version']).status !== 0) return { skip: 'javac (a JDK) is not installed' };
  mkdirSync(CACHE, { recursive: true });
  for (const path of JARS) {
    const file = join(CACHE, path.split('/').pop()!);
    if (existsSync(file)) continue;
    try {
      const res = await fetch(`${MAVEN}/${path}`, { signal: AbortSignal.timeout(60_000) });
      if (!res.ok) return { skip: `Maven Central answered ${res.status} for ${path}` };
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    } catch (e) {
      return { skip: `Maven Central not reachable: ${(e as Error).message}` };
    }
  }
  const cp = JARS.map((p) => join(CACHE, p.split('/').pop()!)).join(':');
  const source = fileURLToPath(new URL('../../../test/broker/clients/JavaClient.java', import.meta.url));
  execFileSync('javac', ['-cp', cp, '-d', CACHE, source], { stdio: 'pipe' });
  return `${cp}:${CACHE}`;
}

test('the Apache Kafka Java client: admin, idempotent producers with every codec, transactions, a read_committed group', async (t) => {
  const cp = await prepare();
  if (typeof cp !== 'string') {
    t.skip(cp.skip);
    return;
  }
  await withBroker(async ({ address }) => {
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn('java', ['-cp', cp, 'JavaClient', address, 'java'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(out.stdout.trim().split('\n'), ['topics true', 'delivered 50', 'committed 51', 'consumed 51 txn [txn-committed]']);
  });
});
