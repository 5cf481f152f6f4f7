/**
 * Memory of the two state-heavy shapes the performance issue names, each in its own process so
 * its peak RSS is its own:
 *
 *   groupby  COUNT(*) GROUP BY over 1,000,000 distinct keys
 *   join     a stream-stream join WITHIN 1 HOUR over three hours of two streams
 *
 * The query's record caches are bounded by `ksql.streams.cache.max.bytes.buffering` (--budget-mib,
 * default 16); the rest of the state lives in LevelDB. What bounds the process is configuration:
 * that budget, and V8's heap limit (`node --max-old-space-size`, --heap-mib, default 128; without
 * it V8 lets garbage pile up to a large share of the machine's memory before it collects, which
 * is slack, not state: the heap after a full GC is the fixed part plus the caches). Reported: the
 * RSS once the engine is open and the query planned (the fixed part: Node, the engine, its
 * modules), the peak RSS while the query runs until idle, and whether the peak stays under fixed +
 * budget + the stated allowance (--allowance-mib, default 128: V8's young generation and heap
 * growth up to its limit, LevelDB's block cache and write buffers, the fetched batches).
 *
 *   npm run bench:memory [-- --keys N --join-events N --budget-mib M --heap-mib H --allowance-mib A --only groupby|join --out FILE]
 *
 * Writes bench/results/memory.json.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/engine.js';

const here = dirname(fileURLToPath(import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

type Shape = 'groupby' | 'join';

interface ChildTask {
  shape: Shape;
  heapMib: number;
  dir: string;
  out: string;
  budgetBytes: number;
}

interface ChildResult {
  shape: Shape;
  events: number;
  outputs: number;
  fixedRssMb: number;
  peakRssMb: number;
  seconds: number;
  heapUsedMb: number;
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
async function prepare(shape: Shape, dir: string, count: number): Promise<number> {
  const engine = await Engine.open({ dataDir: dir, properties: { 'auto.offset.reset': 'earliest' } });
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

async function child(task: ChildTask): Promise<void> {
  const engine = await Engine.open({
    dataDir: task.dir,
    properties: { 'auto.offset.reset': 'earliest', 'ksql.streams.cache.max.bytes.buffering': String(task.budgetBytes) },
  });
  try {
    await engine.execute(QUERY[task.shape]);
    global.gc?.();
    const fixedRssMb = mb(process.memoryUsage().rss);
    const t0 = performance.now();
    await engine.runUntilIdle();
    const seconds = (performance.now() - t0) / 1000;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    let events = 0;
    for (const topic of task.shape === 'groupby' ? ['events'] : ['l', 'r']) events += Number(await engine.log.latestOffset(topic, 0));
    const outputs = Number(await engine.log.latestOffset(OUTPUT[task.shape], 0));
    const failed = engine.failedQueries();
    if (failed.length) throw new Error(`query failed: ${JSON.stringify(failed)}`);
    const result: ChildResult = { shape: task.shape, events, outputs, fixedRssMb, peakRssMb: Math.round(peakRssMb * 10) / 10, seconds, heapUsedMb: mb(process.memoryUsage().heapUsed) };
    await writeFile(task.out, JSON.stringify(result));
  } finally {
    await engine.close();
  }
}

function runChild(task: ChildTask): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const c = spawn(process.execPath, ['--expose-gc', `--max-old-space-size=${task.heapMib}`, thisFile, '--child', JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit'] });
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
  let allowanceMib = 128;
  let heapMib = 128;
  let only: Shape | undefined;
  let out = join(here, '..', '..', 'bench', 'results', 'memory.json');
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1]!;
    if (argv[i] === '--keys') keys = Number(v);
    else if (argv[i] === '--join-events') joinEvents = Number(v);
    else if (argv[i] === '--budget-mib') budgetMib = Number(v);
    else if (argv[i] === '--allowance-mib') allowanceMib = Number(v);
    else if (argv[i] === '--heap-mib') heapMib = Number(v);
    else if (argv[i] === '--only') only = v as Shape;
    else if (argv[i] === '--out') out = v;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const work = await mkdtemp(join(tmpdir(), 'sluice-memory-'));
  const runs = [];
  try {
    for (const shape of (['groupby', 'join'] as const).filter((s) => !only || s === only)) {
      const dir = join(work, shape);
      const t0 = performance.now();
      const written = await prepare(shape, dir, shape === 'groupby' ? keys : joinEvents);
      console.log(`${shape}: wrote ${written.toLocaleString('en-US')} input records in ${((performance.now() - t0) / 1000).toFixed(1)} s (not measured)`);
      const load = Math.round(loadavg()[0]! * 100) / 100;
      const r = await runChild({ shape, heapMib, dir, out: join(work, `${shape}.json`), budgetBytes: budgetMib * 2 ** 20 });
      const bound = r.fixedRssMb + budgetMib + allowanceMib;
      const run = { ...r, budgetMib, heapMib, allowanceMib, boundMb: bound, withinBound: r.peakRssMb <= bound, loadAverage: [load, Math.round(loadavg()[0]! * 100) / 100] };
      runs.push(run);
      console.log(
        `${shape}: ${r.events.toLocaleString('en-US')} events -> ${r.outputs.toLocaleString('en-US')} outputs in ${r.seconds.toFixed(1)} s; ` +
          `RSS ${r.fixedRssMb} MiB once planned, peak ${r.peakRssMb} MiB (V8 heap limit ${heapMib} MiB); bound ${bound.toFixed(1)} MiB (fixed + ${budgetMib} MiB cache budget + ${allowanceMib} MiB allowance): ` +
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
