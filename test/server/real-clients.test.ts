/**
 * Third-party ksqlDB clients, unmodified, against `sluice server` started as a process on a free
 * port over real TCP:
 *  - `ksqldb-client` (Streaminy, npm): HTTP/2 statements, inserts, push/pull queries, close-query;
 *  - `@confluentinc/ksqldb-client` (npm, shipped as TypeScript source only: compiled here with the
 *    repository's tsc, as its own `build` script does): HTTP/2 /query-stream push queries;
 *  - `ksql` (ksql-python, PyPI): /ksql, /query (HTTP/1.1), /query-stream and /inserts-stream (through
 *    `hyper`), driven by ksql_python_client.py; skipped with the reason when python3 or the package
 *    is missing (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http2 from 'node:http2';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';
import { request } from './http-client.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const require = createRequire(import.meta.url);

const ksql = async (url: string, statement: string) => {
  const r = await request('h1', url, '/ksql', { body: JSON.stringify({ ksql: statement, streamsProperties: {} }) });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Record<string, unknown>[];
};

/** The push queries the server runs, as SHOW QUERIES lists them (queryType PUSH). */
async function pushQueryIds(url: string): Promise<string[]> {
  const [entity] = (await ksql(url, 'SHOW QUERIES;')) as { queries: { id: string; queryType: string }[] }[];
  return entity!.queries.filter((q) => q.queryType === 'PUSH').map((q) => q.id);
}

