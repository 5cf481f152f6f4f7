/**
 * The console's Connectors panel in headless Chromium against a real `sluice server` with
 * authentication: an admin creates a FileStreamSource connector from the form generated from the
 * plugin's config definition (a first submit without the required `topic` shows that field's
 * error and creates nothing), sees it and its task RUNNING with the file's lines in the topic,
 * pauses, resumes and restarts it; a read-only user sees it with no buttons, and a pause sent from
 * the page is refused (403).
 *
 * Skips (saying why) only when /usr/bin/chromium is missing: `.ci/run` installs it. With
 * SLUICE_CONNECTORS_SCREENSHOT=/path/x.png it saves the form with its error (x-form.png) and the detail.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Engine } from '../../src/index.js';
import { hashSecret } from '../../src/server/auth.js';
import { startServer } from '../../src/server/server-command.js';
import { readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

// the callbacks given to page.waitForFunction/evaluate run in the page
declare const document: any;
declare const sessionStorage: any;

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const READER = { user: 'reader', password: 'reader-secret-1' };
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does this)`;
const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

async function openConnectors(page: Page, url: string, who: { user: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('input[name=user]', who.user);
  await page.fill('input[name=password]', who.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#tabs:not(.hidden)');
  await page.click('#tabs button[data-view=connectors]');
  await page.waitForSelector('#connector-list h3');
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** the connector's state and its tasks' states, as the panel shows them */
async function shown(page: Page): Promise<{ connector: string; tasks: string[] }> {
  return page.evaluate(() => ({
    connector: document.querySelector('#c-state')?.textContent ?? '',
    tasks: [...document.querySelectorAll('#c-tasks tr[data-task] .badge')].map((b: any) => b.textContent as string),
  }));
}

