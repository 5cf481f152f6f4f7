/**
 * `npm run bench:kafka [-- --events N --partitions P --queries q0,q1 --out FILE]`: Nexmark q0, q1,
 * q2 and q5 on Apache Kafka (a KRaft broker started for the run, JIT fully on; or
 * SLUICE_KAFKA_BOOTSTRAP) next to the embedded log, in the same run: on Kafka with one and with two
 * Sluice processes sharing a ksql.service.id; and the floor on the same broker: a plain kafkajs
 * consumer group copying every bid to an output topic (produce, then commit, per batch), with one
 * and with two members.
 *
 * Every measured process is a child (kafka-worker.ts), so its CPU is its own. The events are
 * written before the clock starts; a run ends when the consumer groups have committed the end of
 * every input and repartition partition (Kafka), or when runUntilIdle returns (embedded).
 * events/s = bids / wall seconds; events per CPU-second = bids / the measured processes' CPU
 * seconds (user + system; the broker's JVM is reported apart). The load average is printed: on a
 * shared machine the figures move with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { Command } from 'commander';
import { KafkaLog } from '../../src/log/kafka/index.js';
import type { Log } from '../../src/log/log.js';
import { createNexmarkTopics, NexmarkGenerator, writeEvents } from '../nexmark/generator.js';
import { PrefixedLog } from '../../test/helpers/prefixed-log.js';
import { startKafka, type KafkaCluster } from '../../test/helpers/kafka-cluster.js';
import { repoRoot } from '../../scripts/repo-root.js';
import type { WorkerJob, WorkerMessage } from './kafka-worker.js';

const opts = new Command('bench:kafka')
  .option('--events <n>', 'Nexmark events per run (46 in 50 are bids)', (v) => Number(v), 100_000)
  .option('--partitions <n>', 'partitions of each input topic', (v) => Number(v), 4)
  .option('--queries <list>', 'comma-separated', 'q0,q1,q2,q5')
  .option('--out <file>', 'results JSON', join(repoRoot(), 'bench', 'results', 'kafka-nexmark.json'))
  .parse()
  .opts<{ events: number; partitions: number; queries: string; out: string }>();

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'kafka-worker.js');
const BIDS = Math.round((opts.events * 46) / 50);

interface Row {
  readonly query: string;
  readonly backend: 'embedded' | 'kafka' | 'kafka floor';
  readonly processes: number;
  readonly bids: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** each process's share of the CPU seconds */
  readonly cpuPerProcess: readonly number[];
  readonly brokerCpuSeconds?: number;
  readonly eventsPerSecond: number;
  readonly eventsPerCpuSecond: number;
  readonly note?: string;
}

