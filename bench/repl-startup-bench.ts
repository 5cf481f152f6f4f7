/**
 * How fast the REPL is ready to type in, measured through a real pseudo-terminal: from spawning
 * `sluice` to the `sluice>` prompt, and to the first result of `SHOW STREAMS;` typed at once.
 *
 *   node dist/bench/repl-startup-bench.js [--runs N]
 *
 * Prints the median and the spread; the machine's load average beside them, as both move with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { sluiceBin } from '../test/support/repo-root.js';

async function once(dataDir: string): Promise<{ prompt: number; firstResult: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = pty.spawn(process.execPath, [sluiceBin(), '--data-dir', dataDir], { cols: 100, rows: 30, env: { ...process.env, SLUICE_HISTORY_FILE: '' } as Record<string, string> });
    let out = '';
    let prompt: number | undefined;
    let firstResult: number | undefined;
    p.onData((d) => {
      out += d;
      if (prompt === undefined && out.includes('sluice> ')) {
        prompt = performance.now() - t0;
        p.write('SHOW STREAMS;\r');
      }
      if (firstResult === undefined && out.includes('Stream Name')) {
        firstResult = performance.now() - t0;
        p.write('exit\r');
      }
    });
    p.onExit(() => resolve({ prompt: prompt ?? NaN, firstResult: firstResult ?? NaN }));
  });
}

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const dir = await mkdtemp(join(tmpdir(), 'sluice-startup-'));
try {
  await once(join(dir, 'data')); // creates the data directory; not counted
  const results: { prompt: number; firstResult: number }[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(join(dir, 'data')));
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms (min ${s[0]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)})`;
  };
  console.log(`REPL startup over ${runs} runs, load average ${loadavg()[0]!.toFixed(2)}`);
  console.log(`  prompt shown:           ${stats(results.map((r) => r.prompt))}`);
  console.log(`  first result (SHOW):    ${stats(results.map((r) => r.firstResult))}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
