/**
 * The schema interpreter and record batches: every served API round-trips a request and a
 * response at every version it serves (flexible or not, tagged fields included), and record
 * batches in every codec parse back to their records with the CRC32C checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '@node-rs/crc32';
import { SERVED } from '../../src/broker/api-versions.js';
import { CODECS, codecId, compress } from '../../src/broker/compression.js';
import { readStruct, writeStruct, type Msg } from '../../src/broker/protocol/codec.js';
import { Reader } from '../../src/broker/protocol/reader.js';
import { inRange, type FieldSchema } from '../../src/broker/protocol/schema.js';
import { Writer } from '../../src/broker/protocol/writer.js';
import { buildBatch, CorruptBatchError, parseBatches } from '../../src/broker/record-batch.js';
import type { FetchedRecord } from '../../src/log/log.js';

/** a value for every field present in `version`, different from its default */
function sample(fields: readonly FieldSchema[], version: number, depth = 0): Msg {
  const o: Msg = {};
  for (const f of fields) {
    if (!inRange(f.v, version)) continue;
    const elem = f.t.startsWith('[]') ? f.t.slice(2) : f.t;
    const one = (): unknown => {
      switch (elem) {
        case '':
        case 'struct':
          return sample(f.f!, version, depth + 1);
        case 'bool':
          return true;
        case 'int8':
          return 7;
        case 'int16':
          return 300;
        case 'uint16':
          return 60000;
        case 'int32':
          return 123456;
        case 'uint32':
          return 4000000000;
        case 'int64':
          return 1234567890123n;
        case 'float64':
          return 1.5;
        case 'string':
          return `${f.n}-é`;
        case 'uuid':
          return '0123456789abcdef0123456789abcdef';
        default:
          return Buffer.from(`${f.n}-bytes`);
      }
    };
    o[f.n] = f.t.startsWith('[]') ? [one(), one()] : one();
  }
  return o;
}

function roundTrip(fields: readonly FieldSchema[], version: number, flexible: boolean): void {
  const value = sample(fields, version);
  const w = new Writer();
  writeStruct(fields, value, version, flexible, w);
  const r = new Reader(w.toBuffer());
  const back = readStruct(fields, version, flexible, r);
  assert.equal(r.remaining, 0);
  const pick = (fs: readonly FieldSchema[], o: Msg): Msg => {
    const out: Msg = {};
    for (const f of fs) {
      if (!inRange(f.v, version)) continue;
      const v = o[f.n];
      if (f.t === '[]') out[f.n] = (v as Msg[]).map((x) => pick(f.f!, x));
      else if (f.t === 'struct') out[f.n] = pick(f.f!, v);
      else out[f.n] = Buffer.isBuffer(v) ? v.toString('hex') : v;
    }
    return out;
  };
  assert.deepEqual(pick(fields, back), pick(fields, value));
}

test('every served API round-trips requests and responses at every served version', () => {
  let cases = 0;
  for (const api of SERVED.values()) {
    for (let v = api.min; v <= api.max; v++) {
      roundTrip(api.schema.request, v, v >= api.schema.flexible);
      roundTrip(api.schema.response, v, v >= api.schema.responseFlexible);
      cases++;
    }
  }
  assert.ok(cases > 150, `${cases} versions`);
});

test('fields absent from a version read as their defaults; unknown tagged fields are skipped', () => {
  const api = SERVED.get(3)!; // Metadata
  const w = new Writer();
  writeStruct(api.schema.request, { topics: [{ name: 't' }] }, 12, true, w);
  const buf = w.toBuffer();
  // append an unknown tagged field (tag 9, 3 bytes) in place of the empty tag section
  const withTag = Buffer.concat([buf.subarray(0, buf.length - 1), Buffer.from([1, 9, 3, 1, 2, 3])]);
  const back = readStruct(api.schema.request, 12, true, new Reader(withTag));
  assert.equal(back.topics[0].name, 't');
  assert.equal(back.allowAutoTopicCreation, true);
  assert.equal(back.includeTopicAuthorizedOperations, false);
});

function records(n: number): FetchedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    topic: 't',
    partition: 0,
    offset: BigInt(10 + i * 2),
    key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 0 ? null : Buffer.from(`value-${i}-${'z'.repeat(i)}`),
    timestamp: 1_700_000_000_000 + i,
    headers: i % 2 ? [{ key: 'h', value: Buffer.from([i]) }, { key: 'nil', value: null }] : [],
  }));
}

test('record batches build and parse back, gaps in offsets included', async () => {
  const recs = records(40);
  const w = new Writer();
  buildBatch(recs, w);
  const [b] = await parseBatches(w.toBuffer());
  assert.equal(b!.baseOffset, 10n);
  assert.equal(b!.lastOffsetDelta, 78);
  assert.deepEqual(
    b!.records.map((r) => [r.offsetDelta, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp, r.headers.length]),
    recs.map((r) => [Number(r.offset - 10n), r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp, r.headers.length]),
  );
});

test('batches compressed with each codec decompress to the same records; a flipped bit fails the CRC', async () => {
  const recs = records(30);
  const plain = new Writer();
  buildBatch(recs, plain);
  const bytes = plain.toBuffer();
  const recordsAt = 61;
  for (const codec of CODECS) {
    const body = await compress(codec, bytes.subarray(recordsAt));
    const out = Buffer.concat([bytes.subarray(0, recordsAt), body]);
    out.writeInt32BE(out.length - 12, 8);
    out.writeInt16BE(codecId(codec), 21);
    out.writeUInt32BE(crc32c(out.subarray(21)) >>> 0, 17);
    const [b] = await parseBatches(out);
    assert.equal(b!.records.length, 30, codec);
    assert.equal(b!.records[29]!.value!.toString(), `value-29-${'z'.repeat(29)}`);
    const bad = Buffer.from(out);
    bad[bad.length - 2] ^= 1;
    await assert.rejects(parseBatches(bad), CorruptBatchError);
  }
});
