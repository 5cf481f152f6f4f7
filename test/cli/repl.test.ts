/** The REPL through a real pseudo-terminal: multi-line input, completion, Ctrl-C, history. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PtySession } from '../support/pty-session.js';
import { tempDir } from '../support/temp-dir.js';

const PROMPT = /sluice> $/;

describe('sluice REPL (pseudo-terminal)', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let n = 0;
  before(async () => (dir = await tempDir('sluice-repl-')));
  after(() => dir.cleanup());

  async function open(historyName = `history-${n}`): Promise<PtySession> {
    const s = new PtySession(['--data-dir', join(dir.path, `data-${n++}`)], { SLUICE_HISTORY_FILE: join(dir.path, historyName) });
    await s.waitFor(PROMPT);
    return s;
  }

  async function exit(s: PtySession): Promise<void> {
    s.type('exit\r');
    assert.equal(await s.exited, 0);
  }

  const createOrders =
    "CREATE STREAM orders (id INT KEY, customer_name STRING, amount INT) WITH (KAFKA_TOPIC='orders', PARTITIONS=1, VALUE_FORMAT='JSON');\r";

  it('reads a statement over several lines until its semicolon', async () => {
    const s = await open();
    try {
      s.type('CREATE STREAM orders (id INT KEY,\r');
      await s.waitFor(/\.\.\. $/); // the continuation prompt, nothing run yet
      assert.doesNotMatch(s.text, /created/);
      s.type("  amount INT) WITH (KAFKA_TOPIC='orders',\r");
      await s.waitFor(/\.\.\. $/);
      s.type("PARTITIONS=1, VALUE_FORMAT='JSON');\r");
      await s.waitFor(/Stream ORDERS created[\s\S]*sluice> $/);
      s.type('DESCRIBE orders;\r');
      const described = await s.waitFor(/For runtime statistics[\s\S]*sluice> $/);
      assert.match(described, /AMOUNT +\| INTEGER/);
      await exit(s);
    } finally {
      s.kill();
    }
  });

  it('completes a column name from the live catalog', async () => {
    const s = await open();
    try {
      s.type(createOrders);
      await s.waitFor(/created[\s\S]*sluice> $/);
      s.type('SELECT cust\t');
      await s.waitFor(/SELECT customer_name$/);
      s.type(', AMO\t');
      await s.waitFor(/, AMOUNT$/);
      s.type(' FROM ord\t');
      await s.waitFor(/FROM orders$/);
      s.type(';\r');
      await s.waitFor(/CUSTOMER_NAME[\s\S]*sluice> $/);
      // property names inside quotes, variables after ${
      s.type("SET 'auto.off\t");
      await s.waitFor(/SET 'auto\.offset\.reset'$/);
      s.type('\x03');
      await s.waitFor(PROMPT);
      s.type("DEFINE limit_customer = 'ann';\r");
      await s.waitFor(/Defined variable[\s\S]*sluice> $/);
      s.type('SELECT * FROM orders WHERE customer_name = ${limit_c\t');
      await s.waitFor(/\$\{limit_customer\}$/);
      s.type('\x03');
      await s.waitFor(PROMPT);
      await exit(s);
    } finally {
      s.kill();
    }
  });

  it('Ctrl-C ends a push query, not the REPL', async () => {
    const s = await open();
    try {
      s.type("SET 'auto.offset.reset' = 'earliest';\r");
      await s.waitFor(PROMPT);
      s.type(createOrders);
      await s.waitFor(/created[\s\S]*sluice> $/);
      s.type("INSERT INTO orders (id, customer_name, amount) VALUES (1, 'ann', 10);\r");
      await s.waitFor(/Inserted 1 row[\s\S]*sluice> $/);
      s.type('SELECT * FROM orders EMIT CHANGES;\r');
      await s.waitFor(/\| 1 +\| ann +\| 10 +\|/);
      // still running: no prompt after the row
      await new Promise((r) => setTimeout(r, 300));
      assert.doesNotMatch(s.text.slice(s.text.lastIndexOf('ann')), /sluice> /);
      s.type('\x03');
      await s.waitFor(/Query terminated[\s\S]*sluice> $/);
      // the REPL goes on, with the engine usable
      s.type("INSERT INTO orders (id, customer_name, amount) VALUES (2, 'bob', 20);\r");
      await s.waitFor(/Inserted 1 row[\s\S]*sluice> $/);
      s.type('SELECT customer_name FROM orders EMIT CHANGES LIMIT 2;\r');
      const limited = await s.waitFor(/Limit Reached[\s\S]*sluice> $/);
      assert.match(limited, /ann[\s\S]*bob/);
      // Ctrl-D during a query ends the query and the REPL
      s.type('SELECT * FROM orders EMIT CHANGES;\r');
      await s.waitFor(/\| 2 +\| bob +\| 20 +\|/);
      s.type('\x04');
      assert.equal(await s.exited, 0);
    } finally {
      s.kill();
    }
  });

  it('keeps the history across two runs, with reverse search', async () => {
    const first = await open('shared-history');
    try {
      first.type('SHOW\r');
      await first.waitFor(/\.\.\. $/);
      first.type('TOPICS;\r');
      await first.waitFor(/Kafka Topic[\s\S]*sluice> $/);
      first.type("DEFINE who = 'ann';\r");
      await first.waitFor(/Defined variable[\s\S]*sluice> $/);
      await exit(first);
    } finally {
      first.kill();
    }
    const saved = await readFile(join(dir.path, 'shared-history'), 'utf8');
    assert.match(saved, /SHOW TOPICS;/, 'a multi-line statement is one history entry');
    const second = await open('shared-history');
    try {
      second.type('\x1b[A'); // up: the last statement of the first run
      await second.waitFor(/DEFINE who = 'ann';$/);
      second.type('\x03');
      await second.waitFor(PROMPT);
      second.type('\x12TOPI'); // Ctrl-R
      await second.waitFor(/bck-i-search: TOPI/);
      second.type('\r');
      await second.waitFor(/Kafka Topic[\s\S]*sluice> $/);
      await exit(second);
    } finally {
      second.kill();
    }
  });
});
