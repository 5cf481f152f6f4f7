/**
 * Parts of ksqlDB's protocol the real clients (real-clients.test.ts) rely on, checked directly:
 * the Sluice-only `sluice` detail only for clients that ask, POST /ksql/terminate with
 * deleteTopicList, absolute-form targets and Upgrade: h2c over HTTP/1.1, one HTTP/2 DATA frame per
 * delimited line, /inserts-stream acks as a JSON array, /query rows one per line.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../src/server/server-command.js';
import { tempDir } from '../support/temp-dir.js';
import { request } from './http-client.js';

const quiet = { out: () => {}, err: () => {} };

/** One raw HTTP/1.1 exchange: what the server answers to exactly these bytes. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.on('data', (c) => {
      text += c;
      // a complete response with a body of content-length bytes
      const m = /content-length: (\d+)\r\n[\s\S]*?\r\n\r\n/i.exec(text);
      if (m && text.length - (text.indexOf('\r\n\r\n') + 4) >= Number(m[1])) socket.end();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('sluice server: protocol details ksqlDB clients depend on', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let stop: () => Promise<void>;
  const ksql = async (sql: string, headers: Record<string, string> = {}) => request('h1', url, '/ksql', { body: JSON.stringify({ ksql: sql, streamsProperties: {} }), headers });

  before(async () => {
    dir = await tempDir('sluice-fidelity-');
    ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', set: { 'auto.offset.reset': 'earliest' } }, quiet));
    const r = await ksql(`CREATE STREAM src (id INT KEY, v STRING) WITH (KAFKA_TOPIC='src', PARTITIONS=1, VALUE_FORMAT='JSON'); INSERT INTO src (id, v) VALUES (1, 'a'); INSERT INTO src (id, v) VALUES (2, 'b');`);
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  it('sends the sluice detail field only to clients that send x-sluice-detail: 1', async () => {
    const plain = await ksql('SHOW STREAMS; DROP STREAM nope;');
    assert.equal(plain.status, 400);
    assert.equal(JSON.parse(plain.text).sluice, undefined);
    const listed = JSON.parse((await ksql('SHOW STREAMS;')).text) as Record<string, unknown>[];
    assert.equal(listed[0]!['@type'], 'streams');
    assert.equal(listed[0]!.sluice, undefined);
    const detailed = JSON.parse((await ksql('SHOW STREAMS;', { 'x-sluice-detail': '1' })).text) as { sluice?: { kind: string } }[];
    assert.equal(detailed[0]!.sluice?.kind, 'Show');
    const detailedError = JSON.parse((await ksql('DROP STREAM nope;', { 'x-sluice-detail': '1' })).text) as { sluice?: { name: string } };
    assert.equal(detailedError.sluice?.name, 'CatalogError');
  });

  it('labels JSON answers as the client accepts them: application/json or ksqlDB\'s versioned type', async () => {
    const plain = await ksql('SHOW STREAMS;', { accept: 'application/json' });
    assert.match(String(plain.headers['content-type']), /^application\/json/);
    const versioned = await ksql('SHOW STREAMS;', { accept: 'application/vnd.ksql.v1+json' });
    assert.match(String(versioned.headers['content-type']), /^application\/vnd\.ksql\.v1\+json/);
    const none = await ksql('SHOW STREAMS;');
    assert.match(String(none.headers['content-type']), /^application\/vnd\.ksql\.v1\+json/);
  });

  it('accepts an absolute-form request target and ignores Upgrade: h2c, answering over HTTP/1.1', async () => {
    const { host } = new URL(url);
    const body = JSON.stringify({ ksql: 'SHOW STREAMS;' });
    const answer = await raw(url, `POST ${url}/ksql HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Type: application/vnd.ksql.v1+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    assert.match(answer, /^HTTP\/1\.1 200 OK/);
    assert.match(answer, /"@type":"streams"/);
  });

  it('over HTTP/2 writes each delimited /query-stream line in its own DATA frame', async () => {
    const session = http2.connect(url);
    try {
      const chunks = await new Promise<string[]>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/query-stream', 'content-type': 'application/json' });
        req.setEncoding('utf8');
        const got: string[] = [];
        req.on('data', (c: string) => got.push(c));
        req.on('end', () => resolve(got));
        req.on('error', reject);
        req.end(JSON.stringify({ sql: 'SELECT id, v FROM src EMIT CHANGES LIMIT 2;', properties: { 'auto.offset.reset': 'earliest' } }));
      });
      assert.equal(chunks.length, 3, JSON.stringify(chunks));
      assert.match(chunks[0]!, /^\{"queryId":"[^"]+","columnNames":\["ID","V"\],"columnTypes":\["INTEGER","STRING"\]\}\n$/);
      assert.deepEqual(chunks.slice(1), ['[1,"a"]\n', '[2,"b"]\n']);
    } finally {
      session.close();
    }
  });

  it('answers /inserts-stream acks as one JSON array when the client accepts JSON, delimited lines otherwise', async () => {
    const body = `${JSON.stringify({ target: 'SRC' })}\n${JSON.stringify({ ID: 3, V: 'c' })}\n${JSON.stringify({ ID: 4, V: 'd' })}\n`;
    const asJson = await request('h2', url, '/inserts-stream', { body, headers: { accept: 'application/json' } });
    assert.deepEqual(JSON.parse(asJson.text), [
      { status: 'ok', seq: 0 },
      { status: 'ok', seq: 1 },
    ]);
    const delimited = await request('h2', url, '/inserts-stream', { body });
    assert.deepEqual(delimited.text.trim().split('\n').map((l) => JSON.parse(l)), [
      { status: 'ok', seq: 0 },
      { status: 'ok', seq: 1 },
    ]);
    const errorBody = await request('h2', url, '/close-query', { body: JSON.stringify({ queryId: 'nope' }) });
    assert.equal(errorBody.status, 400);
    assert.equal(JSON.parse(errorBody.text).status, 'error');
  });

  it('ends each /query object on its own line and closes the array with the final message', async () => {
    const r = await request('h1', url, '/query', { body: JSON.stringify({ ksql: 'SELECT id, v FROM src EMIT CHANGES LIMIT 2;', streamsProperties: { 'auto.offset.reset': 'earliest' } }) });
    const lines = r.text.split('\n');
    assert.match(lines[0]!, /^\[\{"header":.*\},$/);
    assert.equal(lines[1], '{"row":{"columns":[1,"a"]}},');
    assert.equal(lines[2], '{"row":{"columns":[2,"b"]}},');
    assert.equal(lines[3], '{"finalMessage":"Limit Reached"}]');
    assert.equal(JSON.parse(r.text).length, 4);
  });

  it('answers Accept: application/vnd.ksql.v1+protobuf with ksqlDB protobuf rows on /query-stream and /query', async () => {
    const created = await ksql(`CREATE STREAM pb (USERID STRING KEY, COUNT BIGINT) WITH (KAFKA_TOPIC='pb', PARTITIONS=1, VALUE_FORMAT='JSON'); INSERT INTO pb (USERID, COUNT) VALUES ('USER_1', 1); INSERT INTO pb (USERID, COUNT) VALUES ('USER_2', 1);`);
    assert.equal(created.status, 200, created.text);
    // the response ksqlDB's own integration test expects for this query (queryId aside)
    const expected =
      '[{"header":{"queryId":"XYZ","schema":"`COUNT` BIGINT, `USERID` STRING","protoSchema":"syntax = \\"proto3\\";\\n\\nmessage ConnectDefault1 {\\n  int64 COUNT = 1;\\n  string USERID = 2;\\n}\\n"}},\n' +
      '{"row":{"protobufBytes":"CAESBlVTRVJfMQ=="}},\n' +
      '{"row":{"protobufBytes":"CAESBlVTRVJfMg=="}},\n' +
      '{"finalMessage":"Limit Reached"}]';
    const sql = 'SELECT COUNT, USERID FROM pb EMIT CHANGES LIMIT 2;';
    const headers = { accept: 'application/vnd.ksql.v1+protobuf' };
    const viaStream = await request('h2', url, '/query-stream', { body: JSON.stringify({ sql, properties: { 'auto.offset.reset': 'earliest' } }), headers });
    assert.equal(viaStream.headers['content-type'], 'application/vnd.ksql.v1+protobuf');
    assert.equal(viaStream.text.replace(/"queryId":"[^"]*"/, '"queryId":"XYZ"'), expected);
    const viaQuery = await request('h1', url, '/query', { body: JSON.stringify({ ksql: sql, streamsProperties: { 'auto.offset.reset': 'earliest' } }), headers });
    assert.equal(viaQuery.text.replace(/"queryId":"[^"]*"/, '"queryId":"XYZ"'), expected);
    // the rows decode with the header's schema
    const [header, ...rows] = JSON.parse(viaStream.text) as [{ header: { protoSchema: string } }, ...{ row?: { protobufBytes: string } }[]];
    const type = protobuf.parse(header.header.protoSchema).root.lookupType('ConnectDefault1');
    const decoded = rows.filter((r) => r.row).map((r) => type.toObject(type.decode(Buffer.from(r.row!.protobufBytes, 'base64')), { longs: Number }));
    assert.deepEqual(decoded, [
      { COUNT: 1, USERID: 'USER_1' },
      { COUNT: 1, USERID: 'USER_2' },
    ]);
  });

  it('POST /ksql/terminate ends queries, drops sources, deletes the matching query-created topics, then refuses statements', async () => {
    assert.equal((await ksql('CREATE STREAM bar_copy AS SELECT * FROM src; CREATE STREAM kept_copy AS SELECT * FROM src;')).status, 200);
    const bad = await request('h1', url, '/ksql/terminate', { body: JSON.stringify({ deleteTopicList: ['('] }) });
    assert.equal(bad.status, 400);
    const r = await request('h1', url, '/ksql/terminate', { body: JSON.stringify({ deleteTopicList: ['BAR.*', 'src'] }) });
    assert.equal(r.status, 200, r.text);
    const [entity] = JSON.parse(r.text) as { '@type': string; statementText: string; commandStatus: { status: string } }[];
    assert.equal(entity!['@type'], 'currentStatus');
    assert.equal(entity!.statementText, 'TERMINATE CLUSTER;');
    assert.equal(entity!.commandStatus.status, 'SUCCESS');
    const after = await ksql('SHOW STREAMS;');
    assert.equal(after.status, 503);
    assert.match(JSON.parse(after.text).message, /terminated/);
    assert.equal((await request('h1', url, '/info')).status, 200);

    // reopened on the same data directory: no source comes back; BAR_COPY's topic is gone, the
    // others stay (src matched but no query created it; KEPT_COPY did not match)
    await stop();
    ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0' }, quiet));
    const streams = (JSON.parse((await ksql('SHOW STREAMS;')).text) as { streams: { name: string }[] }[])[0]!.streams.map((s) => s.name);
    assert.deepEqual(streams.filter((n) => ['SRC', 'BAR_COPY', 'KEPT_COPY'].includes(n)), []);
    const topics = (JSON.parse((await ksql('SHOW TOPICS;')).text) as { topics: { name: string }[] }[])[0]!.topics.map((t) => t.name);
    assert.ok(topics.includes('src'), topics.join());
    assert.ok(topics.includes('KEPT_COPY'), topics.join());
    assert.ok(!topics.includes('BAR_COPY'), topics.join());
  });
});
