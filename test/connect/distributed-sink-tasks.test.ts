/**
 * Tasks of one JDBC sink connector on different workers (or one worker with tasks.max > 1) create
 * and evolve their table at the same moment: none of them fails on PostgreSQL's catalog race
 * (CREATE TABLE IF NOT EXISTS otherwise loses with a unique violation on pg_type), and every row
 * and offset lands once.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { SinkRecord } from '../../src/connect/api/connect-record.js';
import { JdbcSinkTask } from '../../src/connect/connectors/jdbc/jdbc-sink.js';
import { PgServer, postgresAvailable } from './pg-server.js';

const TASKS = 4;

function record(topic: string, partition: number, offset: number, value: Record<string, unknown>): SinkRecord {
  return { topic, kafkaPartition: partition, kafkaOffset: BigInt(offset), timestampType: 'CreateTime', originalTopic: topic, originalKafkaPartition: partition, originalKafkaOffset: BigInt(offset), keySchema: null, key: null, valueSchema: null, value, timestamp: Date.now(), headers: [] };
}

describe('JDBC sink tasks writing one new table at once', { skip: postgresAvailable() ? undefined : 'PostgreSQL is not installed' }, () => {
  let pg: PgServer;
  before(async () => {
    pg = await PgServer.start();
  });
  after(async () => {
    await pg?.stop();
  });

  it('auto.create and auto.evolve race-free across tasks', async () => {
    for (let round = 0; round < 5; round++) {
      const topic = `race_${round}`;
      const tasks = Array.from({ length: TASKS }, () => new JdbcSinkTask());
      const props = { name: `sink_${round}`, 'connection.url': pg.url, 'connection.user': 'sluice', topics: topic, 'auto.create': 'true', 'auto.evolve': 'true', 'max.retries': '0' };
      tasks.forEach((t) => t.start(props, { configs: props, offset: () => {}, requestCommit: () => {} }));
      try {
        await Promise.all(tasks.map((t, p) => t.open([{ topic, partition: p }])));
        // every task creates the table in its first put, then each adds its own column
        await Promise.all(tasks.map((t, p) => t.put([record(topic, p, 0, { id: p, v: `first ${p}` })])));
        await Promise.all(tasks.map((t, p) => t.put([record(topic, p, 1, { id: 10 + p, v: `second ${p}`, [`extra_${p}`]: p })])));
      } finally {
        await Promise.all(tasks.map((t) => t.stop()));
      }
      const rows = await pg.query<{ id: number }>(`SELECT id FROM ${topic} ORDER BY id`);
      assert.deepEqual(rows.map((r) => Number(r.id)), [0, 1, 2, 3, 10, 11, 12, 13]);
      const offsets = await pg.query<{ partition: number; next_offset: string }>('SELECT "partition", next_offset FROM __connect_offsets WHERE connector = $1 ORDER BY "partition"', [`sink_${round}`]);
      assert.deepEqual(offsets.map((o) => [o.partition, Number(o.next_offset)]), [[0, 2], [1, 2], [2, 2], [3, 2]]);
    }
  });
});
