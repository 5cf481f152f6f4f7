/**
 * A sink's records written straight into stored batches (BatchBuilder) and committed with
 * commitEncoded must store exactly what the same records given to commitTransaction store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from '../../../src/log/local/batch-builder.js';
import { encodeProduceRuns, runRecords, unpackProduceRuns } from '../../../src/log/local/produce-runs.js';
import type { LocalLog } from '../../../src/log/local/local-log.js';
import type { FetchedRecord, ProduceRecord } from '../../../src/log/log.js';
import { buf, withLog } from '../log-test-helpers.js';

const shape = (rs: readonly FetchedRecord[]) =>
  rs.map((r) => [r.partition, r.offset, r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null, r.timestamp, r.headers.map((h) => [h.key, h.value?.toString() ?? null])]);

async function readAll(log: LocalLog, topic: string, partition: number): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  for (let at = 0n; ; ) {
    const r = await log.fetch(topic, partition, at, { maxRecords: 500 });
    out.push(...r.records);
    if (r.nextOffset >= r.highWatermark) return out;
    at = r.nextOffset;
  }
}

/** a record as the builder writes it: key as a windowed key (bytes + start) or as bytes, value as text or bytes */
interface Written {
  key: Buffer | null;
  windowStart?: number;
  text?: string;
  value: Buffer | null;
  timestamp: number;
  headers: { key: string; value: Buffer | null }[];
}

function write(out: BatchBuilder, r: Written): void {
  out.start(r.timestamp);
  if (r.windowStart !== undefined) {
    const at = out.openField();
    if (r.key) out.bytes(r.key);
    out.int64(r.windowStart);
    out.closeField(at);
  } else if (r.key === null) out.nullField();
  else out.bytesField(r.key);
  if (r.text !== undefined) {
    const at = out.openField();
    out.text(r.text);
    out.closeField(at);
  } else if (r.value === null) out.nullField();
  else out.bytesField(r.value);
  out.headers(r.headers);
  out.end();
}

function asRecord(topic: string, r: Written): ProduceRecord {
  let key = r.key;
  if (r.windowStart !== undefined) {
    const start = Buffer.alloc(8);
    start.writeBigInt64BE(BigInt(r.windowStart));
    key = Buffer.concat([r.key ?? Buffer.alloc(0), start]);
  }
  const value = r.text !== undefined ? Buffer.from(r.text, 'utf8') : r.value;
  return { topic, key, value, timestamp: r.timestamp, ...(r.headers.length ? { headers: r.headers } : {}) };
}

function sample(i: number): Written {
  const texts = ['{"NUM":1}', `{"A":"é${i}"}`, 'x'.repeat(70 + (i % 200)), `{"S":"${'ü'.repeat(i % 90)}"}`, ''];
  const keyed = i % 7 !== 0;
  return {
    key: keyed ? buf(`k${i % 13}`) : null,
    ...(i % 5 === 1 ? { windowStart: (i % 4) * 2000 - 2000 } : {}),
    ...(i % 3 !== 2 ? { text: texts[i % texts.length] } : {}),
    value: i % 9 === 2 ? null : buf('v'.repeat(i % 400)),
    timestamp: 10_000 + ((i * 7919) % 5000) - 2500,
    headers: i % 11 === 0 ? [{ key: `h${i}`, value: i % 2 ? null : buf('y') }, { key: 'ü', value: buf('z') }] : [],
  };
}

