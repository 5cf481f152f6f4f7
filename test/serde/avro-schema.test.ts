import { test } from 'node:test';
import assert from 'node:assert/strict';
import avsc from 'avsc';
import { ConfigError } from '../../src/common/errors.js';
import { formatSqlType } from '../../src/common/sql-types.js';
import { inferColumnsFromAvroSchema } from '../../src/serde/avro/index.js';
import { AvroReader, AvroWriter, bigintToTwosComplement, twosComplementToBigint } from '../../src/serde/avro/avro-binary.js';
import { javaFloatToString } from '../../src/serde/avro/avro-decode.js';
import { parseAvroSchema } from '../../src/serde/avro/avro-schema.js';

const show = (cols: { name: string; type: Parameters<typeof formatSqlType>[0] }[]) => cols.map((c) => `${c.name} ${formatSqlType(c.type)}`).join(', ');
const infer = (schema: unknown, target: 'KEY' | 'VALUE' = 'VALUE', options = {}) =>
  show(inferColumnsFromAvroSchema(typeof schema === 'string' ? schema : JSON.stringify(schema), target, options));

test('Avro inference: a record\'s fields are the value columns, upper-cased', () => {
  const schema = {
    name: 'blah',
    type: 'record',
    fields: [
      { name: 'c1', type: 'boolean' },
      { name: 'c2', type: 'int' },
      { name: 'c3', type: 'long' },
      { name: 'c4', type: 'double' },
      { name: 'c5', type: 'string' },
      { name: 'c6', type: 'float' },
      { name: 'c7', type: { type: 'enum', name: 'Suit', symbols: ['SPADES'] } },
      { name: 'c8', type: ['null', { type: 'fixed', size: 16, name: 'md5' }] },
      { name: 'c9', type: { type: 'record', name: 'something', fields: [{ name: 'f1', type: 'int' }] } },
      { name: 'c10', type: { type: 'array', items: 'string' } },
      { name: 'c11', type: { type: 'map', values: ['null', 'long'] } },
      { name: 'c12', type: { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 } },
      { name: 'c13', type: { type: 'int', logicalType: 'date' } },
      { name: 'c14', type: { type: 'int', logicalType: 'time-millis' } },
      { name: 'c15', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'c16', type: 'null' },
      { name: 'c17', type: ['null', 'int', 'string'] },
      { name: 'c18', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'c19', type: 'bytes' },
    ],
  };
  assert.equal(
    infer(schema),
    'C1 BOOLEAN, C2 INTEGER, C3 BIGINT, C4 DOUBLE, C5 STRING, C6 DOUBLE, C7 STRING, C8 BYTES, C9 STRUCT<`F1` INTEGER>, C10 ARRAY<STRING>, ' +
      'C11 MAP<STRING, BIGINT>, C12 DECIMAL(6, 2), C13 DATE, C14 TIME, C15 TIMESTAMP, C17 STRUCT<`INT` INTEGER, `STRING` STRING>, C18 STRING, C19 BYTES',
  );
  // with a schema id, names stay as they are
  assert.equal(infer({ type: 'record', name: 'r', fields: [{ name: 'c1', type: 'int' }] }, 'VALUE', { originalNames: true }), 'c1 INTEGER');
});

test('Avro inference: keys are always one column, ROWKEY; unwrapped values are ROWVAL', () => {
  assert.equal(infer({ type: 'int' }, 'KEY'), 'ROWKEY INTEGER');
  assert.equal(infer('"string"', 'KEY'), 'ROWKEY STRING');
  assert.equal(infer({ type: 'array', items: ['null', 'string'] }, 'KEY'), 'ROWKEY ARRAY<STRING>');
  assert.equal(infer({ name: 'key', type: 'record', fields: [{ name: 'F1', type: ['null', 'string'] }] }, 'KEY'), 'ROWKEY STRUCT<`F1` STRING>');
  assert.equal(infer({ type: 'bytes', logicalType: 'decimal', scale: 2 }, 'KEY'), 'ROWKEY DECIMAL(64, 2)');
  assert.equal(infer({ type: 'int' }, 'VALUE', { unwrapped: true }), 'ROWVAL INTEGER');
  assert.equal(infer({ type: 'record', name: 'r', fields: [{ name: 'F0', type: ['null', 'int'] }] }, 'VALUE', { unwrapped: true }), 'ROWVAL STRUCT<`F0` INTEGER>');
  // Connect's MapEntry arrays are maps
  const entries = {
    type: 'array',
    items: { type: 'record', name: 'E', 'connect.internal.type': 'MapEntry', fields: [{ name: 'key', type: 'int' }, { name: 'value', type: 'string' }] },
  };
  assert.equal(infer(entries, 'VALUE', { unwrapped: true }), 'ROWVAL MAP<STRING, STRING>');
});

