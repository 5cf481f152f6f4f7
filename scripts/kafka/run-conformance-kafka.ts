/**
 * `npm run conformance:kafka [-- options]`: the conformance sample on the embedded log and on
 * Apache Kafka (one KRaft broker started for the run, or SLUICE_KAFKA_BOOTSTRAP) in the same run:
 * pass counts, wall time, and every case whose outcome differs between the two.
 *
 *   --step N           every Nth case only (a spread over every file)
 *   --exactly-once     processing.guarantee=exactly_once on Kafka
 *   --concurrency N    cases at once on each backend (default 16; a case on Kafka mostly waits on
 *                      the broker): each case has its own topic
 *                      prefix on the one broker, and its topics are deleted once it ends
 *   --grep TEXT        only cases whose "file / name" contains TEXT (repeatable)
 *   --json FILE        writes every case's outcome on both backends to FILE
 */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { embeddedBackend, kafkaBackend, loadConformanceCases, representative, runCases } from '../../test/helpers/kafka-conformance.js';
import { startKafka } from '../../test/helpers/kafka-cluster.js';

const program = new Command('conformance:kafka')
  .option('--step <n>', 'every Nth case', (v) => Number(v), 1)
  .option('--exactly-once', 'processing.guarantee=exactly_once on Kafka', false)
  .option('--concurrency <n>', 'cases at once on each backend', (v) => Number(v), 16)
  .option('--grep <text>', 'only cases whose "file / name" contains text', (v, all: string[]) => [...all, v], [] as string[])
  .option('--json <file>', 'write every outcome to this file')
  .parse();
const opts = program.opts<{ step: number; exactlyOnce: boolean; concurrency: number; grep: string[]; json?: string }>();
const guarantee = opts.exactlyOnce ? 'exactly_once' : 'at_least_once';

const all = await loadConformanceCases();
let cases = representative(all, opts.step);
if (opts.grep.length) cases = cases.filter((tc) => opts.grep.some((g) => `${tc.file} / ${tc.name}`.includes(g)));
console.log(`${cases.length} of ${all.length} conformance cases${opts.step > 1 ? ` (every ${opts.step}th)` : ''}, ${opts.concurrency} at a time`);
const started = Date.now();
const cluster = await startKafka();
console.log(`Apache Kafka at ${cluster.bootstrap} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
try {
  const embedded = await runCases(embeddedBackend(), cases, opts.concurrency);
  console.log(`embedded: ${embedded.passed} passed, ${embedded.failed} failed, ${embedded.skipped} skipped in ${seconds(embedded.ms)}`);
  const backend = await kafkaBackend(cluster.bootstrap, guarantee);
  const kafkaStarted = Date.now();
  let done = 0;
  let differing = 0;
  const kafka = await runCases(backend, cases, opts.concurrency, (r, i) => {
    done++;
    // a difference is shown as soon as it is known: a long run tells what to fix while it runs
    if (r.status !== embedded.results[i]!.status) {
      differing++;
      process.stderr.write(`  differs: ${r.file} / ${r.name}: embedded ${embedded.results[i]!.status}, kafka ${r.status}\n`);
    }
    if (done % 100 === 0) process.stderr.write(`  kafka: ${done} of ${cases.length} cases, ${differing} differ, ${seconds(Date.now() - kafkaStarted)}\n`);
  });
  await backend.close();
  console.log(`${backend.name}: ${kafka.passed} passed, ${kafka.failed} failed, ${kafka.skipped} skipped in ${seconds(kafka.ms)}`);
  const differ = cases.map((tc, i) => ({ tc, e: embedded.results[i]!, k: kafka.results[i]! })).filter((d) => d.e.status !== d.k.status);
  for (const d of differ) console.log(`  differs: ${d.tc.file} / ${d.tc.name}: embedded ${d.e.status}, kafka ${d.k.status}${d.k.reason ? `: ${d.k.reason.split('\n').slice(0, 6).join(' ').slice(0, 600)}` : ''}`);
  console.log(`speed: embedded ${(cases.length / (embedded.ms / 1000)).toFixed(1)} cases/s, kafka ${(cases.length / (kafka.ms / 1000)).toFixed(1)} cases/s; ${differ.length} case(s) differ; ${seconds(Date.now() - started)} in all`);
  if (opts.json)
    await writeFile(
      opts.json,
      JSON.stringify(
        cases.map((tc, i) => ({ file: tc.file, name: tc.name, embedded: embedded.results[i]!.status, kafka: kafka.results[i]!.status, reason: kafka.results[i]!.reason })),
        null,
        1,
      ),
    );
  process.exitCode = differ.length ? 1 : 0;
} finally {
  await cluster.stop();
}