class Worker {
  private readonly child: ChildProcess;
  private readonly inbox: WorkerMessage[] = [];
  private waiting: ((m: WorkerMessage) => void) | undefined;
  private exited: Promise<void>;
  constructor(job: WorkerJob) {
    this.child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: WorkerMessage) => this.deliver(m));
    this.exited = new Promise((r) => this.child.once('exit', (code) => {
      this.deliver({ type: 'error', message: `worker exited (code ${code})` });
      r();
    }));
  }
  private deliver(m: WorkerMessage): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(m);
    } else this.inbox.push(m);
  }
  async expect<T extends WorkerMessage['type']>(type: T): Promise<Extract<WorkerMessage, { type: T }>> {
    const m = this.inbox.length ? this.inbox.shift()! : await new Promise<WorkerMessage>((r) => (this.waiting = r));
    if (m.type === 'error') throw new Error(m.message);
    if (m.type !== type) throw new Error(`expected ${type} from the worker, got ${m.type}`);
    return m as Extract<WorkerMessage, { type: T }>;
  }
  tell(command: string): void {
    this.child.send(command);
  }
  async end(): Promise<void> {
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** CPU seconds (user + system) of the brokers' JVMs so far, from /proc (0 where it cannot be read) */
function brokerCpu(cluster: KafkaCluster): number {
  const tick = 100;
  let total = 0;
  for (const node of cluster.nodes) {
    const shell = node.process?.pid;
    if (!shell) continue;
    try {
      for (const pid of readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += (Number(fields[11]) + Number(fields[12])) / tick;
      }
    } catch {
      /* not Linux, or gone */
    }
  }
  return total;
}

/** whether the groups whose names start with `groupPrefix` have committed the end of every partition of `topics` */
async function caughtUp(raw: KafkaLog, groupPrefix: string, topics: () => Promise<string[]>, partitions: Map<string, number>): Promise<boolean> {
  const groups = (await raw.listGroups()).filter((g) => g.startsWith(groupPrefix));
  if (groups.length === 0) return false;
  const committed = new Map<string, bigint>();
  for (const g of groups) for (const o of await raw.committedOffsets(g)) committed.set(`${o.topic}/${o.partition}`, o.offset);
  for (const t of await topics()) {
    let n = partitions.get(t);
    if (n === undefined) partitions.set(t, (n = (await raw.describeTopic(t)).partitions.length));
    for (let p = 0; p < n; p++) if ((committed.get(`${t}/${p}`) ?? 0n) < (await raw.latestOffset(t, p))) return false;
  }
  return true;
}

async function untilCaughtUp(check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the run did not finish in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** deletes a run's topics and groups: a broker keeping every topic answers each metadata request for all */
async function dropRun(raw: KafkaLog, marker: string): Promise<void> {
  const [topics, groups] = await Promise.all([raw.listTopics(), raw.listGroups()]);
  await Promise.all([...topics.filter((t) => t.includes(marker)).map((t) => raw.deleteTopic(t).catch(() => {})), ...groups.filter((g) => g.includes(marker)).map((g) => raw.deleteGroup(g).catch(() => {}))]);
}

function row(r: Omit<Row, 'eventsPerSecond' | 'eventsPerCpuSecond'>): Row {
  const full = { ...r, eventsPerSecond: Math.round(r.bids / r.wallSeconds), eventsPerCpuSecond: Math.round(r.bids / r.cpuSeconds) };
  console.log(
    `  ${full.query.padEnd(6)} ${full.backend.padEnd(11)} ${full.processes} proc  ${String(full.eventsPerSecond).padStart(7)} events/s  ${String(full.eventsPerCpuSecond).padStart(7)} events/CPU-s  (${r.wallSeconds.toFixed(2)} s, CPU ${r.cpuPerProcess.map((c) => c.toFixed(2)).join(' + ')} s${r.brokerCpuSeconds !== undefined ? `, broker ${r.brokerCpuSeconds.toFixed(2)} s` : ''})${r.note ? `  ${r.note}` : ''}`,
  );
  return full;
}

const root = await mkdtemp(join(tmpdir(), 'sluice-bench-kafka-'));
const load0 = loadavg();
const startedAt = new Date();
const cluster = await startKafka({ quickStart: false });
const raw = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap, 'client.id': 'sluice-bench' } });
const rows: Row[] = [];
const run = Date.now().toString(36);
const gen = new NexmarkGenerator();

/** a fresh namespace on the broker with the events written: its prefix */
async function kafkaInputs(name: string): Promise<string> {
  const prefix = `nx${run}_${name}_`;
  const log: Log = new PrefixedLog(raw, prefix);
  await createNexmarkTopics(log, opts.partitions);
  await writeEvents(log, gen, 0, opts.events);
  return prefix;
}

async function sluiceOnKafka(query: string, processes: number): Promise<Row> {
  const name = `${query}p${processes}`;
  const prefix = await kafkaInputs(name);
  const serviceId = `${prefix}svc_`;
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      // the leader declares the sources first: the others find them in the command topic
      const w = new Worker({ kind: 'sluice', dir: join(root, `${name}-${i}`), query, bootstrap: cluster.bootstrap, serviceId, prefix, leader: i === 0 });
      workers.push(w);
      await w.expect('opened');
    }
    const broker0 = brokerCpu(cluster);
    const t0 = performance.now();
    for (const w of workers) w.tell('go');
    const partitions = new Map<string, number>();
    const internal = `_confluent-ksql-${serviceId}query_`;
    await untilCaughtUp(() =>
      caughtUp(raw, internal, async () => [`${prefix}bid`, ...(await raw.listTopics()).filter((t) => t.startsWith(internal) && t.endsWith('-repartition'))], partitions),
    );
    const wall = (performance.now() - t0) / 1000;
    const broker = brokerCpu(cluster) - broker0;
    for (const w of workers) w.tell('stop');
    const done = [];
    for (const w of workers) done.push(await w.expect('done'));
    const cpu = done.map((d) => d.span.cpuSeconds);
    const read = done.map((d) => d.recordsIn ?? 0);
    // a process that read no source record and spent next to no CPU took no task (a build without
    // scale-out): say so rather than count it as sharing. (One may read no source record and still
    // work: it can own the tasks that read a repartition topic.)
    const idle = processes > 1 && read.some((n, i) => n === 0 && cpu[i]! < 0.1 * Math.max(...cpu));
    const note = `source records read ${read.join(' + ')}${idle ? ': a process took no task (no scale-out in this build)' : ''}`;
    return row({ query, backend: 'kafka', processes, bids: BIDS, wallSeconds: wall, cpuSeconds: cpu.reduce((a, b) => a + b, 0), cpuPerProcess: cpu, brokerCpuSeconds: cluster.nodes.length ? broker : undefined, note });
  } finally {
    await Promise.all(workers.map((w) => w.end()));
    await dropRun(raw, prefix);
  }
}

