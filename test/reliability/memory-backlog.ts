/**
 * The resource-bounds check (issue 12): a backlog of 1 KiB records in the embedded log, worked through
 * by a child process (memory-child.ts) running persistent queries and a slow push-query consumer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openLocalLog } from '../../src/index.js';
import { readTopic } from '../support/read-topic.js';
import { tempDir } from '../support/temp-dir.js';

export interface BacklogReport {
  /** the child's peak RSS (process.resourceUsage().maxRSS): includes LevelDB's memory-mapped table files */
  readonly maxRssMb: number;
  /** peaks sampled every 50 ms: anonymous RSS (the process's own memory), V8 heap, Buffers */
  readonly peak: { heapTotal: number; heapUsed: number; external: number; rss: number; anon: number; file: number };
  readonly read: number;
  readonly regions: number;
  readonly ms: number;
}

/**
 * Writes a backlog of `records` 1 KiB records, then has a child process work through it with
 * persistent queries and a slow push-query consumer; returns the child's report.
 */
export async function measureBacklog(records: number, slowRows: number): Promise<BacklogReport> {
  const dir = await tempDir('sluice-memory-');
  try {
    const data = join(dir.path, 'data');
    const log = await openLocalLog(data);
    await log.createTopic('src', { partitions: 4 });
    const pad = 'x'.repeat(1000);
    for (let start = 0; start < records; start += 5000) {
      const batch = [];
      for (let i = start; i < Math.min(records, start + 5000); i++) {
        const key = Buffer.alloc(4);
        key.writeInt32BE(i);
        batch.push({ topic: 'src', key, value: Buffer.from(JSON.stringify({ REGION: `r${i % 13}`, PAD: pad })) });
      }
      await log.produce(batch);
    }
    await log.close();
    const child = spawnSync(process.execPath, [join(import.meta.dirname, 'memory-child.js'), data, String(slowRows)], { encoding: 'utf8', timeout: 600_000 });
    assert.equal(child.status, 0, child.stderr);
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as BacklogReport;
    // the queries did consume the whole backlog
    const after = await openLocalLog(data);
    try {
      const kept = (await readTopic(after, 'KEPT')).length;
      assert.equal(kept, Math.ceil(records / 10), 'the filter saw every record');
    } finally {
      await after.close();
    }
    return report;
  } finally {
    await dir.cleanup();
  }
}

