import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureBacklog } from './memory-backlog.js';

// the 1,000,000-record version: `npm run chaos -- --memory --records 1000000`
const RECORDS = 150_000;
/**
 * The bound is on the process's own (anonymous) memory: its peak RSS also counts pages of LevelDB's
 * memory-mapped table files, which the OS reclaims at will and which grow with the data read. The
 * backlog's values alone are about 150 MiB: buffering the input, or the push query's unread output,
 * would take the process well past it.
 */
const ANON_BOUND_MB = 260;
const HEAP_BOUND_MB = 150;
const RSS_BOUND_MB = 700;

test(`memory stays bounded while a ${RECORDS}-record backlog is processed with a slow consumer`, async () => {
  const r = await measureBacklog(RECORDS, 1500);
  const figures = JSON.stringify(r);
  assert.equal(r.read, 1500, 'the slow consumer got its rows');
  assert.equal(r.regions, 13);
  assert.ok(r.peak.anon > 0, `sampled /proc/self/status: ${figures}`);
  assert.ok(r.peak.anon < ANON_BOUND_MB, `peak anonymous RSS ${r.peak.anon} MiB: ${figures}`);
  assert.ok(r.peak.heapTotal < HEAP_BOUND_MB, `peak V8 heap ${r.peak.heapTotal} MiB: ${figures}`);
  // with mapped table files too (at this size the 100-open-files cap does not bind yet: the
  // million-record run of `npm run chaos -- --memory` is the check of that, under 1 GiB)
  assert.ok(r.maxRssMb < RSS_BOUND_MB, `peak RSS ${r.maxRssMb} MiB: ${figures}`);
});
