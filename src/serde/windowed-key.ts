/**
 * Windowed keys, laid out as Kafka Streams (and so ksqlDB) writes them: the key's bytes in its own
 * format, then the window bounds as 8-byte big-endian epoch milliseconds.
 *
 *   TUMBLING / HOPPING (TimeWindowedSerializer):    [key][start]          end = start + size
 *   SESSION            (SessionWindowedSerializer): [key][end][start]
 *
 *   const serde = createWindowedKeySerde('KAFKA', [{ name: 'K', type: SqlTypes.STRING }], {}, { type: 'TUMBLING', sizeMs: 1000 });
 *   serde.serialize(['a'], { start: 0, end: 1000 });  // 'a' + 00 00 00 00 00 00 00 00
 *   serde.deserialize(bytes);                         // { key: ['a'], window: { start: 0, end: 1000 } }
 */
import { SerdeError } from '../common/errors.js';
import type { RowSerde } from './serde-types.js';

export type KeyWindowType = 'TUMBLING' | 'HOPPING' | 'SESSION';

export interface KeyWindowSpec {
  readonly type: KeyWindowType;
  /** window size in ms: needed to read the end of a TUMBLING / HOPPING window */
  readonly sizeMs?: number;
}

export interface KeyWindow {
  readonly start: number;
  readonly end: number;
}

export interface WindowedKey {
  /** the key columns; null when the key part itself was a null payload of the key format */
  readonly key: unknown[] | null;
  readonly window: KeyWindow;
}

export interface WindowedKeySerde {
  /** a null window means "no key at all": a null payload */
  serialize(key: readonly unknown[] | null, window: KeyWindow | null): Buffer | null;
  /** throws SerdeError; null for a null payload */
  deserialize(bytes: Buffer | null): WindowedKey | null;
}

const LONG = 8;
const MAX_LONG = 9223372036854775807n;

function suffixSize(type: KeyWindowType): number {
  return type === 'SESSION' ? 2 * LONG : LONG;
}

const TWO_32 = 2 ** 32;

function putLong(b: Buffer, at: number, ms: number): void {
  const v = Math.trunc(ms);
  if (Number.isSafeInteger(v)) {
    // two 32-bit halves (two's complement): no BigInt per window bound of every windowed output
    const hi = Math.floor(v / TWO_32);
    b.writeInt32BE(hi, at);
    b.writeUInt32BE(v - hi * TWO_32, at + 4);
    return;
  }
  b.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)), at);
}

/** Appends the window bounds to the bytes of a key (a null key part is written as no bytes). */
export function windowedKeyBytes(keyBytes: Buffer | null, window: KeyWindow, type: KeyWindowType): Buffer {
  const k = keyBytes ?? Buffer.alloc(0);
  const out = Buffer.allocUnsafe(k.length + suffixSize(type));
  k.copy(out, 0);
  if (type === 'SESSION') {
    putLong(out, k.length, window.end);
    putLong(out, k.length + LONG, window.start);
  } else {
    putLong(out, k.length, window.start);
  }
  return out;
}

/** Writes the window bounds that follow a key's bytes, as windowedKeyBytes lays them out. */
export function writeWindowBounds(out: { int64(ms: number): void }, window: KeyWindow, type: KeyWindowType): void {
  if (type === 'SESSION') {
    out.int64(window.end);
    out.int64(window.start);
  } else out.int64(window.start);
}

/**
 * Splits windowed key bytes into the key's own bytes and the window. A time window's end is
 * start + size, clamped like Kafka's TimeWindow (an overflow becomes Long.MAX_VALUE).
 * Throws RangeError when the bytes are too short to hold the window.
 */
export function splitWindowedKey(bytes: Buffer, spec: KeyWindowSpec): { keyBytes: Buffer; window: KeyWindow } {
  const n = bytes.length - suffixSize(spec.type);
  if (n < 0) throw new RangeError(`A ${spec.type.toLowerCase()} windowed key needs at least ${suffixSize(spec.type)} bytes, got ${bytes.length}`);
  const keyBytes = bytes.subarray(0, n);
  if (spec.type === 'SESSION') {
    const end = Number(bytes.readBigInt64BE(n));
    const start = Number(bytes.readBigInt64BE(n + LONG));
    return { keyBytes, window: { start, end } };
  }
  const start = bytes.readBigInt64BE(n);
  const size = BigInt(Math.trunc(spec.sizeMs ?? 0));
  const end = start + size;
  return { keyBytes, window: { start: Number(start), end: Number(end > MAX_LONG || end < 0n ? MAX_LONG : end) } };
}

/** A windowed key serde around the key format's serde (see createWindowedKeySerde in index.ts). */
export function windowedKeySerde(inner: RowSerde, spec: KeyWindowSpec, topic?: string): WindowedKeySerde {
  const where = topic !== undefined ? ` from topic: ${topic}` : '';
  return {
    serialize(key, window) {
      if (window === null) return null;
      return windowedKeyBytes(key === null ? null : inner.serialize(key), window, spec.type);
    },
    deserialize(bytes) {
      if (bytes === null) return null;
      let parts: { keyBytes: Buffer; window: KeyWindow };
      try {
        parts = splitWindowedKey(bytes, spec);
      } catch (e) {
        throw new SerdeError(`Failed to deserialize key${where}. ${(e as Error).message}`, topic, { cause: e });
      }
      return { key: inner.deserialize(parts.keyBytes), window: parts.window };
    },
  };
}
