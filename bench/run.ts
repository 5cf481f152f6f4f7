/**
 * The Nexmark benchmark on the embedded log, with its floors measured side by side.
 *
 *   npm run bench                 # 1 000 000 events, 3 runs per measurement, 10 s paced runs
 *   npm run bench -- --quick      # 100 000 events, 1 run, 2 s paced runs of the engine only (under a minute)
 *
 * Options: --events N  --repeat N  --rate EVENTS_PER_S  --paced-seconds S  --batch N
 *          --queries q0,q1,...  --no-paced  --paced-floors (with --quick)  --out FILE  --keep (keep the data directory)
 *          --cpu-prof DIR (profile every worker; summarise with dist/bench/nexmark/profile-summary.js)
 *          --threads 1,2  --partitions N  --scaling-queries q1,...  --no-scaling  --scaling-only
 *          (SLUICE_BENCH_NODE_FLAGS="--trace-gc ..." passes node flags to the measured processes)
 *          --join-events N (default 3 000 000; --quick: --events): the span of events q3 and q8 read
 *          --node-default-young-generation (run the measured processes with Node's default semi-spaces
 *          instead of the ones `sluice` runs with, src/runtime/young-generation.ts)
 *
 *   npm run bench:threads         # only the scaling runs: q1 over 2 partitions, num.stream.threads 1 and 2
 *
 * Scaling (on by default; --no-scaling skips it): the scaling queries (default q1) also run over a
 * second log whose topics have --partitions partitions (default 2), once per num.stream.threads
 * value of --threads (default 1,2), alternating within each repeat. The table gives events per
 * wall-second and the speed-up over the first value: the ratio of the medians, and the median of
 * the ratios of each repeat's pair (runs next to each other see about the same load), with the
 * load average over that part (other work on the machine takes cores from the threads).
 * --scaling-only skips everything else.
 *
 * 1. The generator writes N Nexmark events (person / auction / bid topics, JSON) into an embedded
 *    log, which is then compacted so that every run starts from the same settled LevelDB state.
 *    Nothing of this is timed.
 * 2. Every measurement runs in its own process on its own copy of that log: the engine running the
 *    query until idle, the hand-written floor doing the same work, and the raw storage floors.
 *    With --repeat N each is run N times, alternating engine and floor, and the median is kept.
 * 3. The paced runs produce events at a fixed rate (at their event time) while the query runs
 *    continuously, and measure how long each output record takes to become readable.
 *
 * Prints the tables and writes bench/results/latest.json.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
import { Engine } from '../src/engine/engine.js';
import { openLocalLog } from '../src/log/local/index.js';
import { DEFAULT_CONFIG, NexmarkGenerator, createNexmarkTopics, writeEvents, type EventType, type GeneratedCounts } from './nexmark/generator.js';
import { QUERIES, SOURCES_DDL, type NexmarkQuery } from './nexmark/queries.js';
import type { PacedResult, RawResult, ThroughputResult, WorkerResult, WorkerTask } from './nexmark/worker.js';
import { SEMI_SPACE_FLAG } from '../src/runtime/young-generation.js';

interface Options {
  quick: boolean;
  events: number;
  repeat: number;
  rate: number;
  pacedSeconds: number;
  /** latencies of inputs due in the first seconds of a paced run are not counted */
  warmupSeconds: number;
  /** paced runs of the floors too */
  pacedFloors: boolean;
  batch: number;
  queries: string[];
  paced: boolean;
  out: string;
  keep: boolean;
  /** run the workers with --cpu-prof, writing profiles here */
  cpuProf: string | undefined;
  /** num.stream.threads values for the scaling runs; the first is the base of the speed-ups */
  threads: number[];
  scaling: boolean;
  scalingQueries: string[];
  /** partitions of the scaling runs' topics */
  partitions: number;
  scalingOnly: boolean;
  /**
   * q3 and q8 read only persons and auctions (8 % of the events): they run over a log of this many
   * events' persons and auctions, so that a run of theirs is not mostly start-up
   */
  joinEvents: number | undefined;
  /** the measured processes get Node's default young generation, not sluice's */
  nodeDefaultYoungGeneration: boolean;
}

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const repoRoot = resolve(here, '..', '..');
const workerPath = join(here, 'nexmark', 'worker.js');

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    quick,
    events: quick ? 100_000 : 1_000_000,
    repeat: quick ? 1 : 3,
    rate: 10_000,
    pacedSeconds: quick ? 2 : 10,
    warmupSeconds: quick ? 0.5 : 1,
    pacedFloors: !quick,
    batch: 1000,
    queries: QUERIES.map((q) => q.name),
    paced: true,
    out: join(repoRoot, 'bench', 'results', 'latest.json'),
    keep: false,
    cpuProf: undefined,
    threads: [1, 2],
    scaling: true,
    scalingQueries: ['q1'],
    partitions: 2,
    scalingOnly: false,
    nodeDefaultYoungGeneration: false,
    joinEvents: quick ? undefined : 3_000_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--quick':
        break;
      case '--events':
        o.events = Number(value());
        break;
      case '--join-events':
        o.joinEvents = Number(value());
        break;
      case '--repeat':
        o.repeat = Number(value());
        break;
      case '--rate':
        o.rate = Number(value());
        break;
      case '--paced-seconds':
        o.pacedSeconds = Number(value());
        break;
      case '--batch':
        o.batch = Number(value());
        break;
      case '--queries':
        o.queries = value().split(',');
        break;
      case '--no-paced':
        o.paced = false;
        break;
      case '--paced-floors':
        o.pacedFloors = true;
        break;
      case '--out':
        o.out = resolve(value());
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--cpu-prof':
        o.cpuProf = resolve(value());
        break;
      case '--threads':
        o.threads = value().split(',').map(Number);
        if (o.threads.some((t) => !Number.isInteger(t) || t < 1)) throw new Error('--threads takes a list of positive integers, e.g. 1,2');
        break;
      case '--partitions':
        o.partitions = Number(value());
        if (!Number.isInteger(o.partitions) || o.partitions < 1) throw new Error('--partitions takes a positive integer');
        break;
      case '--scaling-only':
        o.scalingOnly = true;
        break;
      case '--node-default-young-generation':
        o.nodeDefaultYoungGeneration = true;
        break;
      case '--no-scaling':
        o.scaling = false;
        break;
      case '--scaling-queries':
        o.scalingQueries = value().split(',');
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

