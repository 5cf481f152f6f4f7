/**
 * Memory of the two state-heavy shapes the performance issue names, each in its own process so
 * its peak RSS is its own:
 *
 *   groupby  COUNT(*) GROUP BY over 1,000,000 distinct keys
 *   join     a stream-stream join WITHIN 1 HOUR over three hours of two streams
 *
 * What bounds the process is configuration, and the bound each run is checked against is the sum:
 *
 *   RSS once planned   measured: Node, the engine and its modules, the query planned (no data yet)
 * + record caches      `ksql.streams.cache.max.bytes.buffering` (--budget-mib, default 16)
 * + LevelDB            `sluice.leveldb.*` (level-db-settings.ts): block cache (--leveldb-cache-mib,
 *                      default 8) + two write buffers (--leveldb-write-buffer-mib, default 4) + the
 *                      table files it keeps open, memory-mapped, whose pages count in RSS once read
 *                      ((--leveldb-open-files, default 74, - 10) x --leveldb-file-mib, default 1)
 * + stated overhead    --overhead-mib (default 96): V8's young generation (Node's default 16 MiB
 *                      semi-spaces, given explicitly: the 64 MiB `sluice` runs with would add up
 *                      to 144 MiB, src/runtime/young-generation.ts) and the garbage between
 *                      collections (V8's old space is capped by --heap-mib, default 128, as
 *                      `node --max-old-space-size`; without a cap V8 lets garbage pile up to a large
 *                      share of the machine before it collects), the batches fetched and produced
 *
 * Reported besides: the peak of the anonymous and the file-backed RSS (sampled from /proc every
 * 100 ms; file-backed is mostly LevelDB's mapped tables) and the V8 heap once idle.
 *
 *   npm run bench:memory [-- --keys N --join-events N --budget-mib M --heap-mib H --overhead-mib A
 *                            --leveldb-cache-mib C --leveldb-write-buffer-mib W --leveldb-open-files F
 *                            --leveldb-file-mib S --only groupby|join --out FILE]
 *
 * Writes bench/results/memory.json.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/engine.js';
import { LEVELDB_PROPERTIES, levelDbMemoryBytes, type LevelDbSettings } from '../src/state/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

type Shape = 'groupby' | 'join';

interface ChildTask {
  shape: Shape;
  heapMib: number;
  dir: string;
  out: string;
  budgetBytes: number;
  levelDb: LevelDbSettings;
}

/** the engine's properties for a run: the cache budget and LevelDB's memory */
function runProperties(task: Pick<ChildTask, 'budgetBytes' | 'levelDb'>): Record<string, string> {
  const p: Record<string, string> = { 'auto.offset.reset': 'earliest', 'ksql.streams.cache.max.bytes.buffering': String(task.budgetBytes) };
  for (const field of Object.keys(LEVELDB_PROPERTIES) as (keyof LevelDbSettings)[]) p[LEVELDB_PROPERTIES[field]] = String(task.levelDb[field]);
  return p;
}

interface ChildResult {
  shape: Shape;
  events: number;
  outputs: number;
  fixedRssMb: number;
  peakRssMb: number;
  seconds: number;
  heapUsedMb: number;
  peakAnonRssMb: number;
  peakFileRssMb: number;
}

const DDL: Record<Shape, string> = {
  groupby: `CREATE STREAM events (k STRING, v BIGINT) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON', PARTITIONS=1);`,
  join: `CREATE STREAM l (id BIGINT KEY, a STRING) WITH (KAFKA_TOPIC='l', VALUE_FORMAT='JSON', KEY_FORMAT='KAFKA', PARTITIONS=1);
         CREATE STREAM r (id BIGINT KEY, b STRING) WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', KEY_FORMAT='KAFKA', PARTITIONS=1);`,
};

const QUERY: Record<Shape, string> = {
  groupby: `CREATE TABLE counts WITH (KAFKA_TOPIC='counts') AS SELECT k, COUNT(*) AS n FROM events GROUP BY k EMIT CHANGES;`,
  join: `CREATE STREAM joined WITH (KAFKA_TOPIC='joined') AS SELECT l.id AS id, a, b FROM l JOIN r WITHIN 1 HOUR ON l.id = r.id EMIT CHANGES;`,
};