test('records built into batches store what commitTransaction stores: topics of one and several partitions, keyless and windowed keys, text and bytes, headers, batches cut at the limits', () =>
  withLog((plain) =>
    withLog(async (encoded) => {
      for (const log of [plain, encoded]) {
        await log.createTopic('in', { partitions: 1 });
        await log.createTopic('one', { partitions: 1 });
        await log.createTopic('three', { partitions: 3 });
        await log.createTopic('keyless', { partitions: 2 });
        await log.createTopic('changelog', { partitions: 1 });
      }
      const recorded: number[] = [];
      const outs = ['one', 'three', 'keyless'].map((t) => new BatchBuilder(t, (bytes) => recorded.push(bytes)));
      for (let round = 0; round < 2; round++) {
        const records: ProduceRecord[] = [];
        for (let i = 0; i < 6000; i++) {
          const topic = i % 3;
          const r = sample(i + round);
          if (topic === 2) r.key = null;
          if (topic === 2) delete r.windowStart;
          write(outs[topic]!, r);
          records.push(asRecord(outs[topic]!.topic, r));
          if (i % 10 === 0) {
            // a record dropped while being written leaves nothing behind
            outs[topic]!.start(1);
            outs[topic]!.bytesField(buf('dropped'));
            outs[topic]!.abort();
          }
          // an abort with no record open (a sink's failure after its record ended) drops nothing
          if (i % 10 === 7) outs[topic]!.abort();
          if (i % 10 === 5) {
            // a record left unfinished (its writer threw) is gone once the next one starts
            outs[topic]!.start(1);
            outs[topic]!.bytesField(buf('unfinished'));
          }
        }
        const changelog = [{ topic: 'changelog', partition: 0, key: buf('s'), value: buf(`${round}`), timestamp: 3 }];
        const offsets = { group: 'g', offsets: [{ topic: 'in', partition: 0, offset: BigInt(round) }] };
        await plain.commitTransaction({ produce: [...records, ...changelog], offsets });
        await encoded.commitEncoded(
          outs.flatMap((o) => o.take()),
          { produce: changelog, offsets },
        );
        assert.deepEqual(recorded.slice(-records.length), records.map((r) => (r.key?.length ?? 0) + (r.value?.length ?? 0)));
      }
      for (const [topic, n] of [['one', 1], ['three', 3], ['keyless', 2], ['changelog', 1]] as const) {
        for (let p = 0; p < n; p++) {
          const x = shape(await readAll(plain, topic, p));
          assert.ok(x.length > 0 || topic === 'keyless', `${topic}-${p} has records`);
          assert.deepEqual(shape(await readAll(encoded, topic, p)), x, `${topic}-${p}`);
        }
      }
      assert.deepEqual(await encoded.committedOffsets('g'), await plain.committedOffsets('g'));
    }),
  ));

test('a commit of built batches and records that the log refuses writes nothing, and the offsets it took are given back', () =>
  withLog(async (log) => {
    await log.createTopic('t', { partitions: 1 });
    const out = new BatchBuilder('t', () => {});
    write(out, { key: buf('k'), value: buf('v'), timestamp: 5, headers: [] });
    const bad = { topic: 't', key: null, value: buf('w'), timestamp: 1.5 };
    await assert.rejects(log.commitEncoded(out.take(), { produce: [bad] }), { code: 'INVALID_CONFIG' });
    assert.equal((await log.describeTopic('t')).partitions[0]!.highWatermark, 0n);
    write(out, { key: buf('k'), value: buf('v'), timestamp: 5, headers: [] });
    await log.commitEncoded(out.take(), {});
    const [r] = (await log.fetch('t', 0, 0n)).records;
    assert.deepEqual([r?.offset, r?.key?.toString(), r?.value?.toString()], [0n, 'k', 'v']);
  }));

test('built runs packed with records for another thread (encodeProduceRuns) come back whole, keyed ones still partitioned by key; runRecords gives their records', () =>
  withLog((plain) =>
    withLog(async (encoded) => {
      for (const log of [plain, encoded]) {
        await log.createTopic('three', { partitions: 3 });
        await log.createTopic('changelog', { partitions: 1 });
      }
      const out = new BatchBuilder('three', () => {});
      const written = Array.from({ length: 50 }, (_, i) => sample(i));
      for (const r of written) write(out, r);
      const runs = out.take();
      const changelog = [{ topic: 'changelog', partition: 0, key: buf('s'), value: buf('1'), timestamp: 3 }];
      const packed = encodeProduceRuns(changelog, runs);
      assert.ok(packed, 'encodable');
      const unpacked = unpackProduceRuns(packed);
      assert.deepEqual(
        unpacked.map((r) => [r.topic, r.partition, r.byKey ?? false]),
        [['changelog', 0, false], ['three', undefined, true]],
      );
      await encoded.commitEncoded(unpacked, {});
      const records = written.map((r) => asRecord('three', r));
      assert.deepEqual(
        runRecords(runs).map((r) => [r.key?.toString('hex'), r.value?.toString('hex'), r.timestamp, r.headers ?? []]),
        records.map((r) => [r.key?.toString('hex'), r.value?.toString('hex'), r.timestamp, r.headers ?? []]),
      );
      await plain.commitTransaction({ produce: [...changelog, ...records] });
      for (const [topic, n] of [['three', 3], ['changelog', 1]] as const) {
        for (let p = 0; p < n; p++) assert.deepEqual(shape(await readAll(encoded, topic, p)), shape(await readAll(plain, topic, p)), `${topic}-${p}`);
      }
    }),
  ));

test('a builder takes the timestamps the log takes, and none once refused', () => {
  const out = new BatchBuilder('t', () => {});
  assert.deepEqual([out.encodable(0), out.encodable(-5), out.encodable(2 ** 51), out.encodable(2 ** 51 + 2), out.encodable(1.5), out.encodable(Number.NaN)], [true, true, true, false, false, false]);
  out.refuse();
  assert.equal(out.encodable(0), false);
});
