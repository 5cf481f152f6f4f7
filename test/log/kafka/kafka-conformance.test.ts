/**
 * A representative subset of the conformance sample (every 25th case, a spread over every file) on
 * Apache Kafka, against the embedded log in the same run: every case must end the same on both.
 * The whole sample: `npm run conformance:kafka`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { embeddedBackend, kafkaBackend, loadConformanceCases, representative, runCases } from '../../helpers/kafka-conformance.js';
import { kafkaSkipReason, startKafka, type KafkaCluster } from '../../helpers/kafka-cluster.js';

const skip = kafkaSkipReason();

describe('conformance subset on Apache Kafka', { skip, timeout: 600_000 }, () => {
  let cluster: KafkaCluster;
  before(async () => {
    cluster = await startKafka();
  });
  after(async () => {
    await cluster?.stop();
  });

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`passes the same cases as the embedded log (${guarantee})`, async () => {
      const cases = representative(await loadConformanceCases(), guarantee === 'at_least_once' ? 25 : 100);
      assert.ok(cases.length >= 15, `only ${cases.length} cases found`);
      const embedded = await runCases(embeddedBackend(), cases);
      const backend = await kafkaBackend(cluster.bootstrap, guarantee);
      const kafka = await runCases(backend, cases);
      await backend.close();
      const differ = cases
        .map((tc, i) => ({ name: `${tc.file} / ${tc.name}`, embedded: embedded.results[i]!.status, kafka: kafka.results[i]!.status, reason: kafka.results[i]!.reason }))
        .filter((d) => d.embedded !== d.kafka);
      assert.deepEqual(differ, []);
      assert.ok(kafka.passed > 0);
      console.log(`# ${cases.length} cases: embedded ${embedded.passed} passed in ${embedded.ms} ms, kafka (${guarantee}) ${kafka.passed} passed in ${kafka.ms} ms`);
    });
  }
});
