/**
 * The Kafka backend (src/log/kafka, kafkajs) against Sluice's own embedded broker instead of Apache
 * Kafka: the same Log contract as on the real broker, then the engine on top of it with
 * exactly_once, in this process and as a second `sluice run --kafka` process that is SIGKILLed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/index.js';
import { KafkaBroker } from '../../src/broker/kafka-broker.js';
import { KafkaLog } from '../../src/log/kafka/index.js';
import type { Log } from '../../src/log/log.js';
import { repoRoot, sluiceBin } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';
import { kafkaLogContract, type ContractTarget } from '../log/kafka/kafka-log-contract.js';

/** a Sluice engine on its embedded log serving it on a free port, as `sluice server` does */
async function startBroker() {
  const dir = await tempDir('sluice-broker-backend-');
  const host = await Engine.open({ dataDir: join(dir.path, 'host') });
  const broker = new KafkaBroker({ log: host.log, listen: '127.0.0.1:0' });
  const address = await broker.listen();
  return {
    address,
    host,
    root: dir.path,
    async stop() {
      await broker.close();
      await host.close();
      await dir.cleanup();
    },
  };
}

/** a sluice command, asynchronously: the broker it talks to runs in this process (spawnSync would block it) */
function sluice(args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [sluiceBin(), ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** every record of a topic's partitions, read from the host's embedded log (which holds committed data only) */
async function readAll(log: Log, topic: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const d = await log.describeTopic(topic);
  for (const { partition } of d.partitions) {
    let offset = await log.earliestOffset(topic, partition);
    for (;;) {
      const f = await log.fetch(topic, partition, offset);
      for (const r of f.records) if (r.value) out.push(r.value);
      if (f.nextOffset <= offset) break;
      offset = f.nextOffset;
    }
  }
  return out;
}

function expectedAggregates(from: number, to: number, into = new Map<string, { n: number; total: number }>()) {
  for (let j = from; j < to; j++) {
    const k = `k${j % 7}`;
    const e = into.get(k) ?? { n: 0, total: 0 };
    e.n++;
    e.total += j % 10;
    into.set(k, e);
  }
  return into;
}

function inputs(topic: string, from: number, to: number) {
  return Array.from({ length: to - from }, (_, i) => ({ topic, key: Buffer.from(`e${from + i}`), value: Buffer.from(JSON.stringify({ K: `k${(from + i) % 7}`, V: (from + i) % 10 })) }));
}

describe('KafkaLog on the embedded broker', { timeout: 120_000 }, () => {
  let served: Awaited<ReturnType<typeof startBroker>>;
  const target = { markersTakeOffsets: false } as ContractTarget;
  before(async () => {
    served = await startBroker();
    target.bootstrap = served.address;
    target.log = await KafkaLog.open({ properties: { 'bootstrap.servers': served.address, 'client.id': 'sluice-test' } });
  });
  after(async () => {
    await target.log?.close();
    await served?.stop();
  });
  kafkaLogContract(target);
});

describe('the engine on the Kafka backend, against the embedded broker', { timeout: 240_000 }, () => {
  let served: Awaited<ReturnType<typeof startBroker>>;
  let n = 0;
  before(async () => {
    served = await startBroker();
  });
  after(async () => {
    await served?.stop();
  });

  function service(guarantee: 'at_least_once' | 'exactly_once') {
    const id = `svc${++n}_`;
    const dataDir = join(served.root, `client-${id}`);
    const kafka = { 'bootstrap.servers': served.address, 'ksql.service.id': id, 'processing.guarantee': guarantee };
    return { id, dataDir, kafka, open: () => Engine.open({ dataDir, kafka, properties: { 'auto.offset.reset': 'earliest' } }) };
  }

  async function aggregates(engine: Engine): Promise<Record<string, { n: number; total: number }>> {
    const res = await engine.pull('SELECT * FROM per_k;');
    return Object.fromEntries(res.rows.map((r) => [String(r.K), { n: Number(r.N), total: Number(r.TOTAL) }]));
  }

  it('exactly_once: a repartitioned aggregate and a rekeyed stream, every input once, state rebuilt after an unclean stop', async () => {
    const svc = service('exactly_once');
    const hostCommands = (await served.host.log.latestOffset('_sluice_commands', 0)) as bigint;
    const input = `in_${svc.id}`;
    const rekeyed = `rekeyed_${svc.id}`;
    const producer = await KafkaLog.open({ properties: { 'bootstrap.servers': served.address } });
    let engine = await svc.open();
    try {
      await engine.execute(`
        CREATE STREAM src (id STRING KEY, k STRING, v INT) WITH (kafka_topic='${input}', value_format='JSON', partitions=2);
        CREATE STREAM rekeyed WITH (kafka_topic='${rekeyed}') AS SELECT * FROM src PARTITION BY k;
        CREATE TABLE per_k WITH (kafka_topic='per_k_${svc.id}') AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM src GROUP BY k;`);
      await producer.produce(inputs(input, 0, 300));
      await engine.runUntilIdle();
      assert.deepEqual(await aggregates(engine), Object.fromEntries(expectedAggregates(0, 300)));
    } finally {
      await engine.close();
    }
    // the broker's log holds this service's internals under ksqlDB's names, and its own command topic is untouched
    const topics = await served.host.log.listTopics();
    assert.ok(topics.includes(`_confluent-ksql-${svc.id}_command_topic`), topics.join(' '));
    assert.equal((await readAll(served.host.log, `_confluent-ksql-${svc.id}_command_topic`)).length, 3);
    assert.ok(topics.some((t) => t.startsWith(`_confluent-ksql-${svc.id}query_CTAS_PER_K_`) && t.endsWith('-changelog')), topics.join(' '));
    assert.ok(topics.some((t) => t.startsWith(`_confluent-ksql-${svc.id}query_CTAS_PER_K_`) && t.endsWith('-repartition')), topics.join(' '));
    assert.equal(await served.host.log.latestOffset('_sluice_commands', 0), hostCommands);

    // as after a crash: no checkpoint, local stores stale; more input arrives meanwhile
    await rm(join(svc.dataDir, 'kafka-state', '.checkpoint'));
    await producer.produce(inputs(input, 300, 600));
    engine = await svc.open();
    try {
      await engine.runUntilIdle();
      assert.deepEqual(await aggregates(engine), Object.fromEntries(expectedAggregates(0, 600)));
    } finally {
      await engine.close();
      await producer.close();
    }
    const ids = (await readAll(served.host.log, rekeyed)).map((v) => JSON.parse(v.toString()).ID as string);
    assert.equal(ids.length, 600);
    assert.equal(new Set(ids).size, 600);
  });

  it('AVRO: schemas go to the service\'s own registry topic (the host\'s _schemas is read-only to clients) and load back after a restart', async () => {
    const svc = service('exactly_once');
    const hostSchemas = await served.host.log.latestOffset('_schemas', 0);
    let engine = await svc.open();
    try {
      await engine.execute(`
        CREATE STREAM readings (id STRING KEY, sensor STRING, v DOUBLE) WITH (kafka_topic='readings_${svc.id}', value_format='AVRO', partitions=1);
        CREATE STREAM hot WITH (kafka_topic='hot_${svc.id}', value_format='JSON') AS SELECT id, sensor, v FROM readings WHERE v > 10;`);
      await engine.insert('readings', [
        { id: 'r1', sensor: 's1', v: 5 },
        { id: 'r2', sensor: 's2', v: 12.5 },
      ]);
      await engine.runUntilIdle();
    } finally {
      await engine.close();
    }
    const registry = await readAll(served.host.log, `_confluent-ksql-${svc.id}_schemas`);
    assert.ok(registry.some((v) => JSON.parse(v.toString()).subject === `readings_${svc.id}-value`), registry.map((v) => v.toString()).join('\n'));
    assert.equal(await served.host.log.latestOffset('_schemas', 0), hostSchemas);
    // a restart reads the registrations back: the AVRO records written before decode
    engine = await svc.open();
    try {
      await engine.insert('readings', [{ id: 'r3', sensor: 's1', v: 20 }]);
      await engine.runUntilIdle();
    } finally {
      await engine.close();
    }
    const hot = (await readAll(served.host.log, `hot_${svc.id}`)).map((v) => JSON.parse(v.toString()));
    assert.deepEqual(hot.map((r) => [r.SENSOR, r.V]), [['s2', 12.5], ['s1', 20]]);
  });

  it('exactly_once: a SIGKILLed `sluice run --kafka <embedded broker>` resumes with every input in the output exactly once', async (t) => {
    const svc = service('exactly_once');
    const file = join(served.root, `${svc.id}.sql`);
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
    const common = ['--data-dir', svc.dataDir, '--kafka', served.address, '--set', `ksql.service.id=${svc.id}`, '--set', 'processing.guarantee=exactly_once'];
    const producer = await KafkaLog.open({ properties: { 'bootstrap.servers': served.address } });
    const total = 1000;
    try {
      const child = spawn(process.execPath, [sluiceBin(), 'run', file, '--quiet', ...common], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
      t.after(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const deadline = Date.now() + 60_000;
      while (!/Running \d+ queries/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /Running 2 queries/);
      for (let i = 0; i < total / 2; i += 100) await producer.produce(inputs(input, i, i + 100));
      // some output committed, then SIGKILL mid-stream
      const committed = async () => (await served.host.log.latestOffset(rekeyed, 0).catch(() => 0n)) + (await served.host.log.latestOffset(rekeyed, 1).catch(() => 0n));
      while ((await committed()) === 0n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
      const atKill = await committed();
      for (let i = total / 2; i < total; i += 100) await producer.produce(inputs(input, i, i + 100));
      const again = await sluice(['run', file, '--until-idle', '--quiet', ...common], 120_000);
      assert.equal(again.status, 0, again.stderr + again.stdout);
      const ids = (await readAll(served.host.log, rekeyed)).map((v) => JSON.parse(v.toString()).ID as string);
      assert.ok(atKill > 0n && atKill < BigInt(total), `killed with ${atKill} of ${total} outputs committed`);
      assert.equal(ids.length, total, `${ids.length} output records for ${total} inputs`);
      assert.equal(new Set(ids).size, total);
      const pull = await sluice([...common, '--output', 'JSON', '-e', 'SELECT * FROM per_k;'], 60_000);
      assert.equal(pull.status, 0, pull.stderr);
      const rows = (JSON.parse(pull.stdout) as { rows: { K: string; N: unknown; TOTAL: unknown }[] }).rows;
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.K, { n: Number(r.N), total: Number(r.TOTAL) }])), Object.fromEntries(expectedAggregates(0, total)));
    } finally {
      await producer.close();
    }
  });
});
