import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './crash-harness.js';
import { tempDir } from '../support/temp-dir.js';

// the short CI version of `npm run chaos`: 10 SIGKILLs at seeded random moments over a pipeline with a
// repartitioned GROUP BY, an EMIT FINAL window, a stream-table and a stream-stream join and a filter
test('sluice run and sluice server killed 10 times at random moments, some while clients feed them, lose, duplicate and change nothing', async () => {
  const dir = await tempDir('sluice-crash-');
  const seed = Number(process.env.SLUICE_CHAOS_SEED ?? 12);
  try {
    const r = await runChaos({ dir: dir.path, kills: 10, records: 20_000, seed, maxKillDelayMs: 1500 });
    const summary = `seed ${seed}: lost ${r.lost}, duplicated ${r.duplicated}, wrong ${r.wrong}\n${[...r.errors, ...r.problems].join('\n')}`;
    assert.deepEqual(r.errors, [], summary);
    assert.equal(r.lost, 0, summary);
    assert.equal(r.duplicated, 0, summary);
    assert.equal(r.wrong, 0, summary);
    // the check saw real output: every order enriched, every region and closed window counted
    assert.ok(r.checked > 20_000, `checked ${r.checked}`);
    // some kills must land while the queries run, not all during startup
    assert.ok(r.kills - r.killsDuringStartup >= 3, `only ${r.kills - r.killsDuringStartup} kills landed while running`);
    // and some while clients were feeding the server (input arriving during the kill)
    assert.ok(r.fedWhileRunning >= 2, `only ${r.fedWhileRunning} cycles fed the server while it ran`);
  } finally {
    await dir.cleanup();
  }
});
