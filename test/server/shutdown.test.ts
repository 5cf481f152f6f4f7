/** Stopping the server with an /inserts-stream request open: every acknowledged row is in the data directory afterwards. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { it } from 'node:test';
import { Engine } from '../../src/index.js';
import { startServer } from '../../src/server/server-command.js';
import { tempDir } from '../support/temp-dir.js';
import { request } from './http-client.js';

it('a stop during /inserts-stream commits or rejects each row, and the acknowledged ones survive', async () => {
  const dir = await tempDir('sluice-server-stop-');
  try {
    const dataDir = join(dir.path, 'data');
    const { url, stop } = await startServer({ dataDir, listen: 'http://127.0.0.1:0' }, { out: () => {}, err: () => {} });
    await request('h1', url, '/ksql', { body: JSON.stringify({ ksql: "CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');" }) });
    const acks: { status: string; seq: number }[] = [];
    let sent = 0;
    const finished = new Promise<void>((resolve) => {
      const req = http.request(new URL('/inserts-stream', url), { method: 'POST', agent: false }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            acks.push(JSON.parse(buf.slice(0, nl)));
            buf = buf.slice(nl + 1);
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
      req.write('{"target":"S"}\n');
      const tick = setInterval(() => {
        if (req.destroyed || sent >= 2000) return clearInterval(tick);
        req.write(`${JSON.stringify({ ID: sent++, V: 'x' })}\n`);
      }, 2);
    });
    while (acks.length < 20) await new Promise((r) => setTimeout(r, 20));
    await stop();
    await finished;
    const ok = acks.filter((a) => a.status === 'ok').map((a) => a.seq);
    assert.ok(ok.length >= 20);
    assert.ok(ok.length < 2000, 'the stop came mid-request');
    const engine = await Engine.open({ dataDir });
    try {
      const stored = (await engine.pull('SELECT id FROM s;')).values.map((v) => v[0] as number);
      for (const seq of ok) assert.ok(stored.includes(seq), `acked row ${seq} is stored`);
    } finally {
      await engine.close();
    }
  } finally {
    await dir.cleanup();
  }
});
