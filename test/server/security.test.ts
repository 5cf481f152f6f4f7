/** `sluice server` with authentication (Basic + bearer keys, read-only role) and TLS, over real TCP. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../../src/server/auth.js';
import { startServer } from '../../src/server/server-command.js';
import { tempDir } from '../support/temp-dir.js';
import { json, request, type Protocol } from './http-client.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const ADMIN_PASSWORD = 'correct horse battery staple';
const READER_PASSWORD = 'r3ader-secret';
const API_KEY = 'sk-live-0123456789abcdef';

async function writeUsers(path: string): Promise<void> {
  await writeFile(
    path,
    JSON.stringify({
      users: { admin: { password: await hashSecret(ADMIN_PASSWORD), role: 'admin' }, reader: { password: await hashSecret(READER_PASSWORD), role: 'read-only' } },
      apiKeys: { ci: { key: await hashSecret(API_KEY), role: 'admin' } },
    }),
  );
}

describe('sluice server with authentication', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let stop: () => Promise<void>;
  const logged: string[] = [];
  before(async () => {
    dir = await tempDir('sluice-server-auth-');
    await writeUsers(join(dir.path, 'users.json'));
    ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', users: join(dir.path, 'users.json') }, { out: (l) => logged.push(l), err: (l) => logged.push(l) }));
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  for (const protocol of ['h1', 'h2'] as Protocol[]) {
    it(`${protocol}: no or wrong credentials get 401 and change nothing`, async () => {
      const create = JSON.stringify({ ksql: `CREATE STREAM sneaky_${protocol} (v STRING) WITH (KAFKA_TOPIC='sneaky_${protocol}', PARTITIONS=1, VALUE_FORMAT='JSON');` });
      for (const headers of [{}, basic('admin', 'wrong password'), basic('nobody', ADMIN_PASSWORD), { authorization: 'Bearer not-a-key' }, { authorization: 'Basic !!!' }]) {
        const r = await request(protocol, url, '/ksql', { body: create, headers });
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.deepEqual(json(r), { '@type': 'generic_error', error_code: 40100, message: 'Unauthorized' });
      }
      assert.equal((await request(protocol, url, '/info')).status, 401);
      assert.equal((await request(protocol, url, '/inserts-stream', { body: '{"target":"X"}\n' })).status, 401);
      const show = json(await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: 'SHOW STREAMS;' }), headers: basic('admin', ADMIN_PASSWORD) })) as any[];
      assert.ok(!show[0].streams.some((s: any) => s.name.startsWith('SNEAKY')), 'nothing was created');
    });

    it(`${protocol}: Basic and bearer credentials run statements; the read-only role may SELECT, SHOW, DESCRIBE, PRINT only`, async () => {
      const s = `t_${protocol}`;
      const created = await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: `CREATE STREAM ${s} (id INT KEY, v STRING) WITH (KAFKA_TOPIC='${s}', PARTITIONS=1, VALUE_FORMAT='JSON');` }), headers: basic('admin', ADMIN_PASSWORD) });
      assert.equal(created.status, 200, created.text);
      const inserted = await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: `INSERT INTO ${s} (id, v) VALUES (1, 'one');` }), headers: { authorization: `Bearer ${API_KEY}` } });
      assert.equal(inserted.status, 200, inserted.text);
      const reader = basic('reader', READER_PASSWORD);
      for (const ksql of [`SHOW STREAMS;`, `DESCRIBE ${s};`]) assert.equal((await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql }), headers: reader })).status, 200, ksql);
      const rows = json(await request(protocol, url, '/query', { body: JSON.stringify({ ksql: `SELECT * FROM ${s};` }), headers: reader })) as any[];
      assert.deepEqual(rows[1].row.columns, [1, 'one']);
      const printed = await request(protocol, url, '/query', { body: JSON.stringify({ ksql: `PRINT '${s}' FROM BEGINNING LIMIT 1;` }), headers: reader });
      assert.equal(printed.status, 200);
      assert.match(printed.text, /one/);
      for (const ksql of [`INSERT INTO ${s} (id, v) VALUES (2, 'two');`, `DROP STREAM ${s};`, `CREATE STREAM x_${s} AS SELECT * FROM ${s};`, `SET 'auto.offset.reset'='earliest';`.replace('SET', 'ALTER SYSTEM').replace('=', '=')]) {
        const denied = await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql }), headers: reader });
        assert.equal(denied.status, 403, ksql);
        assert.equal((json(denied) as any).error_code, 40300);
      }
      const acks = await request(protocol, url, '/inserts-stream', { body: `{"target":"${s.toUpperCase()}"}\n{"ID":3,"V":"x"}\n`, headers: reader });
      assert.equal(JSON.parse(acks.text.trim().split('\n')[0]!).error_code, 40300);
      const after = json(await request(protocol, url, '/query', { body: JSON.stringify({ ksql: `SELECT * FROM ${s};` }), headers: reader })) as any[];
      assert.equal(after.filter((l) => l.row).length, 1, 'the denied statements changed nothing');
    });
  }

  it('audits principals and denials; no secret appears in the server log, an error body or the audit log', async () => {
    const r = await request('h1', url, '/query', { body: JSON.stringify({ ksql: 'SELECT PRINCIPAL, STATEMENT, OUTCOME FROM SLUICE_AUDIT;' }), headers: basic('admin', ADMIN_PASSWORD) });
    const text = r.text;
    const rows = (JSON.parse(text) as any[]).filter((l) => l.row).map((l) => l.row.columns);
    assert.ok(rows.some((c) => c[0] === 'admin' && /CREATE STREAM t_h1/.test(c[1]) && c[2] === 'SUCCESS'));
    assert.ok(rows.some((c) => c[0] === 'ci' && /INSERT INTO t_h1/.test(c[1])));
    assert.ok(rows.some((c) => c[0] === 'reader' && /DROP STREAM t_h1/.test(c[1]) && c[2] === 'DENIED'));
    const bad = await request('h1', url, '/ksql', { body: JSON.stringify({ ksql: 'SHOW STREAMS;' }), headers: basic('admin', `${ADMIN_PASSWORD}x`) });
    for (const secret of [ADMIN_PASSWORD, READER_PASSWORD, API_KEY, Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')]) {
      assert.ok(!text.includes(secret));
      assert.ok(!bad.text.includes(secret));
      assert.ok(!logged.join('\n').includes(secret));
    }
  });
});

describe('sluice server over TLS', { skip: existsSync('/usr/bin/openssl') || existsSync('/usr/local/bin/openssl') ? false : 'openssl not found' }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let stop: () => Promise<void>;
  let cert: Buffer;
  before(async () => {
    dir = await tempDir('sluice-server-tls-');
    const key = join(dir.path, 'key.pem');
    const certPath = join(dir.path, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certPath, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    cert = await readFile(certPath);
    await writeUsers(join(dir.path, 'users.json'));
    ({ url, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'https://127.0.0.1:0', tlsKey: key, tlsCert: certPath, users: join(dir.path, 'users.json') }, { out: () => {}, err: () => {} }));
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  for (const protocol of ['h1', 'h2'] as Protocol[]) {
    it(`${protocol} over TLS: authenticated statements and queries; 401 without credentials`, async () => {
      assert.match(url, /^https:/);
      const s = `tls_${protocol}`;
      const auth = basic('admin', ADMIN_PASSWORD);
      assert.equal((await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: 'SHOW STREAMS;' }), ca: cert })).status, 401);
      const r = await request(protocol, url, '/ksql', { body: JSON.stringify({ ksql: `CREATE STREAM ${s} (v STRING) WITH (KAFKA_TOPIC='${s}', PARTITIONS=1, VALUE_FORMAT='JSON'); INSERT INTO ${s} (v) VALUES ('secure');` }), headers: auth, ca: cert });
      assert.equal(r.status, 200, r.text);
      const q = await request(protocol, url, '/query-stream', { body: JSON.stringify({ sql: `SELECT * FROM ${s};` }), headers: { ...auth, accept: 'application/json' }, ca: cert });
      assert.deepEqual((json(q) as unknown[]).slice(1), [['secure']]);
    });
  }
});
