import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import protobuf from 'protobufjs';
import { ConfigError, SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T, type SqlType } from '../../src/common/sql-types.js';
import { createSerde, InMemorySchemaRegistry, isSupportedFormat } from '../../src/serde/index.js';
import type { FormatOptions, SerdeColumn } from '../../src/serde/index.js';
import { deriveProtobufSchema, inferColumnsFromProtobufSchema, messageIndexBytes } from '../../src/serde/protobuf/index.js';

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));

const ALL_TYPES: SerdeColumn[] = [
  { name: 'I', type: T.INTEGER },
  { name: 'L', type: T.BIGINT },
  { name: 'D', type: T.DOUBLE },
  { name: 'B', type: T.BOOLEAN },
  { name: 'S', type: T.STRING },
  { name: 'BY', type: T.BYTES },
  { name: 'DEC', type: T.decimal(6, 4) },
  { name: 'DT', type: T.DATE },
  { name: 'TM', type: T.TIME },
  { name: 'TS', type: T.TIMESTAMP },
  { name: 'A', type: T.array(T.STRING) },
  { name: 'AI', type: T.array(T.BIGINT) },
  { name: 'M', type: T.map(T.STRING, T.DOUBLE) },
  { name: 'ST', type: T.struct([{ name: 'F0', type: T.INTEGER }, { name: 'N', type: T.struct([{ name: 'X', type: T.STRING }]) }]) },
  { name: 'AST', type: T.array(T.struct([{ name: 'V', type: T.BOOLEAN }])) },
  { name: 'MA', type: T.map(T.STRING, T.array(T.INTEGER)) },
];

const FULL_ROW: unknown[] = [
  -5,
  -9223372036854775808n,
  -1.5e-300,
  true,
  'h\u00e9llo \u{1F600}',
  Buffer.from([0, 1, 255]),
  new Decimal('-10.1234'),
  -719162,
  86399999,
  -62135596800000,
  ['a', '', 'c'],
  [9223372036854775807n, 0n, -1n],
  new Map([
    ['k', 2.5],
    ['', -0.0],
  ]),
  { F0: 2147483647, N: { X: 'y' } },
  [{ V: true }, { V: false }],
  new Map([['x', [1, -2, 3]]]),
];

function options(extra: FormatOptions = {}): FormatOptions {
  return { topic: 't', schemaRegistry: new InMemorySchemaRegistry(), ...extra };
}

function assertRowEqual(actual: unknown[] | null, expected: unknown[]): void {
  assert.ok(actual !== null);
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (Decimal.isDecimal(e)) assert.ok(Decimal.isDecimal(a) && (a as Decimal).eq(e as Decimal), `column ${i}: ${String(a)} != ${String(e)}`);
    else assert.deepEqual(a, e, `column ${i}`);
  });
}

test('PROTOBUF and PROTOBUF_NOSR are supported formats', () => {
  assert.ok(isSupportedFormat('PROTOBUF'));
  assert.ok(isSupportedFormat('PROTOBUF_NOSR'));
});

for (const format of ['PROTOBUF', 'PROTOBUF_NOSR'] as const) {
  for (const nullable of [undefined, 'OPTIONAL', 'WRAPPER']) {
    test(`${format} (nullable ${nullable ?? 'default'}): round trip of every type`, () => {
      const serde = createSerde(format, 'VALUE', ALL_TYPES, options(nullable ? ({ nullableRepresentation: nullable } as FormatOptions) : {}));
      const back = serde.deserialize(serde.serialize(FULL_ROW));
      assertRowEqual(back, FULL_ROW);
      // -0.0 survives (proto3 only skips +0.0)
      assert.ok(Object.is((back![12] as Map<string, number>).get(''), -0));
    });
  }
}

