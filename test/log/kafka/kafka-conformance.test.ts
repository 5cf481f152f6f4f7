/**
 * A representative subset of the conformance sample (every 25th case, a spread over every file) on
 * Apache Kafka, against the embedded log in the same run: every case must end the same on both.
 * at_least_once runs the subset, exactly_once every 4th case of it. The whole sample:
 * `npm run conformance:kafka`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestCase } from '../../../src/cli/test-runner/test-case.js';
import { embeddedBackend, kafkaBackend, loadConformanceCases, representative, runCases, type RunSummary } from '../../helpers/kafka-conformance.js';
import { kafkaSkipReason, sharedKafka, type KafkaCluster } from '../../helpers/kafka-cluster.js';

const skip = kafkaSkipReason();

describe('conformance subset on Apache Kafka', { skip, timeout: 600_000 }, () => {
  let cluster: KafkaCluster;
  let cases: TestCase[];
  /** the embedded log's outcomes, run once for both guarantees */
  let embedded: RunSummary;
  before(async () => {
    cases = representative(await loadConformanceCases(), 25);
    // the broker starts while the embedded log runs the cases
    [cluster, embedded] = await Promise.all([sharedKafka(), runCases(embeddedBackend(), cases, 16)]);
  });
  after(async () => {
    await cluster?.stop();
  });

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`passes the same cases as the embedded log (${guarantee})`, async () => {
      const picked = cases.map((tc, i) => ({ tc, i })).filter(({ i }) => guarantee === 'at_least_once' || i % 4 === 0);
      assert.ok(picked.length >= 15, `only ${picked.length} cases found`);
      const backend = await kafkaBackend(cluster.bootstrap, guarantee);
      // a case on Kafka mostly waits on the broker (creating, reading and deleting its topics): 16 at once
      // took about half the time of 8
      const kafka = await runCases(backend, picked.map((p) => p.tc), 16);
      await backend.close();
      const differ = picked
        .map(({ tc, i }, j) => ({ name: `${tc.file} / ${tc.name}`, embedded: embedded.results[i]!.status, kafka: kafka.results[j]!.status, reason: kafka.results[j]!.reason }))
        .filter((d) => d.embedded !== d.kafka);
      assert.deepEqual(differ, []);
      assert.ok(kafka.passed > 0);
      console.log(`# ${picked.length} cases: kafka (${guarantee}) ${kafka.passed} passed in ${kafka.ms} ms (embedded: ${embedded.passed} of ${cases.length} in ${embedded.ms} ms)`);
    });
  }
});
