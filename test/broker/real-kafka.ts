/**
 * A real Apache Kafka broker for the broker's differential test: one KRaft node started by the
 * Kafka backend's helper (test/helpers/kafka-cluster.ts, the one place that runs Apache Kafka),
 * configured as a stock broker (topics auto-created, default retention) with one partition for
 * the group and transaction coordinators' topics. SLUICE_KAFKA_BOOTSTRAP=host:port uses a broker
 * already running. Returns a skip reason when there is no Java, or no jars and no way to fetch them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/repo-root.js';
import { KAFKA_VERSION, kafkaLibsDir, kafkaSkipReason, startKafka } from '../helpers/kafka-cluster.js';

export interface RealKafka {
  readonly bootstrap: string;
  stop(): Promise<void>;
}

export async function startRealKafka(): Promise<RealKafka | { skip: string }> {
  const skip = kafkaSkipReason();
  if (skip) return { skip };
  if (!process.env.SLUICE_KAFKA_BOOTSTRAP && !existsSync(join(kafkaLibsDir(), `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    // CI fetches them beforehand (.ci/run); elsewhere fetch them now when Maven is there
    const fetched = spawnSync(join(repoRoot(), 'scripts', 'kafka', 'fetch-kafka.sh'), [KAFKA_VERSION], { encoding: 'utf8', timeout: 300_000 });
    if (fetched.status !== 0) return { skip: `could not fetch Apache Kafka ${KAFKA_VERSION} from Maven Central: ${(fetched.stderr || String(fetched.error ?? '')).split('\n')[0]}` };
  }
  const cluster = await startKafka({
    overrides: {
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.num.partitions': '1',
      // a stock broker's defaults: the test compares what clients see from one
      'auto.create.topics.enable': null,
      'log.retention.ms': null,
    },
  });
  return { bootstrap: cluster.bootstrap, stop: () => cluster.stop() };
}
