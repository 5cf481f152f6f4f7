/**
 * LevelDB key layout of the embedded log. Binary keys so that LevelDB's bytewise order is the
 * order we need (big-endian numbers sort numerically):
 *
 *   'D' u32 topicId u32 partition u64 baseOffset   -> record batch (batch-codec.ts)
 *   'T' utf8 topicName                              -> topic metadata (JSON)
 *   'P' u32 topicId u32 partition                   -> partition metadata (JSON)
 *   'G' u16 len group  u16 len topic  u32 partition -> committed offset (u64)
 *   'S' utf8 name                                   -> log-wide counters
 *   'Z' u32 topicId                                 -> topic deletion in progress (JSON)
 *   'X' opaque key                                  -> state layer entries (ExtraStore)
 *
 * Data is keyed by a topic id, not the name, so a topic deleted and created again never sees
 * records of its predecessor, even if a crash interrupted the deletion.
 */

export const PREFIX_DATA = 0x44; // 'D'
export const PREFIX_TOPIC = 0x54; // 'T'
export const PREFIX_PARTITION = 0x50; // 'P'
export const PREFIX_GROUP = 0x47; // 'G'
export const PREFIX_SYSTEM = 0x53; // 'S'
export const PREFIX_DELETING = 0x5a; // 'Z'
export const PREFIX_EXTRA = 0x58; // 'X'

const TWO_32 = 4294967296;

export function writeU64(buf: Buffer, value: number, pos: number): void {
  buf.writeUInt32BE(Math.floor(value / TWO_32), pos);
  buf.writeUInt32BE(value % TWO_32, pos + 4);
}

export function readU64(buf: Buffer, pos: number): number {
  const high = buf.readUInt32BE(pos);
  const low = buf.readUInt32BE(pos + 4);
  // a product by 2^32 is a heap number even when it is 0; offsets (and whatever is computed from
  // them) taken as heap numbers deoptimize the code that had only seen small integers
  return high === 0 ? low : high * TWO_32 + low;
}

export function dataKey(topicId: number, partition: number, baseOffset: number): Buffer {
  const k = Buffer.allocUnsafe(17);
  k[0] = PREFIX_DATA;
  k.writeUInt32BE(topicId, 1);
  k.writeUInt32BE(partition, 5);
  writeU64(k, baseOffset, 9);
  return k;
}

/** The base offset of a data key. */
export function dataKeyOffset(key: Buffer): number {
  return readU64(key, 9);
}

/** First key past every batch of a partition. */
export function dataPartitionEnd(topicId: number, partition: number): Buffer {
  return bump(dataPartitionStart(topicId, partition));
}

/** The prefix shared by every batch key of a partition (sorts before all of them). */
export function dataPartitionStart(topicId: number, partition: number): Buffer {
  const k = Buffer.allocUnsafe(9);
  k[0] = PREFIX_DATA;
  k.writeUInt32BE(topicId, 1);
  k.writeUInt32BE(partition, 5);
  return k;
}

/** First key of a topic's data ('D' + id) and the first key past it. */
export function dataTopicRange(topicId: number): { gte: Buffer; lt: Buffer } {
  const k = Buffer.allocUnsafe(5);
  k[0] = PREFIX_DATA;
  k.writeUInt32BE(topicId, 1);
  return { gte: k, lt: bump(k) };
}

export function topicKey(name: string): Buffer {
  return Buffer.concat([Buffer.of(PREFIX_TOPIC), Buffer.from(name, 'utf8')]);
}

export function partitionKey(topicId: number, partition: number): Buffer {
  const k = Buffer.allocUnsafe(9);
  k[0] = PREFIX_PARTITION;
  k.writeUInt32BE(topicId, 1);
  k.writeUInt32BE(partition, 5);
  return k;
}

export function groupKey(group: string, topic: string, partition: number): Buffer {
  const g = Buffer.from(group, 'utf8');
  const t = Buffer.from(topic, 'utf8');
  const k = Buffer.allocUnsafe(1 + 2 + g.length + 2 + t.length + 4);
  let p = 0;
  k[p++] = PREFIX_GROUP;
  k.writeUInt16BE(g.length, p);
  p += 2;
  g.copy(k, p);
  p += g.length;
  k.writeUInt16BE(t.length, p);
  p += 2;
  t.copy(k, p);
  p += t.length;
  k.writeUInt32BE(partition, p);
  return k;
}

export function parseGroupKey(k: Buffer): { group: string; topic: string; partition: number } {
  let p = 1;
  const gl = k.readUInt16BE(p);
  p += 2;
  const group = k.toString('utf8', p, p + gl);
  p += gl;
  const tl = k.readUInt16BE(p);
  p += 2;
  const topic = k.toString('utf8', p, p + tl);
  p += tl;
  return { group, topic, partition: k.readUInt32BE(p) };
}

export function systemKey(name: string): Buffer {
  return Buffer.concat([Buffer.of(PREFIX_SYSTEM), Buffer.from(name, 'utf8')]);
}

export function deletingKey(topicId: number): Buffer {
  const k = Buffer.allocUnsafe(5);
  k[0] = PREFIX_DELETING;
  k.writeUInt32BE(topicId, 1);
  return k;
}

export function extraKey(key: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(1 + key.length);
  k[0] = PREFIX_EXTRA;
  k.set(key, 1);
  return k;
}

/** All keys starting with one prefix byte. */
export function prefixRange(prefix: number): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.of(prefix), lt: Buffer.of(prefix + 1) };
}

/** The smallest key greater than every key that starts with `prefix`. */
export function bump(prefix: Buffer): Buffer {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] < 0xff) {
      out[i]++;
      return out.subarray(0, i + 1);
    }
  }
  throw new RangeError('cannot bump an all-0xff key');
}

export function u64Value(value: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeU64(b, value, 0);
  return b;
}
