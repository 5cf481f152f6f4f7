/**
 * Connect's distributed mode on Sluice's embedded broker (issue 16: workers with one group.id form
 * a cluster "on the Kafka backend, or on the embedded broker"): two `sluice connect-distributed`
 * processes whose bootstrap.servers is a `sluice server`'s --kafka-listen address share a datagen
 * source's tasks, and every record reaches the topic.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaLog } from '../../src/log/kafka/index.js';
import { freePort } from '../connect/pg-server.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';
import { until } from './broker-fixture.js';

interface Worker {
  readonly id: string;
  readonly rest: string;
  readonly child: ChildProcess;
  output: string;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

describe('Connect distributed mode on the embedded broker', { timeout: 120_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: ChildProcess;
  let serverOutput = '';
  let address: string;
  let log: KafkaLog;
  const workers: Worker[] = [];

  before(async () => {
    dir = await tempDir('sluice-connect-on-broker-');
    // the broker is another Sluice process, as a user runs it
    address = `127.0.0.1:${await freePort()}`;
    const rest = `http://127.0.0.1:${await freePort()}`;
    server = spawn(process.execPath, [sluiceBin(), 'server', '--data-dir', join(dir.path, 'server'), '--listen', rest, '--kafka-listen', address], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (c: Buffer) => (serverOutput += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (serverOutput += c.toString()));
    log = await until('sluice server to serve the Kafka protocol', async () => {
      if (server.exitCode !== null) throw new Error(`sluice server exited: ${serverOutput}`);
      return KafkaLog.open({ properties: { 'bootstrap.servers': address, 'request.timeout.ms': '2000' } }).catch(() => undefined);
    }, 60_000);
  });
  after(async () => {
    const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)));
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => exited(w.child)));
    await log?.close();
    if (server && server.exitCode === null && server.signalCode === null) {
      const done = exited(server);
      server.kill('SIGTERM');
      await done;
    }
    await dir?.cleanup();
  });

  async function startWorker(name: string): Promise<Worker> {
    const port = await freePort();
    const props = join(dir.path, `${name}.properties`);
    await writeFile(
      props,
      [`bootstrap.servers=${address}`, 'group.id=g1', 'config.storage.topic=connect-configs', 'offset.storage.topic=connect-offsets', 'status.storage.topic=connect-status', `listeners=http://127.0.0.1:${port}`, 'session.timeout.ms=6000', 'heartbeat.interval.ms=1000', 'offset.flush.interval.ms=500', ''].join('\n'),
    );
    const child = spawn(process.execPath, [sluiceBin(), 'connect-distributed', props, '--data-dir', join(dir.path, name)], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    const w: Worker = { id: `127.0.0.1:${port}`, rest: `http://127.0.0.1:${port}`, child, output: '' };
    child.stdout!.on('data', (c: Buffer) => (w.output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (w.output += c.toString()));
    workers.push(w);
    const diag = () => w.output;
    await until(`worker ${name} to serve Connect's REST API`, async () => {
      if (child.exitCode !== null) throw new Error(`worker ${name} exited: ${diag()}`);
      return (await call(w.rest, 'GET', '/connectors').catch(() => ({ status: 0 }))).status === 200 ? true : undefined;
    }, 60_000);
    return w;
  }

  it('two workers with one group.id share a source connector\'s tasks; every record lands in the topic', async () => {
    const PER_TASK = 200;
    await log.createTopic('pageviews', { partitions: 2 });
    const a = await startWorker('a');
    const b = await startWorker('b');
    const res = await call(a.rest, 'POST', '/connectors', {
      name: 'gen',
      config: { 'connector.class': 'DatagenConnector', 'tasks.max': '2', 'kafka.topic': 'pageviews', quickstart: 'pageviews', 'max.interval': '5', iterations: String(PER_TASK) },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const diag = () => [`--- sluice server\n${serverOutput.slice(-3000)}`, ...workers.map((w) => `--- ${w.id}\n${w.output.slice(-3000)}`)].join('\n');
    // Connect's eager round-robin over two workers: each runs one of the two tasks
    const spread = await until('the two tasks running, one on each worker', async () => {
      const s = (await call(b.rest, 'GET', '/connectors/gen/status')).body as { tasks?: { state: string; worker_id: string }[] };
      const tasks = s.tasks ?? [];
      return tasks.length === 2 && tasks.every((t) => t.state === 'RUNNING') && new Set(tasks.map((t) => t.worker_id)).size === 2 ? tasks.map((t) => t.worker_id).sort() : undefined;
    }, 45_000).catch((e) => assert.fail(`${(e as Error).message}\n${diag()}`));
    assert.deepEqual(spread, [a.id, b.id].sort());
    const count = async () => {
      let n = 0n;
      for (const p of [0, 1]) n += (await log.latestOffset('pageviews', p)) - (await log.earliestOffset('pageviews', p));
      return n;
    };
    await until('every generated record in the topic', async () => ((await count()) >= BigInt(2 * PER_TASK) ? true : undefined), 45_000).catch((e) => assert.fail(`${(e as Error).message}\n${diag()}`));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await count(), BigInt(2 * PER_TASK));
    // the workers' internal topics live on the broker's log
    const topics = await log.listTopics();
    for (const t of ['connect-configs', 'connect-offsets', 'connect-status']) assert.ok(topics.includes(t), topics.join(' '));
  });
});