/** Waits until the server no longer runs a push query (its client closed it or went away). */
async function queryGone(url: string, queryId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await pushQueryIds(url)).includes(queryId)) {
    assert.ok(Date.now() < deadline, `push query ${queryId} still running after its client closed it`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await attempt();
    if (got !== undefined) return got;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('real ksqlDB clients against sluice server', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: ServerProcess;
  before(async () => {
    dir = await tempDir('sluice-real-clients-');
    server = await startServerProcess(join(dir.path, 'data'));
  });
  after(async () => {
    await server?.stop();
    await dir.cleanup();
  });

  it('ksqldb-client (Streaminy, HTTP/2): statements, inserts, push and pull queries, close-query, listings, errors', async () => {
    type Result = { data?: { rows?: unknown[]; metadata?: { queryId?: string; columnNames?: string[] } }; error?: { message?: string; error_code?: number }; status: number };
    const KsqldbClient = require('ksqldb-client') as new (o: unknown) => {
      connect(): Promise<void>;
      disconnect(): Promise<void>;
      executeStatement(sql: string, extra?: unknown): Promise<Result>;
      insertInto(stream: string, row: Record<string, unknown>): Promise<Result>;
      query(sql: string, extra?: unknown): Promise<Result>;
      streamQuery(sql: string, cb: (d: { status: number; rows?: Record<string, unknown>[]; metadata?: { queryId: string } }) => void, extra?: unknown): Promise<Result>;
      terminatePushQuery(queryId: string): Promise<Result>;
      listStreams(): Promise<Result>;
      listTables(): Promise<Result>;
      listQueries(): Promise<Result>;
      listTopics(): Promise<Result>;
      describeSource(name: string): Promise<Result>;
    };
    const client = new KsqldbClient({ host: 'http://127.0.0.1', port: server.port });
    await client.connect();
    try {
      const created = await client.executeStatement(`CREATE STREAM sy_orders (id STRING KEY, amount INT) WITH (KAFKA_TOPIC='sy_orders', PARTITIONS=1, VALUE_FORMAT='JSON');`);
      assert.equal(created.status, 200);
      assert.equal((created.data!.rows![0] as { commandStatus: { status: string } }).commandStatus.status, 'SUCCESS');
      assert.equal((created.data!.rows![0] as Record<string, unknown>).sluice, undefined, 'no Sluice-only field for a ksqlDB client');
      const ctas = await client.executeStatement(`CREATE TABLE sy_totals AS SELECT id, SUM(amount) AS total FROM sy_orders GROUP BY id;`);
      assert.match((ctas.data!.rows![0] as { commandStatus: { message: string } }).commandStatus.message, /Created query with ID CTAS_SY_TOTALS/);

      // /inserts-stream: the client parses the whole response as JSON (it sends Accept: application/json)
      for (const row of [{ ID: 'a', AMOUNT: 5 }, { ID: 'b', AMOUNT: 20 }, { ID: 'a', AMOUNT: 7 }]) {
        const ack = await client.insertInto('SY_ORDERS', row);
        assert.equal(ack.status, 200);
        assert.deepEqual(ack.data!.rows, [{ status: 'ok', seq: 0 }]);
      }
      const badInsert = await client.insertInto('NO_SUCH_STREAM', { ID: 'x' });
      assert.equal((badInsert.error as { status?: string }).status, 'error');

      // pull query (JSON array read whole)
      const pulled = await eventually('the table to show a = 12', async () => {
        const r = await client.query(`SELECT * FROM sy_totals WHERE id = 'a';`);
        const rows = r.data?.rows as { ID: string; TOTAL: number }[] | undefined;
        return rows?.length && rows[0]!.TOTAL === 12 ? r : undefined;
      });
      assert.deepEqual(pulled.data!.metadata!.columnNames, ['ID', 'TOTAL']);

      // push query with LIMIT: the client parses each HTTP/2 DATA frame as one JSON line
      const pushed: Record<string, unknown>[] = [];
      const limited = await client.streamQuery('SELECT id, amount FROM sy_orders EMIT CHANGES LIMIT 3;', (d) => pushed.push(...(d.rows ?? [])), { properties: { 'auto.offset.reset': 'earliest' } });
      assert.equal(limited.status, 200);
      assert.deepEqual(pushed, [
        { ID: 'a', AMOUNT: 5 },
        { ID: 'b', AMOUNT: 20 },
        { ID: 'a', AMOUNT: 7 },
      ]);

      // push query closed early through /close-query
      let queryId: string | undefined;
      const early: Record<string, unknown>[] = [];
      const open = client.streamQuery(
        'SELECT id, amount FROM sy_orders EMIT CHANGES;',
        (d) => {
          queryId ??= d.metadata?.queryId;
          early.push(...(d.rows ?? []));
        },
        { properties: { 'auto.offset.reset': 'earliest' } },
      );
      await eventually('three rows', async () => (early.length >= 3 ? true : undefined));
      assert.ok((await pushQueryIds(server.url)).includes(queryId!), 'SHOW QUERIES lists the running push query');
      const closed = await client.terminatePushQuery(queryId!);
      assert.equal(closed.status, 200);
      assert.equal((await open).status, 200);
      await queryGone(server.url, queryId!);

      // listings
      const streams = (await client.listStreams()) as unknown as { name: string }[];
      assert.ok(streams.some((s) => s.name === 'SY_ORDERS'));
      const tables = (await client.listTables()) as unknown as { name: string }[];
      assert.ok(tables.some((t) => t.name === 'SY_TOTALS'));
      const queries = (await client.listQueries()) as unknown as { id: string }[];
      assert.ok(queries.some((q) => q.id.startsWith('CTAS_SY_TOTALS')));
      const topics = (await client.listTopics()) as unknown as { name: string }[];
      assert.ok(topics.some((t) => t.name === 'sy_orders'));
      const described = (await client.describeSource('SY_ORDERS')) as unknown as { name: string; fields: { name: string }[] };
      assert.deepEqual(described.fields.map((f) => f.name), ['ID', 'AMOUNT']);

      // terminate, then errors as ksqlDB's error bodies
      const queryIds = queries.filter((q) => q.id.startsWith('CTAS_SY_TOTALS')).map((q) => q.id);
      const terminated = await client.executeStatement(`TERMINATE ${queryIds[0]};`);
      assert.equal(terminated.status, 200);
      const bad = await client.executeStatement('DROP STREAM no_such_stream;');
      assert.equal(bad.status, 400);
      assert.equal(bad.error!.error_code, 40001);
      assert.match(bad.error!.message!, /NO_SUCH_STREAM does not exist/);
      const badQuery = await client.query('SELECT * FROM no_such_stream;');
      assert.equal(badQuery.status, 400);
      assert.match(badQuery.error!.message!, /NO_SUCH_STREAM does not exist/);
    } finally {
      await client.disconnect();
    }
  });

  it('@confluentinc/ksqldb-client (HTTP/2 /query-stream): rows keyed by column names, a query closed early, an error', async () => {
    // the package ships only TypeScript sources: compile them unchanged, as its `build` script does
    const source = join(repoRoot(), 'node_modules', '@confluentinc', 'ksqldb-client');
    const work = join(dir.path, 'confluent-client');
    mkdirSync(join(work, 'src'), { recursive: true });
    cpSync(join(source, 'index.ts'), join(work, 'index.ts'));
    for (const f of ['queryStream.ts', 'ddl.ts']) cpSync(join(source, 'src', f), join(work, 'src', f));
    const tsc = spawnSync(process.execPath, [join(repoRoot(), 'node_modules', 'typescript', 'bin', 'tsc'), '--ignoreConfig', '--outDir', join(work, 'out'), '--module', 'commonjs', '--target', 'es2019', '--skipLibCheck', '--strict', 'false', '--types', 'node', '--typeRoots', join(repoRoot(), 'node_modules', '@types'), join(work, 'index.ts')], { encoding: 'utf8' });
    const compiled = join(work, 'out', 'src', 'queryStream.js');
    assert.ok(existsSync(compiled), `the client did not compile: ${tsc.stdout}${tsc.stderr}`);
    const { asyncIteratorQueryStream } = require(join(work, 'out', 'index.js')) as {
      asyncIteratorQueryStream: (s: http2.ClientHttp2Session, args: { sql: string; properties?: Record<string, string> }, nameKey: string) => AsyncIterable<Record<string, Record<string, unknown>>>;
    };

    await ksql(server.url, `CREATE STREAM cf_events (id STRING KEY, n INT) WITH (KAFKA_TOPIC='cf_events', PARTITIONS=1, VALUE_FORMAT='JSON');`);
    await ksql(server.url, `INSERT INTO cf_events (id, n) VALUES ('x', 1); INSERT INTO cf_events (id, n) VALUES ('y', 2); INSERT INTO cf_events (id, n) VALUES ('z', 3);`);
    const session = http2.connect(server.url);
    try {
      const rows: Record<string, unknown>[] = [];
      for await (const row of asyncIteratorQueryStream(session, { sql: 'SELECT id, n FROM cf_events EMIT CHANGES;', properties: { 'auto.offset.reset': 'earliest' } }, 'event')) {
        rows.push(row.event!);
        if (rows.length === 2) break; // closes the request stream: the push query must end on the server
      }
      assert.deepEqual(rows, [
        { ID: 'x', N: 1 },
        { ID: 'y', N: 2 },
      ]);
      // closing the iterator closed the HTTP/2 stream: the server ends the push query
      await eventually('the push query to end', async () => ((await pushQueryIds(server.url)).some((id) => /CF_EVENTS/.test(id)) ? undefined : true));
      await assert.rejects(async () => {
        for await (const row of asyncIteratorQueryStream(session, { sql: 'SELECT * FROM no_such_stream EMIT CHANGES;' }, 'event')) void row;
      });
    } finally {
      session.close();
    }
  });

  it('ksql-python (PyPI `ksql`): /ksql, /query, /query-stream and /inserts-stream over HTTP/1.1 and HTTP/2', async (t) => {
    const script = join(repoRoot(), 'test', 'server', 'ksql_python_client.py');
    const probe = spawnSync('python3', ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) return t.skip('python3 is not installed');
    const run = spawnSync('python3', [script, server.url], { encoding: 'utf8', timeout: 180_000 });
    if (run.status === 3) return t.skip(run.stdout.trim());
    assert.equal(run.status, 0, `ksql-python run failed:\n${run.stdout}\n${run.stderr}`);
    const steps = new Map<string, Record<string, unknown>>();
    for (const line of run.stdout.split('\n').filter(Boolean)) {
      const o = JSON.parse(line) as { step: string };
      if (!steps.has(o.step)) steps.set(o.step, o);
    }
    assert.ok(steps.has('done'), run.stdout);
    assert.equal((steps.get('csas')!.entity as { commandStatus: { status: string } }).commandStatus.status, 'SUCCESS');
    assert.deepEqual(steps.get('inserts')!.acks, [
      { status: 'ok', seq: 0 },
      { status: 'ok', seq: 1 },
      { status: 'ok', seq: 2 },
    ]);
    assert.deepEqual(steps.get('insert_values')!.entities, []);
    const names = (steps.get('streams')!.entity as { streams: { name: string }[] }).streams.map((s) => s.name);
    assert.ok(names.includes('PY_ORDERS') && names.includes('PY_BIG'));
    assert.ok((steps.get('tables')!.entity as { tables: { name: string }[] }).tables.some((t) => t.name === 'PY_TOTALS'));
    assert.equal((steps.get('queries')!.entity as { queries: { id: string }[] }).queries.filter((q) => /_PY_/.test(q.id)).length, 2);
    assert.equal((steps.get('describe')!.entity as { sourceDescription: { name: string } }).sourceDescription.name, 'PY_ORDERS');
    assert.deepEqual(steps.get('push_limit')!.rows, [
      { ID: 'a', AMOUNT: 5 },
      { ID: 'b', AMOUNT: 20 },
      { ID: 'a', AMOUNT: 7 },
    ]);
    const early = steps.get('push_early')!.text as string;
    assert.match(early, /^\[\{"header":\{"queryId":"(transient_[^"]+)"/);
    await queryGone(server.url, /"queryId":"([^"]+)"/.exec(early)![1]!);
    const closeQuery = steps.get('close_query')!;
    assert.equal(closeQuery.closed, true);
    assert.match(closeQuery.queryId as string, /^transient_/);
    await queryGone(server.url, closeQuery.queryId as string);
    assert.match(steps.get('pull')!.text as string, /\["a",12\]/);
    const pushStream = (steps.get('push_stream')!.text as string).trim().split('\n');
    assert.deepEqual(pushStream.slice(1).map((l) => JSON.parse(l)), [
      ['b', 20],
      ['c', 30],
    ]);
    assert.equal(steps.get('error_syntax')!.raised, true);
    assert.equal(steps.get('error_syntax')!.error_code, 40001);
    assert.equal(steps.get('error_unknown')!.raised, true);
    assert.match(steps.get('error_unknown')!.message as string, /NO_SUCH_STREAM does not exist/);
    assert.match((steps.get('terminate')!.entity as { commandStatus: { message: string } }).commandStatus.message, /terminated/);
    assert.equal((steps.get('drop')!.entity as { commandId: string }).commandId, 'stream/`PY_BIG`/drop');
  });
});

