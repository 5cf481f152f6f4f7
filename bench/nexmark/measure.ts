/** Small measuring helpers shared by the Nexmark workers. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Log } from '../../src/log/log.js';

export interface Span {
  /** process CPU time (user + system, every thread: LevelDB's included), seconds */
  cpuSeconds: number;
  wallSeconds: number;
}

/** Starts measuring; call the result to get CPU and wall time since. */
export function startSpan(): () => Span {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return () => {
    const cpu = process.cpuUsage(cpu0);
    return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
}

/** Peak resident set size of this process so far, MiB (getrusage ru_maxrss). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Samples this process's anonymous and file-backed resident memory (Linux /proc/self/status) every
 * 50 ms until stopped, and returns their peaks in MiB (undefined elsewhere). ru_maxrss counts both:
 * the pages of LevelDB's memory-mapped table files a scan touches are file-backed and reclaimable,
 * the heap and native buffers are anonymous.
 */
export function startRssSampler(): () => { anonMb?: number; fileMb?: number } {
  let anon = 0;
  let file = 0;
  let supported = true;
  const sample = () => {
    if (!supported) return;
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      const a = /RssAnon:\s+(\d+) kB/.exec(status);
      const f = /RssFile:\s+(\d+) kB/.exec(status);
      if (a === null || f === null) supported = false;
      else {
        anon = Math.max(anon, Number(a[1]) / 1024);
        file = Math.max(file, Number(f[1]) / 1024);
      }
    } catch {
      supported = false;
    }
  };
  sample();
  const timer = setInterval(sample, 50);
  timer.unref();
  return () => {
    clearInterval(timer);
    sample();
    return supported ? { anonMb: anon, fileMb: file } : {};
  };
}

/** Milliseconds on one clock shared by producer and observer, sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface TopicDigest {
  records: number;
  /** sha256 over every record's key, value and timestamp, in offset order */
  sha256: string;
  /**
   * with more than one partition: sha256 over the records' own digests, sorted (which partition a
   * keyless record lands on, and so the order, depends on how the tasks' commits interleave)
   */
  unorderedSha256?: string;
}

/** Reads a whole topic back (after timing) to compare the engine's output with the floor's. */
export async function digestTopic(log: Log, topic: string): Promise<TopicDigest> {
  const hash = createHash('sha256');
  let records = 0;
  const desc = await log.describeTopic(topic);
  const each: string[] | undefined = desc.partitions.length > 1 ? [] : undefined;
  for (const p of desc.partitions) {
    let offset = p.logStartOffset;
    for (;;) {
      const f = await log.fetch(topic, p.partition, offset, { maxRecords: 10_000 });
      for (const r of f.records) {
        hash.update(r.key ?? Buffer.alloc(0));
        hash.update('\u0000');
        hash.update(r.value ?? Buffer.alloc(0));
        hash.update(`\u0000${r.timestamp}\n`);
        records++;
        if (each) {
          const one = createHash('sha1');
          one.update(r.key ?? Buffer.alloc(0));
          one.update('\u0000');
          one.update(r.value ?? Buffer.alloc(0));
          each.push(one.update(`\u0000${r.timestamp}`).digest('base64'));
        }
      }
      if (f.nextOffset === offset) break;
      offset = f.nextOffset;
    }
  }
  const unordered = each ? createHash('sha256').update(each.sort().join('\n')).digest('hex') : undefined;
  return { records, sha256: hash.digest('hex'), ...(unordered ? { unorderedSha256: unordered } : {}) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** CPU seconds per thread name of this process so far (Linux /proc; empty elsewhere). */
export function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const tick = 100; // USER_HZ on Linux
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
      const group = tid === String(process.pid) ? 'main' : process.env.SLUICE_BENCH_TIDS ? `${name}:${tid}` : name.replace(/[0-9]+$/, '').trim() || 'other';
      out[group] = (out[group] ?? 0) + seconds;
    }
  } catch {
    // not Linux
  }
  return out;
}

/** b - a per key */
export function diffCpu(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(b)) out[k] = Math.round(((b[k] ?? 0) - (a[k] ?? 0)) * 100) / 100;
  return out;
}

/**
 * Seconds each thread of this process was runnable but waiting for a core so far, by thread name
 * as threadCpu() groups them (Linux /proc schedstat; empty elsewhere): the share of the wall time
 * other work on the machine took from it.
 */
export function threadWaits(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const waited = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
      const group = tid === String(process.pid) ? 'main' : process.env.SLUICE_BENCH_TIDS ? `${name}:${tid}` : name.replace(/[0-9]+$/, '').trim() || 'other';
      out[group] = (out[group] ?? 0) + waited;
    }
  } catch {
    // not Linux, or no schedstat
  }
  return out;
}
