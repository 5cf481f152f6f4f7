/**
 * The resource-bounds test's child process: `node memory-child.js DATA_DIR SLOW_ROWS`. Over a backlog
 * already in the topic `src`, it runs persistent queries (a filter, a repartitioned GROUP BY) and a
 * push query over the whole backlog whose consumer reads one row, waits until the queries have worked
 * through the backlog, then reads up to SLOW_ROWS rows, one a millisecond; then prints JSON with its peak RSS (process.resourceUsage) and
 * peaks sampled from /proc/self/status and process.memoryUsage().
 */
import { readFileSync } from 'node:fs';
import { Engine } from '../../src/index.js';

const [dataDir, slowRows] = process.argv.slice(2);
// `node --test dist/test/` runs every file it finds, this one too, without arguments: nothing to do
if (!dataDir) process.exit(0);
const engine = await Engine.open({ dataDir: dataDir!, properties: { 'auto.offset.reset': 'earliest' } });
const started = Date.now();
const peak = { heapTotal: 0, heapUsed: 0, external: 0, rss: 0, anon: 0, file: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  for (const k of ['heapTotal', 'heapUsed', 'external', 'rss'] as const) peak[k] = Math.max(peak[k], Math.round(m[k] / 1048576));
  const status = readFileSync('/proc/self/status', 'utf8');
  peak.anon = Math.max(peak.anon, Math.round(Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
  peak.file = Math.max(peak.file, Math.round(Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
}, 50);
await engine.execute(`CREATE STREAM src (id INT KEY, region STRING, pad STRING) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');`);
await engine.execute(`CREATE STREAM kept AS SELECT id, region FROM src WHERE id % 10 = 0;`);
await engine.execute(`CREATE TABLE counts AS SELECT region, COUNT(*) AS n FROM src GROUP BY region;`);
// the slow consumer: takes one row, then reads nothing while the queries (its own too) work through
// the whole backlog, so its output piles up unread; then reads the rest of its rows slowly
const push = await engine.query(`SELECT id, pad FROM src EMIT CHANGES;`);
const rows = push[Symbol.asyncIterator]();
let read = (await rows.next()).done ? 0 : 1;
await engine.runUntilIdle();
while (read < Number(slowRows) && !(await rows.next()).done) {
  read++;
  await new Promise((r) => setTimeout(r, 1));
}
await rows.return?.();
const counts = await engine.pull(`SELECT * FROM counts;`);
const mem = process.memoryUsage();
const mb = (n: number) => Math.round(n / 1048576);
const result = { peak, maxRssMb: process.resourceUsage().maxRSS / 1024, heapMb: mb(mem.heapUsed), externalMb: mb(mem.external), arrayBuffersMb: mb(mem.arrayBuffers), read, regions: counts.rows.length, ms: Date.now() - started };
await engine.close();
clearInterval(sampler);
process.stdout.write(JSON.stringify(result) + '\n');