/** node flags of every measured process, engine and floors alike: those `sluice` runs with */
let nodeFlags: string[] = [SEMI_SPACE_FLAG];
let profileFlags: string[] = [];

function runWorker<T extends WorkerResult>(task: WorkerTask): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const flags = profileFlags.length ? [...nodeFlags, ...profileFlags, `--cpu-prof-name=${task.mode}-${task.query ?? 'all'}-${Date.now()}.cpuprofile`] : nodeFlags;
    const child = spawn(process.execPath, [...flags, workerPath, JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker ${task.mode} ${task.query ?? ''} exited with ${code}`));
      readFile(task.out, 'utf8').then((s) => resolvePromise(JSON.parse(s) as T), reject);
    });
  });
}

/** Whether the engine can plan the query today (the planner's message if not). */
async function support(work: string, q: NexmarkQuery): Promise<string | undefined> {
  const dir = join(work, `support-${q.name}`);
  const log = await openLocalLog(dir, { maintenanceIntervalMs: 0 });
  try {
    await createNexmarkTopics(log);
    const engine = await Engine.open({ log, properties: { 'auto.offset.reset': 'earliest' } });
    try {
      await engine.execute(SOURCES_DDL);
      await engine.execute(q.sql);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    } finally {
      await engine.close();
    }
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function generate(dir: string, events: number, partitions = 1, only?: ReadonlySet<EventType>): Promise<GeneratedCounts & { seconds: number }> {
  const t0 = performance.now();
  const log = await openLocalLog(dir, { maintenanceIntervalMs: 0 });
  let counts: GeneratedCounts;
  try {
    await createNexmarkTopics(log, partitions);
    counts = await writeEvents(log, new NexmarkGenerator(DEFAULT_CONFIG), 0, events, undefined, only);
  } finally {
    await log.close();
  }
  // settle the LSM tree: every copy starts without pending compaction work
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  // (classic-level has compactRange; the `level` typings cover the browser backend too)
  await (db as unknown as { compactRange(start: Buffer, end: Buffer): Promise<void> }).compactRange(Buffer.alloc(0), Buffer.alloc(64, 0xff));
  await db.close();
  return { ...counts, seconds: (performance.now() - t0) / 1000 };
}

function median<T>(runs: T[], key: (t: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

interface QueryReport {
  query: string;
  title: string;
  note?: string;
  status: 'measured' | 'skipped';
  reason?: string;
  engine?: ThroughputResult;
  floor?: ThroughputResult;
  engineRuns?: ThroughputResult[];
  floorRuns?: ThroughputResult[];
  /** medians of the wall rates (the runs with median CPU rates are `engine` / `floor`) */
  engineWall?: number;
  floorWall?: number;
  bestFloor?: ThroughputResult;
  bestFloorRuns?: ThroughputResult[];
  /** engine rate / floor rate (the naive floor: JSON.parse and JSON.stringify of every record) */
  ratioCpu?: number;
  /** engine rate / best floor rate (best-floor.ts: only the needed fields read) */
  ratioCpuBest?: number;
  /** the best floor wrote exactly what the engine wrote */
  sameOutputBest?: boolean;
  ratioWall?: number;
  /** the engine's output equals the floor's (queries whose floor is exact); undefined: not compared */
  sameOutput?: boolean;
  pacedEngine?: PacedResult;
  pacedFloor?: PacedResult;
}

const fmtInt = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(1));
const fmtPct = (n: number | undefined): string => (n === undefined ? '-' : `${Math.round(n * 100)}%`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function machine(loadAtStart: number[]) {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1-minute load averages when the run started and ended: other work on the machine skews CPU times */
    loadAverage: [Math.round(loadAtStart[0]! * 100) / 100, Math.round(loadavg()[0]! * 100) / 100],
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.cpuProf) profileFlags = ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`];
  if (o.nodeDefaultYoungGeneration) nodeFlags = [];
  // extra node flags for the measured processes (e.g. --trace-gc), which NODE_OPTIONS may not carry
  if (process.env.SLUICE_BENCH_NODE_FLAGS) nodeFlags = [...nodeFlags, ...process.env.SLUICE_BENCH_NODE_FLAGS.split(' ').filter(Boolean)];
  const started = Date.now();
  const loadAtStart = loadavg();
  const work = await mkdtemp(join(tmpdir(), 'sluice-nexmark-'));
  const pristine = join(work, 'pristine');
  const reports: QueryReport[] = [];
  let raw: RawResult | undefined;
  let generated;
  let joinGenerated: (GeneratedCounts & { seconds: number }) | undefined;
  let seq = 0;
  const task = (mode: WorkerTask['mode'], extra: Partial<WorkerTask> = {}): WorkerTask => {
    const id = `${mode}-${extra.query ?? 'all'}-${seq++}`;
    return { mode, dir: join(work, id), out: join(work, `${id}.json`), batchSize: o.batch, ...extra };
  };
  /** runs a worker on a private copy of the generated log */
  const onCopy = async <T extends WorkerResult>(t: WorkerTask, from = pristine): Promise<T> => {
    await cp(from, t.dir, { recursive: true });
    try {
      return await runWorker<T>(t);
    } finally {
      await rm(t.dir, { recursive: true, force: true });
      await rm(`${t.dir}-leveldb`, { recursive: true, force: true });
    }
  };
  let scaling: ScalingReport[] | undefined;
  try {
    if (o.scalingOnly) {
      scaling = await runScaling(o, work, task, onCopy);
      return;
    }
    console.log(`Nexmark on the embedded log: ${o.events.toLocaleString('en-US')} events, ${o.repeat} run(s) per measurement${o.quick ? ' (quick)' : ''}`);
    generated = await generate(pristine, o.events);
    console.log(
      `generated ${generated.person} persons, ${generated.auction} auctions, ${generated.bid} bids ` +
        `(${(generated.bytes / 2 ** 20).toFixed(0)} MiB of JSON) in ${generated.seconds.toFixed(1)} s (not timed)`,
    );
    // the queries without bids get their own log over --join-events events
    const bidless = (q: NexmarkQuery) => !q.inputs.includes('bid');
    const pristineJoin = join(work, 'pristine-join');
    const joinEvents = o.joinEvents ?? o.events;
    if (joinEvents !== o.events && QUERIES.some((q) => o.queries.includes(q.name) && bidless(q))) {
      joinGenerated = await generate(pristineJoin, joinEvents, 1, new Set(['person', 'auction']));
      console.log(`generated ${joinGenerated.person} persons and ${joinGenerated.auction} auctions of ${joinEvents.toLocaleString('en-US')} events for ${QUERIES.filter(bidless).map((q) => q.name).join(', ')} (not timed)`);
    }
    const inputOf = (q: NexmarkQuery) => (joinGenerated && bidless(q) ? pristineJoin : pristine);

    process.stdout.write('raw storage floors ... ');
    raw = await onCopy<RawResult>(task('raw'));
    console.log('done');

    for (const q of QUERIES.filter((x) => o.queries.includes(x.name))) {
      const report: QueryReport = { query: q.name, title: q.title, ...(q.note ? { note: q.note } : {}), status: 'measured' };
      reports.push(report);
      const reason = await support(work, q);
      if (reason !== undefined) {
        report.status = 'skipped';
        report.reason = reason;
        console.log(`${q.name}: not run (${reason})`);
        continue;
      }
      const engineRuns: ThroughputResult[] = [];
      const floorRuns: ThroughputResult[] = [];
      const bestFloorRuns: ThroughputResult[] = [];
      for (let r = 0; r < o.repeat; r++) {
        process.stdout.write(`${q.name}: run ${r + 1}/${o.repeat} engine ... `);
        const e = await onCopy<ThroughputResult>(task('engine', { query: q.name }), inputOf(q));
        engineRuns.push(e);
        process.stdout.write(`${fmtInt(e.perCpuSecond)} ev/CPU-s`);
        if (q.floor) {
          process.stdout.write(', floor ... ');
          const f = await onCopy<ThroughputResult>(task('floor', { query: q.name }), inputOf(q));
          floorRuns.push(f);
          process.stdout.write(`${fmtInt(f.perCpuSecond)} ev/CPU-s`);
        }
        if (q.bestFloor) {
          process.stdout.write(', best floor ... ');
          const f = await onCopy<ThroughputResult>(task('best-floor', { query: q.name }), inputOf(q));
          bestFloorRuns.push(f);
          process.stdout.write(`${fmtInt(f.perCpuSecond)} ev/CPU-s`);
        }
        console.log();
      }
      const e = median(engineRuns, (x) => x.perCpuSecond);
      Object.assign(report, { engine: e, engineRuns, engineWall: median(engineRuns, (x) => x.perWallSecond).perWallSecond });
      if (floorRuns.length > 0) {
        const f = median(floorRuns, (x) => x.perCpuSecond);
        const floorWall = median(floorRuns, (x) => x.perWallSecond).perWallSecond;
        Object.assign(report, {
          floor: f,
          floorRuns,
          floorWall,
          ratioCpu: e.perCpuSecond / f.perCpuSecond,
          ratioWall: report.engineWall! / floorWall,
          sameOutput: q.exactFloor ? e.digest.sha256 === f.digest.sha256 && e.digest.records === f.digest.records : undefined,
        });
      }
      if (bestFloorRuns.length > 0) {
        const b = median(bestFloorRuns, (x) => x.perCpuSecond);
        Object.assign(report, {
          bestFloor: b,
          bestFloorRuns,
          ratioCpuBest: e.perCpuSecond / b.perCpuSecond,
          sameOutputBest: e.digest.sha256 === b.digest.sha256 && e.digest.records === b.digest.records,
        });
      }
      if (o.paced) {
        process.stdout.write(`${q.name}: paced at ${fmtInt(o.rate)} events/s for ${o.pacedSeconds} s: engine ... `);
        const pe = task('paced-engine', { query: q.name, rate: o.rate, seconds: o.pacedSeconds, warmupSeconds: o.warmupSeconds });
        report.pacedEngine = await runWorker<PacedResult>(pe);
        process.stdout.write(`p50 ${fmtMs(report.pacedEngine.p50Ms)} ms`);
        await rm(pe.dir, { recursive: true, force: true });
        if (q.floor && o.pacedFloors) {
          process.stdout.write(', floor ... ');
          const pf = task('paced-floor', { query: q.name, rate: o.rate, seconds: o.pacedSeconds, warmupSeconds: o.warmupSeconds });
          report.pacedFloor = await runWorker<PacedResult>(pf);
          process.stdout.write(`p50 ${fmtMs(report.pacedFloor.p50Ms)} ms`);
          await rm(pf.dir, { recursive: true, force: true });
        }
        console.log();
      }
    }
    if (o.scaling) scaling = await runScaling(o, work, task, onCopy);
  } finally {
    if (!o.keep) await rm(work, { recursive: true, force: true });
    else console.log(`data kept in ${work}`);
    if (o.scalingOnly && scaling) await writeResults(o, started, machine(loadAtStart), { scaling });
  }
  if (o.scalingOnly) return;

  const m = machine(loadAtStart);
  console.log(
    `\nmachine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; ` +
      `load average ${m.loadAverage[0]} at the start, ${m.loadAverage[1]} at the end`,
  );
  console.log(
    `events = records consumed from the query's input topics; rates are medians of ${o.repeat} run(s) (best: the fastest run); ` +
      'CPU = process CPU time (all threads, LevelDB included); ratio = engine / floor (the naive floor: JSON.parse + JSON.stringify); ' +
        'ratio best = engine / best floor (hand-written, reads only the needed fields; q1, q2); ' +
      'same output: the floor wrote exactly what the engine wrote (- where the floor is not an exact replica)\n',
  );
  const measured = reports.filter((r) => r.status === 'measured');
  console.log(
    table(
      ['query', 'events', 'ev/CPU-s', 'best', 'ev/wall-s', 'floor ev/CPU-s', 'best', 'floor ev/wall-s', 'CPU ratio', 'best floor ev/CPU-s', 'CPU ratio best', 'wall ratio', 'peak RSS MiB', 'anon / file', 'p50 ms', 'p99 ms', 'outputs', 'floor outputs', 'same output'],
      measured.map((r) => [
        r.query,
        fmtInt(r.engine!.events),
        fmtInt(r.engine!.perCpuSecond),
        fmtInt(Math.max(...r.engineRuns!.map((x) => x.perCpuSecond))),
        fmtInt(r.engineWall),
        fmtInt(r.floor?.perCpuSecond),
        r.floorRuns ? fmtInt(Math.max(...r.floorRuns.map((x) => x.perCpuSecond))) : '-',
        fmtInt(r.floorWall),
        fmtPct(r.ratioCpu),
        fmtInt(r.bestFloor?.perCpuSecond),
        r.ratioCpuBest === undefined ? '-' : `${fmtPct(r.ratioCpuBest)}${r.sameOutputBest ? '' : ' (output differs)'}`,
        fmtPct(r.ratioWall),
        r.engine!.peakRssMb.toFixed(0),
        r.engine!.peakAnonRssMb === undefined ? '-' : `${r.engine!.peakAnonRssMb.toFixed(0)} / ${r.engine!.peakFileRssMb!.toFixed(0)}`,
        fmtMs(r.pacedEngine?.p50Ms),
        fmtMs(r.pacedEngine?.p99Ms),
        fmtInt(r.engine!.outputs),
        fmtInt(r.floor?.outputs),
        r.sameOutput === undefined ? '-' : r.sameOutput ? 'yes' : 'NO',
      ]),
    ),
  );
  for (const r of reports.filter((x) => x.status === 'skipped')) console.log(`${r.query} (${r.title}): not run: ${r.reason}`);
  if (o.paced && measured.length > 0) {
    console.log(
      `\nlatency at ${fmtInt(o.rate)} events/s for ${o.pacedSeconds} s (inputs due in the first ${o.warmupSeconds} s not counted): ` +
        'event time of the newest input -> output readable',
    );
    console.log(
      table(
        ['query', 'outputs', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'CPU use', 'floor p50 ms', 'floor p99 ms', 'floor max ms', 'floor CPU use'],
        measured.map((r) => {
          const e = r.pacedEngine!;
          const f = r.pacedFloor;
          return [r.query, fmtInt(e.outputs), fmtInt(e.samples), fmtMs(e.p50Ms), fmtMs(e.p99Ms), fmtMs(e.maxMs), fmtPct(e.cpuUtilization), fmtMs(f?.p50Ms), fmtMs(f?.p99Ms), fmtMs(f?.maxMs), fmtPct(f?.cpuUtilization)];
        }),
      ),
    );
  }
  if (raw) {
    console.log(`\nstorage floors on the same log (${raw.valueBytes}-byte bid records)`);
    console.log(
      table(
        ['operation', 'records', 'per CPU-s', 'per wall-s'],
        raw.rates.map((r) => [r.operation, fmtInt(r.count), fmtInt(r.perCpuSecond), fmtInt(r.perWallSecond)]),
      ),
    );
  }
  const results = {
    generatedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: m,
    options: { ...o, out: undefined, nodeFlags },
    generated,
    ...(joinGenerated ? { joinGenerated } : {}),
    queries: reports,
    storageFloors: raw,
    ...(scaling ? { scaling } : {}),
  };
  await writeResults(o, started, m, results);
}

