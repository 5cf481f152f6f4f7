/** Clients that misbehave: one that stops reading a push query is dropped; the rest are served and nothing is lost. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../src/server/server-command.js';
import { writeFile } from 'node:fs/promises';
import { tempDir } from '../support/temp-dir.js';
import { json, request } from './http-client.js';

describe('sluice server and bad clients', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let stop: () => Promise<void>;
  const log: string[] = [];
  before(async () => {
    dir = await tempDir('sluice-server-bad-');
    await writeFile(join(dir.path, 'server.json'), JSON.stringify({ slowClientMs: 300, maxBodyBytes: 256 * 1024, properties: { 'auto.offset.reset': 'earliest' } }));
    ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', config: join(dir.path, 'server.json') }, { out: () => {}, err: (l) => log.push(l) }));
    await request('h1', url, '/ksql', { body: JSON.stringify({ ksql: "CREATE STREAM big (id INT KEY, blob STRING) WITH (KAFKA_TOPIC='big', PARTITIONS=1, VALUE_FORMAT='JSON');" }) });
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  it('drops a client that stops reading a push query, ends its query, and keeps serving others without losing rows', async () => {
    // a client that reads the header and then never again
    let queryId = '';
    const stalled = await new Promise<http.IncomingMessage>((resolve) => {
      const req = http.request(new URL('/query-stream', url), { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
        res.once('data', (c: Buffer) => {
          queryId = JSON.parse(c.toString().split('\n')[0]!).queryId;
          res.pause();
          resolve(res);
        });
      });
      req.end(JSON.stringify({ sql: 'SELECT * FROM big EMIT CHANGES;' }));
    });
    const blob = 'x'.repeat(60_000);
    const rows = Array.from({ length: 400 }, (_, i) => JSON.stringify({ ID: i, BLOB: blob }));
    const acks = await request('h1', url, '/inserts-stream', { body: `{"target":"BIG"}\n${rows.join('\n')}\n` });

    assert.equal(acks.text.trim().split('\n').filter((l) => JSON.parse(l).status === 'ok').length, 400);
    // (the paused client itself notices only once it reads again)
    for (let i = 0; i < 100 && !log.some((l) => /stopped reading/.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
    stalled.destroy();
    assert.ok(log.some((l) => /stopped reading/.test(l)), log.join('\n'));
    const gone = await request('h1', url, '/close-query', { body: JSON.stringify({ queryId }) });
    assert.equal(gone.status, 400, 'the dropped client\'s query was ended');
    // everyone else is served, and every acknowledged row is there
    const count = json(await request('h2', url, '/query-stream', { body: JSON.stringify({ sql: 'SELECT id FROM big;' }), headers: { accept: 'application/json' } })) as unknown[];
    assert.equal(count.length - 1, 400);
  });

  it('rejects an oversized /inserts-stream line and an unparseable one with an error ack, keeping the rows before', async () => {
    const tooLong = JSON.stringify({ ID: 1000, BLOB: 'y'.repeat(300 * 1024) });
    const r = await request('h1', url, '/inserts-stream', { body: `{"target":"BIG"}\n{"ID":999,"BLOB":"ok"}\n${tooLong}\n{"ID":1001,"BLOB":"after"}\n` });
    const acks = r.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(acks[0], { status: 'ok', seq: 0 });
    assert.equal(acks[1].status, 'error');
    assert.equal(acks[1].error_code, 41300);
    const bad = await request('h1', url, '/inserts-stream', { body: `{"target":"BIG"}\n{"ID":1002,\n` });
    assert.equal(JSON.parse(bad.text.trim()).error_code, 40000);
    const ids = (json(await request('h1', url, '/query-stream', { body: JSON.stringify({ sql: 'SELECT id FROM big WHERE id >= 999;' }), headers: { accept: 'application/json' } })) as unknown[][]).slice(1).map((r) => r[0]);
    assert.deepEqual(ids, [999]);
  });

  it('a request to an unknown endpoint, a wrong method or a non-JSON body gets a ksqlDB error and the server carries on', async () => {
    const wrongMethod = await request('h1', url, '/ksql');
    assert.equal(wrongMethod.status, 404);
    assert.equal((json(wrongMethod) as any)['@type'], 'generic_error');
    const notJson = await request('h2', url, '/query-stream', { body: 'SELECT * FROM big;' });
    assert.equal(notJson.status, 400);
    assert.equal((json(notJson) as any).error_code, 40000);
    const noField = await request('h1', url, '/ksql', { body: '{"sql":"SHOW STREAMS;"}' });
    assert.equal((json(noField) as any).error_code, 40000);
    assert.equal((await request('h1', url, '/healthcheck')).status, 200);
  });
});
