/**
 * Several Sluice processes sharing one ksql.service.id on real Apache Kafka: the command topic is
 * applied by all of them (a statement executed on one is in every catalog; concurrent conflicting
 * statements resolve by topic order), and a persistent query's tasks are spread over the processes
 * through its consumer group, moving when a process dies or joins, with exactly-once output.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../../src/index.js';
import { KafkaLog } from '../../../src/log/kafka/index.js';
import { kafkaSkipReason, startKafka, type KafkaCluster } from '../../helpers/kafka-cluster.js';
import { groupAssignments, groupTasks, readTopic, runScaleOutScenario } from './scale-out-scenario.js';

const skip = kafkaSkipReason();

const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('several Sluice processes on one service id (Apache Kafka)', { skip, timeout: 420_000 }, () => {
  let cluster: KafkaCluster;
  let root: string;
  let log: KafkaLog;

  before(async () => {
    cluster = await startKafka();
    root = await mkdtemp(join(tmpdir(), 'sluice-kafka-scale-'));
    log = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap } });
  });
  after(async () => {
    await log?.close();
    await cluster?.stop();
    if (root) await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('share the catalog through the command topic, split a query\'s tasks through its consumer group, keep standbys warm, answer pull queries anywhere (at_least_once)', async () => {
    const id = `shared${Date.now()}_`;
    const open = (name: string) =>
      Engine.open({
        dataDir: join(root, `${id}${name}`),
        kafka: { 'bootstrap.servers': cluster.bootstrap, 'ksql.service.id': id, 'processing.guarantee': 'at_least_once' },
        properties: { 'auto.offset.reset': 'earliest', 'session.timeout.ms': '6000', 'num.standby.replicas': '1' },
      });
    const a = await open('a');
    const b = await open('b');
    try {
      await a.execute(`CREATE STREAM orders (id STRING KEY, customer STRING, qty INT) WITH (kafka_topic='orders_${id}', value_format='JSON', partitions=4);`);
      // the other process applies it from the command topic, without being asked
      await until('b to see ORDERS', async () => b.catalog.getSource('ORDERS') !== undefined, 10_000);
      // two processes create the same name at once, differently: the one appended first wins everywhere
      const outcomes = await Promise.allSettled([
        a.execute(`CREATE STREAM clash (x INT) WITH (kafka_topic='clash_a_${id}', value_format='JSON', partitions=1);`),
        b.execute(`CREATE STREAM clash (y INT) WITH (kafka_topic='clash_b_${id}', value_format='JSON', partitions=1);`),
      ]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, JSON.stringify(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))));
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(rejected.reason), /already exists/);
      await until('both catalogs to agree on CLASH', async () => a.catalog.getSource('CLASH')?.topic === b.catalog.getSource('CLASH')?.topic && a.catalog.getSource('CLASH') !== undefined, 10_000);

      await b.execute(`CREATE TABLE per_customer WITH (kafka_topic='per_customer_${id}') AS SELECT customer, COUNT(*) AS n, SUM(qty) AS total FROM orders GROUP BY customer;`);
      await until('a to run the query', async () => a.queryIds().some((q) => q.startsWith('CTAS_PER_CUSTOMER')), 10_000);
      const queryId = a.queryIds().find((q) => q.startsWith('CTAS_PER_CUSTOMER'))!;
      assert.deepEqual(b.queryIds(), a.queryIds());
      a.start();
      b.start();
      const expected = new Map<string, { n: number; total: number }>();
      const rows = [];
      for (let i = 0; i < 400; i++) {
        const customer = `c${i % 9}`;
        rows.push({ id: `o${i}`, customer, qty: i % 5 });
        const e = expected.get(customer) ?? { n: 0, total: 0 };
        e.n++;
        e.total += i % 5;
        expected.set(customer, e);
      }
      await a.insert('orders', rows);
      // the group gives each process half of the query's 8 tasks (2 sub-topologies x 4 partitions)
      const group = `_confluent-ksql-${id}query_${queryId}`;
      await until('both processes to hold tasks', async () => {
        const t = await groupTasks(cluster.bootstrap, group);
        return t.length === 2 && t.every((x) => x.length === 4);
      }, 30_000);
      const latest = async () => {
        const m = new Map<string, { n: number; total: number }>();
        for (const r of await readTopic(log, `per_customer_${id}`)) if (r.value) m.set(r.key, { n: JSON.parse(r.value).N, total: JSON.parse(r.value).TOTAL });
        return m;
      };
      await until('the aggregates', async () => JSON.stringify([...(await latest())].sort()) === JSON.stringify([...expected].sort()), 30_000);
      // a pull query on either process answers for every key (from the table's topic, whichever process owns the key's task)
      for (const engine of [a, b]) {
        const pulled = (await engine.pull('SELECT * FROM per_customer;')).rows;
        assert.deepEqual(Object.fromEntries(pulled.map((r) => [String(r.CUSTOMER), { n: Number(r.N), total: Number(r.TOTAL) }]).sort()), Object.fromEntries([...expected].sort()));
      }
      // standbys: each stateful task (sub-topology 1) also on the other process, kept up to its changelog there
      const assignments = await groupAssignments(cluster.bootstrap, group);
      assert.equal(assignments.length, 2);
      for (const t of ['1_0', '1_1', '1_2', '1_3']) {
        const active = assignments.findIndex((m) => m.tasks.includes(t));
        assert.ok(active >= 0 && assignments[1 - active]!.standbys.includes(t), `${t}: ${JSON.stringify(assignments)}`);
      }
      await new Promise((r) => setTimeout(r, 1500));
      await b.close();
      // b's checkpoint (a clean close): every changelog partition at its end, its own tasks' and its standbys'
      const checkpoint = JSON.parse(await readFile(join(root, `${id}b`, 'kafka-state', '.checkpoint'), 'utf8')) as { offsets: Record<string, string> };
      const changelogs = Object.entries(checkpoint.offsets).filter(([k]) => k.startsWith(`_confluent-ksql-${id}query_${queryId}-`) || k.includes(queryId));
      assert.equal(changelogs.length, 4, JSON.stringify(checkpoint));
      for (const [k, offset] of changelogs) {
        const [topic, partition] = k.split('\u0000');
        assert.equal(offset, String(await a.log.latestOffset(topic!, Number(partition))), `${k} in b's checkpoint`);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('exactly_once: three sluice run processes, one SIGKILLed mid-stream and one joining later: every input exactly once, aggregates exact', async () => {
    const dir = join(root, 'eos-processes');
    await mkdir(dir, { recursive: true });
    const r = await runScaleOutScenario({ cluster, root: dir, guarantee: 'exactly_once', events: 3000, progress: (line) => console.log(`# ${line}`) });
    const why = () => r.output.slice(-6000);
    console.log(`# ${r.events} events through a SIGKILL and a join in ${r.seconds.toFixed(1)} s`);
    assert.equal(r.missingIds, 0, `${r.missingIds} inputs missing from the re-keyed stream\n${why()}`);
    assert.equal(r.duplicatedIds, 0, `${r.duplicatedIds} inputs twice in the re-keyed stream\n${why()}`);
    assert.equal(r.rekeyedRecords, r.events);
    assert.deepEqual(r.actual, r.expected, why());
    assert.deepEqual(r.nonMonotonicKeys, [], 'a key\'s count repeated or went back in the table topic');
    // no query stopped on a surviving process (it would leave its group and the rest would carry on)
    assert.doesNotMatch(r.output, / stopped: /, why());
    // the survivor took every task; the later process took some back
    assert.equal(r.afterKillGroupTasks.length, 1);
    assert.equal(r.finalGroupTasks.length, 2, JSON.stringify(r.finalGroupTasks));
    assert.ok(r.finalGroupTasks.every((t) => t.length > 0), JSON.stringify(r.finalGroupTasks));
  });
});