async function writeResults(o: Options, started: number, m: ReturnType<typeof machine>, results: object): Promise<void> {
  await mkdir(dirname(o.out), { recursive: true });
  await writeFile(o.out, `${JSON.stringify({ generatedAt: new Date(started).toISOString(), durationSeconds: (Date.now() - started) / 1000, machine: m, options: { ...o, out: undefined, nodeFlags }, ...results }, null, 2)}\n`);
  console.log(`\nwrote ${o.out} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

interface ScalingRun extends ThroughputResult {
  /** 1-minute load average just before the run */
  loadAverage: number;
}

interface ScalingReport {
  query: string;
  partitions: number;
  events: number;
  /** 1-minute load average when this query's runs started and ended */
  loadAverage: [number, number];
  byThreads: {
    threads: number;
    runs: ScalingRun[];
    /** medians */
    perWallSecond: number;
    perCpuSecond: number;
    /** median events per wall-second / the base thread count's */
    speedup: number;
    /** the median over repeats of (this count's events per wall-second / the base's in the same repeat) */
    pairedSpeedup: number;
    /**
     * every run wrote the records the base's first run wrote (in any order across partitions: a
     * keyless record's partition depends on how the tasks' commits interleave), q1 one per input
     */
    sameOutput: boolean;
  }[];
  /** the last thread count's speed-up over the first (the figure: 2 over 1) */
  ratio: number;
  pairedRatio: number;
}

/**
 * The scaling runs: each query over a log with `o.partitions` partitions, once per thread count in
 * every repeat (alternating, so slow phases of a shared machine hit every count alike).
 */
async function runScaling(
  o: Options,
  work: string,
  task: (mode: WorkerTask['mode'], extra?: Partial<WorkerTask>) => WorkerTask,
  onCopy: <T extends WorkerResult>(t: WorkerTask, from?: string) => Promise<T>,
): Promise<ScalingReport[]> {
  const threads = o.threads;
  const dir = join(work, `pristine-${o.partitions}p`);
  console.log(`\nscaling: ${o.events.toLocaleString('en-US')} events over ${o.partitions} partitions, num.stream.threads ${threads.join(' / ')}, ${o.repeat} run(s) each`);
  await generate(dir, o.events, o.partitions);
  const reports: ScalingReport[] = [];
  const round = (x: number) => Math.round(x * 100) / 100;
  for (const q of QUERIES.filter((x) => o.scalingQueries.includes(x.name))) {
    const reason = await support(work, q);
    if (reason !== undefined) {
      console.log(`${q.name}: not run (${reason})`);
      continue;
    }
    const load0 = loadavg()[0]!;
    const runs = new Map<number, ScalingRun[]>(threads.map((t) => [t, []]));
    for (let r = 0; r < o.repeat; r++) {
      process.stdout.write(`${q.name}: run ${r + 1}/${o.repeat}`);
      for (const t of threads) {
        const loadAverage = round(loadavg()[0]!);
        const e = await onCopy<ThroughputResult>(task('engine', { query: q.name, properties: { 'num.stream.threads': String(t) } }), dir);
        runs.get(t)!.push({ ...e, loadAverage });
        // seconds the engine's threads were ready to run but waited for a core (other work on the machine)
        const waited = Object.values(e.threadWaits ?? {}).reduce((a, b) => a + b, 0);
        process.stdout.write(`  threads=${t} ${fmtInt(e.perWallSecond)} ev/wall-s (load ${loadAverage}, waited for a core ${waited.toFixed(1)} s over ${e.wallSeconds.toFixed(1)} s)`);
      }
      console.log();
    }
    const baseRuns = runs.get(threads[0]!)!;
    const base = median(baseRuns, (x) => x.perWallSecond);
    const first = baseRuns[0]!;
    const byThreads = threads.map((t) => {
      const rs = runs.get(t)!;
      const wall = median(rs, (x) => x.perWallSecond).perWallSecond;
      const paired = rs.map((x, i) => ({ ratio: x.perWallSecond / baseRuns[i]!.perWallSecond }));
      return {
        threads: t,
        runs: rs,
        perWallSecond: wall,
        perCpuSecond: median(rs, (x) => x.perCpuSecond).perCpuSecond,
        speedup: wall / base.perWallSecond,
        pairedSpeedup: median(paired, (x) => x.ratio).ratio,
        sameOutput: rs.every(
          (x) =>
            (x.digest.unorderedSha256 ?? x.digest.sha256) === (first.digest.unorderedSha256 ?? first.digest.sha256) &&
            x.digest.records === first.digest.records &&
            (q.name !== 'q1' || x.outputs === x.events),
        ),
      };
    });
    const last = byThreads[byThreads.length - 1]!;
    reports.push({
      query: q.name,
      partitions: o.partitions,
      events: base.events,
      loadAverage: [round(load0), round(loadavg()[0]!)],
      byThreads,
      ratio: last.speedup,
      pairedRatio: last.pairedSpeedup,
    });
  }
  console.log(`\nscaling over ${o.partitions} partitions (medians; speed-up = events per wall-second / those of num.stream.threads=${threads[0]} in the same run; paired = median of each repeat's ratio)`);
  console.log(
    table(
      ['query', 'events', 'threads', 'ev/wall-s', 'ev/CPU-s', 'speed-up', 'paired', 'same outputs', 'load avg start', 'load avg end'],
      reports.flatMap((r) =>
        r.byThreads.map((b) => [
          r.query,
          fmtInt(r.events),
          String(b.threads),
          fmtInt(b.perWallSecond),
          fmtInt(b.perCpuSecond),
          `${b.speedup.toFixed(2)}x`,
          `${b.pairedSpeedup.toFixed(2)}x`,
          b.sameOutput ? 'yes' : 'NO',
          String(r.loadAverage[0]),
          String(r.loadAverage[1]),
        ]),
      ),
    ),
  );
  for (const r of reports) {
    console.log(`${r.query} over ${r.partitions} partitions: num.stream.threads=${threads[threads.length - 1]} / ${threads[0]} = ${r.ratio.toFixed(2)}x (paired ${r.pairedRatio.toFixed(2)}x), load average ${r.loadAverage[0]} -> ${r.loadAverage[1]}`);
  }
  return reports;
}

await main();
