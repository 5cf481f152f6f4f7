/**
 * The engine on real Apache Kafka: topics on the broker (internal ones under ksqlDB's names), state
 * in a local LevelDB directory restored from changelog topics, both processing guarantees.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../../src/index.js';
import { KafkaLog } from '../../../src/log/kafka/index.js';
import { repoRoot, sluiceBin } from '../../support/repo-root.js';
import { kafkaSkipReason, sharedKafka, type KafkaCluster } from '../../helpers/kafka-cluster.js';

const skip = kafkaSkipReason();

describe('the engine on Apache Kafka', { skip, timeout: 300_000 }, () => {
  let cluster: KafkaCluster;
  let root: string;
  let n = 0;

  before(async () => {
    cluster = await sharedKafka();
    root = await mkdtemp(join(tmpdir(), 'sluice-kafka-engine-'));
  });
  after(async () => {
    await cluster?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** a fresh service (its own ksql.service.id and data dir) per test */
  function service(extra: Record<string, string> = {}) {
    const id = `svc${++n}_${Date.now()}_`;
    const dataDir = join(root, id);
    const open = () => Engine.open({ dataDir, kafka: { 'bootstrap.servers': cluster.bootstrap, 'ksql.service.id': id, ...extra }, properties: { 'auto.offset.reset': 'earliest' } });
    return { id, dataDir, open };
  }

  async function counts(engine: Engine, table: string): Promise<Record<string, string>> {
    const res = await engine.pull(`SELECT * FROM ${table};`);
    return Object.fromEntries(res.rows.map((r) => [String(r.CUSTOMER), String(r.N)]));
  }

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`aggregates through a repartition and restores state after a clean restart (${guarantee})`, async () => {
      const svc = service({ 'processing.guarantee': guarantee });
      let engine = await svc.open();
      try {
        await engine.execute(`
          CREATE STREAM orders (id STRING KEY, customer STRING, qty BIGINT) WITH (kafka_topic='orders_${svc.id}', value_format='JSON', partitions=2);
          CREATE TABLE per_customer WITH (kafka_topic='per_customer_${svc.id}') AS SELECT customer, COUNT(*) AS n, SUM(qty) AS total FROM orders GROUP BY customer;`);
        await engine.insert('orders', [
          { id: 'o1', customer: 'alice', qty: 1 },
          { id: 'o2', customer: 'bob', qty: 2 },
          { id: 'o3', customer: 'alice', qty: 3 },
        ]);
        await engine.runUntilIdle();
        assert.deepEqual(await counts(engine, 'per_customer'), { alice: '2', bob: '1' });
      } finally {
        await engine.close();
      }
      // the checkpoint of a clean stop: the restart restores only the changelog's tail (nothing)
      assert.ok(existsSync(join(svc.dataDir, 'kafka-state', '.checkpoint')));
      engine = await svc.open();
      try {
        await engine.insert('orders', [{ id: 'o4', customer: 'alice', qty: 4 }]);
        await engine.runUntilIdle();
        assert.deepEqual(await counts(engine, 'per_customer'), { alice: '3', bob: '1' });
        const sums = await engine.pull(`SELECT customer, total FROM per_customer WHERE customer = 'alice';`);
        assert.equal(String(sums.rows[0]!.TOTAL), '8');
      } finally {
        await engine.close();
      }
      // internal topics carry ksqlDB's names on the cluster
      const raw = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap } });
      try {
        const topics = await raw.listTopics();
        assert.ok(topics.includes(`_confluent-ksql-${svc.id}_command_topic`), topics.join(' '));
        assert.ok(topics.some((t) => t.startsWith(`_confluent-ksql-${svc.id}query_CTAS_PER_CUSTOMER_`) && t.endsWith('-changelog')), topics.join(' '));
        assert.ok(topics.some((t) => t.startsWith(`_confluent-ksql-${svc.id}query_CTAS_PER_CUSTOMER_`) && t.endsWith('-repartition')), topics.join(' '));
        const changelog = topics.find((t) => t.startsWith(`_confluent-ksql-${svc.id}query_`) && t.endsWith('-changelog'))!;
        assert.equal((await raw.describeTopic(changelog)).config['cleanup.policy'], 'compact');
      } finally {
        await raw.close();
      }
    });
  }

  it('rebuilds local state from the changelog after an unclean stop (no checkpoint)', async () => {
    const svc = service();
    let engine = await svc.open();
    try {
      await engine.execute(`
        CREATE STREAM clicks (user_id STRING KEY, page STRING) WITH (kafka_topic='clicks_${svc.id}', value_format='JSON', partitions=1);
        CREATE TABLE per_user WITH (kafka_topic='per_user_${svc.id}') AS SELECT user_id AS customer, COUNT(*) AS n FROM clicks GROUP BY user_id;`);
      await engine.insert('clicks', [
        { user_id: 'u1', page: 'a' },
        { user_id: 'u2', page: 'b' },
        { user_id: 'u1', page: 'c' },
      ]);
      await engine.runUntilIdle();
    } finally {
      await engine.close();
    }
    // as after a crash: the checkpoint is gone and the local stores are stale
    await rm(join(svc.dataDir, 'kafka-state', '.checkpoint'));
    engine = await svc.open();
    try {
      await engine.runUntilIdle();
      assert.deepEqual(await counts(engine, 'per_user'), { u1: '2', u2: '1' });
      await engine.insert('clicks', [{ user_id: 'u2', page: 'd' }]);
      await engine.runUntilIdle();
      assert.deepEqual(await counts(engine, 'per_user'), { u1: '2', u2: '2' });
    } finally {
      await engine.close();
    }
    // a new machine: the whole state directory lost, rebuilt from the changelog
    await rm(svc.dataDir, { recursive: true, force: true });
    engine = await svc.open();
    try {
      await engine.runUntilIdle();
      assert.deepEqual(await counts(engine, 'per_user'), { u1: '2', u2: '2' });
    } finally {
      await engine.close();
    }
  });

  it('runs push queries on Kafka topics', async () => {
    const svc = service();
    const engine = await svc.open();
    try {
      await engine.execute(`CREATE STREAM events (k STRING KEY, v INT) WITH (kafka_topic='events_${svc.id}', value_format='JSON', partitions=1);`);
      const q = await engine.query('SELECT k, v * 10 AS v10 FROM events WHERE v > 1 EMIT CHANGES LIMIT 2;');
      const rows = (async () => {
        const out = [];
        for await (const row of q) out.push(row);
        return out;
      })();
      for (let i = 0; i < 4; i++) await engine.insert('events', { k: `k${i}`, v: i });
      assert.deepEqual((await rows).map((r) => [r.K, r.V10]), [
        ['k2', 20],
        ['k3', 30],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('sluice run --kafka and sluice -e --kafka work against the cluster', async () => {
    const svc = service();
    const file = join(root, `${svc.id}.sql`);
    await writeFile(
      file,
      `SET 'auto.offset.reset'='earliest';
CREATE STREAM pings (k STRING KEY, n INT) WITH (kafka_topic='pings_${svc.id}', value_format='JSON', partitions=1);
CREATE TABLE ping_totals WITH (kafka_topic='ping_totals_${svc.id}') AS SELECT k, SUM(n) AS total FROM pings GROUP BY k;
INSERT INTO pings (k, n) VALUES ('a', 1);
INSERT INTO pings (k, n) VALUES ('a', 2);
INSERT INTO pings (k, n) VALUES ('b', 5);
`,
    );
    const common = ['--data-dir', svc.dataDir, '--kafka', cluster.bootstrap, '--set', `ksql.service.id=${svc.id}`];
    const run = spawnSync(process.execPath, [sluiceBin(), 'run', file, '--until-idle', '--quiet', ...common], { encoding: 'utf8', cwd: repoRoot(), timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /All queries are idle \(1 running\)/);
    const pull = spawnSync(process.execPath, [sluiceBin(), ...common, '--output', 'JSON', '-e', "SELECT * FROM ping_totals WHERE k = 'a';"], { encoding: 'utf8', cwd: repoRoot(), timeout: 120_000 });
    assert.equal(pull.status, 0, pull.stderr + pull.stdout);
    assert.match(pull.stdout, /"TOTAL":\s*"?3"?/);
    const bad = spawnSync(process.execPath, [sluiceBin(), '--data-dir', svc.dataDir, '--kafka', 'not a server', '-e', 'SHOW TOPICS;'], { encoding: 'utf8', cwd: repoRoot(), timeout: 60_000 });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /bootstrap.servers: 'not a server' is not HOST:PORT/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });

  it('exactly_once: a SIGKILLed sluice run resumes with every input in the output exactly once', async () => {
    const svc = service();
    const file = join(root, `${svc.id}-eos.sql`);
    const input = `eos_in_${svc.id}`;
    const rekeyed = `eos_rekeyed_${svc.id}`;
    await writeFile(
      file,
      `SET 'auto.offset.reset'='earliest';
CREATE STREAM src (id STRING KEY, k STRING, v INT) WITH (kafka_topic='${input}', value_format='JSON', partitions=2);
CREATE STREAM rekeyed WITH (kafka_topic='${rekeyed}') AS SELECT * FROM src PARTITION BY k;
CREATE TABLE per_k WITH (kafka_topic='eos_per_k_${svc.id}') AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM src GROUP BY k;
`,
    );
    const common = ['--data-dir', svc.dataDir, '--kafka', cluster.bootstrap, '--set', `ksql.service.id=${svc.id}`, '--set', 'processing.guarantee=exactly_once'];
    const log = await KafkaLog.open({ properties: { 'bootstrap.servers': cluster.bootstrap } });
    try {
      const total = 1200;
      const expected = new Map<string, { n: number; total: number }>();
      const send = async (from: number, to: number) => {
        for (let i = from; i < to; i += 100) {
          const records = [];
          for (let j = i; j < Math.min(to, i + 100); j++) {
            const k = `k${j % 7}`;
            records.push({ topic: input, key: Buffer.from(`e${j}`), value: Buffer.from(JSON.stringify({ K: k, V: j % 10 })) });
            const e = expected.get(k) ?? { n: 0, total: 0 };
            e.n++;
            e.total += j % 10;
            expected.set(k, e);
          }
          await log.produce(records);
        }
      };
      // first run: killed while it processes
      const child = spawn(process.execPath, [sluiceBin(), 'run', file, '--quiet', ...common], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const deadline = Date.now() + 90_000;
      while (!/Running \d+ queries/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /Running 2 queries/);
      await send(0, total / 2);
      // until some output is committed, then SIGKILL mid-stream
      while ((await log.latestOffset(rekeyed, 0).catch(() => 0n)) + (await log.latestOffset(rekeyed, 1).catch(() => 0n)) === 0n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await send(total / 2, total);
      // second run: no checkpoint (unclean stop), state rebuilt from the changelog, then to the end
      const again = spawnSync(process.execPath, [sluiceBin(), 'run', file, '--until-idle', '--quiet', ...common], { encoding: 'utf8', cwd: repoRoot(), timeout: 180_000 });
      assert.equal(again.status, 0, again.stderr + again.stdout);
      // the rekeyed stream, read_committed: every input exactly once
      const ids: string[] = [];
      for (const p of [0, 1]) {
        let offset = await log.earliestOffset(rekeyed, p);
        const end = await log.latestOffset(rekeyed, p);
        while (offset < end) {
          const f = await log.fetch(rekeyed, p, offset);
          for (const r of f.records) ids.push(JSON.parse(r.value!.toString()).ID);
          if (f.nextOffset <= offset) break;
          offset = f.nextOffset;
        }
      }
      assert.equal(ids.length, total, `${ids.length} output records for ${total} inputs`);
      assert.equal(new Set(ids).size, total);
      const pull = spawnSync(process.execPath, [sluiceBin(), ...common, '--output', 'JSON', '-e', 'SELECT * FROM per_k;'], { encoding: 'utf8', cwd: repoRoot(), timeout: 120_000 });
      assert.equal(pull.status, 0, pull.stderr);
      const rows = (JSON.parse(pull.stdout) as { rows: { K: string; N: unknown; TOTAL: unknown }[] }).rows;
      assert.deepEqual(
        Object.fromEntries(rows.map((r) => [r.K, { n: Number(r.N), total: Number(r.TOTAL) }])),
        Object.fromEntries(expected),
      );
    } finally {
      await log.close();
    }
  });
});
