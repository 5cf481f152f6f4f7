import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogError } from '../../../src/common/errors.js';
import { openLocalLog } from '../../../src/log/local/index.js';
import { tempDir } from '../../support/temp-dir.js';

test('deleteRecords moves the log start offset, drops whole batches before it, and survives a reopen', async () => {
  const dir = await tempDir();
  try {
    let log = await openLocalLog(dir.path, { maintenanceIntervalMs: 0 });
    await log.createTopic('t', { partitions: 2 });
    // three batches of five: offsets 0-4, 5-9, 10-14
    for (let b = 0; b < 3; b++)
      await log.produce(Array.from({ length: 5 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: Buffer.from(`v${b * 5 + i}`), timestamp: 1_000 })));
    await log.deleteRecords('t', 0, 7n);
    assert.equal(await log.earliestOffset('t', 0), 7n);
    const rest = await log.fetch('t', 0, 7n);
    assert.deepEqual(
      rest.records.map((r) => r.value!.toString()),
      ['v7', 'v8', 'v9', 'v10', 'v11', 'v12', 'v13', 'v14'],
      'the batch it cuts through still serves the records from the new start',
    );
    await assert.rejects(log.fetch('t', 0, 3n), (e: unknown) => e instanceof LogError && e.code === 'OFFSET_OUT_OF_RANGE');
    // never backwards, never past the high watermark; other partitions untouched
    await log.deleteRecords('t', 0, 2n);
    assert.equal(await log.earliestOffset('t', 0), 7n);
    await log.deleteRecords('t', 0, 99n);
    assert.equal(await log.earliestOffset('t', 0), 15n);
    assert.equal(await log.earliestOffset('t', 1), 0n);
    await assert.rejects(log.deleteRecords('t', 5, 1n), (e: unknown) => e instanceof LogError && e.code === 'INVALID_PARTITION');
    await log.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from('v15'), timestamp: 1_000 }]);
    await log.close();

    log = await openLocalLog(dir.path, { maintenanceIntervalMs: 0 });
    assert.equal(await log.earliestOffset('t', 0), 15n);
    assert.deepEqual(
      (await log.fetch('t', 0, 15n)).records.map((r) => r.value!.toString()),
      ['v15'],
    );
    await log.close();
  } finally {
    await dir.cleanup();
  }
});
