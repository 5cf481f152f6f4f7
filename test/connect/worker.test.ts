import { strict as assert } from 'node:assert';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLocalLog } from '../../src/log/local/index.js';
import type { Log } from '../../src/log/log.js';
import { ConfigDef } from '../../src/connect/api/config-def.js';
import type { SinkRecord } from '../../src/connect/api/connect-record.js';
import type { Connector, SinkTask } from '../../src/connect/api/connector.js';
import { Worker } from '../../src/connect/runtime/worker.js';
import { testPlugins } from './test-plugins.js';

async function withLog<T>(work: (log: Log, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-'));
  const log = await openLocalLog(join(dir, 'log'));
  try {
    return await work(log, dir);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const quiet = { logLine: () => {} };

async function readAllValues(log: Log, topic: string): Promise<string[]> {
  const out: string[] = [];
  const d = await log.describeTopic(topic);
  for (const p of d.partitions) {
    const r = await log.fetch(topic, p.partition, p.logStartOffset);
    out.push(...r.records.map((x) => x.value?.toString('utf8') ?? 'null'));
  }
  return out;
}

async function until(check: () => Promise<boolean> | boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stringConverters = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
};

test('file source -> topic -> file sink, lines in order; the source resumes from its stored position after a restart', () =>
  withLog(async (log, dir) => {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    await writeFile(input, 'one\ntwo\nthree\npartial');
    let worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('src', { 'connector.class': 'FileStreamSource', file: input, topic: 'lines', ...stringConverters });
    await worker.create('sink', { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: output, topics: 'lines', ...stringConverters });
    await until(async () => (await readFile(output, 'utf8').catch(() => '')) === 'one\ntwo\nthree\n');
    assert.ok(await worker.waitIdle(5000));
    assert.deepEqual(worker.status('src').tasks.map((t) => t.state), ['RUNNING']);
    assert.deepEqual(await worker.offsets('src'), { offsets: [{ partition: { filename: input }, offset: { position: 14 } }] });
    assert.deepEqual((await worker.offsets('sink')).offsets, [{ partition: { kafka_topic: 'lines', kafka_partition: 0 }, offset: { kafka_offset: 3 } }]);
    await worker.close();

    // the partial line completes while nothing runs; a new worker continues from position 14
    await appendFile(input, ' line\nfive\n');
    worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    assert.deepEqual(worker.list(), ['sink', 'src']);
    await until(async () => (await readFile(output, 'utf8')) === 'one\ntwo\nthree\npartial line\nfive\n');
    assert.ok(await worker.waitIdle(5000));
    assert.deepEqual(await readAllValues(log, 'lines'), ['one', 'two', 'three', 'partial line', 'five']);
    await worker.close();
  }));

test('connector config, target state and offsets are in Connect-named compacted topics', () =>
  withLog(async (log, dir) => {
    const input = join(dir, 'in.txt');
    await writeFile(input, 'a\n');
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('src', { 'connector.class': 'FileStreamSource', file: input, topic: 't', ...stringConverters });
    await worker.waitIdle(5000);
    await worker.pause('src');
    await worker.close();
    const topics = await log.listTopics();
    for (const t of ['connect-configs', 'connect-offsets', 'connect-status']) assert.ok(topics.includes(t), t);
    assert.equal((await log.describeTopic('connect-configs')).config['cleanup.policy'], 'compact');
    const configs = (await log.fetch('connect-configs', 0, 0n)).records.map((r) => [r.key!.toString(), JSON.parse(r.value!.toString())]);
    assert.deepEqual(configs[0], ['connector-src', { properties: { 'connector.class': 'FileStreamSource', file: input, topic: 't', ...stringConverters, name: 'src' } }]);
    assert.deepEqual(configs.at(-1), ['target-state-src', { state: 'PAUSED', 'state.v2': 'PAUSED' }]);
    const offsets = (await log.fetch('connect-offsets', 0, 0n)).records.map((r) => [r.key!.toString(), r.value!.toString()]);
    assert.deepEqual(offsets, [[JSON.stringify(['src', { filename: input }]), '{"position":2}']]);
    const again = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    assert.equal(again.status('src').connector.state, 'PAUSED');
    assert.equal(again.status('src').tasks[0]!.state, 'PAUSED');
    await again.close();
  }));

test('pause stops a source from writing; resume continues', () =>
  withLog(async (log) => {
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('gen', { 'connector.class': 'DatagenConnector', 'kafka.topic': 'users', quickstart: 'users', 'max.interval': '5', iterations: '1000000', 'random.seed': '1' });
    await until(async () => (await log.latestOffset('users', 0).catch(() => 0n)) > 5n);
    await worker.pause('gen');
    assert.equal(worker.status('gen').connector.state, 'PAUSED');
    await new Promise((r) => setTimeout(r, 300));
    const at = await log.latestOffset('users', 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await log.latestOffset('users', 0), at);
    await worker.resume('gen');
    await until(async () => (await log.latestOffset('users', 0)) > at);
    assert.equal(worker.status('gen').tasks[0]!.state, 'RUNNING');
    await worker.close();
  }));

test('datagen: quickstart records with the key field as key, `iterations` per task, continued across restarts', () =>
  withLog(async (log) => {
    let worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('orders', { 'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector', 'kafka.topic': 'orders', quickstart: 'orders', 'max.interval': '0', iterations: '50', 'random.seed': '7' });
    assert.ok(await worker.waitIdle(10000));
    const records = (await log.fetch('orders', 0, 0n)).records;
    assert.equal(records.length, 50);
    const first = JSON.parse(records[0]!.value!.toString());
    assert.deepEqual(Object.keys(first), ['ordertime', 'orderid', 'itemid', 'orderunits', 'address']);
    assert.deepEqual(Object.keys(first.address), ['city', 'state', 'zipcode']);
    assert.deepEqual(records.map((r) => r.key!.toString()), Array.from({ length: 50 }, (_, i) => String(i)));
    await worker.close();
    worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.waitIdle(5000);
    assert.equal((await log.fetch('orders', 0, 0n)).records.length, 50, 'a restarted task does not start over');
    await worker.close();
  }));

test('datagen max.interval limits the rate', () =>
  withLog(async (log) => {
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    const started = Date.now();
    await worker.create('pv', { 'connector.class': 'DatagenConnector', 'kafka.topic': 'pageviews', quickstart: 'pageviews', 'max.interval': '20', iterations: '20' });
    await until(async () => (await log.latestOffset('pageviews', 0).catch(() => 0n)) === 20n);
    // 20 records waiting uniformly up to 20 ms: about 200 ms; far more than an unlimited run
    assert.ok(Date.now() - started >= 100, `took ${Date.now() - started} ms`);
    const v = JSON.parse((await log.fetch('pageviews', 0, 0n)).records[3]!.value!.toString());
    assert.equal(v.viewtime, 31);
    await worker.close();
  }));

test('a record the value converter cannot read goes to the DLQ with Connect context headers; the sink keeps running', () =>
  withLog(async (log, dir) => {
    const output = join(dir, 'out.txt');
    await log.createTopic('in', { partitions: 1 });
    await log.produce(['{"a":1}', 'not json', '{"a":2}'].map((v) => ({ topic: 'in', key: Buffer.from('k'), value: Buffer.from(v) })));
    const lines: string[] = [];
    const worker = await Worker.open(log, { plugins: testPlugins(), logLine: (l) => lines.push(l) });
    await worker.create('sink', {
      'connector.class': 'FileStreamSink',
      file: output,
      topics: 'in',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'errors.tolerance': 'all',
      'errors.log.enable': 'true',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    assert.ok(await worker.waitIdle(10000));
    assert.equal(await readFile(output, 'utf8'), '{"a":1}\n{"a":2}\n');
    const dlq = (await log.fetch('dlq', 0, 0n)).records;
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0]!.value!.toString(), 'not json');
    assert.equal(dlq[0]!.key!.toString(), 'k');
    const h = Object.fromEntries(dlq[0]!.headers.map((x) => [x.key, x.value?.toString()]));
    assert.equal(h['__connect.errors.topic'], 'in');
    assert.equal(h['__connect.errors.partition'], '0');
    assert.equal(h['__connect.errors.offset'], '1');
    assert.equal(h['__connect.errors.connector.name'], 'sink');
    assert.equal(h['__connect.errors.task.id'], '0');
    assert.equal(h['__connect.errors.stage'], 'VALUE_CONVERTER');
    assert.equal(h['__connect.errors.exception.class.name'], 'org.apache.kafka.connect.errors.DataException');
    assert.match(h['__connect.errors.exception.message']!, /Converting byte\[\] to Kafka Connect data failed/);
    assert.ok(lines.some((l) => l.includes("Executing stage 'VALUE_CONVERTER'") && l.includes('offset 1')), lines.join('\n'));
    assert.equal(worker.status('sink').tasks[0]!.state, 'RUNNING');
    await worker.close();
  }));

/** a sink that fails on values it is told to, and collects the rest */
class PickySink implements SinkTask {
  readonly kind = 'sink' as const;
  static got: string[] = [];
  static failOn = new Set<string>();
  static failures = 0;
  version(): string {
    return '1';
  }
  start(): void {}
  put(records: readonly SinkRecord[]): void {
    for (const r of records) {
      if (PickySink.failOn.has(String(r.value))) {
        PickySink.failures++;
        throw new Error(`cannot write ${String(r.value)}`);
      }
    }
    PickySink.got.push(...records.map((r) => String(r.value)));
  }
  stop(): void {}
}

function pickyConnector(): Connector {
  return {
    type: 'sink',
    version: () => '1',
    config: () => new ConfigDef(),
    start: () => {},
    taskConfigs: () => [{}],
    stop: () => {},
    taskFactory: () => () => new PickySink(),
  };
}

test('put errors: tolerated ones reach the DLQ (stage TASK_PUT); untolerated ones fail the task, which restart revives', () =>
  withLog(async (log) => {
    const plugins = testPlugins().connector('test.PickySinkConnector', pickyConnector);
    await log.createTopic('in', { partitions: 1 });
    await log.produce(['a', 'bad', 'c'].map((v) => ({ topic: 'in', key: null, value: Buffer.from(v) })));
    PickySink.got = [];
    PickySink.failOn = new Set(['bad']);
    const worker = await Worker.open(log, { plugins, ...quiet });
    await worker.create('tolerant', { 'connector.class': 'test.PickySinkConnector', topics: 'in', ...stringConverters, 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true' });
    assert.ok(await worker.waitIdle(10000));
    assert.deepEqual(PickySink.got, ['a', 'c']);
    const dlq = (await log.fetch('dlq', 0, 0n)).records;
    assert.deepEqual(dlq.map((r) => r.value!.toString()), ['bad']);
    assert.equal(dlq[0]!.headers.find((h) => h.key === '__connect.errors.stage')!.value!.toString(), 'TASK_PUT');

    PickySink.got = [];
    await worker.create('strict', { 'connector.class': 'test.PickySinkConnector', topics: 'in', ...stringConverters });
    await until(() => worker.status('strict').tasks[0]!.state === 'FAILED');
    const status = worker.status('strict');
    assert.equal(status.connector.state, 'RUNNING');
    assert.match(status.tasks[0]!.trace!, /cannot write bad/);
    PickySink.failOn = new Set();
    await worker.restart('strict', { includeTasks: true, onlyFailed: true });
    assert.ok(await worker.waitIdle(10000));
    assert.equal(worker.status('strict').tasks[0]!.state, 'RUNNING');
    assert.deepEqual(PickySink.got, ['a', 'bad', 'c']);
    await worker.close();
  }));

test('errors.retry.timeout: a failing task is restarted with backoff and recovers without a manual restart', () =>
  withLog(async (log) => {
    const plugins = testPlugins().connector('test.PickySinkConnector', pickyConnector);
    await log.createTopic('in', { partitions: 1 });
    await log.produce(['x', 'y'].map((v) => ({ topic: 'in', key: null, value: Buffer.from(v) })));
    PickySink.got = [];
    PickySink.failOn = new Set(['y']);
    PickySink.failures = 0;
    const worker = await Worker.open(log, { plugins, ...quiet });
    await worker.create('retrying', { 'connector.class': 'test.PickySinkConnector', topics: 'in', ...stringConverters, 'errors.retry.timeout': '30000', 'errors.retry.delay.max.ms': '200' });
    await until(() => PickySink.failures >= 2);
    assert.notEqual(worker.status('retrying').tasks[0]!.state, 'FAILED');
    PickySink.failOn = new Set();
    await until(async () => PickySink.got.includes('y'));
    assert.ok(await worker.waitIdle(10000));
    assert.equal(worker.status('retrying').tasks[0]!.state, 'RUNNING');
    await worker.close();
  }));

test('stop keeps the config; offsets can then be altered and reset; validation errors name the keys', () =>
  withLog(async (log, dir) => {
    const input = join(dir, 'in.txt');
    await writeFile(input, 'a\nb\n');
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    await worker.create('src', { 'connector.class': 'FileStreamSource', file: input, topic: 't', ...stringConverters });
    await worker.waitIdle(5000);
    await assert.rejects(worker.alterOffsets('src', 'reset'), /must be in the STOPPED state/);
    await worker.stop('src');
    assert.deepEqual(worker.status('src'), { name: 'src', connector: { state: 'STOPPED', worker_id: worker.workerId }, tasks: [], type: 'source' });
    await worker.alterOffsets('src', [{ partition: { filename: input }, offset: { position: 2 } }]);
    assert.deepEqual((await worker.offsets('src')).offsets, [{ partition: { filename: input }, offset: { position: 2 } }]);
    await worker.resume('src');
    await until(async () => (await log.latestOffset('t', 0)) === 3n);
    assert.deepEqual(await readAllValues(log, 't'), ['a', 'b', 'b']);
    await worker.stop('src');
    await worker.alterOffsets('src', 'reset');
    assert.deepEqual((await worker.offsets('src')).offsets, []);

    const v = worker.validate({ 'connector.class': 'FileStreamSink', name: 'x' });
    // named as the configuration names it, as Connect does
    assert.equal(v.name, 'FileStreamSink');
    assert.ok(v.error_count >= 1);
    assert.deepEqual(v.configs.find((c) => c.value.name === 'topics')!.value.errors, ['Must configure one of topics or topics.regex']);
    await assert.rejects(worker.create('bad', { 'connector.class': 'FileStreamSource', topic: ' ' }), /Connector configuration is invalid/);
    await assert.rejects(worker.create('bad', { 'connector.class': 'NoSuchConnector' }), (e: Error & { status?: number }) => e.status === 400);
    await worker.close();
  }));

test('built-in SMTs and predicates run in the worker: HoistField + InsertField on a source, Filter with TopicNameMatches on a sink', () =>
  withLog(async (log, dir) => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    const output = join(dir, 'out.txt');
    await writeFile(a, 'one\ntwo\n');
    await writeFile(b, 'three\n');
    const worker = await Worker.open(log, { plugins: testPlugins(), ...quiet });
    const hoist = {
      transforms: 'hoist,tag',
      'transforms.hoist.type': 'org.apache.kafka.connect.transforms.HoistField$Value',
      'transforms.hoist.field': 'line',
      'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.tag.static.field': 'src',
      'transforms.tag.static.value': 'file',
    };
    await worker.create('a', { 'connector.class': 'FileStreamSource', file: a, topic: 'a-lines', ...hoist });
    await worker.create('b', { 'connector.class': 'FileStreamSource', file: b, topic: 'b-lines', ...hoist });
    await worker.create('out', {
      'connector.class': 'FileStreamSink',
      file: output,
      'topics.regex': '.-lines',
      transforms: 'dropB',
      'transforms.dropB.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.dropB.predicate': 'isB',
      predicates: 'isB',
      'predicates.isB.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'predicates.isB.pattern': 'b-.*',
    });
    await until(async () => (await readFile(output, 'utf8').catch(() => '')).split('\n').length >= 3);
    assert.ok(await worker.waitIdle(10000));
    assert.deepEqual(await readAllValues(log, 'b-lines'), ['{"line":"three","src":"file"}']);
    assert.equal(await readFile(output, 'utf8'), '{"line":"one","src":"file"}\n{"line":"two","src":"file"}\n');
    await worker.close();
  }));