describe('console connectors panel in headless Chromium', { skip, timeout: 120_000 }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let url: string;
  let engine: Engine;
  let stop: () => Promise<void>;
  let browser: Browser;
  let input: string;
  const pageErrors: string[] = [];

  before(async () => {
    dir = await tempDir('sluice-console-connectors-');
    await writeFile(
      join(dir.path, 'users.json'),
      JSON.stringify({ users: { [ADMIN.user]: { password: await hashSecret(ADMIN.password), role: 'admin' }, [READER.user]: { password: await hashSecret(READER.password), role: 'read-only' } } }),
    );
    input = join(dir.path, 'lines.txt');
    await writeFile(input, 'first line\nsecond line\n');
    ({ url, engine, stop } = await startServer({ dataDir: join(dir.path, 'data'), listen: 'http://127.0.0.1:0', users: join(dir.path, 'users.json') }, { out: () => {}, err: () => {} }));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    await stop?.();
    await dir?.cleanup();
  });

  it('the connectors list needs credentials like the rest of the API', async () => {
    assert.equal((await fetch(`${url}/console/api/connectors`)).status, 401);
    // Connect's routes refuse it too, with the same status
    const connect = await fetch(`${url}/connectors`);
    assert.equal(connect.status, 401);
    assert.match(((await connect.json()) as { message: string }).message, /Unauthorized/);
  });

  it('an admin creates a FileStreamSource from the validated form, then pauses, resumes and restarts it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openConnectors(page, url, ADMIN);
    await page.waitForSelector('#connectors-detail >> text=No connector yet');

    await page.click('#connector-new');
    await page.waitForSelector('#plugin-select');
    await page.selectOption('#plugin-select', SOURCE);
    // the fields come from the plugin's definition: its own keys and Connect's common ones
    await page.waitForSelector('[data-field=topic] input');
    await page.waitForSelector('[data-field=file] input');
    assert.equal(await page.inputValue('[data-field="connector.class"] input'), SOURCE);
    assert.match(await page.innerText('[data-field=topic] label'), /\*/, 'topic is marked required');

    // the required topic left out: its field says so, nothing is created
    await page.fill('[data-field=name] input', 'lines-in');
    await page.fill('[data-field=file] input', input);
    await page.click('#connector-create');
    await page.waitForFunction(() => document.querySelector('[data-error-for=topic]')?.textContent !== '');
    assert.match(await page.innerText('[data-error-for=topic]'), /topic/i);
    assert.equal(await page.innerText('[data-error-for=file]'), '');
    assert.match(await page.innerText('#connector-form-status'), /1 error/);
    assert.deepEqual(engine.connect.list(), []);
    if (process.env['SLUICE_CONNECTORS_SCREENSHOT']) await page.screenshot({ path: process.env['SLUICE_CONNECTORS_SCREENSHOT'].replace(/\.png$/, '-form.png') });

    await page.fill('[data-field=topic] input', 'lines');
    await page.click('#connector-create');
    await page.waitForSelector('#connector-list .item[data-connector=lines-in]');
    await until('connector and task RUNNING', async () => {
      const s = await shown(page);
      return s.connector === 'RUNNING' && s.tasks.join() === 'RUNNING';
    });
    assert.deepEqual(engine.connect.list(), ['lines-in']);
    assert.equal(engine.connect.info('lines-in').config['topic'], 'lines');
    await until('the file read into the topic', async () => (await readTopic(engine.log, 'lines').catch(() => [])).length === 2);
    const read = (await readTopic(engine.log, 'lines')).map((r) => r.value?.toString('utf8') ?? '');
    assert.match(read[0]!, /first line/);
    assert.match(read[1]!, /second line/);

    // pause: connector and task PAUSED, shown; only Resume is offered
    await page.click('#connectors-detail [data-action=pause]');
    await until('PAUSED', async () => {
      const s = await shown(page);
      return s.connector === 'PAUSED' && s.tasks.join() === 'PAUSED';
    });
    assert.equal(engine.connect.status('lines-in').connector.state, 'PAUSED');
    assert.equal(await page.locator('#connectors-detail [data-action=pause]').isVisible(), false);
    assert.equal(await page.locator('.item[data-connector=lines-in] .badge').innerText(), 'PAUSED');
    // a paused source reads nothing new
    await appendFile(input, 'third line\n');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal((await readTopic(engine.log, 'lines')).length, 2);

    await page.click('#connectors-detail [data-action=resume]');
    await until('RUNNING again', async () => {
      const s = await shown(page);
      return s.connector === 'RUNNING' && s.tasks.join() === 'RUNNING';
    });
    await until('the line written while paused', async () => (await readTopic(engine.log, 'lines')).length === 3);

    // restart: the connector and its tasks (Connect answers 202 with the status for includeTasks)
    const restarted = page.waitForResponse((r) => r.url().includes('/connectors/lines-in/restart') && r.request().method() === 'POST');
    await page.click('#connectors-detail [data-action=restart]');
    assert.equal((await restarted).status(), 202);
    await until('RUNNING after the restart', async () => {
      const s = await shown(page);
      return s.connector === 'RUNNING' && s.tasks.join() === 'RUNNING';
    });
    // the restarted task carries on from its committed offset: a new line arrives once, no repeats
    await appendFile(input, 'fourth line\n');
    await until('the line written after the restart', async () => (await readTopic(engine.log, 'lines')).length >= 4);
    const lines = (await readTopic(engine.log, 'lines')).map((r) => r.value?.toString('utf8') ?? '');
    assert.equal(lines.length, 4, `no line read twice: ${lines.join(' | ')}`);
    assert.match(lines[3]!, /fourth line/);

    // a task that fails shows FAILED with its trace (the embedded FileStreamSource needs a file)
    const created = await fetch(`${url}/connectors`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'no-file', config: { 'connector.class': 'FileStreamSource', topic: 'nowhere' } }),
    });
    assert.equal(created.status, 201);
    await page.click('#connector-list .item[data-connector=no-file]');
    await until('the task FAILED', async () => (await shown(page)).tasks.join() === 'FAILED');
    assert.match(await page.innerText('#c-tasks tr[data-task="0"] pre.error'), /reads a file/);
    assert.equal(engine.connect.status('no-file').tasks[0]?.state, 'FAILED');
    // and Delete (after its confirmation) removes it
    page.once('dialog', (d) => void d.accept());
    await page.click('#connectors-detail [data-action=delete]');
    await until('no-file gone', async () => !(await page.locator('#connector-list .item[data-connector=no-file]').count()));
    assert.deepEqual(engine.connect.list(), ['lines-in']);
    if (process.env['SLUICE_CONNECTORS_SCREENSHOT']) {
      await page.click('#connector-list .item[data-connector=lines-in]');
      await page.screenshot({ path: process.env['SLUICE_CONNECTORS_SCREENSHOT'] });
    }
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('a read-only user sees the connector and its task, with no buttons, and a pause from the page is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openConnectors(page, url, READER);
    assert.equal(await page.innerText('#who .role'), 'read-only');
    await page.waitForSelector('#connector-list .item[data-connector=lines-in]');
    await until('the RUNNING task shown', async () => {
      const s = await shown(page);
      return s.connector === 'RUNNING' && s.tasks.join() === 'RUNNING';
    });
    assert.equal(await page.locator('#connector-new').isVisible(), false);
    for (const action of ['pause', 'resume', 'restart', 'delete']) assert.equal(await page.locator(`#connectors-detail [data-action=${action}]`).isVisible(), false, action);
    const statuses = await page.evaluate(async () => {
      const auth = sessionStorage.getItem('sluice.console.auth')!;
      const pause = await fetch('/connectors/lines-in/pause', { method: 'PUT', headers: { authorization: auth } });
      const create = await fetch('/connectors', { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', config: { 'connector.class': 'FileStreamSource', topic: 't', file: '/dev/null' } }) });
      return { pause: pause.status, create: create.status, message: ((await pause.json()) as { message: string }).message };
    });
    assert.equal(statuses.pause, 403);
    assert.equal(statuses.create, 403);
    assert.match(statuses.message, /read-only/);
    assert.equal(engine.connect.status('lines-in').connector.state, 'RUNNING');
    assert.deepEqual(engine.connect.list(), ['lines-in']);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
