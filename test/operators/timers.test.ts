/**
 * Windows and grace-delayed join results come out when the task's stream time passes their
 * deadline, whichever record moved it: one for another key, one the operator never sees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchedRecord } from '../../src/log/log.js';
import { splitWindowedKey } from '../../src/index.js';
import { withEngine } from '../support/with-engine.js';
import { readTopic } from '../support/read-topic.js';

interface Input {
  readonly topic: string;
  readonly key: string | null;
  readonly value: object;
  readonly ts: number;
  /** every output record so far, rendered by the case's `render` */
  readonly then: readonly string[];
}

interface Case {
  readonly name: string;
  readonly sql: string;
  readonly output: string;
  readonly render: (r: FetchedRecord) => string;
  readonly inputs: readonly Input[];
}

const value = (r: FetchedRecord) => (r.value ? JSON.parse(r.value.toString()) : null);
const tumbling = (r: FetchedRecord) => {
  const { keyBytes, window } = splitWindowedKey(r.key!, { type: 'TUMBLING', sizeMs: 10_000 });
  return `${keyBytes.toString()}@${window.start}=${JSON.stringify(value(r))}`;
};
const joined = (r: FetchedRecord) => `${r.key?.toString()}:${JSON.stringify(value(r))}`;

const SOURCES = `
  CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
  CREATE STREAM l (id STRING KEY, v INT) WITH (KAFKA_TOPIC='l', PARTITIONS=1, VALUE_FORMAT='JSON');
  CREATE STREAM r (id STRING KEY, w INT) WITH (KAFKA_TOPIC='r', PARTITIONS=1, VALUE_FORMAT='JSON');`;

