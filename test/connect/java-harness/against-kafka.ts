/** Table-driven tests: every case runs through Kafka's classes (one JVM per file) and Sluice's, and the outcomes must agree. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KafkaHarness, prepareKafkaHarness } from './kafka-harness.js';
import { comparable, runSluice, type HarnessCase, type HarnessOutcome } from './harness-case.js';

export function describeAgainstKafka(title: string, cases: readonly HarnessCase[]): void {
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
  }
  describe(title, () => {
    let unavailable: string | null = null;
    let harness: KafkaHarness | undefined;
    const kafka = new Map<string, HarnessOutcome>();

    before(async () => {
      unavailable = prepareKafkaHarness();
      if (unavailable) return;
      harness = KafkaHarness.start();
      const outcomes = await harness.runAll(cases);
      cases.forEach((c, i) => kafka.set(c.id, outcomes[i]!));
    });

    after(() => harness?.close());

    for (const c of cases) {
      it(c.id, (t) => {
        if (unavailable) return t.skip(`Kafka harness unavailable: ${unavailable}`);
        const theirs = kafka.get(c.id)!;
        assert.ok(theirs.result || theirs.error, `harness gave no answer for ${c.id}`);
        assert.deepStrictEqual(comparable(c, runSluice(c)), comparable(c, theirs));
      });
    }
  });
}

/** JsonConverter envelope builders for the case tables */
export const J = {
  env: (schema: unknown, payload: unknown) => ({ schema, payload }),
  schemaless: (payload: unknown) => ({ schema: null, payload }),
  int8: (optional = false) => ({ type: 'int8', optional }),
  int16: (optional = false) => ({ type: 'int16', optional }),
  int32: (optional = false) => ({ type: 'int32', optional }),
  int64: (optional = false) => ({ type: 'int64', optional }),
  float32: (optional = false) => ({ type: 'float', optional }),
  float64: (optional = false) => ({ type: 'double', optional }),
  bool: (optional = false) => ({ type: 'boolean', optional }),
  string: (optional = false) => ({ type: 'string', optional }),
  bytes: (optional = false) => ({ type: 'bytes', optional }),
  array: (items: unknown, optional = false) => ({ type: 'array', items, optional }),
  map: (keys: unknown, values: unknown, optional = false) => ({ type: 'map', keys, values, optional }),
  struct: (fields: Record<string, object>, extra: Record<string, unknown> = {}) => ({ type: 'struct', fields: Object.entries(fields).map(([field, s]) => ({ ...s, field })), optional: false, ...extra }),
  timestamp: (optional = false) => ({ type: 'int64', optional, name: 'org.apache.kafka.connect.data.Timestamp', version: 1 }),
  date: (optional = false) => ({ type: 'int32', optional, name: 'org.apache.kafka.connect.data.Date', version: 1 }),
  time: (optional = false) => ({ type: 'int32', optional, name: 'org.apache.kafka.connect.data.Time', version: 1 }),
  decimal: (scale: number, optional = false) => ({ type: 'bytes', optional, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: String(scale) } }),
};