async function floorOnKafka(processes: number): Promise<Row> {
  const prefix = await kafkaInputs(`floor${processes}`);
  await raw.createTopic(`${prefix}floor_out`, { partitions: opts.partitions });
  const group = `${prefix}floor`;
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < processes; i++) workers.push(new Worker({ kind: 'floor', bootstrap: cluster.bootstrap, prefix, group }));
    for (const w of workers) await w.expect('opened');
    const broker0 = brokerCpu(cluster);
    const t0 = performance.now();
    for (const w of workers) w.tell('go');
    await untilCaughtUp(() => caughtUp(raw, group, async () => [`${prefix}bid`], new Map()));
    const wall = (performance.now() - t0) / 1000;
    const broker = brokerCpu(cluster) - broker0;
    for (const w of workers) w.tell('stop');
    const done = [];
    for (const w of workers) done.push(await w.expect('done'));
    const cpu = done.map((d) => d.span.cpuSeconds);
    return row({ query: 'copy', backend: 'kafka floor', processes, bids: BIDS, wallSeconds: wall, cpuSeconds: cpu.reduce((a, b) => a + b, 0), cpuPerProcess: cpu, brokerCpuSeconds: cluster.nodes.length ? broker : undefined, note: `records read ${done.map((d) => d.recordsIn ?? 0).join(' + ')}` });
  } finally {
    await Promise.all(workers.map((w) => w.end()));
    await dropRun(raw, prefix);
  }
}

async function embedded(query: string): Promise<Row> {
  const w = new Worker({ kind: 'embedded', dir: join(root, `embedded-${query}`), query, events: opts.events, partitions: opts.partitions });
  try {
    const { span } = await w.expect('done');
    return row({ query, backend: 'embedded', processes: 1, bids: BIDS, wallSeconds: span.wallSeconds, cpuSeconds: span.cpuSeconds, cpuPerProcess: [span.cpuSeconds] });
  } finally {
    await w.end();
  }
}

try {
  console.log(`${opts.events} Nexmark events (${BIDS} bids) in ${opts.partitions} partitions per topic; Apache Kafka at ${cluster.bootstrap}; ${cpus().length} CPUs, load average ${load0.map((l) => l.toFixed(1)).join(' ')}`);
  for (const query of opts.queries.split(',')) {
    rows.push(await embedded(query));
    rows.push(await sluiceOnKafka(query, 1));
    rows.push(await sluiceOnKafka(query, 2));
  }
  rows.push(await floorOnKafka(1));
  rows.push(await floorOnKafka(2));
  const load1 = loadavg();
  const table = new Table({ head: ['query', 'log', 'processes', 'events/s', 'events/CPU-s', 'wall s', 'Sluice CPU s', 'broker CPU s', 'note'], style: { head: [], border: [] } });
  for (const r of rows)
    table.push([r.query, r.backend, r.processes, r.eventsPerSecond, r.eventsPerCpuSecond, r.wallSeconds.toFixed(2), r.cpuPerProcess.map((c) => c.toFixed(2)).join(' + '), r.brokerCpuSeconds?.toFixed(2) ?? '', r.note ?? '']);
  console.log(table.toString());
  console.log(`load average at the start ${load0.map((l) => l.toFixed(1)).join(' ')}, at the end ${load1.map((l) => l.toFixed(1)).join(' ')} (${cpus().length} CPUs)`);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(
    opts.out,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), events: opts.events, bids: BIDS, partitions: opts.partitions, kafka: cluster.nodes.length ? 'Apache Kafka (started by the bench)' : cluster.bootstrap, cpus: cpus().length, loadAverageStart: load0, loadAverageEnd: load1, rows }, null, 1)}\n`,
  );
  console.log(`results in ${opts.out}`);
} finally {
  await raw.close();
  await cluster.stop();
  await rm(root, { recursive: true, force: true });
}
