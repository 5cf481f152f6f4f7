/**
 * A spread of the conformance sample through the Kafka backend against the embedded broker (the
 * same runner as test/log/kafka/kafka-conformance.test.ts on Apache Kafka): every case must end as
 * it does on the embedded log in the same run. Each case costs about a second through kafkajs (its
 * CreateTopics waits 100 ms for leaders per topic), so CI runs every 200th case (every 400th with
 * exactly_once); a wider spread: SLUICE_BROKER_CONFORMANCE_STEP=10 (166 + 83 cases, every outcome
 * as on the embedded log: 163/166 and 83/83 passing), the whole sample: SLUICE_BROKER_CONFORMANCE_STEP=1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/index.js';
import { KafkaBroker } from '../../src/broker/kafka-broker.js';
import { embeddedBackend, kafkaBackend, loadConformanceCases, representative, runCases } from '../helpers/kafka-conformance.js';
import { tempDir } from '../support/temp-dir.js';

const STEP = Number(process.env.SLUICE_BROKER_CONFORMANCE_STEP ?? 200);

describe('conformance subset on the Kafka backend against the embedded broker', { timeout: 600_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let host: Engine;
  let broker: KafkaBroker;
  let address: string;
  before(async () => {
    dir = await tempDir('sluice-broker-conformance-');
    host = await Engine.open({ dataDir: dir.path });
    broker = new KafkaBroker({ log: host.log, listen: '127.0.0.1:0' });
    address = await broker.listen();
  });
  after(async () => {
    await broker?.close();
    await host?.close();
    await dir?.cleanup();
  });

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`passes the same cases as the embedded log (${guarantee})`, async () => {
      const cases = representative(await loadConformanceCases(), guarantee === 'at_least_once' ? STEP : STEP * 2);
      assert.ok(cases.length >= 4, `only ${cases.length} cases found`);
      const embedded = await runCases(embeddedBackend(), cases);
      const backend = await kafkaBackend(address, guarantee);
      const onBroker = await runCases(backend, cases);
      await backend.close();
      const differ = cases
        .map((tc, i) => ({ name: `${tc.file} / ${tc.name}`, embedded: embedded.results[i]!.status, broker: onBroker.results[i]!.status, reason: onBroker.results[i]!.reason }))
        .filter((d) => d.embedded !== d.broker);
      assert.deepEqual(differ, []);
      assert.ok(onBroker.passed > 0);
      console.log(`# ${cases.length} cases: embedded ${embedded.passed} passed in ${embedded.ms} ms, Kafka backend on the embedded broker (${guarantee}) ${onBroker.passed} passed in ${onBroker.ms} ms`);
    });
  }
});
