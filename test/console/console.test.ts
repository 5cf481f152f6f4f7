/**
 * The web console in headless Chromium (Debian's chromium, driven by playwright-core) against a
 * real `sluice server` with authentication: an admin creates a stream and a CTAS from the editor,
 * inserts rows from a second tab, watches them arrive in a push query's grid, stops it, sees the
 * query's graph with non-zero rates, tails its output topic, produces a record, terminates the
 * query; a read-only user sees the same pages and every change is refused.
 *
 * Skips (saying why) only when /usr/bin/chromium is missing: `.ci/run` installs it. The
 * screenshot of the running pipeline goes to docs/console.png with SLUICE_UPDATE_SCREENSHOT=1 (the
 * README shows it), else to a temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Engine } from '../../src/index.js';
import { hashSecret } from '../../src/server/auth.js';
import { startServer } from '../../src/server/server-command.js';
import { jsonValues, readTopic } from '../support/read-topic.js';
import { repoRoot } from '../support/repo-root.js';
import { tempDir } from '../support/temp-dir.js';

// the callbacks given to page.waitForFunction/evaluate run in the page
declare const document: any;
declare const sessionStorage: any;

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const READER = { user: 'reader', password: 'reader-secret-1' };
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does this)`;

async function signIn(page: Page, url: string, who: { user: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('input[name=user]', who.user);
  await page.fill('input[name=password]', who.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#tabs:not(.hidden)');
  await page.waitForSelector('.cm-content');
}

async function setSql(page: Page, sql: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Escape');
}

/** Runs the editor's text; resolves with the messages once the run ended. */
async function runSql(page: Page, sql: string): Promise<string> {
  await setSql(page, sql);
  await page.click('#run');
  await page.waitForFunction(() => !document.querySelector('#run').disabled, undefined, { timeout: 60_000 });
  return page.innerText('#messages');
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('web console in headless Chromium', { skip, timeout: 300_000 }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let engine: Engine;
  let stop: () => Promise<void>;
  let browser: Browser;
  let ctasId = '';
  const pageErrors: string[] = [];

  before(async () => {
    dir = await tempDir('sluice-console-');
    await writeFile(
      join(dir.path, 'users.json'),
      JSON.stringify({ users: { [ADMIN.user]: { password: await hashSecret(ADMIN.password), role: 'admin' }, [READER.user]: { password: await hashSecret(READER.password), role: 'read-only' } } }),
    );
    ({ url, engine, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', users: join(dir.path, 'users.json') }, { out: () => {}, err: () => {} }));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    await stop?.();
    await dir?.cleanup();
  });

  it('the page itself needs no credentials; its API does', async () => {
    const page = await (await fetch(`${url}/`)).text();
    assert.match(page, /<title>Sluice console<\/title>/);
    assert.equal((await fetch(`${url}/console/console.js`)).status, 200);
    assert.equal((await fetch(`${url}/console/api/catalog`)).status, 401);
    assert.equal((await fetch(`${url}/metrics`)).status, 401);
  });

  it('an admin builds a pipeline from the editor, streams rows into the grid, sees its graph, tails and produces, and terminates it', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, url, ADMIN);
    assert.equal(await page.innerText('#who .role'), 'admin');

    // a syntax error is marked in the editor, at its place
    const bad = await runSql(page, 'CREATE STREAM oops (id INT KEY, v STRING) WITH (kafka_topic=);');
    assert.match(bad, /line 1:|Line: 1|mismatched|expect/i);
    await page.waitForSelector('.cm-lintRange-error');

    const created = await runSql(
      page,
      `SET 'auto.offset.reset' = 'earliest';
CREATE STREAM clicks (id INT KEY, url STRING, ms BIGINT) WITH (kafka_topic='clicks', partitions=2, value_format='JSON');
CREATE TABLE url_counts AS SELECT url, COUNT(*) AS hits, MAX(ms) AS last_ms FROM clicks WHERE ms >= 0 GROUP BY url EMIT CHANGES;`,
    );
    assert.match(created, /Stream CLICKS created/);
    // an error found by the planner is marked where it is: the second line's unknown column
    const unknown = await runSql(page, 'SHOW STREAMS;\nCREATE STREAM wrong AS SELECT id, nosuch FROM clicks EMIT CHANGES;');
    assert.match(unknown, /NOSUCH/i);
    await page.waitForSelector('.cm-lintRange-error');
    assert.equal((await page.textContent('.cm-lintRange-error'))?.toLowerCase(), 'nosuch');
    assert.equal(engine.catalog.getSource('WRONG'), undefined);
    ctasId = /Created query with ID (\S+)/.exec(created)![1]!;
    assert.match((await page.textContent('#props-table')) ?? '', /auto\.offset\.reset\s*earliest/);
    assert.ok(engine.catalog.queries.has(ctasId));

    // completion offers the live catalog's streams
    await setSql(page, 'SELECT * FROM CLI');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.cm-tooltip-autocomplete');
    assert.match(await page.innerText('.cm-tooltip-autocomplete'), /CLICKS/);
    await page.keyboard.press('Escape');

    // a push query streams into the grid while a second tab inserts rows from its editor
    await setSql(page, 'SELECT id, url, ms FROM clicks EMIT CHANGES;');
    await page.click('#run');
    await page.waitForFunction(() => /running/.test(document.querySelector('.grid-info')?.textContent ?? ''));
    const other = await context.newPage();
    await signIn(other, url, ADMIN);
    const inserted = await runSql(other, Array.from({ length: 20 }, (_, i) => `INSERT INTO clicks (id, url, ms) VALUES (${i}, 'https://u${i % 4}', ${1000 + i});`).join('\n'));
    assert.equal((inserted.match(/Inserted/g) ?? []).length, 20);
    await page.waitForFunction(() => /^20 rows/.test(document.querySelector('.grid-info')?.textContent ?? ''), undefined, { timeout: 60_000 });
    // thousands of rows: counted in full, only the visible ones in the page
    await engine.insert('clicks', Array.from({ length: 3000 }, (_, i) => ({ id: 100 + i, url: `https://u${i % 4}`, ms: 5000 + i })));
    await page.waitForFunction(() => /^3,020 rows/.test(document.querySelector('.grid-info')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const drawn = await page.locator('.grid-row').count();
    assert.ok(drawn > 5 && drawn < 200, `${drawn} rows in the DOM`);
    assert.match(await page.innerText('.grid-body'), /https:\/\/u\d/);
    assert.equal((await engine.metrics()).pushQueries, 1);
    await page.click('#stop');
    await page.waitForFunction(() => /ended/.test(document.querySelector('.grid-info')?.textContent ?? ''));
    await until('the push query to end on the server', async () => (await engine.metrics()).pushQueries === 0);

    // the pipeline's graph with live rates: rows keep arriving meanwhile
    let feeding = true;
    const feeder = (async () => {
      for (let n = 0; feeding; n++) {
        await engine.insert('clicks', Array.from({ length: 40 }, (_, i) => ({ id: 10_000 + n * 40 + i, url: `https://u${i % 4}`, ms: 9000 + n })));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await page.click('button[data-view=pipelines]');
      await page.waitForSelector(`.list .item[data-query="${ctasId}"]`);
      await page.waitForSelector('.graph svg .node');
      await page.waitForFunction(() => [...document.querySelectorAll('.graph .node.source .rate')].some((t: any) => /in [1-9]/.test(t.textContent ?? '')), undefined, { timeout: 60_000 });
      await page.waitForFunction(() => [...document.querySelectorAll('.graph .node.sink .rate')].some((t: any) => /out [1-9]/.test(t.textContent ?? '')), undefined, { timeout: 60_000 });
      const kinds = await page.locator('.graph .node .kind').evaluateAll((es: any[]) => es.map((e) => e.textContent as string));
      for (const k of ['Stream source', 'Repartition', 'Stream Aggregate', 'Table sink']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
      assert.ok((await page.locator('.graph .store').count()) >= 1, 'the aggregate store is drawn');
      assert.equal(await page.locator('.graph .sub').count(), 2, 'two sub-topologies');
      assert.equal(await page.locator('#q-state').innerText(), 'RUNNING');
      const shot = await page.screenshot({ fullPage: false });
      const target = process.env.SLUICE_UPDATE_SCREENSHOT === '1' ? join(repoRoot(), 'docs', 'console.png') : join(dir.path, 'console.png');
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, shot);
      // lag per partition with its sparkline
      await page.click('.subtabs button[data-tab=lag]');
      await page.waitForSelector('#q-body table.plain .spark');
      assert.match(await page.innerText('#q-body'), /clicks\s+0/);
    } finally {
      feeding = false;
      await feeder;
    }

    // pause and resume from the page
    await page.click('.subtabs button[data-tab=graph]');
    await page.click('.actions button[data-action=pause]');
    await page.waitForFunction(() => document.querySelector('#q-state')?.textContent === 'PAUSED');
    assert.equal(engine.catalog.queries.get(ctasId)?.state, 'PAUSED');
    await page.click('.actions button[data-action=resume]');
    await page.waitForFunction(() => document.querySelector('#q-state')?.textContent === 'RUNNING');
    // restart: a new task, from the committed offsets and state; the counts go on from where they were
    const before = (await engine.pull(`SELECT hits FROM url_counts WHERE url = 'https://u1';`)).values[0]![0] as bigint;
    await page.click('.actions button[data-action=restart]');
    await page.waitForFunction(() => document.querySelector('#q-state')?.textContent === 'RUNNING');
    await engine.insert('clicks', [{ id: 1, url: 'https://u1', ms: 1 }]);
    await until('the restarted query to count on', async () => (await engine.pull(`SELECT hits FROM url_counts WHERE url = 'https://u1';`)).values[0]![0] === before + 1n);

    // tail the output topic: decoded keys and values, live
    await page.click('button[data-view=data]');
    await page.click('.list .item[data-item="topic:URL_COUNTS"]');
    await page.waitForSelector('#tail tr td');
    const tail = await page.innerText('#tail');
    assert.match(tail, /"URL":"https:\/\/u[0-3]"/);
    assert.match(tail, /"HITS":\d+/);
    // produce a record into the source topic: it shows in that topic's live tail, and the query counts it
    await page.click('.list .item[data-item="topic:clicks"]');
    await page.waitForSelector('#produce-form');
    await page.fill('#produce-form input[name=key]', '');
    await page.fill('#produce-form input[name=value]', '{"URL":"https://produced","MS":77}');
    await page.fill('#produce-form input[name=headers]', 'origin=console');
    await page.click('#produce-form button');
    await page.waitForFunction(() => /https:\/\/produced/.test(document.querySelector('#tail')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.match(await page.innerText('#tail'), /origin=console/);
    await page.fill('#tail-search', 'produced');
    await page.waitForFunction(() => document.querySelectorAll('#tail tr').length === 2);
    await until('the produced record to be counted', async () => (await engine.pull(`SELECT hits FROM url_counts WHERE url = 'https://produced';`)).values.length === 1);
    // a record no JSON reader can read: the query logs it and goes on; the errors tab shows it
    await page.fill('#tail-search', '');
    await page.fill('#produce-form input[name=value]', 'this is not json');
    await page.click('#produce-form button');
    await until('the processing-log entry', () => engine.processingLog.some((e) => e.queryId === ctasId && e.type === 'DESERIALIZATION_ERROR'));

    // DESCRIBE in a panel
    await page.click('.list .item[data-item="source:CLICKS"]');
    await page.waitForFunction(() => /Field/.test(document.querySelector('#data-detail pre')?.textContent ?? ''));
    assert.match(await page.innerText("#data-detail pre"), /URL\s+\|\s+STRING/);

    // a pull query's rows in the grid
    await page.click('button[data-view=workbench]');
    const pulled = await runSql(page, "SELECT url, hits FROM url_counts WHERE url = 'https://produced';");
    assert.match(pulled, /1 row/);
    await page.waitForFunction(() => /https:\/\/produced\s*1/.test(document.querySelector('.grid-body')?.textContent ?? ''));

    await page.click('button[data-view=pipelines]');
    await page.click(`.list .item[data-query="${ctasId}"]`);
    await page.click('.subtabs button[data-tab=errors]');
    await page.waitForFunction(() => /DESERIALIZATION_ERROR/.test(document.querySelector('#q-body')?.textContent ?? ''));
    await page.click('.subtabs button[data-tab=graph]');

    // a read-only user, meanwhile: sees everything, changes nothing
    await readOnlyChecks();

    // terminate from the page
    page.once('dialog', (d) => void d.accept());
    await page.click('button[data-view=pipelines]');
    await page.click(`.list .item[data-query="${ctasId}"]`);
    await page.click('.actions button[data-action=terminate]');
    await page.waitForFunction((id) => !document.querySelector(`.list .item[data-query="${id}"]`), ctasId);
    assert.ok(!engine.catalog.queries.has(ctasId));
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  async function readOnlyChecks(): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, url, READER);
    assert.equal(await page.innerText('#who .role'), 'read-only');
    // reads work
    const shown = await runSql(page, 'SHOW QUERIES;');
    assert.match(shown, new RegExp(ctasId));
    // changes are refused by the server, and the editor says so
    const refused = await runSql(page, `CREATE STREAM sneaky (id INT KEY) WITH (kafka_topic='sneaky', partitions=1, value_format='JSON');`);
    assert.match(refused, /Access denied/);
    assert.equal(engine.catalog.getSource('SNEAKY'), undefined);
    // the buttons that change things are hidden
    await page.click('button[data-view=pipelines]');
    await page.waitForSelector(`.list .item[data-query="${ctasId}"]`);
    await page.waitForSelector('.graph svg .node');
    assert.equal(await page.locator('.actions button[data-action=terminate]').isVisible(), false);
    assert.equal(await page.locator('.actions button[data-action=pause]').isVisible(), false);
    await page.click('button[data-view=data]');
    await page.click('.list .item[data-item="topic:clicks"]');
    await page.waitForSelector('#tail tr td');
    assert.equal(await page.locator('#produce-form').isVisible(), false);
    // and the requests those buttons would send are refused, from the page itself
    const statuses = await page.evaluate(async (id) => {
      const auth = sessionStorage.getItem('sluice.console.auth')!;
      const post = (path: string, body: unknown) => fetch(path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
      return {
        terminate: await post('/ksql', { ksql: `TERMINATE ${id};` }),
        pause: await post('/ksql', { ksql: `PAUSE ${id};` }),
        restart: await post(`/console/api/queries/${id}/restart`, {}),
        produce: await post('/console/api/topics/clicks/records', { value: '{"URL":"sneaky"}' }),
        insert: await post('/ksql', { ksql: `INSERT INTO clicks (id, url, ms) VALUES (1, 'sneaky', 1);` }),
        metrics: await fetch('/metrics', { headers: { authorization: auth } }).then((r) => r.status),
      };
    }, ctasId);
    assert.deepEqual(statuses, { terminate: 403, pause: 403, restart: 403, produce: 403, insert: 403, metrics: 200 });
    // each refusal is in the audit log
    const audit = jsonValues(await readTopic(engine.log, '_sluice_audit')).filter((a: any) => a.PRINCIPAL === READER.user && a.OUTCOME === 'DENIED');
    for (const what of [`CREATE STREAM sneaky`, `TERMINATE ${ctasId}`, `PAUSE ${ctasId}`, `restart query ${ctasId}`, 'produce to topic clicks', 'INSERT INTO clicks'])
      assert.ok(audit.some((a: any) => (a.STATEMENT as string).includes(what)), `${what} in ${JSON.stringify(audit.map((a: any) => a.STATEMENT))}`);
    assert.equal(engine.catalog.queries.get(ctasId)?.state, 'RUNNING');
    await context.close();
  }
});
