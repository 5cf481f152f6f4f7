/**
 * The scale-out scenario, shared by the test (one broker) and `npm run kafka:failover` (three
 * brokers, one of them killed and restarted): `sluice run` child processes sharing a
 * ksql.service.id run a stateful query with a repartition (GROUP BY a value column) and a
 * re-keyed stream (PARTITION BY) under a processing guarantee, while inputs keep arriving:
 *
 *   two processes start; one is SIGKILLed mid-stream (its tasks move to the survivor after
 *   session.timeout.ms, their state restored from the changelogs); a third joins later (tasks move
 *   to it); optionally a broker is SIGKILLed and restarted meanwhile.
 *
 * Then the outputs are read read_committed and compared with what the inputs say independently:
 * every input id in the re-keyed stream (exactly once under exactly_once), the table's final
 * COUNT/SUM per key, and each key's counts in the table's topic never repeating or going back
 * (a duplicate or lost update would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, AssignerProtocol, type Producer } from 'kafkajs';
import { createKafkaProducer, KafkaLog } from '../../../src/log/kafka/index.js';
import { repoRoot, sluiceBin } from '../../support/repo-root.js';
import type { KafkaCluster } from '../../helpers/kafka-cluster.js';

export interface ScenarioOptions {
  readonly cluster: KafkaCluster;
  /** a fresh directory for the SQL file and the processes' data directories */
  readonly root: string;
  readonly guarantee: 'exactly_once' | 'at_least_once';
  /** input records (default 3000) */
  readonly events?: number;
  /** partitions of the input topic (default 4) */
  readonly partitions?: number;
  /** replication factor of the topics (default: the cluster's) */
  readonly replicas?: number;
  /** SIGKILL broker 2 mid-stream and restart it later */
  readonly killBroker?: boolean;
  /** how long the inputs take to arrive (default 20 s): the failures happen while they do */
  readonly feedSeconds?: number;
  /** num.standby.replicas (default 0) */
  readonly standbys?: number;
  /** session.timeout.ms of the query groups (default 6000) */
  readonly sessionTimeoutMs?: number;
  /** how long the outputs may take to converge after the last input (default 60 000) */
  readonly settleTimeoutMs?: number;
  readonly progress?: (line: string) => void;
}

export interface ScenarioResult {
  readonly events: number;
  /** input ids found in the re-keyed stream, and how many appeared more than once */
  readonly rekeyedRecords: number;
  readonly distinctIds: number;
  readonly missingIds: number;
  readonly duplicatedIds: number;
  readonly expected: Record<string, { n: number; total: number }>;
  readonly actual: Record<string, { n: number; total: number }>;
  /** keys whose counts in the table topic repeat or go back (a duplicated or lost update) */
  readonly nonMonotonicKeys: string[];
  /** tasks held by each member of the aggregate's group at the end (after the third process joined) */
  readonly finalGroupTasks: string[][];
  /** the aggregate's group members' task counts right after the SIGKILLed process left */
  readonly afterKillGroupTasks: string[][];
  /** seconds from the first input to converged outputs */
  readonly seconds: number;
  /** the processes' stderr and stdout, for a failure message */
  readonly output: string;
}

interface SluiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  out: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** what each member of a query's group holds, from the assignments the group leader handed out ([] while it rebalances) */
export async function groupAssignments(bootstrap: string, group: string): Promise<{ tasks: string[]; standbys: string[] }[]> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    if (groups[0]?.state !== 'Stable') return [];
    return (groups[0]?.members ?? []).map((m) => {
      const a = m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
      const user = a?.userData?.length ? (JSON.parse(a.userData.toString('utf8')) as { tasks: string[]; standbys?: string[] }) : { tasks: [] };
      return { tasks: user.tasks, standbys: user.standbys ?? [] };
    });
  } finally {
    await admin.disconnect();
  }
}

/** the tasks each member of a query's group runs */
export async function groupTasks(bootstrap: string, group: string): Promise<string[][]> {
  return (await groupAssignments(bootstrap, group)).map((m) => m.tasks);
}

/** every committed record of a topic (read_committed), all partitions */
export async function readTopic(log: KafkaLog, topic: string): Promise<{ key: string; value: string | null; partition: number; offset: bigint }[]> {
  const out: { key: string; value: string | null; partition: number; offset: bigint }[] = [];
  const partitions = (await log.describeTopic(topic)).partitions.length;
  for (let p = 0; p < partitions; p++) {
    let offset = await log.earliestOffset(topic, p);
    const end = await log.latestOffset(topic, p);
    while (offset < end) {
      const f = await log.fetch(topic, p, offset);
      for (const r of f.records) out.push({ key: r.key?.toString('utf8') ?? '', value: r.value?.toString('utf8') ?? null, partition: p, offset: r.offset });
      if (f.nextOffset <= offset) break;
      offset = f.nextOffset;
    }
  }
  return out;
}