test('PROTOBUF: NULLs read back as proto3 defaults; messages and containers as NULL / empty', () => {
  const serde = createSerde('PROTOBUF', 'VALUE', ALL_TYPES, options());
  const back = serde.deserialize(serde.serialize(ALL_TYPES.map(() => null)));
  assert.deepEqual(back, [0, 0n, 0, false, '', Buffer.alloc(0), null, null, null, null, [], [], new Map(), null, [], new Map()]);
  // a null struct field inside a present struct reads as its default too
  const st = createSerde('PROTOBUF', 'VALUE', [{ name: 'S', type: T.struct([{ name: 'FOO', type: T.INTEGER }]) }], options());
  assert.deepEqual(st.deserialize(st.serialize([{ FOO: null }])), [{ FOO: 0 }]);
  assert.deepEqual(st.deserialize(st.serialize([null])), [null]);
  assert.equal(st.serialize(null), null);
  assert.equal(st.deserialize(null), null);
});

for (const nullable of ['OPTIONAL', 'WRAPPER']) {
  for (const format of ['PROTOBUF', 'PROTOBUF_NOSR'] as const) {
    test(`${format}: nullable representation ${nullable} keeps NULL apart from the default`, () => {
      const cols: SerdeColumn[] = [
        { name: 'I', type: T.INTEGER },
        { name: 'L', type: T.BIGINT },
        { name: 'D', type: T.DOUBLE },
        { name: 'B', type: T.BOOLEAN },
        { name: 'S', type: T.STRING },
      ];
      const serde = createSerde(format, 'VALUE', cols, options({ nullableRepresentation: nullable } as FormatOptions));
      for (const row of [
        [null, 0n, null, false, null],
        [0, null, 0, null, ''],
      ]) {
        assert.deepEqual(serde.deserialize(serde.serialize(row)), row);
      }
    });
  }
}

