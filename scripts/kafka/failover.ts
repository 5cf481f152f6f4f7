/**
 * `npm run kafka:failover`: the scale-out scenario through a broker failure. Three Kafka nodes
 * (replication factor 3, min.insync.replicas 2); three `sluice run` processes sharing a service id
 * on a stateful query with a repartition (GROUP BY a value column, COUNT/SUM) and a re-keyed stream
 * (PARTITION BY); inputs keep arriving while one process is SIGKILLed, a broker is SIGKILLed, a
 * third process joins and the broker restarts (see test/log/kafka/scale-out-scenario.ts).
 *
 * exactly_once (the default): every input exactly once in the output, the aggregates equal those
 * computed from the inputs. `FAILOVER_GUARANTEE=at_least_once`: no input lost (duplicates are
 * counted and reported, as that guarantee allows them). Exit code 0 when the guarantee held.
 * FAILOVER_EVENTS sets the number of inputs (default 4000), FAILOVER_STANDBYS num.standby.replicas
 * (default 1: the survivor has warm copies of the killed process's tasks).
 *
 * Diagnostics: a failure prints each query group's committed against end offsets per partition,
 * the input offsets missing from the output (and whether they were written uncommitted) and the
 * partitions' leaders and ISRs. SLUICE_DEBUG=1 (inherited by the `sluice run` processes) makes them
 * print each query's membership and task positions every few seconds, and their failed
 * transactions, task opens, restores and produce retries; FAILOVER_OUTPUT=file writes all the
 * processes' output there and the brokers' logs next to it.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka } from '../../test/helpers/kafka-cluster.js';
import { runScaleOutScenario } from '../../test/log/kafka/scale-out-scenario.js';

const events = Number(process.env.FAILOVER_EVENTS ?? 4000);
const guarantee = process.env.FAILOVER_GUARANTEE === 'at_least_once' ? 'at_least_once' : 'exactly_once';
const t0 = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const cluster = await startKafka({ brokers: 3 });
const dir = await mkdtemp(join(tmpdir(), 'sluice-failover-'));
try {
  say(`3 brokers at ${cluster.bootstrap}; ${events} events, ${guarantee}, num.standby.replicas=${process.env.FAILOVER_STANDBYS ?? 1}`);
  const r = await runScaleOutScenario({ cluster, root: dir, guarantee, events, replicas: 3, killBroker: true, standbys: Number(process.env.FAILOVER_STANDBYS ?? 1), feedSeconds: 40, settleTimeoutMs: 120_000, progress: say }).catch(async (e: Error & { output?: string }) => {
    if (process.env.FAILOVER_OUTPUT && e.output) await writeFile(process.env.FAILOVER_OUTPUT, e.output);
    throw e;
  });
  // FAILOVER_OUTPUT=file: every line the processes wrote (SLUICE_DEBUG=1 adds each task's position every few seconds)
  if (process.env.FAILOVER_OUTPUT) await writeFile(process.env.FAILOVER_OUTPUT, r.output);
  say(`${r.events} events through a process SIGKILL, a broker SIGKILL, a process join and a broker restart: outputs converged ${r.seconds.toFixed(1)} s after the first input`);
  say(`re-keyed stream: ${r.rekeyedRecords} records, ${r.distinctIds} distinct inputs, ${r.missingIds} missing, ${r.duplicatedIds} duplicated`);
  say(`aggregate's group at the end: ${r.finalGroupTasks.map((t) => `${t.length} tasks`).join(', ')}`);
  // what the processes reported meanwhile (a task reopened after a broker failure says nothing; a stopped query would)
  const reported = r.output.split('\n').filter((l) => /error|warning|stopped/i.test(l));
  say(`processes reported ${reported.length} error line(s)${reported.length ? `:\n${reported.slice(0, 20).join('\n')}` : ''}`);
  const wrong = Object.keys(r.expected).filter((k) => {
    const e = r.expected[k]!;
    const a = r.actual[k];
    return guarantee === 'exactly_once' ? a?.n !== e.n || a?.total !== e.total : a === undefined || a.n < e.n || a.total < e.total;
  });
  for (const k of Object.keys(r.expected)) say(`  ${k}: expected n=${r.expected[k]!.n} total=${r.expected[k]!.total}, got n=${r.actual[k]?.n} total=${r.actual[k]?.total}`);
  const problems = [
    ...(r.missingIds ? [`${r.missingIds} inputs lost`] : []),
    ...(guarantee === 'exactly_once' && r.duplicatedIds ? [`${r.duplicatedIds} inputs duplicated`] : []),
    ...(wrong.length ? [`${wrong.length} key(s) with wrong aggregates`] : []),
    ...(guarantee === 'exactly_once' && r.nonMonotonicKeys.length ? [`counts repeated or went back for ${r.nonMonotonicKeys.join(', ')}`] : []),
    // the service must ride out a broker failure: a query that stopped on a process is a failure too
    ...(reported.some((l) => / stopped: /.test(l)) ? ['a query stopped on a process'] : []),
  ];
  if (problems.length) {
    console.log(r.output.slice(-10_000));
    say(`FAIL: ${problems.join('; ')}`);
    process.exitCode = 1;
  } else say(guarantee === 'exactly_once' ? 'OK: every input exactly once, aggregates equal the independent computation' : `OK: no input lost (${r.duplicatedIds} duplicated, allowed by at_least_once)`);
} finally {
  // FAILOVER_OUTPUT: the brokers' logs too
  if (process.env.FAILOVER_OUTPUT)
    for (const node of cluster.nodes) await copyFile(join(node.dir, 'server.log'), `${process.env.FAILOVER_OUTPUT}.node-${node.nodeId}.log`).catch(() => {});
  await cluster.stop();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}
