/**
 * librdkafka-based clients (kcat and Python's confluent-kafka) and @platformatic/kafka against
 * the listener. kcat and confluent-kafka are skipped, with the reason, where not installed
 * (.ci/run installs them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { missingTool, withBroker } from './broker-fixture.js';

function run(cmd: string, args: string[], input?: string, timeoutMs = 90_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

test('kcat produces with each compression, lists metadata and consumes everything', { skip: missingTool('kcat') }, async () => {
  await withBroker(async ({ address, engine }) => {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const lines = Array.from({ length: 100 }, (_, i) => `k${i}:${codec}-${i}`).join('\n') + '\n';
      const r = await run('kcat', ['-P', '-b', address, '-t', 'kc', '-K:', '-z', codec, '-X', 'linger.ms=5'], lines);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(await engine.log.latestOffset('kc', 0), 500n);
    const meta = await run('kcat', ['-L', '-b', address, '-t', 'kc']);
    assert.match(meta.stdout, /topic "kc" with 1 partitions/);
    const c = await run('kcat', ['-C', '-b', address, '-t', 'kc', '-e', '-f', '%o %k %s\\n']);
    assert.equal(c.code, 0, c.stderr);
    const lines = c.stdout.trim().split('\n');
    assert.equal(lines.length, 500);
    assert.equal(lines[0], '0 k0 none-0');
    assert.equal(lines[499], '499 k99 zstd-99');
    // consuming from the middle by offset
    const mid = await run('kcat', ['-C', '-b', address, '-t', 'kc', '-p', '0', '-o', '250', '-c', '1', '-f', '%o %s\\n']);
    assert.equal(mid.stdout.trim(), '250 snappy-50');
  });
});

test('confluent-kafka (Python): admin, idempotent producers with every codec, transactions, resume, a cooperative group of two rebalancing', { skip: missingTool('python') }, async () => {
  await withBroker(async ({ address }) => {
    const script = fileURLToPath(new URL('../../../test/broker/clients/confluent_client.py', import.meta.url));
    const r = await run('python3', [script, address, 'py']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(report.duplicate_create, 'TOPIC_ALREADY_EXISTS');
    assert.equal(report.partitions, 3);
    assert.equal(report.retention_ms, '86400000');
    assert.equal(report.delivered, 100);
    assert.equal(report.consumed, 101);
    assert.deepEqual(report.txn_values, ['txn-committed']);
    assert.equal(report.committed_sum, 101);
    assert.deepEqual(report.resumed, ['after-commit']);
    assert.deepEqual(report.coop_sizes, [1, 2]);
    assert.equal(report.coop_disjoint, true);
    assert.equal(report.coop_after_leave, 3);
  });
});

test('@platformatic/kafka produces with its codecs and consumes in a group, committing', async () => {
  await withBroker(async ({ address, engine }) => {
    const admin = new Admin({ clientId: 'pa', bootstrapBrokers: [address] });
    await admin.createTopics({ topics: ['plat'], partitions: 2, replicas: 1 });
    const producer = new Producer({ clientId: 'pp', bootstrapBrokers: [address], serializers: stringSerializers });
    // zstd needs node:zlib's zstd (Node 22.15+) in this client
    const codecs = ['none', 'gzip', 'snappy', 'lz4'] as const;
    for (const compression of codecs) await producer.send({ messages: [{ topic: 'plat', key: `k-${compression}`, value: `v-${compression}`, partition: 0 }], compression });
    const consumer = new Consumer({ groupId: 'pg', clientId: 'pc', bootstrapBrokers: [address], deserializers: stringDeserializers, maxWaitTime: 200 });
    const stream = await consumer.consume({ topics: ['plat'], mode: 'earliest' });
    const seen: string[] = [];
    for await (const m of stream) {
      seen.push(m.value as string);
      await m.commit();
      if (seen.length === codecs.length) break;
    }
    await stream.close();
    await consumer.close();
    await producer.close();
    await admin.close();
    assert.deepEqual(seen, codecs.map((c) => `v-${c}`));
    const committed = await engine.log.committedOffsets('pg', 'plat');
    assert.deepEqual(committed.find((c) => c.partition === 0)?.offset, 4n);
  });
});