test('PROTOBUF: derived schemas match ksqlDB (plain, optional, wrapper)', () => {
  const cols: SerdeColumn[] = [
    { name: 'I', type: T.INTEGER },
    { name: 'L', type: T.BIGINT },
    { name: 'D', type: T.DOUBLE },
    { name: 'B', type: T.BOOLEAN },
    { name: 'S', type: T.STRING },
  ];
  assert.equal(
    deriveProtobufSchema(cols, { nullable: 'OPTIONAL' }),
    'syntax = "proto3";\n\nmessage ConnectDefault1 {\n  optional int32 I = 1;\n  optional int64 L = 2;\n  optional double D = 3;\n  optional bool B = 4;\n  optional string S = 5;\n}\n',
  );
  assert.equal(
    deriveProtobufSchema(cols, { nullable: 'WRAPPER' }),
    'syntax = "proto3";\n\nimport "google/protobuf/wrappers.proto";\n\nmessage ConnectDefault1 {\n  google.protobuf.Int32Value I = 1;\n' +
      '  google.protobuf.Int64Value L = 2;\n  google.protobuf.DoubleValue D = 3;\n  google.protobuf.BoolValue B = 4;\n  google.protobuf.StringValue S = 5;\n}\n',
  );
  assert.equal(
    deriveProtobufSchema([{ name: 'S', type: T.struct([{ name: 'FOO', type: T.INTEGER }]) }, { name: 'M', type: T.map(T.STRING, T.STRING) }]),
    'syntax = "proto3";\n\nmessage ConnectDefault1 {\n  ConnectDefault2 S = 1;\n  map<string, string> M = 2;\n\n  message ConnectDefault2 {\n    int32 FOO = 1;\n  }\n}\n',
  );
  assert.match(deriveProtobufSchema([{ name: 'X', type: T.INTEGER }], { fullName: 'a.b.Rec' }), /^syntax = "proto3";\n\npackage a\.b;\n\nmessage Rec \{/);
});

test('PROTOBUF: registers the derived schema under <topic>-value / -key and frames records', () => {
  const registry = new InMemorySchemaRegistry();
  const cols: SerdeColumn[] = [
    { name: 'I', type: T.INTEGER },
    { name: 'S', type: T.STRING },
  ];
  const value = createSerde('PROTOBUF', 'VALUE', cols, { topic: 'orders', schemaRegistry: registry });
  // magic 0, id 1, message indexes [0], then field 1 varint 1, field 2 "a"
  assert.equal(hex(value.serialize([1, 'a'])), '0000000001' + '00' + '0801' + '120161');
  // NULL and default values are not written
  assert.equal(hex(value.serialize([0, null])), '000000000100');
  const key = createSerde('PROTOBUF', 'KEY', [{ name: 'K', type: T.STRING }], { topic: 'orders', schemaRegistry: registry });
  const keyBytes = key.serialize(['k'])!;
  assert.deepEqual(
    registry.all().map((s) => [s.id, s.subject, s.type]),
    [
      [1, 'orders-value', 'PROTOBUF'],
      [2, 'orders-key', 'PROTOBUF'],
    ],
  );
  assert.equal(hex(keyBytes), '0000000002' + '00' + '0a016b');
  assert.deepEqual(key.deserialize(keyBytes), ['k']);
  // a second serde for the same schema reuses the id
  const again = createSerde('PROTOBUF', 'VALUE', cols, { topic: 'orders', schemaRegistry: registry });
  assert.equal(hex(again.serialize([1, 'a'])), '0000000001000801120161');
  // PROTOBUF_NOSR: the bare message
  const nosr = createSerde('PROTOBUF_NOSR', 'VALUE', cols, { topic: 'orders' });
  assert.equal(hex(nosr.serialize([1, 'a'])), '0801120161');
  assert.deepEqual(nosr.deserialize(Buffer.alloc(0)), [0, '']);
});

test('PROTOBUF: message indexes are encoded like Confluent', () => {
  assert.equal(hex(messageIndexBytes([0])), '00');
  assert.equal(hex(messageIndexBytes([1])), '0202');
  assert.equal(hex(messageIndexBytes([0, 2])), '040004');
});

test('PROTOBUF: keys are a wrapped message; a NULL key field reads as its default', () => {
  const key = createSerde('PROTOBUF', 'KEY', [{ name: 'F1', type: T.BOOLEAN }], options());
  assert.deepEqual(key.deserialize(key.serialize([true])), [true]);
  assert.deepEqual(key.deserialize(key.serialize([null])), [false]);
  const multi = createSerde('PROTOBUF', 'KEY', [{ name: 'F1', type: T.INTEGER }, { name: 'F2', type: T.STRING }], options());
  assert.deepEqual(multi.deserialize(multi.serialize([null, null])), [0, '']);
});

/** writes a registered schema, then records of it encoded by protobufjs (an independent encoder) */
function foreign(schema: string, typeName: string, value: Record<string, unknown>, indexes = [0]): { registry: InMemorySchemaRegistry; bytes: Buffer; id: number } {
  const registry = new InMemorySchemaRegistry();
  registry.register('other-subject', 'AVRO', '"int"');
  const id = registry.register('in-value', 'PROTOBUF', schema);
  const root = protobuf.parse(schema, { keepCase: true }).root;
  const type = root.lookupType(typeName);
  const body = Buffer.from(type.encode(type.fromObject(value)).finish());
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return { registry, bytes: Buffer.concat([header, messageIndexBytes(indexes), body]), id };
}

test('PROTOBUF: reads records of a registered schema, with Connect coercions and case-insensitive names', () => {
  const schema =
    'syntax = "proto3"; package p; message Other { int32 x = 1; } message Rec { uint32 u32 = 1; float f = 2; sint64 s64 = 3; ' +
    'fixed32 f32 = 4; sfixed64 sf64 = 5; uint64 u64 = 6; Color color = 7; repeated int32 packed = 8; sint32 s32 = 9; enum Color { RED = 0; GREEN = 1; } }';
  const { registry, bytes } = foreign(schema, 'p.Rec', { u32: 4294967295, f: 1.1234, s64: '-12345678901234', f32: 7, sf64: '-9', u64: '18446744073709551615', color: 1, packed: [1, -1, 300], s32: -3 }, [1]);
  const cols: SerdeColumn[] = [
    { name: 'U32', type: T.BIGINT },
    { name: 'F', type: T.DOUBLE },
    { name: 'S64', type: T.BIGINT },
    { name: 'F32', type: T.BIGINT },
    { name: 'SF64', type: T.BIGINT },
    { name: 'U64', type: T.BIGINT },
    { name: 'COLOR', type: T.STRING },
    { name: 'PACKED', type: T.array(T.INTEGER) },
    { name: 'S32', type: T.STRING },
    { name: 'MISSING', type: T.STRING },
  ];
  const serde = createSerde('PROTOBUF', 'VALUE', cols, { topic: 'in', schemaRegistry: registry });
  assert.deepEqual(serde.deserialize(bytes), [4294967295n, 1.1233999729156494, -12345678901234n, 7n, -9n, -1n, 'GREEN', [1, -1, 300], '-3', null]);
  // uint32 is a Connect INT64: it does not fit an INTEGER column
  const narrow = createSerde('PROTOBUF', 'VALUE', [{ name: 'u32', type: T.INTEGER }], { topic: 'in', schemaRegistry: registry });
  assert.throws(() => narrow.deserialize(bytes), (e: unknown) => e instanceof SerdeError && /Cannot deserialize type int64 as type int32 for path: ->u32/.test(e.message));
  // a float read as STRING is Java's Float.toString
  const str = createSerde('PROTOBUF', 'VALUE', [{ name: 'f', type: T.STRING }], { topic: 'in', schemaRegistry: registry });
  assert.deepEqual(str.deserialize(bytes), ['1.1234']);
});

test('PROTOBUF: wrappers read as primitives, oneofs as a struct, imports of registered subjects', () => {
  const registry = new InMemorySchemaRegistry();
  registry.register('event.proto', 'PROTOBUF', 'syntax = "proto3";\n\nmessage Event {\n int64 timestamp = 1;\n}');
  const schema =
    'syntax = "proto3"; import "google/protobuf/wrappers.proto"; import "event.proto"; ' +
    'message Logistics { Event event = 1; google.protobuf.Int32Value w = 2; google.protobuf.StringValue ws = 3; oneof choice { string a = 4; int32 b = 5; } }';
  const id = registry.register('in-value', 'PROTOBUF', schema);
  const cols = inferColumnsFromProtobufSchema(schema, 'VALUE', undefined, (name) => registry.latest(name)?.schema);
  assert.deepEqual(cols, [
    { name: 'choice_0', type: T.struct([{ name: 'a', type: T.STRING }, { name: 'b', type: T.INTEGER }]) },
    { name: 'event', type: T.struct([{ name: 'timestamp', type: T.BIGINT }]) },
    { name: 'w', type: T.INTEGER },
    { name: 'ws', type: T.STRING },
  ]);
  const serde = createSerde('PROTOBUF', 'VALUE', cols, { topic: 'in', schemaRegistry: registry, schemaId: id });
  const row = [{ a: null, b: 5 }, { timestamp: 1n }, 0, null];
  const bytes = serde.serialize(row)!;
  assert.equal(bytes.readInt32BE(1), id);
  assert.deepEqual(serde.deserialize(bytes), row);
  assert.deepEqual(serde.deserialize(serde.serialize([null, null, null, null])), [null, null, null, null]);
});

test('PROTOBUF: writing with a schema id and full name uses that message (its types, its indexes)', () => {
  const registry = new InMemorySchemaRegistry();
  const id = registry.register('out-value', 'PROTOBUF', 'syntax = "proto3"; message ProtobufValue1 {float c1 = 1; uint32 c2 = 2;} message ProtobufValue2 {float c1 = 1; uint32 c2 = 2; string c3 = 3;}');
  const cols: SerdeColumn[] = [
    { name: 'C1', type: T.DOUBLE },
    { name: 'C2', type: T.BIGINT },
  ];
  const serde = createSerde('PROTOBUF', 'VALUE', cols, { topic: 'out', schemaRegistry: registry, schemaId: id, schemaFullName: 'ProtobufValue2' });
  const bytes = serde.serialize([1.1234, 100n])!;
  // header, then message indexes [1]
  assert.equal(hex(bytes.subarray(0, 7)), `00${id.toString(16).padStart(8, '0')}0202`);
  assert.deepEqual(serde.deserialize(bytes), [1.1233999729156494, 100n]);
  const reader = createSerde('PROTOBUF', 'VALUE', [...cols, { name: 'c3', type: T.STRING }], { topic: 'out', schemaRegistry: registry });
  assert.deepEqual(reader.deserialize(bytes), [1.1233999729156494, 100n, '']);
  // a column the registered message lacks fails the record
  const extra = createSerde('PROTOBUF', 'VALUE', [...cols, { name: 'NOPE', type: T.STRING }], { topic: 'out', schemaRegistry: registry, schemaId: id });
  assert.throws(() => extra.serialize([1, 2n, 'x']), (e: unknown) => e instanceof SerdeError && /misses field with name: NOPE/.test(e.message));
  const unknown = createSerde('PROTOBUF', 'VALUE', cols, { topic: 'out', schemaRegistry: registry, schemaId: 99 });
  assert.throws(() => unknown.serialize([1, 2n]), SerdeError);
});

test('PROTOBUF: inference follows Confluent\'s Connect mapping', () => {
  const schema =
    'syntax = "proto3"; import "confluent/type/decimal.proto"; import "google/protobuf/timestamp.proto"; import "google/type/date.proto"; ' +
    'import "google/type/timeofday.proto"; import "google/protobuf/wrappers.proto"; ' +
    'message ConfluentDefault1 {bool c1 = 1; int32 c2 = 2; int64 c3 = 3; double c4 = 4; string c5 = 5; ' +
    'confluent.type.Decimal c6 = 6 [(confluent.field_meta) = { params: [{ value: "4", key: "precision" }, { value: "2", key: "scale" }]}]; ' +
    'confluent.type.Decimal c7 = 7; google.protobuf.Timestamp c8 = 8; google.type.Date c9 = 9; google.type.TimeOfDay c10 = 10; ' +
    'repeated string c11 = 11; map<string, Inner> c12 = 12; google.protobuf.UInt32Value c13 = 13; bytes c14 = 14; float c15 = 15; ' +
    'fixed64 c16 = 16; E c17 = 17; message Inner { sint32 x = 1; } enum E { A = 0; } }';
  const types: [string, SqlType][] = inferColumnsFromProtobufSchema(schema, 'VALUE').map((c) => [c.name, c.type]);
  assert.deepEqual(types, [
    ['c1', T.BOOLEAN],
    ['c2', T.INTEGER],
    ['c3', T.BIGINT],
    ['c4', T.DOUBLE],
    ['c5', T.STRING],
    ['c6', T.decimal(4, 2)],
    ['c7', T.decimal(64, 0)],
    ['c8', T.TIMESTAMP],
    ['c9', T.DATE],
    ['c10', T.TIME],
    ['c11', T.array(T.STRING)],
    ['c12', T.map(T.STRING, T.struct([{ name: 'x', type: T.INTEGER }]))],
    ['c13', T.BIGINT],
    ['c14', T.BYTES],
    ['c15', T.DOUBLE],
    ['c16', T.BIGINT],
    ['c17', T.STRING],
  ]);
  // a key schema: still the message's fields
  assert.deepEqual(inferColumnsFromProtobufSchema('syntax = "proto3"; message ConnectDefault1 {int32 F1 = 1;}', 'KEY'), [{ name: 'F1', type: T.INTEGER }]);
  // by full name, from several messages
  assert.deepEqual(
    inferColumnsFromProtobufSchema('syntax = "proto3"; message ProtobufKey1 {uint32 k1 = 1;} message ProtobufKey2 {string k1 = 1;}', 'KEY', 'ProtobufKey2'),
    [{ name: 'k1', type: T.STRING }],
  );
  assert.throws(() => inferColumnsFromProtobufSchema('syntax = "proto3"; message A { A a = 1; }', 'VALUE'), ConfigError);
  assert.throws(() => inferColumnsFromProtobufSchema('syntax = "proto3"; message A { int32 a = 1 }', 'VALUE'), ConfigError);
  assert.throws(() => inferColumnsFromProtobufSchema('syntax = "proto3"; message A { Missing a = 1; }', 'VALUE'), ConfigError);
  assert.throws(() => inferColumnsFromProtobufSchema('syntax = "proto3"; message A {}', 'VALUE', 'B'), ConfigError);
});

test('PROTOBUF: a derived schema infers back to its columns', () => {
  const back = inferColumnsFromProtobufSchema(deriveProtobufSchema(ALL_TYPES), 'VALUE');
  assert.deepEqual(back, ALL_TYPES);
  assert.deepEqual(inferColumnsFromProtobufSchema(deriveProtobufSchema(ALL_TYPES.slice(0, 6), { nullable: 'WRAPPER' }), 'VALUE'), ALL_TYPES.slice(0, 6));
});

test('PROTOBUF: statement-level errors', () => {
  assert.throws(
    () => createSerde('PROTOBUF', 'VALUE', [{ name: 'FOO', type: T.map(T.INTEGER, T.DOUBLE) }], options()),
    (e: unknown) => e instanceof ConfigError && e.message.includes('PROTOBUF format only supports MAP types with STRING keys'),
  );
  assert.throws(
    () => createSerde('PROTOBUF', 'VALUE', [{ name: 'FOO', type: T.INTEGER }], options({ wrapSingleValue: false })),
    (e: unknown) => e instanceof ConfigError && e.message === "Format 'PROTOBUF' does not support 'WRAP_SINGLE_VALUE' set to 'false'.",
  );
  assert.throws(
    () => createSerde('PROTOBUF_NOSR', 'VALUE', [{ name: 'FOO', type: T.INTEGER }], options({ wrapSingleValue: false })),
    (e: unknown) => e instanceof ConfigError && e.message.includes("Format 'PROTOBUF_NOSR' does not support"),
  );
  assert.throws(() => createSerde('PROTOBUF', 'VALUE', [{ name: 'A', type: T.array(T.array(T.INTEGER)) }], options()), ConfigError);
  assert.throws(() => createSerde('PROTOBUF', 'VALUE', [{ name: 'A', type: T.INTEGER }], options({ nullableRepresentation: 'BOGUS' } as FormatOptions)), ConfigError);
  // odd column names are scrubbed into valid field names and still round trip
  const odd = createSerde('PROTOBUF', 'VALUE', [{ name: 'my col', type: T.INTEGER }, { name: '1x', type: T.STRING }], options());
  assert.deepEqual(odd.deserialize(odd.serialize([3, 'z'])), [3, 'z']);
});

test('PROTOBUF: records that cannot be written fail with SerdeError', () => {
  const serde = createSerde('PROTOBUF', 'VALUE', [{ name: 'A', type: T.array(T.INTEGER) }, { name: 'M', type: T.map(T.STRING, T.STRING) }], options());
  assert.throws(() => serde.serialize([[1, null], null]), (e: unknown) => e instanceof SerdeError && /NULL array elements/.test(e.message));
  assert.throws(() => serde.serialize([null, new Map([['a', null]])]), SerdeError);
  assert.throws(() => serde.serialize([['x'], null]), SerdeError);
  assert.throws(() => serde.serialize([null]), (e: unknown) => e instanceof SerdeError && /Column count mismatch/.test(e.message));
  const time = createSerde('PROTOBUF', 'VALUE', [{ name: 'T', type: T.TIME }], options());
  assert.throws(() => time.serialize([86400001]), SerdeError);
  const noRegistry = createSerde('PROTOBUF', 'VALUE', [{ name: 'A', type: T.INTEGER }], { topic: 't' });
  assert.throws(() => noRegistry.serialize([1]), SerdeError);
});

test('PROTOBUF: bad bytes fail with SerdeError', () => {
  const registry = new InMemorySchemaRegistry();
  const serde = createSerde('PROTOBUF', 'VALUE', ALL_TYPES, { topic: 't', schemaRegistry: registry });
  const good = serde.serialize(FULL_ROW)!;
  const expectSerde = (bytes: Buffer, pattern?: RegExp): void => {
    assert.throws(
      () => serde.deserialize(bytes),
      (e: unknown) => e instanceof SerdeError && (pattern === undefined || pattern.test(e.message)),
    );
  };
  expectSerde(Buffer.from('{"I": 1}'), /^Failed to deserialize value from topic: t\. Unknown magic byte!$/);
  expectSerde(Buffer.alloc(0), /Unknown magic byte/);
  expectSerde(Buffer.from([0, 0, 0]), /Unknown magic byte/);
  expectSerde(Buffer.from([0, 0, 0, 0, 1]));
  expectSerde(Buffer.from([0, 0, 0, 0, 42, 0]), /Error retrieving Protobuf schema for id 42/);
  expectSerde(good.subarray(0, good.length - 3), /Error deserializing Protobuf message for id 1/);
  // field 5 (S) with invalid UTF-8
  expectSerde(Buffer.from([0, 0, 0, 0, 1, 0, 0x2a, 0x02, 0xc3, 0x28]), /invalid UTF-8/);
  // a google.type.Date with month 13
  expectSerde(Buffer.from([0, 0, 0, 0, 1, 0, 0x42, 0x06, 0x08, 0x01, 0x10, 0x0d, 0x18, 0x01]), /Date/);
  // an over-long varint
  expectSerde(Buffer.from([0, 0, 0, 0, 1, 0, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /malformed varint/);
  // fuzz: truncations and bit flips never escape as another error type
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(good);
    const flips = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < flips; j++) b[6 + Math.floor(rand() * (b.length - 6))] = Math.floor(rand() * 256);
    const cut = rand() < 0.3 ? b.subarray(0, 6 + Math.floor(rand() * (b.length - 6))) : b;
    try {
      serde.deserialize(cut);
    } catch (e) {
      assert.ok(e instanceof SerdeError, `not a SerdeError: ${String(e)}`);
    }
  }
  const nosr = createSerde('PROTOBUF_NOSR', 'VALUE', ALL_TYPES, {});
  for (let i = 0; i < 500; i++) {
    const b = Buffer.alloc(Math.floor(rand() * 40));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
    try {
      nosr.deserialize(b);
    } catch (e) {
      assert.ok(e instanceof SerdeError, `not a SerdeError: ${String(e)}`);
    }
  }
});

test('PROTOBUF: deeply nested input fails cleanly', () => {
  const registry = new InMemorySchemaRegistry();
  const id = registry.register('t-value', 'PROTOBUF', 'syntax = "proto3"; message R { R child = 1; int32 v = 2; }');
  const serde = createSerde('PROTOBUF', 'VALUE', [{ name: 'v', type: T.INTEGER }], { topic: 't', schemaRegistry: registry });
  let body = Buffer.from([0x10, 0x01]);
  for (let i = 0; i < 200; i++) {
    const w: number[] = [];
    let n = body.length;
    while (n >= 0x80) {
      w.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    w.push(n);
    body = Buffer.concat([Buffer.from([0x0a, ...w]), body]);
  }
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  assert.throws(() => serde.deserialize(Buffer.concat([header, Buffer.from([0]), body])), (e: unknown) => e instanceof SerdeError && /nesting/.test(e.message));
});

test('PROTOBUF_NOSR: protobufjs (an independent implementation) decodes what the serde writes', () => {
  const cols: SerdeColumn[] = [
    { name: 'I', type: T.INTEGER },
    { name: 'L', type: T.BIGINT },
    { name: 'D', type: T.DOUBLE },
    { name: 'B', type: T.BOOLEAN },
    { name: 'S', type: T.STRING },
    { name: 'BY', type: T.BYTES },
    { name: 'AI', type: T.array(T.BIGINT) },
    { name: 'AD', type: T.array(T.DOUBLE) },
    { name: 'M', type: T.map(T.STRING, T.INTEGER) },
    { name: 'ST', type: T.struct([{ name: 'X', type: T.STRING }, { name: 'Y', type: T.array(T.INTEGER) }]) },
  ];
  const serde = createSerde('PROTOBUF_NOSR', 'VALUE', cols, {});
  const row = [-2, -3n, 0.5, true, 'x\u00e9', Buffer.from([9]), [1n, -1n, 9007199254740993n], [1.5, -0.25], new Map([['a', -1], ['b', 0]]), { X: 'n', Y: [0, 7] }];
  const bytes = serde.serialize(row)!;
  const type = protobuf.parse(deriveProtobufSchema(cols), { keepCase: true }).root.lookupType('ConnectDefault1');
  const o = type.toObject(type.decode(bytes), { longs: String, bytes: Array, defaults: true });
  assert.deepEqual(JSON.parse(JSON.stringify(o)), {
    I: -2,
    L: '-3',
    D: 0.5,
    B: true,
    S: 'x\u00e9',
    BY: [9],
    AI: ['1', '-1', '9007199254740993'],
    AD: [1.5, -0.25],
    M: { a: -1, b: 0 },
    ST: { X: 'n', Y: [0, 7] },
  });
});
