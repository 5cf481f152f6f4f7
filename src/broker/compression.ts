/**
 * The four codecs of Kafka record batches (attributes bits 0-2): gzip from node's zlib, snappy
 * (raw or the xerial framing Java clients write), LZ4 frames and zstd from native packages that
 * ship their binaries through npm.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function unsnappy(data: Buffer): Buffer {
  if (data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    // xerial framing: 8-byte magic, two int32 versions, then (int32 length, snappy block)*
    const parts: Buffer[] = [];
    let at = 16;
    while (at + 4 <= data.length) {
      const n = data.readInt32BE(at);
      at += 4;
      parts.push(snappyUncompress(data.subarray(at, at + n)) as Buffer);
      at += n;
    }
    return Buffer.concat(parts);
  }
  return snappyUncompress(data) as Buffer;
}

export async function decompress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 0:
      return data;
    case 1:
      return gunzipSync(data);
    case 2:
      return unsnappy(data);
    case 3:
      return decompressFrameSync(data);
    case 4:
      return zstdDecompress(data);
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}

export async function compress(codec: CompressionCodec, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return compressFrameSync(data);
    case 'zstd':
      return zstdCompress(data);
  }
}

export function codecId(codec: CompressionCodec): number {
  return CODECS.indexOf(codec);
}
