/**
 * Confluent's schema-registry wire framing, shared by the registry formats: a magic byte 0, then
 * the writer schema's id as a big-endian int32, then the format's payload. Subjects follow
 * Confluent's TopicNameStrategy: `<topic>-key` and `<topic>-value`.
 */
import type { SerdeTarget } from '../serde-types.js';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export function frameHeader(id: number): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  b[0] = MAGIC_BYTE;
  b.writeInt32BE(id | 0, 1);
  return b;
}

/** the schema id of a framed record, or undefined when it does not start with the magic byte */
export function framedSchemaId(bytes: Buffer): number | undefined {
  if (bytes.length < HEADER_SIZE || bytes[0] !== MAGIC_BYTE) return undefined;
  return bytes.readInt32BE(1);
}

export function subjectName(topic: string | undefined, target: SerdeTarget): string {
  return `${topic ?? ''}-${target === 'KEY' ? 'key' : 'value'}`;
}
