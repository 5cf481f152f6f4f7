/**
 * fetch.max.wait.ms: the running engine, idle and woken by new input, lets more input gather
 * before it reads, so inputs that arrive within the wait are processed (and committed) together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRunningQuery(wait: string, fn: (engine: Engine, outputs: () => Promise<bigint>) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': wait } });
  try {
    await engine.execute(`CREATE STREAM s (id INT KEY, n INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);`);
    await engine.execute(`CREATE STREAM t WITH (kafka_topic='t') AS SELECT id, n * 2 AS n2 FROM s EMIT CHANGES;`);
    engine.start();
    await engine.runUntilIdle(); // the loop is idle, waiting for input
    await fn(engine, () => engine.log.latestOffset('t', 0));
  } finally {
    await engine.close();
    await dir.cleanup();
  }
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await sleep(10);
}

test('fetch.max.wait.ms: input that arrives within the wait is read with the input that woke the engine', async () => {
  await withRunningQuery('300', async (engine, outputs) => {
    await engine.insert('s', [{ id: 1, n: 1 }]);
    // timers fire in order: this one before the engine's 300 ms wait ends, however loaded the machine
    await sleep(30);
    assert.equal(await outputs(), 0n, 'the first input waits for more');
    await engine.insert('s', [{ id: 2, n: 2 }]);
    await until(async () => (await outputs()) === 2n);
    assert.equal(await outputs(), 2n);
  });
});

test('fetch.max.wait.ms=0: the engine reads as soon as input arrives', async () => {
  await withRunningQuery('0', async (engine, outputs) => {
    await engine.insert('s', [{ id: 1, n: 1 }]);
    await until(async () => (await outputs()) === 1n);
    assert.equal(await outputs(), 1n);
  });
});