const OUTPUT: Record<Shape, string> = { groupby: 'counts', join: 'joined' };

function bigintKey(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/** writes the input topics (in the parent: the child's RSS is the query's alone) */
async function prepare(shape: Shape, dir: string, count: number, levelDb: LevelDbSettings): Promise<number> {
  // the same LevelDB settings as the run: its table files are the size the run maps
  const engine = await Engine.open({ dataDir: dir, properties: runProperties({ budgetBytes: 0, levelDb }) });
  try {
    await engine.execute(DDL[shape]);
    // recent timestamps: older records would be deleted by the log's retention (7 days by
    // default) while the query runs, and the query would skip them (an offset reset, as Kafka's)
    const base = Date.now() - 4 * 3600_000;
    const batch = 10_000;
    if (shape === 'groupby') {
      for (let i = 0; i < count; i += batch) {
        const records = [];
        for (let j = i; j < Math.min(count, i + batch); j++)
          records.push({ topic: 'events', partition: 0, key: null, value: Buffer.from(`{"K":"key-${j.toString().padStart(7, '0')}","V":${j}}`), timestamp: base + j });
        await engine.log.produce(records);
      }
      return count;
    }
    // two streams over three hours
    const spanMs = 3 * 3600_000;
    const ids = Math.max(1, Math.floor(count / 9));
    for (let i = 0; i < count; i += batch) {
      const records = [];
      for (let j = i; j < Math.min(count, i + batch); j++) {
        const ts = base + Math.floor((j * spanMs) / count);
        // a pair of records (one per side) per id and time, the id again ~40 minutes later
        const id = (Math.floor(j / 2) * 7919) % ids;
        const side = j % 2 === 0 ? 'l' : 'r';
        records.push({ topic: side, partition: 0, key: bigintKey(id), value: Buffer.from(`{"${side === 'l' ? 'A' : 'B'}":"payload-${j}-${'x'.repeat(40)}"}`), timestamp: ts });
      }
      await engine.log.produce(records);
    }
    return count;
  } finally {
    await engine.close();
  }
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** peaks of the anonymous and file-backed parts of RSS, in MiB, sampled from /proc */
function sampleRss(peak: { anon: number; file: number }): void {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return; // not Linux: only the total is reported
  }
  peak.anon = Math.max(peak.anon, Math.round(Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0) / 102.4) / 10);
  peak.file = Math.max(peak.file, Math.round(Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0) / 102.4) / 10);
}

async function child(task: ChildTask): Promise<void> {
  const engine = await Engine.open({ dataDir: task.dir, properties: runProperties(task) });
  try {
    await engine.execute(QUERY[task.shape]);
    global.gc?.();
    const fixedRssMb = mb(process.memoryUsage().rss);
    const peak = { anon: 0, file: 0 };
    const sampler = setInterval(() => sampleRss(peak), 100);
    const t0 = performance.now();
    await engine.runUntilIdle();
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    sampleRss(peak);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    let events = 0;
    for (const topic of task.shape === 'groupby' ? ['events'] : ['l', 'r']) events += Number(await engine.log.latestOffset(topic, 0));
    const outputs = Number(await engine.log.latestOffset(OUTPUT[task.shape], 0));
    const failed = engine.failedQueries();
    if (failed.length) throw new Error(`query failed: ${JSON.stringify(failed)}`);
    const result: ChildResult = { shape: task.shape, events, outputs, fixedRssMb, peakRssMb: Math.round(peakRssMb * 10) / 10, seconds, heapUsedMb: mb(process.memoryUsage().heapUsed), peakAnonRssMb: peak.anon, peakFileRssMb: peak.file };
    await writeFile(task.out, JSON.stringify(result));
  } finally {
    await engine.close();
  }
}

