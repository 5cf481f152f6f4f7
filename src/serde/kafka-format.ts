/**
 * KAFKA format: Kafka's own primitive serializers for a single column (ksqlDB's
 * KafkaSerdeFactory). INTEGER is 4 bytes big-endian, BIGINT 8 bytes, DOUBLE 8-byte IEEE 754,
 * STRING UTF-8, BYTES raw. A NULL column is a null payload.
 */
import { formatSqlType, type SqlType } from '../common/sql-types.js';
import {
  asDeserializeError,
  asSerializeError,
  columnCountMismatch,
  describeColumns,
  RecordFailure,
  SchemaNotSupported,
} from './serde-failure.js';
import { VOID_SERDE } from './none-format.js';
import type { RowSerde, SerdeFactory, SerdeSpec } from './serde-types.js';

interface Primitive {
  read(bytes: Buffer): unknown;
  write(v: unknown): Buffer;
}

function sizeCheck(bytes: Buffer, size: number, deserializer: string): void {
  if (bytes.length !== size) throw new RecordFailure(`Size of data received by ${deserializer} is not ${size}`);
}

function wrongValue(v: unknown, t: SqlType): RecordFailure {
  return new RecordFailure(`Value ${typeof v === 'bigint' ? `${v}n` : String(v)} is not a valid ${formatSqlType(t)} value`);
}

// BIGINT through a typed array: Buffer's BigInt64 methods cost several times more (keys of every
// record of a BIGINT-keyed topic go through here). Byte order reversed by hand: big-endian on the wire.
const i64 = new BigInt64Array(1);
const i64Bytes = new Uint8Array(i64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const PRIMITIVES: Partial<Record<SqlType['kind'], Primitive>> = {
  INTEGER: {
    read(b) {
      sizeCheck(b, 4, 'IntegerDeserializer');
      return b.readInt32BE(0);
    },
    write(v) {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongValue(v, { kind: 'INTEGER' });
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE(v | 0, 0);
      return b;
    },
  },
  BIGINT: {
    read(b) {
      sizeCheck(b, 8, 'LongDeserializer');
      if (!LITTLE_ENDIAN) return b.readBigInt64BE(0);
      for (let i = 0; i < 8; i++) i64Bytes[i] = b[7 - i]!;
      return i64[0]!;
    },
    write(v) {
      if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v))) throw wrongValue(v, { kind: 'BIGINT' });
      const b = Buffer.allocUnsafe(8);
      if (!LITTLE_ENDIAN) {
        b.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)), 0);
        return b;
      }
      // the typed array wraps to 64 bits as BigInt.asIntN(64, ...) does
      i64[0] = typeof v === 'bigint' ? v : BigInt(v);
      for (let i = 0; i < 8; i++) b[i] = i64Bytes[7 - i]!;
      return b;
    },
  },
  DOUBLE: {
    read(b) {
      sizeCheck(b, 8, 'DoubleDeserializer');
      return b.readDoubleBE(0);
    },
    write(v) {
      if (typeof v !== 'number') throw wrongValue(v, { kind: 'DOUBLE' });
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(v, 0);
      return b;
    },
  },
  STRING: {
    // like Java's decoder, malformed UTF-8 becomes U+FFFD rather than an error
    read: (b) => b.toString('utf8'),
    write(v) {
      if (typeof v !== 'string') throw wrongValue(v, { kind: 'STRING' });
      return Buffer.from(v, 'utf8');
    },
  },
  BYTES: {
    // copied: the caller may reuse the input buffer
    read: (b) => Buffer.from(b),
    write(v) {
      if (!(v instanceof Uint8Array)) throw wrongValue(v, { kind: 'BYTES' });
      return Buffer.from(v);
    },
  },
};

/** Options are checked by createSerde (validateFormatOptions) before this runs. */
export const createKafkaSerde: SerdeFactory = (spec: SerdeSpec): RowSerde => {
  // no columns (a key-less source): nothing is written and any bytes are ignored
  if (spec.columns.length === 0) return VOID_SERDE;
  if (spec.columns.length !== 1) {
    throw new SchemaNotSupported(`The 'KAFKA' format only supports a single field. Got: ${describeColumns(spec)}`);
  }
  const type = spec.columns[0]!.type;
  const p = PRIMITIVES[type.kind];
  if (p === undefined) throw new SchemaNotSupported(`The 'KAFKA' format does not support type '${type.kind}'`);
  return {
    serialize(values) {
      if (values === null) return null;
      try {
        if (values.length !== 1) throw columnCountMismatch(true, 1, values.length);
        const v = values[0];
        return v === null || v === undefined ? null : p.write(v);
      } catch (e) {
        throw asSerializeError(spec, e);
      }
    },
    deserialize(bytes) {
      if (bytes === null) return null;
      try {
        return [p.read(bytes)];
      } catch (e) {
        throw asDeserializeError(spec, e);
      }
    },
  };
};