test('Avro inference: ksqlDB\'s errors', () => {
  assert.throws(
    () => infer({ type: 'int' }),
    (e: unknown) => e instanceof ConfigError && /Schema returned from schema registry is anonymous type\. To use this schema with ksqlDB, set 'WRAP_SINGLE_VALUE=false'/.test(e.message),
  );
  assert.throws(() => infer({ type: 'record', name: 'r', fields: [{ name: 'n', type: 'null' }] }), /Schema does not include any columns with types that ksqlDB supports/);
  assert.throws(() => infer('{"type": "record"'), (e: unknown) => e instanceof ConfigError && /Invalid Avro schema/.test(e.message));
  assert.throws(() => infer({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'int' }, { name: 'A', type: 'int' }] }), /field name duplication A/);
  // a recursive field is left out
  assert.equal(
    infer({ type: 'record', name: 'Node', fields: [{ name: 'v', type: 'int' }, { name: 'next', type: ['null', 'Node'] }] }),
    'V INTEGER',
  );
});

test('Avro schema parsing resolves names and namespaces', () => {
  const node = parseAvroSchema({
    type: 'record',
    name: 'a.b.Outer',
    fields: [
      { name: 'x', type: { type: 'fixed', name: 'F', size: 2 } },
      { name: 'y', type: 'F' },
      { name: 'z', type: 'a.b.F' },
      { name: 'w', type: { type: 'record', name: 'Inner', namespace: 'c', fields: [{ name: 'q', type: 'a.b.F' }] } },
    ],
  });
  assert.equal(node.kind, 'record');
  if (node.kind !== 'record') return;
  const [x, y, z, w] = node.fields;
  assert.equal(x!.type, y!.type);
  assert.equal(x!.type, z!.type);
  assert.equal(w!.type.kind === 'record' && w!.type.name, 'c.Inner');
  assert.equal(w!.type.kind === 'record' && w!.type.fields[0]!.type, x!.type);
  // in namespace c a bare F is c.F, as in Java
  assert.throws(() => parseAvroSchema({ type: 'record', name: 'a.R', fields: [{ name: 'x', type: { type: 'fixed', name: 'F', size: 1 } }, { name: 'w', type: { type: 'record', name: 'c.I', fields: [{ name: 'q', type: 'F' }] } }] }), /Undefined name/);
  assert.throws(() => parseAvroSchema({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'Nope' }] }), /Undefined name: "Nope"/);
  assert.throws(() => parseAvroSchema({ type: 'record', name: '1r', fields: [] }), /Illegal initial character: 1r/);
  assert.throws(() => parseAvroSchema({ type: 'record', name: 'r', fields: [{ name: 'a', type: { type: 'record', name: 'r', fields: [] } }] }), /Can't redefine: r/);
});

test('Avro binary: varints, longs beyond 2^53, and two\'s complement agree with avsc', () => {
  const longType = avsc.Type.forSchema('long');
  for (const v of [0, -1, 1, 63, -64, 64, 2 ** 31 - 1, -(2 ** 31), 2 ** 40 + 3, -(2 ** 52), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
    const w = new AvroWriter(1);
    w.writeLong(v);
    if (Math.abs(v) <= 2 ** 52) assert.deepEqual(w.result(), longType.toBuffer(v), `long ${v}`);
    assert.equal(new AvroReader(w.result(), 0).readLong(), v);
  }
  for (const v of [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 60n) - 7n]) {
    const w = new AvroWriter(1);
    w.writeLong(v);
    assert.equal(new AvroReader(w.result(), 0).readLongBig(), v);
  }
  const intType = avsc.Type.forSchema('int');
  for (const v of [0, -1, 2147483647, -2147483648, 300]) {
    const w = new AvroWriter(1);
    w.writeInt(v);
    assert.deepEqual(w.result(), intType.toBuffer(v));
    assert.equal(new AvroReader(w.result(), 0).readInt(), v);
  }
  const cases: [bigint, number[]][] = [
    [0n, [0]],
    [127n, [0x7f]],
    [128n, [0x00, 0x80]],
    [-1n, [0xff]],
    [-128n, [0x80]],
    [-129n, [0xff, 0x7f]],
    [-150n, [0xff, 0x6a]],
    [65535n, [0x00, 0xff, 0xff]],
  ];
  for (const [v, bytes] of cases) {
    assert.deepEqual([...bigintToTwosComplement(v)], bytes, `${v}`);
    assert.equal(twosComplementToBigint(Buffer.from(bytes)), v);
  }
});

test('Float.toString of float values read as STRING', () => {
  assert.equal(javaFloatToString(Math.fround(1.1)), '1.1');
  assert.equal(javaFloatToString(4), '4.0');
  assert.equal(javaFloatToString(Math.fround(1e10)), '1.0E10');
  assert.equal(javaFloatToString(Math.fround(0.0001)), '1.0E-4');
  assert.equal(javaFloatToString(Math.fround(123.456)), '123.456');
});