function runChild(task: ChildTask): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const c = spawn(process.execPath, ['--expose-gc', `--max-old-space-size=${task.heapMib}`, '--max-semi-space-size=16', thisFile, '--child', JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit'] });
    c.on('error', reject);
    c.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${task.shape} run exited with ${code}`));
      readFile(task.out, 'utf8').then((s) => resolvePromise(JSON.parse(s) as ChildResult), reject);
    });
  });
}

async function main(argv: string[]): Promise<void> {
  let keys = 1_000_000;
  let joinEvents = 300_000;
  let budgetMib = 16;
  let overheadMib = 96;
  let heapMib = 128;
  let levelDbCacheMib = 8;
  let levelDbWriteBufferMib = 4;
  let levelDbOpenFiles = 74;
  let levelDbFileMib = 1;
  let only: Shape | undefined;
  let out = join(here, '..', '..', 'bench', 'results', 'memory.json');
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1]!;
    if (argv[i] === '--keys') keys = Number(v);
    else if (argv[i] === '--join-events') joinEvents = Number(v);
    else if (argv[i] === '--budget-mib') budgetMib = Number(v);
    else if (argv[i] === '--overhead-mib') overheadMib = Number(v);
    else if (argv[i] === '--leveldb-cache-mib') levelDbCacheMib = Number(v);
    else if (argv[i] === '--leveldb-write-buffer-mib') levelDbWriteBufferMib = Number(v);
    else if (argv[i] === '--leveldb-open-files') levelDbOpenFiles = Number(v);
    else if (argv[i] === '--leveldb-file-mib') levelDbFileMib = Number(v);
    else if (argv[i] === '--heap-mib') heapMib = Number(v);
    else if (argv[i] === '--only') only = v as Shape;
    else if (argv[i] === '--out') out = v;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const levelDb: LevelDbSettings = {
    cacheSize: levelDbCacheMib * 2 ** 20,
    writeBufferSize: levelDbWriteBufferMib * 2 ** 20,
    maxOpenFiles: levelDbOpenFiles,
    maxFileSize: levelDbFileMib * 2 ** 20,
  };
  const levelDbMib = levelDbMemoryBytes(levelDb) / 2 ** 20;
  const work = await mkdtemp(join(tmpdir(), 'sluice-memory-'));
  const runs = [];
  try {
    for (const shape of (['groupby', 'join'] as const).filter((s) => !only || s === only)) {
      const dir = join(work, shape);
      const t0 = performance.now();
      const written = await prepare(shape, dir, shape === 'groupby' ? keys : joinEvents, levelDb);
      console.log(`${shape}: wrote ${written.toLocaleString('en-US')} input records in ${((performance.now() - t0) / 1000).toFixed(1)} s (not measured)`);
      const load = Math.round(loadavg()[0]! * 100) / 100;
      const r = await runChild({ shape, heapMib, dir, out: join(work, `${shape}.json`), budgetBytes: budgetMib * 2 ** 20, levelDb });
      const bound = Math.round((r.fixedRssMb + budgetMib + levelDbMib + overheadMib) * 10) / 10;
      const run = {
        ...r,
        budgetMib,
        heapMib,
        levelDb,
        levelDbMib,
        overheadMib,
        boundMb: bound,
        withinBound: r.peakRssMb <= bound,
        loadAverage: [load, Math.round(loadavg()[0]! * 100) / 100],
      };
      runs.push(run);
      console.log(
        `${shape}: ${r.events.toLocaleString('en-US')} events -> ${r.outputs.toLocaleString('en-US')} outputs in ${r.seconds.toFixed(1)} s; ` +
          `RSS ${r.fixedRssMb} MiB once planned, peak ${r.peakRssMb} MiB (anonymous ${r.peakAnonRssMb}, file-backed ${r.peakFileRssMb}; V8 heap limit ${heapMib} MiB); ` +
          `bound ${bound} MiB (fixed + ${budgetMib} MiB cache budget + ${levelDbMib} MiB LevelDB + ${overheadMib} MiB overhead): ` +
          `${run.withinBound ? 'within' : 'EXCEEDED'} (load ${run.loadAverage.join(' -> ')})`,
      );
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, runs }, null, 2)}\n`);
  console.log(`wrote ${out}`);
  if (runs.some((r) => !r.withinBound)) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]!) as ChildTask);
else await main(process.argv.slice(2));