const cases: Case[] = [
  {
    name: 'EMIT FINAL: a record for another key closes the window',
    sql: `CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY k EMIT FINAL;`,
    output: 'T',
    render: tumbling,
    inputs: [
      { topic: 's', key: 'a', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 's', key: 'a', value: { V: 1 }, ts: 9_999, then: [] },
      { topic: 's', key: 'b', value: { V: 1 }, ts: 10_000, then: ['a@0={"N":2}'] },
      { topic: 's', key: 'b', value: { V: 1 }, ts: 19_000, then: ['a@0={"N":2}'] },
    ],
  },
  {
    name: 'EMIT FINAL: a record the aggregate never sees (filtered out) closes the window',
    sql: `CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS) WHERE v > 0 GROUP BY k EMIT FINAL;`,
    output: 'T',
    render: tumbling,
    inputs: [
      { topic: 's', key: 'a', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 's', key: 'z', value: { V: 0 }, ts: 11_000, then: [] },
      { topic: 's', key: 'a', value: { V: 1 }, ts: 5_000, then: [] },
      // stream time 12 000 = window end + grace: the window closes
      { topic: 's', key: 'z', value: { V: 0 }, ts: 12_000, then: ['a@0={"N":2}'] },
    ],
  },
  {
    name: 'EMIT FINAL: a window still in the store (retention = size + grace) is emitted when it closes',
    sql: `CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 1 SECONDS) GROUP BY k EMIT FINAL;`,
    output: 'T',
    render: tumbling,
    inputs: [
      { topic: 's', key: 'a', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 's', key: 'b', value: { V: 1 }, ts: 12_000, then: ['a@0={"N":1}'] },
    ],
  },
  {
    name: 'EMIT FINAL: a window stream time carries past the store retention before it closes is never emitted, as in Kafka Streams',
    sql: `CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 1 SECONDS) GROUP BY k EMIT FINAL;`,
    output: 'T',
    render: tumbling,
    inputs: [
      { topic: 's', key: 'a', value: { V: 1 }, ts: 1_000, then: [] },
      // newest window start 20 000, retention 11 000: windows starting before 9 000 are gone
      { topic: 's', key: 'b', value: { V: 1 }, ts: 25_000, then: [] },
      { topic: 's', key: 'b', value: { V: 1 }, ts: 32_000, then: ['b@20000={"N":1}'] },
    ],
  },
  {
    name: 'EMIT FINAL: RETENTION keeps windows for longer, so the same jump emits the window',
    sql: `CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 SECONDS, RETENTION 1 MINUTE, GRACE PERIOD 1 SECONDS) GROUP BY k EMIT FINAL;`,
    output: 'T',
    render: tumbling,
    inputs: [
      { topic: 's', key: 'a', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 's', key: 'b', value: { V: 1 }, ts: 25_000, then: ['a@0={"N":1}'] },
    ],
  },
  {
    name: 'LEFT JOIN with GRACE: an unmatched left row comes out once a record of the other side for another key passes its window',
    sql: `CREATE STREAM j AS SELECT l.id AS id, l.v, r.w FROM l LEFT JOIN r WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON l.id = r.id;`,
    output: 'J',
    render: joined,
    inputs: [
      { topic: 'l', key: 'k1', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 'r', key: 'k2', value: { W: 2 }, ts: 5_000, then: [] },
      { topic: 'r', key: 'k2', value: { W: 3 }, ts: 11_000, then: ['k1:{"V":1,"W":null}'] },
    ],
  },
  {
    name: "stream-stream JOIN: each side keeps records within the retention of its own newest one, so a record late for one side still joins the other's",
    sql: `CREATE STREAM j AS SELECT l.id AS id, l.v, r.w FROM l JOIN r WITHIN 1 MINUTE GRACE PERIOD 1 MINUTE ON l.id = r.id;`,
    output: 'J',
    render: joined,
    inputs: [
      { topic: 'l', key: 'k1', value: { V: 1 }, ts: 330_000, then: [] },
      // the right side's newest is 60 000: its buffer keeps this one
      { topic: 'r', key: 'k2', value: { W: 2 }, ts: 60_000, then: [] },
      { topic: 'l', key: 'k2', value: { V: 3 }, ts: 90_000, then: ['k2:{"V":3,"W":2}'] },
      // the left side's newest is 330 000 (retention 180 000): this one is not kept, so nothing joins it
      { topic: 'l', key: 'k3', value: { V: 4 }, ts: 90_000, then: ['k2:{"V":3,"W":2}'] },
      { topic: 'r', key: 'k3', value: { W: 5 }, ts: 90_000, then: ['k2:{"V":3,"W":2}'] },
    ],
  },
  {
    name: 'RIGHT JOIN with GRACE: an unmatched right record whose window ended before stream time comes out at once',
    sql: `CREATE STREAM j AS SELECT r.id AS id, l.v, r.w FROM l RIGHT JOIN r WITHIN 1 MINUTE GRACE PERIOD 1 MINUTE ON l.id = r.id;`,
    output: 'J',
    render: joined,
    inputs: [
      { topic: 'l', key: 'k1', value: { V: 1 }, ts: 330_000, then: [] },
      // its window [180 000, 300 000] ended before stream time 330 000, though its grace has not
      { topic: 'r', key: 'k2', value: { W: 2 }, ts: 240_000, then: ['k2:{"V":null,"W":2}'] },
      // within its window of stream time: waits for the window to close
      { topic: 'r', key: 'k3', value: { W: 3 }, ts: 300_000, then: ['k2:{"V":null,"W":2}'] },
      { topic: 'l', key: 'k1', value: { V: 1 }, ts: 420_000, then: ['k2:{"V":null,"W":2}', 'k3:{"V":null,"W":3}'] },
    ],
  },
  {
    name: 'LEFT JOIN with GRACE: a record the join drops (no join key) still moves stream time and releases the row',
    sql: `CREATE STREAM j AS SELECT l.id AS id, l.v, r.w FROM l LEFT JOIN r WITHIN 10 SECONDS GRACE PERIOD 1 SECONDS ON l.id = r.id;`,
    output: 'J',
    render: joined,
    inputs: [
      { topic: 'l', key: 'k1', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 'l', key: null, value: { V: 9 }, ts: 11_999, then: [] },
      { topic: 'l', key: null, value: { V: 9 }, ts: 12_000, then: ['k1:{"V":1,"W":null}'] },
    ],
  },
  {
    name: 'FULL JOIN with GRACE: a matched row is not released, the unmatched one is',
    sql: `CREATE STREAM j AS SELECT ROWKEY AS id, l.v, r.w FROM l FULL OUTER JOIN r WITHIN 5 SECONDS GRACE PERIOD 0 SECONDS ON l.id = r.id;`,
    output: 'J',
    render: joined,
    inputs: [
      { topic: 'l', key: 'k1', value: { V: 1 }, ts: 1_000, then: [] },
      { topic: 'r', key: 'k1', value: { W: 1 }, ts: 2_000, then: ['k1:{"V":1,"W":1}'] },
      { topic: 'r', key: 'k3', value: { W: 3 }, ts: 3_000, then: ['k1:{"V":1,"W":1}'] },
      { topic: 'l', key: null, value: { V: 0 }, ts: 9_000, then: ['k1:{"V":1,"W":1}', 'k3:{"V":null,"W":3}'] },
    ],
  },
];

for (const c of cases) {
  test(c.name, async () => {
    await withEngine(async (engine) => {
      await engine.execute(SOURCES + c.sql);
      for (const [i, input] of c.inputs.entries()) {
        await engine.log.produce([{ topic: input.topic, key: input.key === null ? null : Buffer.from(input.key), value: Buffer.from(JSON.stringify(input.value)), timestamp: input.ts }]);
        await engine.runUntilIdle();
        const out = (await engine.log.listTopics()).includes(c.output) ? (await readTopic(engine.log, c.output)).map(c.render) : [];
        assert.deepEqual(out, input.then, `after input ${i + 1} (${input.key}@${input.ts})`);
      }
    });
  });
}