/** every record of a topic read_uncommitted (aborted and open transactions' too): input id -> partition@offset */
async function uncommittedValues(kafka: Kafka, topic: string): Promise<Map<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Set(ends.filter((e) => Number(e.high) > 0).map((e) => e.partition));
  const out = new Map<string, string>();
  const consumer = kafka.consumer({ groupId: `uncommitted-${Date.now()}`, readUncommitted: true });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      if (remaining.size === 0) resolve();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (message.value) out.set(String(JSON.parse(message.value.toString('utf8')).ID), `${partition}@${message.offset}`);
          const end = ends.find((e) => e.partition === partition)!;
          if (Number(message.offset) + 1 >= Number(end.high)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** each partition's leader, replicas, ISR and offsets (read_uncommitted high watermark) */
async function partitionStates(kafka: Kafka, topics: string[]): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics });
    const lines: string[] = [];
    for (const t of meta.topics) {
      const offsets = await admin.fetchTopicOffsets(t.name);
      const parts = t.partitions
        .sort((a, b) => a.partitionId - b.partitionId)
        .map((p) => {
          const o = offsets.find((x) => x.partition === p.partitionId);
          return `${p.partitionId}: leader ${p.leader} isr [${p.isr.join(',')}] offline [${(p.offlineReplicas ?? []).join(',')}] hw ${o?.high} low ${o?.low}`;
        });
      lines.push(`  ${t.name}: ${parts.join('; ')}`);
    }
    return `partitions:\n${lines.join('\n')}`;
  } finally {
    await admin.disconnect();
  }
}

/** each query group's committed offset per partition against the partition's end: which query and partition stalled */
export async function committedVersusEnd(log: KafkaLog, kafka: Kafka, serviceId: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  let groups: string[];
  try {
    groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`_confluent-ksql-${serviceId}query_`)).sort();
  } finally {
    await admin.disconnect();
  }
  const lines: string[] = [];
  for (const group of groups) {
    const parts: string[] = [];
    for (const o of await log.committedOffsets(group)) {
      const end = await log.latestOffset(o.topic, o.partition);
      parts.push(`${o.topic.replace(serviceId, '')}/${o.partition} ${o.offset}/${end}${o.offset < end ? ` LAG ${end - o.offset}` : ''}`);
    }
    lines.push(`  ${group.replace(`_confluent-ksql-${serviceId}`, '')}: ${parts.join('; ') || 'nothing committed'}`);
  }
  return `committed/end offsets per query group:\n${lines.join('\n')}`;
}

