/** ksql.timestamp.throw.on.invalid: a record whose timestamp cannot be extracted stops the query. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { readTopic } from '../support/read-topic.js';

const SQL = `CREATE STREAM T (K STRING KEY, ID BIGINT, TS STRING) WITH (kafka_topic='t', value_format='JSON', partitions=1, timestamp='ts', timestamp_format='yy-MM-dd HH:mm:ssX');
  CREATE STREAM O AS SELECT K, ID FROM T;
  INSERT INTO T (K, ID, TS) VALUES ('a', 1, '!!!');
  INSERT INTO T (K, ID, TS) VALUES ('b', 2, '20-01-01 00:00:00Z');`;

for (const throwOnInvalid of [false, true]) {
  test(`a bad timestamp with ksql.timestamp.throw.on.invalid=${throwOnInvalid}: ${throwOnInvalid ? 'the query fails' : 'the record is skipped'}`, async () => {
    const dir = await tempDir();
    const properties: Record<string, string> = { 'auto.offset.reset': 'earliest', ...(throwOnInvalid ? { 'ksql.timestamp.throw.on.invalid': 'true' } : {}) };
    const engine = await Engine.open({ dataDir: dir.path, properties });
    try {
      await engine.execute(SQL);
      await engine.runUntilIdle();
      const out = await readTopic(engine.log, 'O');
      if (throwOnInvalid) {
        assert.equal(out.length, 0);
        assert.match(engine.failedQueries()[0]?.error.message ?? '', /Fatal user code error in TimestampExtractor callback for record t-0@0/);
      } else {
        assert.equal(out.length, 1);
        assert.deepEqual(engine.failedQueries(), []);
      }
    } finally {
      await engine.close();
      await dir.cleanup();
    }
  });
}
