/** GET /metrics: a real server scraped over HTTP; its figures match what the engine counted. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { register as defaultRegister } from 'prom-client';
import { createMetricsRegistry } from '../../src/index.js';
import type { Engine } from '../../src/index.js';
import { startServer } from '../../src/server/server-command.js';
import { tempDir } from '../support/temp-dir.js';

type Samples = Map<string, number>;

/** Prometheus text to `name{label="v",...}` -> value (labels as written, in order). */
function parse(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

function value(samples: Samples, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels);
  for (const [key, v] of samples) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (want.every(([k, x]) => key.includes(`${k}="${x}"`))) return v;
  }
  return undefined;
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function topicRecords(engine: Engine, topic: string): Promise<number> {
  return (await engine.log.describeTopic(topic)).partitions.reduce((n, p) => n + Number(p.highWatermark - p.logStartOffset), 0);
}

describe('GET /metrics', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let engine: Engine;
  let stop: () => Promise<void>;
  const ksql = async (text: string) => {
    const r = await fetch(`${url}/ksql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ksql: text, streamsProperties: { 'auto.offset.reset': 'earliest' } }) });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()) as { commandStatus?: { queryId?: string | null } }[];
  };
  const scrape = async () => {
    const r = await fetch(`${url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parse(await r.text());
  };

  before(async () => {
    dir = await tempDir('sluice-metrics-');
    ({ url, engine, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0' }, { out: () => {}, err: () => {} }));
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  it('counts records in and out per query and operator, errors, lag, commits, stores and push clients as the engine did', async () => {
    await ksql(`CREATE STREAM clicks (id INT KEY, url STRING) WITH (kafka_topic='clicks', partitions=2, value_format='JSON');`);
    const [even] = await ksql(`CREATE STREAM evens AS SELECT id, url FROM clicks WHERE id % 2 = 0 EMIT CHANGES;`);
    const [counts] = await ksql(`CREATE TABLE counts AS SELECT url, COUNT(*) AS n FROM clicks GROUP BY url EMIT CHANGES;`);
    const evens = even!.commandStatus!.queryId!;
    const ctas = counts!.commandStatus!.queryId!;
    await engine.insert('clicks', Array.from({ length: 100 }, (_, i) => ({ id: i, url: `u${i % 5}` })));
    // three records no JSON reader can read: each query logs a deserialization error and goes on
    await engine.log.produce([0, 1, 2].map((i) => ({ topic: 'clicks', partition: i % 2, key: null, value: Buffer.from(`not json ${i}`) })));
    await until('both queries to catch up', async () => (await topicRecords(engine, 'EVENS')) === 50 && engine.processingLog.length >= 6);
    await until('counts to read everything', async () => (await engine.metrics()).queries.find((q) => q.queryId === ctas)?.partitions.every((p) => p.lag === 0) ?? false);

    const m = await scrape();
    const snapshot = await engine.metrics();
    const evensSnap = snapshot.queries.find((q) => q.queryId === evens)!;
    // every record read, the unreadable ones included; half of the readable ones written
    assert.equal(value(m, 'sluice_query_records_in_total', { query: evens }), 103);
    assert.equal(value(m, 'sluice_query_records_out_total', { query: evens }), 50);
    assert.equal(value(m, 'sluice_query_records_out_total', { query: evens }), await topicRecords(engine, 'EVENS'));
    assert.equal(evensSnap.recordsIn, 103);
    const filter = evensSnap.operators.find((o) => o.kind === 'StreamFilter')!;
    assert.equal(value(m, 'sluice_operator_records_in_total', { query: evens, operator: filter.id }), 100);
    assert.equal(value(m, 'sluice_operator_records_out_total', { query: evens, operator: filter.id }), 50);
    for (const o of evensSnap.operators) {
      assert.equal(value(m, 'sluice_operator_records_in_total', { query: evens, operator: o.id }), o.recordsIn, o.id);
      assert.equal(value(m, 'sluice_operator_records_out_total', { query: evens, operator: o.id }), o.recordsOut, o.id);
    }
    // processing-log errors: as many as the engine logged, per query and type
    const logged = (q: string) => engine.processingLog.filter((e) => e.queryId === q && e.type === 'DESERIALIZATION_ERROR').length;
    assert.equal(logged(evens), 3);
    assert.equal(value(m, 'sluice_processing_errors_total', { query: evens, type: 'DESERIALIZATION_ERROR' }), 3);
    assert.equal(value(m, 'sluice_processing_errors_total', { query: ctas, type: 'DESERIALIZATION_ERROR' }), logged(ctas));
    // commits and their latency
    assert.ok(value(m, 'sluice_commits_total', { query: evens })! > 0);
    assert.equal(value(m, 'sluice_commits_total', { query: evens }), evensSnap.commits.count);
    assert.ok(value(m, 'sluice_commit_seconds_total', { query: evens })! > 0);
    // the aggregate's store: its changelog holds one record per url at least
    const store = snapshot.queries.find((q) => q.queryId === ctas)!.stores[0]!;
    // the store's changes reach its changelog with the task's next commit
    await until('the store changelog', async () => (await topicRecords(engine, store.changelogTopic)) >= 5);
    const changelog = await topicRecords(engine, store.changelogTopic);
    const afterCommit = await scrape();
    assert.equal(value(afterCommit, 'sluice_state_store_changelog_records', { query: ctas, store: store.name }), changelog);
    assert.equal(value(m, 'sluice_query_state', { query: ctas, state: 'RUNNING' }), 1);
    assert.equal(value(m, 'sluice_query_lag_records', { query: evens }), 0);

    // lag: a paused query falls behind by exactly what arrives meanwhile
    await ksql(`PAUSE ${ctas};`);
    await engine.insert('clicks', Array.from({ length: 10 }, (_, i) => ({ id: 1000 + i, url: 'late' })));
    await until('evens to take the new rows', async () => (await topicRecords(engine, 'EVENS')) === 55);
    const paused = await scrape();
    assert.equal(value(paused, 'sluice_query_state', { query: ctas, state: 'PAUSED' }), 1);
    assert.equal(value(paused, 'sluice_query_lag_records', { query: ctas }), 10);
    const perPartition = [...paused].filter(([k]) => k.startsWith('sluice_consumer_lag_records{') && k.includes(`query="${ctas}"`) && k.includes('topic="clicks"'));
    assert.equal(perPartition.length, 2);
    assert.equal(perPartition.reduce((n, [, v]) => n + v, 0), 10);
    assert.equal(value(paused, 'sluice_query_lag_records', { query: evens }), 0);
    assert.equal(value(paused, 'sluice_query_records_in_total', { query: evens }), 113);

    // a push query streaming to a client
    const abort = new AbortController();
    const res = await fetch(`${url}/query-stream`, { method: 'POST', signal: abort.signal, headers: { 'content-type': 'application/json', accept: 'application/vnd.ksqlapi.delimited.v1' }, body: JSON.stringify({ sql: 'SELECT * FROM clicks EMIT CHANGES;' }) });
    const reader = res.body!.getReader();
    await reader.read();
    const streaming = await scrape();
    assert.equal(value(streaming, 'sluice_push_query_clients'), 1);
    assert.equal(value(streaming, 'sluice_push_queries'), 1);
    abort.abort();
    await until('the push query to end', async () => value(await scrape(), 'sluice_push_queries') === 0);
    // never per key: no label carries a row's key or value
    assert.ok(![...streaming.keys()].some((k) => /u[0-4]"|late"/.test(k)));
  });

  it('an embedding program gets the same figures in a registry of its own', async () => {
    const { registry, refresh } = createMetricsRegistry();
    const snapshot = await engine.metrics();
    refresh(snapshot, 0);
    const text = await registry.metrics();
    const m = parse(text);
    for (const q of snapshot.queries) assert.equal(value(m, 'sluice_query_records_in_total', { query: q.queryId }), q.recordsIn);
    // prom-client's default registry is left alone
    assert.ok(!(await defaultRegister.metrics()).includes('sluice_query_records_in_total'));
  });
});
