import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import { RestServer } from '../../src/server/rest-server.js';
import { startConnectListener } from '../../src/server/connect-listener.js';
import { testPlugins } from './test-plugins.js';

interface Res {
  status: number;
  body: unknown;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Res> {
  const res = await fetch(base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

async function until(check: () => Promise<boolean>, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("Kafka Connect's REST API over real HTTP: lifecycle, status, tasks, offsets, plugins, validation and errors", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-rest-'));
  const engine = await Engine.open({ dataDir: join(dir, 'data'), connect: { plugins: testPlugins(), logLine: () => {} } });
  const server = new RestServer({ engine, listen: 'http://127.0.0.1:0', log: () => {} });
  const base = await server.listen();
  try {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    await writeFile(input, 'a\nb\nc\n');
    const str = { 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' };

    assert.deepEqual(await call(base, 'GET', '/connectors'), { status: 200, body: [] });
    const created = await call(base, 'POST', '/connectors', { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines', 'tasks.max': 1, ...str } });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines', 'tasks.max': '1', ...str, name: 'src' }, tasks: [], type: 'source' });
    assert.deepEqual(await call(base, 'POST', '/connectors', { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' } }), { status: 409, body: { error_code: 409, message: 'Connector src already exists' } });

    const put = await call(base, 'PUT', '/connectors/sink/config', { 'connector.class': 'FileStreamSink', file: output, topics: 'lines', ...str });
    assert.equal(put.status, 201);
    assert.equal((put.body as { type: string }).type, 'sink');
    await until(async () => (await readFile(output, 'utf8').catch(() => '')) === 'a\nb\nc\n');
    const updated = await call(base, 'PUT', '/connectors/sink/config', { 'connector.class': 'FileStreamSink', file: output, topics: 'lines', ...str, 'errors.tolerance': 'all' });
    assert.equal(updated.status, 200);
    assert.equal((await call(base, 'GET', '/connectors/sink/config')).body && ((await call(base, 'GET', '/connectors/sink/config')).body as Record<string, string>)['errors.tolerance'], 'all');

    assert.deepEqual(await call(base, 'GET', '/connectors'), { status: 200, body: ['sink', 'src'] });
    const expanded = (await call(base, 'GET', '/connectors?expand=status&expand=info')).body as Record<string, { status: { connector: { state: string } }; info: { type: string } }>;
    assert.equal(expanded['src']!.status.connector.state, 'RUNNING');
    assert.equal(expanded['sink']!.info.type, 'sink');
    const status = await call(base, 'GET', '/connectors/src/status');
    assert.deepEqual(status.body, { name: 'src', connector: { state: 'RUNNING', worker_id: 'localhost:8083', version: '4.0.0' }, tasks: [{ id: 0, state: 'RUNNING', worker_id: 'localhost:8083', version: '4.0.0' }], type: 'source' });
    assert.deepEqual((await call(base, 'GET', '/connectors/src/tasks/0/status')).body, { id: 0, state: 'RUNNING', worker_id: 'localhost:8083', version: '4.0.0' });
    assert.deepEqual(await call(base, 'GET', '/connectors/src/tasks/7/status'), { status: 404, body: { error_code: 404, message: 'No status found for task src-7' } });
    // as Kafka's FileStreamSource, the task gets the connector's configuration
    assert.deepEqual((await call(base, 'GET', '/connectors/src/tasks')).body, [{ id: { connector: 'src', task: 0 }, config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines', 'tasks.max': '1', ...str, name: 'src', 'task.class': 'org.apache.kafka.connect.file.FileStreamSourceTask' } }]);
    assert.deepEqual((await call(base, 'GET', '/connectors/src/topics')).body, { src: { topics: ['lines'] } });
    assert.deepEqual((await call(base, 'GET', '/connectors/sink/topics')).body, { sink: { topics: ['lines'] } });
    assert.equal((await call(base, 'PUT', '/connectors/sink/topics/reset')).status, 202);
    assert.deepEqual((await call(base, 'GET', '/connectors/sink/topics')).body, { sink: { topics: [] } });

    assert.deepEqual(await call(base, 'GET', '/connectors/nope'), { status: 404, body: { error_code: 404, message: 'Connector nope not found' } });
    assert.deepEqual(await call(base, 'GET', '/connectors/nope/status'), { status: 404, body: { error_code: 404, message: 'No status found for connector nope' } });
    assert.deepEqual(await call(base, 'PUT', '/connectors/nope/pause'), { status: 404, body: { error_code: 404, message: 'Unknown connector nope' } });
    assert.deepEqual(await call(base, 'POST', '/connectors/nope/restart'), { status: 404, body: { error_code: 404, message: 'Unknown connector: nope' } });
    assert.deepEqual(await call(base, 'GET', '/connectors/nope/topics'), { status: 200, body: { nope: { topics: [] } } });

    // pause / resume / restart
    assert.equal((await call(base, 'PUT', '/connectors/src/pause')).status, 202);
    assert.equal(((await call(base, 'GET', '/connectors/src/status')).body as { connector: { state: string } }).connector.state, 'PAUSED');
    assert.equal((await call(base, 'PUT', '/connectors/src/resume')).status, 202);
    assert.equal(((await call(base, 'GET', '/connectors/src/status')).body as { tasks: { state: string }[] }).tasks[0]!.state, 'RUNNING');
    assert.equal((await call(base, 'POST', '/connectors/src/restart')).status, 204);
    const restarted = await call(base, 'POST', '/connectors/src/restart?includeTasks=true&onlyFailed=false');
    assert.equal(restarted.status, 202);
    assert.deepEqual(restarted.body, { name: 'src', connector: { state: 'RESTARTING', worker_id: 'localhost:8083', version: '4.0.0' }, tasks: [{ id: 0, state: 'RESTARTING', worker_id: 'localhost:8083', version: '4.0.0' }], type: 'source' });
    assert.equal((await call(base, 'POST', '/connectors/src/tasks/0/restart')).status, 204);

    // offsets: read; altering needs STOPPED
    await until(async () => JSON.stringify((await call(base, 'GET', '/connectors/sink/offsets')).body) === JSON.stringify({ offsets: [{ partition: { kafka_topic: 'lines', kafka_partition: 0 }, offset: { kafka_offset: 3 } }] }));
    assert.deepEqual((await call(base, 'GET', '/connectors/src/offsets')).body, { offsets: [{ partition: { filename: input }, offset: { position: 6 } }] });
    const notStopped = await call(base, 'DELETE', '/connectors/sink/offsets');
    assert.equal(notStopped.status, 400);
    assert.match((notStopped.body as { message: string }).message, /STOPPED state/);
    assert.equal((await call(base, 'PUT', '/connectors/sink/stop')).status, 204);
    assert.deepEqual((await call(base, 'GET', '/connectors/sink/status')).body, { name: 'sink', connector: { state: 'STOPPED', worker_id: 'localhost:8083', version: '4.0.0' }, tasks: [], type: 'sink' });
    // a stopped connector accepts a restart and stays stopped
    assert.equal((await call(base, 'POST', '/connectors/sink/restart')).status, 204);
    assert.deepEqual(await call(base, 'PATCH', '/connectors/sink/offsets', { offsets: [{ partition: { kafka_topic: 'lines' }, offset: { kafka_offset: 1 } }] }), { status: 400, body: { error_code: 400, message: "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'" } });
    assert.deepEqual(await call(base, 'PATCH', '/connectors/sink/offsets', { offsets: [{ partition: { kafka_topic: 'lines', kafka_partition: 0 }, offset: { kafka_offset: 1 } }] }), { status: 200, body: { message: 'The offsets for this connector have been altered successfully' } });
    assert.equal((await call(base, 'PUT', '/connectors/sink/resume')).status, 202);
    // the sink re-reads from offset 1
    await until(async () => (await readFile(output, 'utf8')) === 'a\nb\nc\nb\nc\n');
    assert.equal((await call(base, 'PUT', '/connectors/sink/stop')).status, 204);
    assert.deepEqual(await call(base, 'DELETE', '/connectors/sink/offsets'), { status: 200, body: { message: 'The offsets for this connector have been reset successfully' } });
    assert.deepEqual((await call(base, 'GET', '/connectors/sink/offsets')).body, { offsets: [] });

    // plugins and validation
    const plugins = (await call(base, 'GET', '/connector-plugins')).body as { class: string; type: string }[];
    // sinks then sources, as Connect lists them
    assert.deepEqual(plugins.map((p) => [p.class, p.type]), [
      ['io.confluent.connect.jdbc.JdbcSinkConnector', 'sink'],
      ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'sink'],
      ['io.confluent.connect.jdbc.JdbcSourceConnector', 'source'],
      ['io.confluent.kafka.connect.datagen.DatagenConnector', 'source'],
      ['io.debezium.connector.postgresql.PostgresConnector', 'source'],
      ['org.apache.kafka.connect.file.FileStreamSourceConnector', 'source'],
    ]);
    const all = (await call(base, 'GET', '/connector-plugins?connectorsOnly=false')).body as { type: string }[];
    assert.ok(all.some((p) => p.type === 'converter'));
    const def = (await call(base, 'GET', '/connector-plugins/FileStreamSinkConnector/config')).body as { name: string; required: boolean }[];
    // its own keys, then the framework's
    assert.deepEqual(def.map((d) => d.name).slice(0, 4), ['file', 'name', 'connector.class', 'connector.plugin.version']);
    assert.ok(def.some((d) => d.name === 'topics.regex'));
    const validated = await call(base, 'PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', name: 'x', topics: 'a', 'topics.regex': 'b.*' });
    assert.equal(validated.status, 200);
    const v = validated.body as { name: string; error_count: number; configs: { value: { name: string; errors: string[] } }[] };
    assert.equal(v.name, 'org.apache.kafka.connect.file.FileStreamSinkConnector');
    // both keys carry the error, as in Connect
    assert.equal(v.error_count, 2);
    assert.deepEqual(Object.keys(v.configs[0]!.value), ['name', 'value', 'recommended_values', 'errors', 'visible']);
    assert.deepEqual(v.configs.map((c) => c.value.name).slice(0, 4), ['name', 'connector.class', 'connector.plugin.version', 'tasks.max']);
    assert.deepEqual(v.configs.find((c) => c.value.name === 'topics.regex')!.value.errors, ['topics and topics.regex are mutually exclusive options, but both are set.']);
    assert.deepEqual(v.configs.find((c) => c.value.name === 'topics')!.value.errors, ['topics and topics.regex are mutually exclusive options, but both are set.']);
    const mismatch = await call(base, 'PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', { 'connector.class': 'FileStreamSource' });
    assert.equal(mismatch.status, 400);
    const invalid = await call(base, 'POST', '/connectors', { name: 'bad', config: { 'connector.class': 'FileStreamSink' } });
    assert.equal(invalid.status, 400);
    assert.match((invalid.body as { message: string }).message, /^Connector configuration is invalid and contains the following 2 error\(s\):\nMust configure one of topics or topics.regex\nMust configure one of topics or topics.regex\n/);

    // the ksqlDB endpoint sees the same connectors
    const ksql = await fetch(base + '/ksql', { method: 'POST', body: JSON.stringify({ ksql: 'SHOW CONNECTORS;' }), headers: { 'content-type': 'application/vnd.ksql.v1+json' } });
    const entities = (await ksql.json()) as { '@type': string; connectors: { name: string; type: string }[] }[];
    assert.equal(entities[0]!['@type'], 'connector_list');
    assert.deepEqual(entities[0]!.connectors.map((c) => [c.name, c.type]), [['sink', 'SINK'], ['src', 'SOURCE']]);

    assert.equal((await call(base, 'DELETE', '/connectors/src')).status, 204);
    assert.deepEqual((await call(base, 'GET', '/connectors')).body, ['sink']);
    assert.equal((await call(base, 'DELETE', '/connectors/src')).status, 404);
  } finally {
    await server.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('sluice server with a Connect worker properties file: plugins from plugin.path, Connect API also on the worker listeners port', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-srv-'));
  const { startServer } = await import('../../src/server/server-command.js');
  const { freePort } = await import('./pg-server.js');
  const { fileURLToPath } = await import('node:url');
  const { dirname } = await import('node:path');
  const port = await freePort();
  const pluginDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'plugins');
  const props = join(dir, 'connect-distributed.properties');
  await writeFile(props, `bootstrap.servers=localhost:9092\ngroup.id=connect-cluster\nlisteners=http://127.0.0.1:${port}\nplugin.path=${pluginDir}\nkey.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\n`);
  const lines: string[] = [];
  const { url, stop } = await startServer({ dataDir: join(dir, 'data'), listen: 'http://127.0.0.1:0', set: { 'ksql.connect.worker.config': props } }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  try {
    assert.ok(lines.includes(`Kafka Connect REST API listening on http://127.0.0.1:${port}`), lines.join('\n'));
    const input = join(dir, 'in.txt');
    await writeFile(input, 'x\ny\n');
    const connectBase = `http://127.0.0.1:${port}`;
    const created = await call(connectBase, 'POST', '/connectors', { name: 'f', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'xy' } });
    assert.equal(created.status, 201);
    assert.deepEqual((await call(url, 'GET', '/connectors')).body, ['f']);
    assert.deepEqual(await call(connectBase, 'GET', '/nope'), { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
    await until(async () => ((await call(connectBase, 'GET', '/connectors/f/offsets')).body as { offsets: unknown[] }).offsets.length === 1);
  } finally {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("Connect's own port: its root, 405 for a served path under another method, enriched validation, pausing a stopped connector", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-connect-port-'));
  const engine = await Engine.open({ dataDir: join(dir, 'data'), connect: { plugins: testPlugins(), logLine: () => {} } });
  const listener = await startConnectListener(engine, 'http://127.0.0.1:0');
  const base = listener.url;
  try {
    const root = (await call(base, 'GET', '/')).body as Record<string, unknown>;
    assert.deepEqual(Object.keys(root), ['version', 'commit', 'kafka_cluster_id']);
    assert.deepEqual(await call(base, 'POST', '/connectors/x/status'), { status: 405, body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' } });
    assert.deepEqual(await call(base, 'GET', '/nope'), { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
    assert.deepEqual(await call(base, 'GET', '/connectors/x/tasks/y/status'), { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });

    // a transform alias gets its type, version, own keys under its prefix, negate and predicate
    const v = (await call(base, 'PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', { 'connector.class': 'FileStreamSink', name: 'v', topics: 'a', transforms: 'x', 'transforms.x.type': 'org.apache.kafka.connect.transforms.HoistField$Value' }))
      .body as { name: string; error_count: number; groups: string[]; configs: { definition: { name: string; group: string | null }; value: { name: string; errors: string[] } }[] };
    assert.equal(v.name, 'FileStreamSink');
    assert.equal(v.error_count, 1);
    assert.deepEqual(v.configs.filter((c) => c.definition.group === 'Transforms: x').map((c) => c.definition.name), ['transforms.x.type', 'transforms.x.plugin.version', 'transforms.x.field', 'transforms.x.negate', 'transforms.x.predicate']);
    assert.deepEqual(v.configs.find((c) => c.value.name === 'transforms.x.field')!.value.errors, ['Missing required configuration "transforms.x.field" which has no default value.']);
    assert.deepEqual(v.groups, ['Common', 'Transforms', 'Predicates', 'Error Handling', 'Transforms: x']);

    // paused after being stopped: no tasks until resumed
    const input = join(dir, 'in.txt');
    await writeFile(input, 'a\n');
    assert.equal((await call(base, 'POST', '/connectors', { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' } })).status, 201);
    assert.equal((await call(base, 'PUT', '/connectors/src/stop')).status, 204);
    assert.equal((await call(base, 'PUT', '/connectors/src/pause')).status, 202);
    const paused = (await call(base, 'GET', '/connectors/src/status')).body as { connector: { state: string }; tasks: unknown[] };
    assert.equal(paused.connector.state, 'PAUSED');
    assert.deepEqual(paused.tasks, []);
    assert.equal((await call(base, 'PUT', '/connectors/src/resume')).status, 202);
    await until(async () => {
      const s = (await call(base, 'GET', '/connectors/src/status')).body as { connector: { state: string }; tasks: { state: string }[] };
      return s.connector.state === 'RUNNING' && s.tasks.length === 1 && s.tasks[0]!.state === 'RUNNING';
    });
  } finally {
    await listener.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});
