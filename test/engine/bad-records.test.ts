/**
 * 100,000 records a tenth of them damaged (every kind in test/support/bad-record-corpus.ts, per
 * format, plus a 5 MiB string and 100,000-deep nesting), through a running query: no crash, the
 * output is exactly the good records, and every bad one has a processing-log entry (in the
 * callback and in the KSQL_PROCESSING_LOG topic) with its reason and its topic/partition/offset.
 * `npm run bench:bad-records` runs the same corpus at 1,000,000 records and reports throughput.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type ProcessingLogEntry } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { readTopic } from '../support/read-topic.js';
import { writeCorpus, type CorpusFormat } from '../support/bad-record-corpus.js';

const RECORDS_PER_FORMAT = 25_000;

async function run(format: CorpusFormat, properties: Record<string, string> = {}) {
  const dir = await tempDir();
  const entries: ProcessingLogEntry[] = [];
  const engine = await Engine.open({ dataDir: dir.path, properties: { 'auto.offset.reset': 'earliest', ...properties }, onProcessingLog: (e) => entries.push(e) });
  return {
    engine,
    entries,
    cleanup: async () => {
      await engine.close();
      await dir.cleanup();
    },
  };
}

for (const format of ['JSON', 'DELIMITED', 'AVRO', 'PROTOBUF'] as const) {
  test(`${format}: ${RECORDS_PER_FORMAT} records, a tenth damaged: exactly the good ones come out, every bad one is logged with reason and position`, async () => {
    const { engine, entries, cleanup } = await run(format);
    try {
      const corpus = await writeCorpus(engine, format, { records: RECORDS_PER_FORMAT });
      assert.ok(corpus.bad.size >= RECORDS_PER_FORMAT / 10 - corpus.rejected.length, `${corpus.bad.size} bad records`);
      await engine.execute(`CREATE STREAM OUT_${format} WITH (KAFKA_TOPIC='out_${format.toLowerCase()}', VALUE_FORMAT='JSON') AS SELECT ID, NAME, AMOUNT FROM ${corpus.stream};`);
      await engine.runUntilIdle();
      assert.deepEqual(engine.failedQueries(), []);

      // output: every good record exactly once, nothing else
      const out = await readTopic(engine.log, `out_${format.toLowerCase()}`);
      // a null value (tombstone) passes through a stream as a null value, as in ksqlDB
      assert.equal(out.filter((r) => r.value === null).length, corpus.tombstones, 'tombstones');
      const ids = out.filter((r) => r.value !== null).map((r) => JSON.parse(r.value!.toString('utf8')) as { ID: number; NAME: string; AMOUNT: number });
      assert.equal(ids.length, corpus.goodIds.size, 'output count');
      for (const row of ids) {
        assert.ok(corpus.goodIds.has(row.ID), `unexpected output ${row.ID}`);
        assert.equal(row.NAME, `n${row.ID}`);
        assert.equal(row.AMOUNT, row.ID / 2);
      }
      assert.equal(new Set(ids.map((r) => r.ID)).size, ids.length, 'duplicates in the output');

      // processing log: one entry per bad record, at its position, with its reason, no record content
      const logged = entries.filter((e) => e.type === 'DESERIALIZATION_ERROR');
      assert.equal(logged.length, corpus.bad.size, 'processing-log entries');
      assert.equal(entries.length, logged.length, `other entries: ${JSON.stringify(entries.find((e) => e.type !== 'DESERIALIZATION_ERROR'))}`);
      const seen = new Set<string>();
      for (const e of logged) {
        const where = `${e.partition}@${e.offset}`;
        const damage = corpus.bad.get(where);
        assert.ok(damage, `entry for a record that is not bad: ${where} ${e.message}`);
        assert.equal(e.topic, corpus.topic);
        assert.equal(e.target, 'value');
        assert.match(e.message, damage.reason, damage.kind);
        assert.doesNotMatch(e.message, /SECRET/, `${damage.kind}: record content in the message`);
        assert.equal(e.recordBase64, undefined, 'record bytes without ksql.logging.processing.rows.include');
        seen.add(where);
      }
      assert.equal(seen.size, corpus.bad.size, 'a bad record logged twice');

      // the same entries in the processing-log topic, which KSQL_PROCESSING_LOG reads
      const topicEntries = (await readTopic(engine.log, 'default_ksql_processing_log')).map((r) => JSON.parse(r.value!.toString('utf8')));
      assert.equal(topicEntries.length, corpus.bad.size);
      assert.ok(topicEntries.every((r) => r.MESSAGE.TYPE === 0 && r.MESSAGE.DESERIALIZATIONERROR.topic === corpus.topic && r.MESSAGE.DESERIALIZATIONERROR.RECORDB64 === null));
    } finally {
      await cleanup();
    }
  });
}

test('ksql.logging.processing.rows.include=true puts the bad record (base64) in the entry', async () => {
  const { engine, entries, cleanup } = await run('JSON', { 'ksql.logging.processing.rows.include': 'true' });
  try {
    const corpus = await writeCorpus(engine, 'JSON', { records: 200, huge: false });
    await engine.execute(`CREATE STREAM OUT_JSON AS SELECT * FROM ${corpus.stream};`);
    await engine.runUntilIdle();
    assert.equal(entries.length, corpus.bad.size);
    const records = await readTopic(engine.log, corpus.topic);
    for (const e of entries) {
      const rec = records.find((r) => r.partition === e.partition && Number(r.offset) === e.offset)!;
      assert.equal(e.recordBase64, rec.value!.toString('base64'));
    }
  } finally {
    await cleanup();
  }
});

test('ksql.fail.on.deserialization.error=true stops the query at the first bad record, which is logged', async () => {
  const { engine, entries, cleanup } = await run('JSON', { 'ksql.fail.on.deserialization.error': 'true' });
  try {
    const corpus = await writeCorpus(engine, 'JSON', { records: 200, huge: false, partitions: 1 });
    await engine.execute(`CREATE STREAM OUT_JSON WITH (KAFKA_TOPIC='out_json') AS SELECT * FROM ${corpus.stream};`);
    await engine.runUntilIdle();
    const failed = engine.failedQueries();
    assert.equal(failed.length, 1);
    const firstBad = Math.min(...[...corpus.bad.keys()].map((k) => Number(k.split('@')[1])));
    assert.match(failed[0]!.error.message, new RegExp(`offset=${firstBad}: Failed to deserialize value from topic: ${corpus.topic}\\.`));
    assert.deepEqual(entries.map((e) => [e.type, e.offset]), [['DESERIALIZATION_ERROR', firstBad], ['QUERY_ERROR', firstBad]]);
    // nothing after the bad record was processed
    const out = await readTopic(engine.log, 'out_json');
    assert.ok(out.length <= firstBad, `${out.length} outputs`);
  } finally {
    await cleanup();
  }
});
