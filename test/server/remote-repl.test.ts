/** The REPL on a real pseudo-terminal connected to a server: statements, a push query, Ctrl-C closes it on the server. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../src/server/server-command.js';
import { PtySession } from '../support/pty-session.js';
import { tempDir } from '../support/temp-dir.js';

const PROMPT = /sluice> $/;

describe('the REPL connected to sluice server', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let stop: () => Promise<void>;
  let server: Awaited<ReturnType<typeof startServer>>['server'];
  before(async () => {
    dir = await tempDir('sluice-remote-repl-');
    ({ url, stop, server } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0' }, { out: () => {}, err: () => {} }));
  });
  after(async () => {
    await stop();
    await dir.cleanup();
  });

  it('runs statements, streams a push query and ends it with Ctrl-C (the query closes on the server)', async () => {
    const s = new PtySession(['--server', url], { SLUICE_HISTORY_FILE: '' });
    try {
      await s.waitFor(PROMPT);
      s.type("SET 'auto.offset.reset' = 'earliest';\r");
      await s.waitFor(/Successfully changed local property[\s\S]*sluice> $/);
      s.type("CREATE STREAM orders (id INT KEY, who STRING) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');\r");
      await s.waitFor(/Stream ORDERS created[\s\S]*sluice> $/);
      s.type("INSERT INTO orders (id, who) VALUES (1, 'ann');\r");
      await s.waitFor(/Inserted 1 row[\s\S]*sluice> $/);
      s.type('SELECT * FROM orders EMIT CHANGES;\r');
      await s.waitFor(/\| 1 +\| ann +\|/);
      const running = (server as unknown as { running: Map<string, unknown> }).running;
      assert.equal(running.size, 1, 'the push query runs on the server');
      s.type('\x03');
      await s.waitFor(/Query terminated[\s\S]*sluice> $/);
      for (let i = 0; i < 50 && running.size; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(running.size, 0, 'Ctrl-C closed the query on the server');
      s.type('exit\r');
      assert.equal(await s.exited, 0);
    } finally {
      s.kill();
    }
  });

  it('tab-completes names it asks the server for: streams, columns, functions, properties', async () => {
    const s = new PtySession(['--server', url], { SLUICE_HISTORY_FILE: '' });
    try {
      await s.waitFor(PROMPT);
      s.type("CREATE STREAM qx_sightings (id INT KEY, qx_colour STRING) WITH (KAFKA_TOPIC='qx', PARTITIONS=1, VALUE_FORMAT='JSON');\r");
      await s.waitFor(/Stream QX_SIGHTINGS created[\s\S]*sluice> $/);
      // a source name, then a column name, each unique for its prefix
      s.type('SELECT qx_c\t');
      await s.waitFor(/SELECT qx_colour$/);
      s.type(' FROM qx_s\t');
      await s.waitFor(/FROM qx_sightings$/);
      // a function name, and a property name inside quotes
      s.type('\x15SELECT ucas\t');
      await s.waitFor(/SELECT ucase$/);
      s.type("\x15SET 'auto.offset.re\t");
      await s.waitFor(/SET 'auto\.offset\.reset'$/);
      s.type('\x15exit\r');
      assert.equal(await s.exited, 0);
    } finally {
      s.kill();
    }
  });
});
