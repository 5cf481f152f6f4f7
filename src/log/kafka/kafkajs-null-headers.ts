/**
 * kafkajs 2.2 cannot write a record header whose value is null (Kafka allows it, and ksqlDB's
 * HEADER columns read it as NULL): its record encoder sizes every header value with
 * Buffer.byteLength before it checks for null, so the whole produce fails. This puts a record
 * encoder that sizes null values as Kafka encodes them (varint -1) in the place kafkajs loads it
 * from; kafkajs loads its produce request (which takes the encoder) only at the first produce.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface EncoderLike {
  writeVarInt(n: number): EncoderLike;
  writeInt8(n: number): EncoderLike;
  writeVarLong(n: unknown): EncoderLike;
  writeVarIntBytes(b: unknown): EncoderLike;
  writeVarIntArray(a: unknown[]): EncoderLike;
}
interface EncoderClass {
  new (): EncoderLike;
  sizeOfVarInt(n: number): number;
  sizeOfVarLong(n: unknown): number;
  sizeOfVarIntBytes(b: unknown): number;
}
type HeaderValue = Buffer | string | null | undefined;

const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
const Header = require('kafkajs/src/protocol/recordBatch/header/v0/index.js') as (h: { key: string; value: HeaderValue }) => EncoderLike;

/** kafkajs's Record v0 encoder, the header sizes aside */
function record({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: { offsetDelta?: number; timestampDelta?: unknown; key: unknown; value: unknown; headers?: Record<string, HeaderValue | HeaderValue[]> }): EncoderLike {
  const list = Object.keys(headers).flatMap((k) => {
    const v = headers[k];
    return Array.isArray(v) ? v.map((one) => ({ key: k, value: one })) : [{ key: k, value: v }];
  });
  let headersSize = Encoder.sizeOfVarInt(list.length);
  for (const h of list) headersSize += Encoder.sizeOfVarIntBytes(h.key) + Encoder.sizeOfVarIntBytes(h.value ?? null);
  const size = 1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) + Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + headersSize;
  return new Encoder()
    .writeVarInt(size)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarIntArray(list.map((h) => Header({ key: h.key, value: h.value ?? null })));
}

require(recordPath);
const cached = require.cache[recordPath];
if (cached) cached.exports = record;
