/**
 * Connect's distributed mode on real Apache Kafka: two Sluice processes started from Kafka Connect
 * worker properties files with one `group.id` form one Connect cluster. The second worker joins
 * while the first runs a JDBC sink (tasks.max=2 over a 4-partition topic) and gets a share of it;
 * a datagen source (tasks.max=2) is added; each worker runs one task of each. When one worker is
 * SIGKILLed mid-run the other takes its tasks over (the datagen task goes on from its stored offset)
 * and PostgreSQL ends with every record exactly once.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaLog } from '../../src/log/kafka/index.js';
import { kafkaSkipReason, startKafka, type KafkaCluster } from '../helpers/kafka-cluster.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';
import { freePort, PgServer, postgresAvailable } from './pg-server.js';

const skip = kafkaSkipReason() ?? (postgresAvailable() ? undefined : 'PostgreSQL is not installed');

interface Res {
  status: number;
  body: any;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Res> {
  const res = await fetch(base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms: number, diag: () => string = () => ''): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface WorkerProcess {
  readonly id: string;
  readonly connect: string;
  readonly child: ChildProcess;
  output: string;
}

describe('Connect distributed mode: two Sluice workers, one group.id, on Apache Kafka', { skip, timeout: 240_000 }, () => {
  let cluster: KafkaCluster;
  let pg: PgServer;
  let dir: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    [cluster, pg] = await Promise.all([startKafka(), PgServer.start()]);
    dir = await mkdtemp(join(tmpdir(), 'sluice-connect-dist-'));
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await pg?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  async function startWorker(name: string): Promise<WorkerProcess> {
    const port = await freePort();
    const props = join(dir, `${name}.properties`);
    // a connect-distributed.properties as Kafka Connect users write it
    await writeFile(
      props,
      [
        `bootstrap.servers=${cluster.bootstrap}`,
        'group.id=sluice-connect-test',
        'config.storage.topic=connect-configs',
        'offset.storage.topic=connect-offsets',
        'status.storage.topic=connect-status',
        `listeners=http://127.0.0.1:${port}`,
        // the broker's group.min.session.timeout.ms is 6 s: a killed worker is noticed after that
        'session.timeout.ms=6000',
        'heartbeat.interval.ms=1000',
        'offset.flush.interval.ms=500',
        '',
      ].join('\n'),
    );
    // as `connect-distributed.sh worker.properties` starts a Connect worker
    const args = [sluiceBin(), 'connect-distributed', props, '--data-dir', join(dir, name)];
    const child = spawn(process.execPath, args, { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    const w: WorkerProcess = { id: `127.0.0.1:${port}`, connect: `http://127.0.0.1:${port}`, child, output: '' };
    child.stdout!.on('data', (c: Buffer) => (w.output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (w.output += c.toString()));
    workers.push(w);
    await until(`worker ${name} to serve Connect's REST API`, async () => child.exitCode === null && (await call(w.connect, 'GET', '/connectors')).status === 200, 60_000, () => w.output);
    return w;
  }

  it('a joining worker gets tasks, a SIGKILLed worker\'s tasks move to the survivor, sources resume from stored offsets, and every record lands in PostgreSQL exactly once', async (t) => {
    const PER_TASK = 1000;
    const t0 = Date.now();
    const phase = (what: string) => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    const kafka = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap } });
    t.after(() => kafka.close());
    await kafka.createTopic('pageviews', { partitions: 4, replicationFactor: 1 });
    /** the datagen tasks' source offsets as the workers stored them (`current.iteration` by task) */
    const storedIterations = async (): Promise<Record<number, number>> => {
      const out: Record<number, number> = {};
      for (const p of (await kafka.describeTopic('connect-offsets')).partitions) {
        for (let at = p.logStartOffset; at < p.highWatermark; ) {
          const batch = await kafka.fetch('connect-offsets', p.partition, at);
          for (const r of batch.records) {
            const [name, partition] = JSON.parse(r.key!.toString('utf8')) as [string, { 'task.id': number }];
            if (name === 'gen' && r.value) out[partition['task.id']] = (JSON.parse(r.value.toString('utf8')) as { 'current.iteration': number })['current.iteration'];
          }
          at = batch.nextOffset;
        }
      }
      return out;
    };
    const a = await startWorker('a');
    phase('worker a serves REST');
    let b: WorkerProcess | undefined;
    const diag = () => workers.map((w) => `--- worker ${w.id}\n${w.output.slice(-4000)}`).join('\n');

    const status = async (base: string, name: string) => (await call(base, 'GET', `/connectors/${name}/status`)).body as { connector: { state: string; worker_id: string }; tasks: { id: number; state: string; worker_id: string }[] };
    /** the connector and its two tasks RUNNING, as `base` sees them */
    const running = async (base: string, name: string) => {
      const s = await status(base, name);
      return s.tasks.length === 2 && s.tasks.every((x) => x.state === 'RUNNING') && s.connector.state === 'RUNNING' ? s : undefined;
    };
    const placement = async (base: string) => {
      const out: Record<string, string[]> = {};
      for (const name of ['to_pg', 'gen']) {
        const s = await running(base, name);
        if (!s) return undefined;
        for (const x of [{ ...s.connector, id: 'connector' }, ...s.tasks]) (out[x.worker_id] ??= []).push(`${name}-${x.id}`);
      }
      return out;
    };

    // the sink first, through worker a, alone in the cluster: it runs the connector and both tasks
    let res = await call(a.connect, 'POST', '/connectors', {
      name: 'to_pg',
      config: {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'tasks.max': '2',
        'connection.url': pg.url,
        'connection.user': 'sluice',
        topics: 'pageviews',
        'auto.create': 'true',
        'batch.size': '200',
        // each row says which record it came from, so a duplicate cannot hide
        transforms: 'src',
        'transforms.src.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
        'transforms.src.partition.field': 'kafka_partition',
        'transforms.src.offset.field': 'kafka_offset',
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.tasks, [], 'as in Connect, tasks come once the connector\'s worker has written their configurations');
    await until('worker a to run the sink and both its tasks', async () => {
      const s = await running(a.connect, 'to_pg');
      return s && [s.connector, ...s.tasks].every((x) => x.worker_id === a.id);
    }, 45_000, diag);
    phase('sink running on a');

    // worker b joins: the group rebalances and b gets a share of the sink's work
    b = await startWorker('b');
    phase('worker b serves REST');
    await until('worker b to get part of the sink', async () => {
      const s = await running(b!.connect, 'to_pg');
      const ids = s && [s.connector, ...s.tasks].map((x) => x.worker_id);
      return ids && ids.includes(a.id) && ids.includes(b!.id);
    }, 45_000, diag);
    phase('sink spread over a and b');

    // the source through worker b: either worker takes any change, and the name is taken on both
    res = await call(b.connect, 'POST', '/connectors', {
      name: 'gen',
      config: { 'connector.class': 'DatagenConnector', 'tasks.max': '2', 'kafka.topic': 'pageviews', quickstart: 'pageviews', 'max.interval': '6', iterations: String(PER_TASK) },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await call(a.connect, 'POST', '/connectors', { name: 'gen', config: { 'connector.class': 'DatagenConnector' } })).status, 409);

    // Connect's eager round-robin: two connectors and four tasks over two workers give each worker
    // one connector, one datagen task and one sink task; both workers answer the same status
    const spread = await until('both connectors to run two tasks each, one of each on each worker', async () => {
      const p = await placement(a.connect);
      if (!p || Object.keys(p).length !== 2 || !p[a.id] || !p[b!.id]) return undefined;
      const fair = [a.id, b!.id].every((w) => p[w]!.filter((x) => x.startsWith('gen-') && x !== 'gen-connector').length === 1 && p[w]!.filter((x) => x.startsWith('to_pg-') && x !== 'to_pg-connector').length === 1);
      if (!fair) return undefined;
      return JSON.stringify(p) === JSON.stringify(await placement(b!.connect)) ? p : undefined;
    }, 45_000, diag);
    phase(`spread: ${JSON.stringify(spread)}`);
    assert.deepEqual((await call(a.connect, 'GET', '/connectors')).body, ['gen', 'to_pg']);
    assert.deepEqual((await call(b.connect, 'GET', '/connectors')).body, ['gen', 'to_pg']);

    const count = async (): Promise<number> => Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM pageviews').catch(() => [{ n: '0' }]))[0]!.n);
    await until('rows in PostgreSQL', async () => (await count()) >= 300, 45_000, diag);
    b.child.kill('SIGKILL');
    await new Promise((r) => (b!.child.exitCode !== null || b!.child.signalCode !== null ? r(null) : b!.child.once('exit', r)));
    const atKill = await count();
    const movedTask = Number(spread[b.id]!.find((x) => /^gen-\d+$/.test(x))!.slice('gen-'.length));
    const killedAt = (await storedIterations())[movedTask] ?? -1;
    phase(`worker b SIGKILLed with ${atKill} rows in PostgreSQL, its datagen task ${movedTask} at iteration ${killedAt}`);
    // killed mid-run: the datagen task that moves has work left
    assert.ok(killedAt < PER_TASK - 1, `datagen task ${movedTask} had not finished (stored iteration ${killedAt})`);

    // after the session timeout the group rebalances and worker a runs everything
    await until('worker a to run every connector and task', async () => {
      const p = await placement(a.connect);
      return p && Object.keys(p).length === 1 && p[a.id]?.length === 6;
    }, 45_000, diag);
    const atMove = await count();
    phase(`worker a runs all six with ${atMove} rows in PostgreSQL`);

    await until(`all ${2 * PER_TASK} rows`, async () => (await count()) >= 2 * PER_TASK, 60_000, diag);
    phase('all rows in PostgreSQL');
    // a moment more: nothing else arrives
    await new Promise((r) => setTimeout(r, 1000));
    const [summary] = await pg.query<{ n: number; records: number; views: number; lo: number; hi: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT (kafka_partition, kafka_offset))::int AS records, count(DISTINCT viewtime)::int AS views, min(viewtime)::int AS lo, max(viewtime)::int AS hi FROM pageviews',
    );
    // every record of the topic once (no duplicate row), and each datagen task's sequence whole:
    // the task that moved went on from its stored offset (no record lost or generated twice)
    assert.deepEqual(summary, { n: 2 * PER_TASK, records: 2 * PER_TASK, views: PER_TASK, lo: 1, hi: 1 + (PER_TASK - 1) * 10 });
    const notTwice = await pg.query('SELECT viewtime FROM pageviews GROUP BY viewtime HAVING count(*) <> 2 LIMIT 5');
    assert.deepEqual(notTwice, [], 'each datagen task wrote each viewtime once');
    assert.deepEqual(await storedIterations(), { 0: PER_TASK - 1, 1: PER_TASK - 1 }, 'both datagen tasks stored their last offset');
    // the surviving worker stops cleanly (it leaves the group; sinks commit)
    a.child.kill('SIGTERM');
    await new Promise((r) => (a.child.exitCode !== null ? r(null) : a.child.once('exit', r)));
    assert.equal(a.child.exitCode, 0, diag());
    phase('worker a stopped');
  });
});
