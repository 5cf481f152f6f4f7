/**
 * Throughput against latency as the timeliness settings move (runtime/timeliness.ts): for each
 * setting, the Nexmark query's throughput over a pre-generated log (events per CPU-second, until
 * idle) and its p99 latency when paced (events produced at a fixed rate while it runs; latency =
 * event time of the newest input -> output readable). Both from worker processes (nexmark/worker.ts).
 *
 *   npm run bench:timeliness [-- --events N --rate EVENTS_PER_S --paced-seconds S --queries q1,q5 --out DIR]
 *
 * Writes bench/results/timeliness.json and bench/results/timeliness.svg (the README shows the SVG).
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocalLog } from '../src/log/local/index.js';
import { DEFAULT_CONFIG, NexmarkGenerator, createNexmarkTopics, writeEvents } from './nexmark/generator.js';
import type { PacedResult, ThroughputResult, WorkerResult, WorkerTask } from './nexmark/worker.js';
import { SEMI_SPACE_FLAG } from '../src/runtime/young-generation.js';

const here = dirname(fileURLToPath(import.meta.url));
const workerPath = join(here, 'nexmark', 'worker.js');

interface Setting {
  readonly label: string;
  readonly properties: Record<string, string>;
}

const SETTINGS: readonly Setting[] = [
  { label: 'poll 100', properties: { 'max.poll.records': '100' } },
  { label: 'poll 1000 (default)', properties: {} },
  { label: 'poll 5000', properties: { 'max.poll.records': '5000' } },
  { label: 'no fetch wait', properties: { 'fetch.max.wait.ms': '0' } },
  { label: 'linger 5 ms', properties: { 'linger.ms': '5' } },
  { label: 'linger 20 ms', properties: { 'linger.ms': '20' } },
  { label: 'commit 100 ms', properties: { 'commit.interval.ms': '100' } },
  { label: 'commit 1000 ms', properties: { 'commit.interval.ms': '1000' } },
];

interface Options {
  events: number;
  rate: number;
  pacedSeconds: number;
  queries: string[];
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { events: 100_000, rate: 10_000, pacedSeconds: 5, queries: ['q1', 'q5'], out: join(here, '..', '..', 'bench', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--events':
        o.events = Number(v);
        i++;
        break;
      case '--rate':
        o.rate = Number(v);
        i++;
        break;
      case '--paced-seconds':
        o.pacedSeconds = Number(v);
        i++;
        break;
      case '--queries':
        o.queries = v!.split(',');
        i++;
        break;
      case '--out':
        o.out = v!;
        i++;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

function runWorker<T extends WorkerResult>(task: WorkerTask): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    // run as `sluice` runs (its young generation)
    const child = spawn(process.execPath, [SEMI_SPACE_FLAG, workerPath, JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker ${task.mode} ${task.query ?? ''} exited with ${code}`));
      readFile(task.out, 'utf8').then((s) => resolvePromise(JSON.parse(s) as T), reject);
    });
  });
}

export interface SweepPoint {
  query: string;
  label: string;
  properties: Record<string, string>;
  perCpuSecond: number;
  perWallSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** 1-minute load average when the point was measured */
  load: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

