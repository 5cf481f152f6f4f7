import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Level } from 'level';
import { LogError } from '../../../src/common/errors.js';
import { WritePipeline, type WriteOp } from '../../../src/log/local/write-pipeline.js';
import { buf, withTempDir } from '../log-test-helpers.js';

async function withDb(fn: (db: Level<Buffer, Buffer>) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  });
}

test('submissions of one tick share a LevelDB batch and apply in order', () =>
  withDb(async (db) => {
    const pipeline = new WritePipeline(db, false, 'test-dir', async () => {});
    const order: number[] = [];
    const all = [];
    for (let i = 0; i < 50; i++) all.push(pipeline.submit([{ type: 'put', key: buf(`k${i}`), value: buf(`${i}`) }], () => order.push(i)));
    await Promise.all(all);
    assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(await db.get(buf('k49')), buf('49'));
  }));

test('a failing LevelDB batch writes none of its ops and spares the submissions merged with it', () =>
  withDb(async (db) => {
    const pipeline = new WritePipeline(db, false, 'test-dir', async () => {});
    const applied: string[] = [];
    const failed: string[] = [];
    // LevelDB (abstract-level) rejects the whole batch on an undefined key
    const poisoned = [
      { type: 'put', key: buf('bad-1'), value: buf('x') },
      { type: 'put', key: undefined, value: buf('y') },
    ] as unknown as WriteOp[];
    const results = await Promise.allSettled([
      pipeline.submit([{ type: 'put', key: buf('a'), value: buf('1') }], () => applied.push('a'), () => failed.push('a')),
      pipeline.submit(poisoned, () => applied.push('bad'), () => failed.push('bad')),
      pipeline.submit([{ type: 'put', key: buf('c'), value: buf('3') }], () => applied.push('c'), () => failed.push('c')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.ok((results[1] as PromiseRejectedResult).reason instanceof LogError);
    assert.deepEqual(applied, ['a', 'c']);
    assert.deepEqual(failed, ['bad']);
    assert.equal(await db.get(buf('bad-1')), undefined, 'nothing of the failed batch was written');
    assert.deepEqual(await db.getMany([buf('a'), buf('c')]), [buf('1'), buf('3')]);
    await pipeline.drain();
  }));
