/** Every endpoint of `sluice server` over real TCP, HTTP/1.1 and cleartext HTTP/2 alike. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startServer } from '../../src/server/server-command.js';
import { tempDir } from '../support/temp-dir.js';
import { json, request, type Protocol } from './http-client.js';

const quiet = { out: () => {}, err: () => {} };

for (const protocol of ['h1', 'h2'] as Protocol[]) {
  describe(`sluice server over ${protocol === 'h1' ? 'HTTP/1.1' : 'HTTP/2 (cleartext)'}`, () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let url: string;
    let stop: () => Promise<void>;
    const ksql = (sql: string) => request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: sql, streamsProperties: {} }) });
    const insert = (target: string, rows: object[]) =>
      request(protocol, url, '/inserts-stream', { body: [JSON.stringify({ target }), ...rows.map((r) => JSON.stringify(r))].join('\n') + '\n', headers: { 'content-type': 'application/vnd.ksqlapi.delimited.v1' } });

    before(async () => {
      dir = await tempDir('sluice-server-');
      ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', set: { 'auto.offset.reset': 'earliest' } }, quiet));
    });
    after(async () => {
      await stop();
      await dir.cleanup();
    });

    it('GET /info, /healthcheck, /clusterStatus answer ksqlDB shapes', async () => {
      const info = json(await request(protocol, url, '/info')) as { KsqlServerInfo: Record<string, unknown> };
      assert.equal(info.KsqlServerInfo.serverStatus, 'RUNNING');
      assert.equal(typeof info.KsqlServerInfo.version, 'string');
      assert.equal(info.KsqlServerInfo.ksqlServiceId, 'default_');
      const health = json(await request(protocol, url, '/healthcheck')) as { isHealthy: boolean; details: Record<string, { isHealthy: boolean }> };
      assert.equal(health.isHealthy, true);
      assert.equal(health.details.kafka!.isHealthy, true);
      const cluster = json(await request(protocol, url, '/clusterStatus')) as { clusterStatus: Record<string, { hostAlive: boolean }> };
      assert.deepEqual(Object.values(cluster.clusterStatus).map((h) => h.hostAlive), [true]);
    });

    it('POST /ksql runs DDL (currentStatus), SHOW and DESCRIBE, and /status reports the command', async () => {
      const r = await ksql("CREATE STREAM pageviews (id INT KEY, page STRING) WITH (KAFKA_TOPIC='pv', PARTITIONS=1, VALUE_FORMAT='JSON'); SHOW STREAMS; DESCRIBE pageviews;");
      assert.equal(r.status, 200, r.text);
      assert.match(String(r.headers['content-type']), /application\/vnd\.ksql\.v1\+json/);
      const [created, streams, described] = json(r) as Record<string, any>[];
      assert.equal(created!['@type'], 'currentStatus');
      assert.equal(created!.commandId, 'stream/`PAGEVIEWS`/create');
      assert.equal(created!.commandStatus.status, 'SUCCESS');
      assert.equal(typeof created!.commandSequenceNumber, 'number');
      assert.deepEqual(created!.warnings, []);
      assert.equal(streams!['@type'], 'streams');
      assert.ok(streams!.streams.some((s: any) => s.name === 'PAGEVIEWS' && s.topic === 'pv' && s.valueFormat === 'JSON'));
      assert.equal(described!['@type'], 'sourceDescription');
      assert.deepEqual(described!.sourceDescription.fields.map((f: any) => [f.name, f.schema.type, f.type ?? null]), [['ID', 'INTEGER', 'KEY'], ['PAGE', 'STRING', null]]);
      const status = json(await request(protocol, url, '/status')) as { commandStatuses: Record<string, string> };
      assert.equal(status.commandStatuses['stream/`PAGEVIEWS`/create'], 'SUCCESS');
      const one = json(await request(protocol, url, `/status/stream/${encodeURIComponent('`PAGEVIEWS`')}/create`)) as { status: string };
      assert.equal(one.status, 'SUCCESS');
    });

    it('POST /ksql errors: statement_error 40001 with statementText, 40002 for a SELECT, generic 40000 for malformed JSON, 404 for an unknown path', async () => {
      const bad = await ksql('CREATE STREAM nope WITH (KAFKA_TOPIC=1;');
      assert.equal(bad.status, 400);
      const body = json(bad) as Record<string, unknown>;
      assert.equal(body['@type'], 'statement_error');
      assert.equal(body.error_code, 40001);
      assert.equal(typeof body.message, 'string');
      assert.deepEqual(body.entities, []);
      const select = json(await ksql('SELECT * FROM pageviews;')) as Record<string, unknown>;
      assert.equal(select.error_code, 40002);
      assert.equal(select.statementText, 'SELECT * FROM pageviews;');
      const malformed = await request(protocol, url, '/ksql', { body: '{"ksql": ' });
      assert.equal(malformed.status, 400);
      assert.deepEqual([(json(malformed) as any)['@type'], (json(malformed) as any).error_code], ['generic_error', 40000]);
      const missing = await request(protocol, url, '/no-such-endpoint');
      assert.equal(missing.status, 404);
      assert.equal((json(missing) as any).error_code, 40400);
      const plain = await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: 'SHOW TOPICS;' }), headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(plain.status, 200, 'any content type is read as JSON');
      assert.equal((json(plain) as any[])[0]['@type'], 'kafka_topics');
      const unknownSource = json(await ksql('DROP STREAM no_such_stream;')) as Record<string, unknown>;
      assert.equal(unknownSource['@type'], 'statement_error');
      // the server still serves
      assert.equal((await request(protocol, url, '/healthcheck')).status, 200);
    });

    it('POST /inserts-stream acks each row; /query-stream streams a push query (delimited) that sees them', async () => {
      const push = request(protocol, url, '/query-stream', {
        body: JSON.stringify({ sql: 'SELECT id, page FROM pageviews EMIT CHANGES LIMIT 3;', properties: { 'auto.offset.reset': 'earliest' } }),
        headers: { accept: 'application/vnd.ksqlapi.delimited.v1' },
      });
      const acks = await insert('PAGEVIEWS', [{ ID: 1, PAGE: 'home' }, { id: 2, page: 'cart' }, { ID: 3, PAGE: 'pay' }]);
      assert.equal(acks.status, 200);
      assert.deepEqual(acks.text.trim().split('\n').map((l) => JSON.parse(l)), [{ status: 'ok', seq: 0 }, { status: 'ok', seq: 1 }, { status: 'ok', seq: 2 }]);
      const r = await push;
      assert.equal(r.status, 200);
      const [header, ...rows] = r.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(header.columnNames, ['ID', 'PAGE']);
      assert.deepEqual(header.columnTypes, ['INTEGER', 'STRING']);
      assert.match(header.queryId, /./);
      assert.deepEqual(rows, [[1, 'home'], [2, 'cart'], [3, 'pay']]);
    });

    it('POST /inserts-stream rejects a bad row with an error ack and keeps the good ones', async () => {
      const acks = await insert('PAGEVIEWS', [{ ID: 4, PAGE: 'x' }, { ID: 5, NO_SUCH: 1 }, { ID: 6, PAGE: 'y' }]);
      const lines = acks.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines[0], { status: 'ok', seq: 0 });
      assert.equal(lines[1].status, 'error');
      assert.equal(lines[1].seq, 1);
      assert.match(lines[1].message, /NO_SUCH/);
      assert.deepEqual(lines[2], { status: 'ok', seq: 2 });
    });

    it('POST /query-stream as a JSON array (pull query) and POST /query (chunked ksqlDB v1 rows)', async () => {
      const pull = await request(protocol, url, '/query-stream', { body: JSON.stringify({ sql: 'SELECT * FROM pageviews WHERE id <= 2;' }), headers: { accept: 'application/json' } });
      const arr = json(pull) as unknown[];
      assert.deepEqual((arr[0] as any).columnNames, ['ID', 'PAGE']);
      assert.deepEqual(arr.slice(1), [[1, 'home'], [2, 'cart']]);
      const v1 = await request(protocol, url, '/query', { body: JSON.stringify({ ksql: 'SELECT * FROM pageviews EMIT CHANGES LIMIT 2;', streamsProperties: { 'auto.offset.reset': 'earliest' } }) });
      const lines = json(v1) as any[];
      assert.equal(lines[0].header.schema, '`ID` INTEGER, `PAGE` STRING');
      assert.deepEqual(lines.slice(1, 3).map((l) => l.row.columns), [[1, 'home'], [2, 'cart']]);
      assert.deepEqual(lines[3], { finalMessage: 'Limit Reached' });
    });

    it('POST /close-query ends a running push query; the server keeps serving', async () => {
      let queryId = '';
      const seen = new Promise<void>((ready) => {
        void request(protocol, url, '/query-stream', {
          body: JSON.stringify({ sql: 'SELECT * FROM pageviews EMIT CHANGES;', properties: { 'auto.offset.reset': 'earliest' } }),
          onChunk: (text) => {
            if (!queryId && text.includes('\n')) {
              queryId = JSON.parse(text.split('\n')[0]!).queryId;
              ready();
            }
            return false;
          },
        }).then((r) => assert.equal(r.status, 200));
      });
      await seen;
      const closed = await request(protocol, url, '/close-query', { body: JSON.stringify({ queryId }) });
      assert.equal(closed.status, 200);
      const again = await request(protocol, url, '/close-query', { body: JSON.stringify({ queryId }) });
      assert.equal(again.status, 400);
      assert.match((json(again) as any).message, /No query with id/);
    });

    it('a body over the limit gets 413 with a ksqlDB error body', async () => {
      const r = await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: `SHOW STREAMS; -- ${'x'.repeat(5 * 1024 * 1024)}` }) });
      assert.equal(r.status, 413);
      assert.equal((json(r) as any).error_code, 41300);
    });

    it('the audit stream holds the changing statements with principal, address and outcome', async () => {
      const r = await request(protocol, url, '/query', { body: JSON.stringify({ ksql: 'SELECT PRINCIPAL, SOURCE_ADDRESS, ENDPOINT, STATEMENT, OUTCOME FROM SLUICE_AUDIT;' }) });
      const rows = (json(r) as any[]).filter((l) => l.row).map((l) => l.row.columns);
      assert.ok(rows.some((c) => c[0] === 'anonymous' && /127\.0\.0\.1/.test(c[1]) && /CREATE STREAM pageviews/.test(c[3]) && c[4] === 'SUCCESS'), JSON.stringify(rows));
      assert.ok(rows.some((c) => c[2] === '/inserts-stream' && c[4] === 'FAILED'));
      assert.ok(rows.some((c) => /DROP STREAM no_such_stream/.test(c[3]) && c[4] === 'FAILED'));
      assert.ok(!rows.some((c) => /SHOW STREAMS/.test(c[3])), 'SHOW changes nothing and is not audited');
    });
  });
}

describe('sluice server /ws/query', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let stop: () => Promise<void>;
  before(async () => {
    dir = await tempDir('sluice-server-ws-');
    ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', set: { 'auto.offset.reset': 'earliest' } }, quiet));
    await request('h1', url, '/ksql', { body: JSON.stringify({ ksql: "CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON'); INSERT INTO s (id, v) VALUES (1, 'a'); INSERT INTO s (id, v) VALUES (2, 'b');" }) });
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  it('streams the schema, the rows and the final message over a websocket', async () => {
    const request = encodeURIComponent(JSON.stringify({ ksql: 'SELECT * FROM s EMIT CHANGES LIMIT 2;', streamsProperties: { 'auto.offset.reset': 'earliest' } }));
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/query?request=${request}`);
    const messages: any[] = [];
    const code = await new Promise<number>((resolve, reject) => {
      ws.on('message', (m) => messages.push(JSON.parse(String(m))));
      ws.on('close', (c) => resolve(c));
      ws.on('error', reject);
    });
    assert.equal(code, 1000);
    assert.deepEqual(messages[0].map((f: any) => f.name), ['ID', 'V']);
    assert.deepEqual(messages.slice(1, 3).map((m) => m.row.columns), [[1, 'a'], [2, 'b']]);
    assert.deepEqual(messages[3], { finalMessage: 'Limit Reached' });
  });

  it('answers 404 for another websocket path', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/other`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 404);
  });
});
