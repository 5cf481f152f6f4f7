/**
 * `npm run conformance:kafka [-- --step N] [-- --exactly-once]`: the conformance sample on the
 * embedded log and on Apache Kafka (a KRaft broker started for the run, or SLUICE_KAFKA_BOOTSTRAP),
 * in the same run: pass counts, time, and every case whose outcome differs between the two.
 */
import { embeddedBackend, kafkaBackend, loadConformanceCases, representative, runCases } from '../../test/helpers/kafka-conformance.js';
import { startKafka } from '../../test/helpers/kafka-cluster.js';

const args = process.argv.slice(2);
const stepAt = args.indexOf('--step');
const step = stepAt >= 0 ? Number(args[stepAt + 1]) : 1;
const guarantee = args.includes('--exactly-once') ? 'exactly_once' : 'at_least_once';

const all = await loadConformanceCases();
const cases = representative(all, step);
console.log(`${cases.length} of ${all.length} conformance cases${step > 1 ? ` (every ${step}th)` : ''}`);
const cluster = await startKafka();
try {
  const embedded = await runCases(embeddedBackend(), cases);
  console.log(`embedded: ${embedded.passed} passed, ${embedded.failed} failed, ${embedded.skipped} skipped in ${(embedded.ms / 1000).toFixed(1)} s`);
  const backend = await kafkaBackend(cluster.bootstrap, guarantee);
  let done = 0;
  const kafka = await runCases(backend, cases, 4, () => {
    if (++done % 100 === 0) process.stderr.write(`  kafka: ${done} cases...\n`);
  });
  await backend.close();
  console.log(`${backend.name}: ${kafka.passed} passed, ${kafka.failed} failed, ${kafka.skipped} skipped in ${(kafka.ms / 1000).toFixed(1)} s`);
  const differ = cases.map((tc, i) => ({ tc, e: embedded.results[i]!, k: kafka.results[i]! })).filter((d) => d.e.status !== d.k.status);
  for (const d of differ) console.log(`  differs: ${d.tc.file} / ${d.tc.name}: embedded ${d.e.status}, kafka ${d.k.status}${d.k.reason ? `: ${d.k.reason.split('\n').slice(0, 3).join(' ').slice(0, 300)}` : ''}`);
  console.log(`speed: embedded ${(cases.length / (embedded.ms / 1000)).toFixed(1)} cases/s, kafka ${(cases.length / (kafka.ms / 1000)).toFixed(1)} cases/s; ${differ.length} case(s) differ`);
  process.exitCode = differ.length ? 1 : 0;
} finally {
  await cluster.stop();
}