export async function runScaleOutScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { cluster, root, guarantee } = options;
  const say = options.progress ?? (() => {});
  const events = options.events ?? 3000;
  const partitions = options.partitions ?? 4;
  const id = `scale${Date.now()}_`;
  const input = `events_${id}`;
  const rekeyed = `by_k_${id}`;
  const totalsTopic = `totals_${id}`;
  const replicas = options.replicas ? `, replicas=${options.replicas}` : '';
  const file = join(root, `${id}.sql`);
  await writeFile(
    file,
    `CREATE STREAM events (id STRING KEY, k STRING, v INT) WITH (kafka_topic='${input}', value_format='JSON', partitions=${partitions}${replicas});
CREATE TABLE totals WITH (kafka_topic='${totalsTopic}'${replicas}) AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events GROUP BY k;
CREATE STREAM by_k WITH (kafka_topic='${rekeyed}'${replicas}) AS SELECT * FROM events PARTITION BY k;
`,
  );
  const common = [
    '--kafka', cluster.bootstrap,
    '--set', `ksql.service.id=${id}`,
    '--set', `processing.guarantee=${guarantee}`,
    '--set', 'auto.offset.reset=earliest',
    '--set', `session.timeout.ms=${options.sessionTimeoutMs ?? 6000}`,
    '--set', `num.standby.replicas=${options.standbys ?? 0}`,
    // the processing log's topic too (ksqlDB's default is 1 replica: leaderless while its broker is down)
    ...(options.replicas ? ['--set', `ksql.logging.processing.topic.replication.factor=${options.replicas}`] : []),
  ];
  const processes: SluiceProcess[] = [];
  const start = async (name: string): Promise<SluiceProcess> => {
    const dataDir = join(root, `${id}${name}`);
    await mkdir(dataDir, { recursive: true });
    const child = spawn(process.execPath, [sluiceBin(), 'run', file, '--quiet', '--data-dir', dataDir, ...common], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    const p: SluiceProcess = { name, child, out: '' };
    child.stdout!.on('data', (d) => (p.out += d));
    child.stderr!.on('data', (d) => (p.out += d));
    processes.push(p);
    await until(`${name} to run its queries`, () => {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${p.out}`);
      return /Running \d+ queries/.test(p.out);
    }, 90_000);
    say(`${name} running (pid ${child.pid})`);
    return p;
  };
  const output = () => processes.map((p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${p.out}`).join('\n');

  const log = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap } });
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'scale-out-feeder', logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 2000 } });
  // idempotent: a retry across a broker failure never writes an input twice
  // (kafkajs's own producer can skip a partition whose leader moved mid-send: see kafkajs-produce-retry.ts)
  const producer: Producer = createKafkaProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const first = await start('p1');
    await start('p2');
    const groupOf = async (prefix: string): Promise<string> => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { groups } = await admin.listGroups();
        const g = groups.find((x) => x.groupId.startsWith(`_confluent-ksql-${id}query_${prefix}`));
        if (!g) throw new Error(`no consumer group for ${prefix} yet`);
        return g.groupId;
      } finally {
        await admin.disconnect();
      }
    };
    let totalsGroup = '';
    await until('the aggregate\'s group', async () => {
      totalsGroup = await groupOf('CTAS_TOTALS').catch(() => '');
      return totalsGroup !== '';
    }, 30_000);
    await until('both processes to hold tasks of the aggregate', async () => {
      const t = await groupTasks(cluster.bootstrap, totalsGroup);
      return t.length === 2 && t.every((x) => x.length > 0);
    }, 30_000);
    say(`group ${totalsGroup}: 2 members`);

    const expected = new Map<string, { n: number; total: number }>();
    const keys = 13;
    const batch = 100;
    const started = Date.now();
    let afterKillGroupTasks: string[][] = [];
    let produced = 0;
    const describeGroup = async () => JSON.stringify(await groupTasks(cluster.bootstrap, totalsGroup).catch((e: Error) => e.message));
    // the failures and the join, one after another, each when enough input is in; inputs keep
    // arriving meanwhile (at a steady pace over feedSeconds)
    const actions: { at: number; run: () => Promise<void> }[] = [
      {
        at: 0.2,
        run: async () => {
          // mid-stream: p1 has committed output, so it dies with work done and work in flight
          await until('some output', async () => (await readTopic(log, rekeyed).catch(() => [])).length > 0, 30_000);
          say(`${produced} events in: SIGKILL p1`);
          first.child.kill('SIGKILL');
          await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(undefined) : first.child.once('exit', r)));
          await until('the survivor to hold every task', async () => {
            const t = await groupTasks(cluster.bootstrap, totalsGroup).catch(() => []);
            if (t.length === 1 && t[0]!.length > 0) afterKillGroupTasks = t;
            return afterKillGroupTasks.length === 1;
          }, (options.sessionTimeoutMs ?? 6000) * 3 + 30_000).catch(async (e: Error) => {
            throw new Error(`${e.message}; group: ${await describeGroup()}`);
          });
          say(`${produced} events in: p1's tasks moved to p2 (${afterKillGroupTasks[0]!.length} tasks)`);
        },
      },
      ...(options.killBroker
        ? [{
            at: 0.35,
            run: async () => {
              say(`${produced} events in: SIGKILL broker 2`);
              await cluster.killNode(2);
            },
          }]
        : []),
      {
        at: 0.5,
        run: async () => {
          say(`${produced} events in: starting p3`);
          await start('p3');
        },
      },
      ...(options.killBroker
        ? [{
            at: 0.7,
            run: async () => {
              say(`${produced} events in: restarting broker 2`);
              await cluster.restartNode(2);
              say('broker 2 is back');
            },
          }]
        : []),
    ];
    let chain: Promise<void> = Promise.resolve();
    let failed: Error | undefined;
    const steps = Math.ceil(events / batch);
    const pauseMs = ((options.feedSeconds ?? 20) * 1000) / steps;
    for (let s = 0; s < steps && !failed; s++) {
      const messages = [];
      for (let j = s * batch; j < Math.min(events, (s + 1) * batch); j++) {
        const k = `k${j % keys}`;
        const v = (j * 7) % 100;
        messages.push({ key: `e${j}`, value: JSON.stringify({ K: k, V: v }) });
        const e = expected.get(k) ?? { n: 0, total: 0 };
        e.n++;
        e.total += v;
        expected.set(k, e);
      }
      await producer.send({ topic: input, acks: -1, messages });
      produced += messages.length;
      while (actions.length && produced >= actions[0]!.at * events) {
        const action = actions.shift()!;
        chain = chain.then(action.run).catch((e: Error) => {
          failed ??= e;
        });
      }
      await sleep(pauseMs);
    }
    await chain;
    if (failed) throw failed;
    say(`${events} events in after ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the outputs`);
    // the cluster itself must keep every acknowledged input (acks=all, min.insync.replicas 2): a shortfall is the brokers'
    const inputCount = (await readTopic(log, input).catch(() => [])).length;
    if (inputCount !== events) say(`the input topic holds ${inputCount} of the ${events} acknowledged inputs`);

    const latest = async () => {
      const m = new Map<string, { n: number; total: number }>();
      for (const r of await readTopic(log, totalsTopic)) if (r.value) m.set(r.key, { n: Number(JSON.parse(r.value).N), total: Number(JSON.parse(r.value).TOTAL) });
      return m;
    };
    const same = (a: Map<string, { n: number; total: number }>) => [...expected].every(([k, e]) => a.get(k)?.n === e.n && a.get(k)?.total === e.total) && a.size === expected.size;
    const settle = options.settleTimeoutMs ?? 60_000;
    await until('the outputs to converge', async () => {
      for (const p of processes.slice(1)) if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode})`);
      return same(await latest()) && (await readTopic(log, rekeyed)).length >= events;
    }, settle).catch(async (e: Error) => {
      // what is stuck: the groups' members and tasks, and where the inputs not yet in the output are
      say(e.message);
      say(`aggregate's group: ${await describeGroup()}`);
      const seen = new Set((await readTopic(log, rekeyed).catch(() => [])).map((r) => (r.value ? String(JSON.parse(r.value).ID) : '')));
      const missing = new Map<number, number>();
      const lost: { key: string; partition: number; offset: bigint }[] = [];
      for (const r of await readTopic(log, input).catch(() => [])) {
        if (seen.has(r.key)) continue;
        missing.set(r.partition, (missing.get(r.partition) ?? 0) + 1);
        lost.push(r);
      }
      say(`inputs not in the re-keyed stream by input partition: ${JSON.stringify(Object.fromEntries(missing))}`);
      if (lost.length) {
        say(`  at input offsets: ${lost.slice(0, 60).map((r) => `${r.partition}@${r.offset}`).join(' ')}`);
        // written in a transaction that aborted, or never written at all
        const written = await uncommittedValues(kafka, rekeyed).catch((x: Error) => new Map<string, string>([['error', x.message]]));
        say(`  of those, in the re-keyed topic uncommitted (aborted or open): ${lost.filter((r) => written.has(r.key)).map((r) => `${r.key}->${written.get(r.key)}`).slice(0, 30).join(' ') || 'none'}`);
      }
      say(await committedVersusEnd(log, kafka, id).catch((x: Error) => `committed offsets unavailable: ${x.message}`));
      say(await partitionStates(kafka, [input, rekeyed, totalsTopic]).catch((x: Error) => `partition states unavailable: ${x.message}`));
    });
    const seconds = (Date.now() - started) / 1000;
    // a little longer: a late duplicate would show up now
    await sleep(1000);
    let finalGroupTasks: string[][] = [];
    await until('a stable group', async () => (finalGroupTasks = await groupTasks(cluster.bootstrap, totalsGroup)).length > 0, 20_000).catch(() => {});

    const ids = new Map<string, number>();
    const rekeyedRecords = await readTopic(log, rekeyed);
    for (const r of rekeyedRecords) if (r.value) ids.set(JSON.parse(r.value).ID, (ids.get(JSON.parse(r.value).ID) ?? 0) + 1);
    let missingIds = 0;
    for (let j = 0; j < events; j++) if (!ids.has(`e${j}`)) missingIds++;
    const counts = new Map<string, number[]>();
    for (const r of await readTopic(log, totalsTopic)) if (r.value) (counts.get(r.key) ?? counts.set(r.key, []).get(r.key)!).push(Number(JSON.parse(r.value).N));
    const nonMonotonicKeys = [...counts].filter(([, ns]) => ns.some((n, i) => i > 0 && n <= ns[i - 1]!)).map(([k]) => k);
    return {
      events,
      rekeyedRecords: rekeyedRecords.length,
      distinctIds: ids.size,
      missingIds,
      duplicatedIds: [...ids.values()].filter((c) => c > 1).length,
      expected: Object.fromEntries([...expected].sort()),
      actual: Object.fromEntries([...(await latest())].sort()),
      nonMonotonicKeys,
      finalGroupTasks,
      afterKillGroupTasks,
      seconds,
      output: output(),
    };
  } catch (e) {
    // what the processes said, for the failure message
    throw Object.assign(new Error(`${(e as Error).message}\n${output().slice(-8000)}`), { output: output() });
  } finally {
    // SIGTERM: a clean stop (commits, leaves the groups); SIGKILL after 20 s
    await Promise.all(
      processes.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.kill('SIGTERM');
        if ((await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)])) === false) p.child.kill('SIGKILL');
      }),
    );
    await producer.disconnect().catch(() => {});
    await log.close();
  }
}
