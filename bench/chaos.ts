/**
 * `npm run chaos -- [--kills N] [--records N] [--seed N] [--keep]`: the long crash run of issue 12;
 * `npm run chaos -- --memory --records N`: the resource-bounds run over an N-record backlog.
 * SIGKILLs `sluice run` N times over a stateful pipeline fed between kills, then prints what was
 * lost, duplicated or wrong and how long restarts took. Exit code 1 on any loss, duplicate, wrong
 * value or restart error.
 */
import { Command } from 'commander';
import { runChaos } from '../test/reliability/crash-harness.js';
import { measureBacklog } from '../test/reliability/memory-backlog.js';
import { tempDir } from '../test/support/temp-dir.js';

const program = new Command()
  .option('--kills <n>', 'SIGKILLs', '100')
  .option('--records <n>', 'orders fed in total', '1000000')
  .option('--seed <n>', 'random seed (replays a run)', String(Date.now() % 1_000_000))
  .option('--partitions <n>', 'source partitions', '4')
  .option('--max-kill-delay <ms>', 'longest wait before a kill', '4000')
  .option('--keep', 'keep the data directory')
  .option('--memory', 'instead: peak memory while a backlog of --records 1 KiB records is processed with a slow consumer')
  .parse();
const o = program.opts<{ kills: string; records: string; seed: string; partitions: string; maxKillDelay: string; keep?: boolean; memory?: boolean }>();

if (o.memory) {
  const r = await measureBacklog(Number(o.records), 1500);
  console.log(`backlog     ${o.records} records of 1 KiB, processed in ${(r.ms / 1000).toFixed(1)} s by a filter, a repartitioned GROUP BY and a push query read ${r.read} rows`);
  console.log(`peak        anonymous RSS ${r.peak.anon} MiB, V8 heap ${r.peak.heapTotal} MiB, Buffers ${r.peak.external} MiB (sampled every 50 ms)`);
  console.log(`peak RSS    ${r.maxRssMb.toFixed(0)} MiB (resourceUsage().maxRSS, with ${r.peak.file} MiB of memory-mapped LevelDB table files at most)`);
  // the stated bounds, whatever the backlog: the test's, and 1 GiB of RSS including mapped files
  const ok = r.peak.anon < 260 && r.peak.heapTotal < 150 && r.maxRssMb < 1024;
  console.log(ok ? 'within bounds (anonymous < 260 MiB, heap < 150 MiB, RSS < 1024 MiB)' : 'OVER BOUNDS (anonymous < 260 MiB, heap < 150 MiB, RSS < 1024 MiB)');
  process.exit(ok ? 0 : 1);
}

const dir = await tempDir('sluice-chaos-');
try {
  console.log(`chaos: seed ${o.seed}, ${o.kills} kills, ${o.records} records, data in ${dir.path}`);
  const r = await runChaos({
    dir: dir.path,
    kills: Number(o.kills),
    records: Number(o.records),
    seed: Number(o.seed),
    partitions: Number(o.partitions),
    maxKillDelayMs: Number(o.maxKillDelay),
    log: (line) => console.log('  ' + line),
  });
  const sorted = [...r.restartMs].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
  console.log(`seed        ${r.seed}`);
  console.log(`kills       ${r.kills} (${r.killsDuringStartup} before the queries were running; ${r.fedWhileRunning} of sluice server while clients fed it, ${r.resent} of those cut acks off)`);
  console.log(`records     ${r.records} orders (+ payments, customers), ${r.checked} expected outputs checked`);
  console.log(`lost        ${r.lost}`);
  console.log(`duplicated  ${r.duplicated}`);
  console.log(`wrong       ${r.wrong}`);
  console.log(`restart ms  min ${sorted[0] ?? 0}, median ${pct(50)}, p90 ${pct(90)}, max ${sorted.at(-1) ?? 0} (${sorted.length} restarts reached "Running")`);
  console.log(`drain       ${(r.drainMs / 1000).toFixed(1)} s (the last restart, to the end of the backlog the kills left)`);
  console.log(`errors      ${r.errors.length}`);
  for (const e of r.errors) console.log('  ' + e);
  for (const p of r.problems) console.log('  ' + p);
  console.log(`elapsed     ${(r.elapsedMs / 1000).toFixed(1)} s`);
  process.exitCode = r.lost || r.duplicated || r.wrong || r.errors.length ? 1 : 0;
} finally {
  if (!o.keep) await dir.cleanup();
}