/** A scatter plot: p99 latency (log scale) across, events per CPU-second up; one series per query. */
export function sweepSvg(points: readonly SweepPoint[], title: string): string {
  const W = 760;
  const H = 460;
  const left = 80;
  const right = 190;
  const top = 40;
  const bottom = 60;
  const xs = points.map((p) => Math.max(p.p99Ms, 0.1));
  const ys = points.map((p) => p.perCpuSecond);
  const lx0 = Math.floor(Math.log10(Math.min(...xs)));
  const lx1 = Math.ceil(Math.log10(Math.max(...xs)));
  const y1 = Math.max(...ys) * 1.1;
  const px = (ms: number) => left + ((Math.log10(Math.max(ms, 0.1)) - lx0) / Math.max(lx1 - lx0, 1)) * (W - left - right);
  const py = (v: number) => H - bottom - (v / y1) * (H - top - bottom);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="black"/>`,
    `<text x="${(left + W - right) / 2}" y="${H - 18}" text-anchor="middle">p99 latency, ms (log scale; paced)</text>`,
    `<text transform="translate(18 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">events per CPU-second (until idle)</text>`,
  ];
  for (let e = lx0; e <= lx1; e++) {
    const x = px(10 ** e);
    parts.push(`<line x1="${x}" y1="${H - bottom}" x2="${x}" y2="${H - bottom + 5}" stroke="black"/>`, `<text x="${x}" y="${H - bottom + 18}" text-anchor="middle">${10 ** e}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (y1 * i) / 5;
    const y = py(v);
    parts.push(
      `<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="black"/>`,
      `<line x1="${left}" y1="${y}" x2="${W - right}" y2="${y}" stroke="#eee"/>`,
      `<text x="${left - 8}" y="${y + 4}" text-anchor="end">${Math.round(v / 1000)}k</text>`,
    );
  }
  const queries = [...new Set(points.map((p) => p.query))];
  queries.forEach((q, qi) => {
    const colour = COLOURS[qi % COLOURS.length]!;
    parts.push(`<circle cx="${W - right + 20}" cy="${top + 10 + qi * 18}" r="5" fill="${colour}"/>`, `<text x="${W - right + 30}" y="${top + 14 + qi * 18}">${esc(q)}</text>`);
    for (const p of points.filter((x) => x.query === q)) {
      const x = px(p.p99Ms);
      const y = py(p.perCpuSecond);
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${colour}"><title>${esc(`${q} ${p.label}: ${Math.round(p.perCpuSecond)} ev/CPU-s, p99 ${p.p99Ms.toFixed(1)} ms`)}</title></circle>`);
      parts.push(`<text x="${(x + 6).toFixed(1)}" y="${(y - 6).toFixed(1)}" font-size="10" fill="${colour}">${esc(p.label)}</text>`);
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'sluice-timeliness-'));
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  const points: SweepPoint[] = [];
  let seq = 0;
  try {
    const pristine = join(work, 'pristine');
    const log = await openLocalLog(pristine, { maintenanceIntervalMs: 0 });
    try {
      await createNexmarkTopics(log);
      await writeEvents(log, new NexmarkGenerator(DEFAULT_CONFIG), 0, o.events);
    } finally {
      await log.close();
    }
    for (const query of o.queries)
      for (const s of SETTINGS) {
        const id = `${query}-${seq++}`;
        const dir = join(work, id);
        await cp(pristine, dir, { recursive: true });
        const t = await runWorker<ThroughputResult>({ mode: 'engine', dir, out: `${dir}.json`, query, batchSize: 1000, properties: s.properties });
        await rm(dir, { recursive: true, force: true });
        const pacedDir = join(work, `${id}-paced`);
        const p = await runWorker<PacedResult>({
          mode: 'paced-engine',
          dir: pacedDir,
          out: `${pacedDir}.json`,
          query,
          batchSize: 1000,
          properties: s.properties,
          rate: o.rate,
          seconds: o.pacedSeconds,
          warmupSeconds: 1,
        });
        await rm(pacedDir, { recursive: true, force: true });
        const point = { query, label: s.label, properties: s.properties, perCpuSecond: t.perCpuSecond, perWallSecond: t.perWallSecond, p50Ms: p.p50Ms, p99Ms: p.p99Ms, load: Math.round(loadavg()[0]! * 100) / 100 };
        points.push(point);
        console.log(
          `${query} ${s.label.padEnd(20)} ${Math.round(point.perCpuSecond).toLocaleString('en-US').padStart(9)} ev/CPU-s ${Math.round(point.perWallSecond).toLocaleString('en-US').padStart(9)} ev/wall-s  p50 ${point.p50Ms.toFixed(1).padStart(7)} ms  p99 ${point.p99Ms.toFixed(1).padStart(7)} ms  (load ${point.load})`,
        );
      }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await mkdir(o.out, { recursive: true });
  const loads = [loadAtStart, loadavg()[0]!].map((l) => Math.round(l * 100) / 100);
  const results = { generatedAt: started.toISOString(), options: o, loadAverage: loads, points };
  await writeFile(join(o.out, 'timeliness.json'), `${JSON.stringify(results, null, 2)}\n`);
  const title = `Nexmark ${o.queries.join(', ')}: throughput vs p99 latency at ${o.rate.toLocaleString('en-US')} events/s (load ${loads[0]}-${loads[1]}, 2 shared cores)`;
  await writeFile(join(o.out, 'timeliness.svg'), sweepSvg(points, title));
  console.log(`wrote ${join(o.out, 'timeliness.json')} and timeliness.svg`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
