/**
 * After a failed storage write the log reopens LevelDB before writing again (write-pipeline.ts);
 * reads and state scans that overlap the reopen carry on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogError } from '../../../src/common/errors.js';
import { buf, str, withLog } from '../log-test-helpers.js';

test('a write that fails in storage fails everything queued behind it, leaves no offset gap, and the next write reopens LevelDB', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    await log.produce([{ topic: 't', key: null, value: buf('before') }]);
    const db = (log as unknown as { db: { close(): Promise<void>; status: string } }).db;
    await db.close(); // as if the disk had failed the write
    const results = await Promise.allSettled([1, 2, 3].map((i) => log.produce([{ topic: 't', key: null, value: buf(`lost-${i}`) }])));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    for (const r of results) assert.ok((r as PromiseRejectedResult).reason instanceof LogError);
    // the next write reopens and takes the next offset: no hole where the failed ones were
    const [res] = await log.produce([{ topic: 't', key: null, value: buf('after') }]);
    assert.equal(res.baseOffset, 1n);
    assert.equal(db.status, 'open');
    assert.deepEqual((await log.fetch('t', 0, 0n)).records.map((r) => str(r.value)), ['before', 'after']);
  }));

test('a state scan running across a reopen resumes where it was, each entry once', () =>
  withLog(async (log) => {
    const writes = Array.from({ length: 2000 }, (_, i) => ({ key: buf(`k${String(i).padStart(5, '0')}`), value: buf(`v${i}`) }));
    await log.extras.write(writes);
    const seen: string[] = [];
    let reopened = false;
    for await (const [k] of log.extras.range({ gte: buf('k'), lt: buf('l') })) {
      seen.push(k.toString());
      if (seen.length === 300 && !reopened) {
        reopened = true;
        await (log as unknown as { reopenDb(): Promise<void> }).reopenDb();
      }
    }
    assert.ok(reopened);
    assert.deepEqual(seen, writes.map((w) => w.key.toString()));
    const limited: string[] = [];
    for await (const [k] of log.extras.range({ gte: buf('k'), lt: buf('l'), reverse: true, limit: 5 })) limited.push(k.toString());
    assert.deepEqual(limited, writes.slice(-5).reverse().map((w) => w.key.toString()));
  }));
