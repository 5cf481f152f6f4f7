import { test } from 'node:test';
import assert from 'node:assert/strict';
import avsc from 'avsc';
import { Decimal } from 'decimal.js';
import { ConfigError, SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import type { SqlType } from '../../src/common/sql-types.js';
import { createSerde, InMemorySchemaRegistry, isSupportedFormat } from '../../src/serde/index.js';
import type { FormatOptions, SchemaRegistry, SerdeColumn } from '../../src/serde/index.js';
import { avroIsUnwrapped, avroKeySchemaFullName, avroSchemaFor, decodeAvroToJson, encodeAvroFromJson } from '../../src/serde/avro/index.js';

const col = (name: string, type: SqlType): SerdeColumn => ({ name, type });

function setup(options: Omit<FormatOptions, 'schemaRegistry'> = {}) {
  const registry = new InMemorySchemaRegistry();
  const opts: FormatOptions = { topic: 't', ...options, schemaRegistry: registry };
  return {
    registry,
    value: (columns: SerdeColumn[], extra: FormatOptions = {}) => createSerde('AVRO', 'VALUE', columns, { ...opts, ...extra }),
    key: (columns: SerdeColumn[], extra: FormatOptions = {}) => createSerde('AVRO', 'KEY', columns, { ...opts, ...extra }),
  };
}

/** Registers a schema and returns a payload of it written by avsc (an independent implementation). */
function writeWithAvsc(registry: SchemaRegistry, subject: string, schema: unknown, value: unknown): Buffer {
  const id = registry.register(subject, 'AVRO', JSON.stringify(schema));
  const body = avsc.Type.forSchema(schema as avsc.Schema, { wrapUnions: 'auto' }).toBuffer(value);
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

function readWithAvsc(registry: SchemaRegistry, bytes: Buffer): unknown {
  const schema = registry.byId(bytes.readInt32BE(1))!.schema;
  return avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema, { wrapUnions: 'auto' }).fromBuffer(bytes.subarray(5));
}

test('AVRO is a supported format', () => {
  assert.ok(isSupportedFormat('AVRO'));
});

test('AVRO: records are magic byte 0, the registered id, then the body; the schema is registered once', () => {
  const registry = new InMemorySchemaRegistry();
  registry.register('other-value', 'AVRO', '"string"'); // takes id 1
  let registrations = 0;
  const counting: SchemaRegistry = {
    register: (s, ty, text) => {
      registrations++;
      return registry.register(s, ty, text);
    },
    byId: (id) => registry.byId(id),
    latest: (s) => registry.latest(s),
    subjects: () => registry.subjects(),
    all: () => registry.all(),
    registerWithId: (s, ty, text, id) => registry.registerWithId(s, ty, text, id),
  };
  const serde = createSerde('AVRO', 'VALUE', [col('A', T.INTEGER)], { topic: 'orders', schemaRegistry: counting });
  const a = serde.serialize([5])!;
  const b = serde.serialize([6])!;
  assert.equal(registrations, 1);
  assert.equal(a[0], 0);
  assert.equal(a.readInt32BE(1), 2);
  assert.deepEqual(a.subarray(5), Buffer.from([0x02, 0x0a])); // union branch 1 (int), zig-zag 5
  assert.equal(b.readInt32BE(1), 2);
  assert.equal(registry.latest('orders-value')?.id, 2);
  assert.deepEqual(serde.deserialize(a), [5]);
});

test('AVRO: the derived value schema is ksqlDB\'s', () => {
  const columns = [
    col('I', T.INTEGER),
    col('D', T.decimal(4, 2)),
    col('M', T.map(T.STRING, T.BIGINT)),
    col('S', T.struct([{ name: 'F', type: T.STRING }, { name: 'N', type: T.struct([{ name: 'X', type: T.DATE }]) }])),
    col('A', T.array(T.struct([{ name: 'Y', type: T.TIMESTAMP }]))),
  ];
  const schema = JSON.parse(avroSchemaFor('VALUE', columns));
  const ns = 'io.confluent.ksql.avro_schemas';
  assert.deepEqual(schema, {
    type: 'record',
    name: 'KsqlDataSourceSchema',
    namespace: ns,
    fields: [
      { name: 'I', type: ['null', 'int'], default: null },
      {
        name: 'D',
        type: [
          'null',
          {
            type: 'bytes',
            scale: 2,
            precision: 4,
            'connect.version': 1,
            'connect.parameters': { scale: '2', 'connect.decimal.precision': '4' },
            'connect.name': 'org.apache.kafka.connect.data.Decimal',
            logicalType: 'decimal',
          },
        ],
        default: null,
      },
      {
        name: 'M',
        type: [
          'null',
          {
            type: 'array',
            items: {
              type: 'record',
              name: 'KsqlDataSourceSchema_M',
              fields: [
                { name: 'key', type: ['null', 'string'], default: null },
                { name: 'value', type: ['null', 'long'], default: null },
              ],
              'connect.internal.type': 'MapEntry',
            },
            'connect.name': `${ns}.KsqlDataSourceSchema_M`,
          },
        ],
        default: null,
      },
      {
        name: 'S',
        type: [
          'null',
          {
            type: 'record',
            name: 'KsqlDataSourceSchema_S',
            fields: [
              { name: 'F', type: ['null', 'string'], default: null },
              {
                name: 'N',
                type: [
                  'null',
                  {
                    type: 'record',
                    name: 'KsqlDataSourceSchema_S_N',
                    fields: [
                      {
                        name: 'X',
                        type: ['null', { type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Date', logicalType: 'date' }],
                        default: null,
                      },
                    ],
                    'connect.name': `${ns}.KsqlDataSourceSchema_S_N`,
                  },
                ],
                default: null,
              },
            ],
            'connect.name': `${ns}.KsqlDataSourceSchema_S`,
          },
        ],
        default: null,
      },
      {
        name: 'A',
        type: [
          'null',
          {
            type: 'array',
            items: [
              'null',
              {
                type: 'record',
                name: 'KsqlDataSourceSchema_A',
                fields: [
                  {
                    name: 'Y',
                    type: [
                      'null',
                      { type: 'long', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Timestamp', logicalType: 'timestamp-millis' },
                    ],
                    default: null,
                  },
                ],
                'connect.name': `${ns}.KsqlDataSourceSchema_A`,
              },
            ],
          },
        ],
        default: null,
      },
    ],
    'connect.name': `${ns}.KsqlDataSourceSchema`,
  });
});

test('AVRO: unwrapped keys and values use the bare type; a custom full name names the records', () => {
  assert.equal(avroSchemaFor('KEY', [col('K', T.INTEGER)]), '"int"');
  assert.equal(avroSchemaFor('VALUE', [col('V', T.BOOLEAN)], { wrapSingleValue: false }), '"boolean"');
  assert.deepEqual(JSON.parse(avroSchemaFor('VALUE', [col('V', T.array(T.BIGINT))], { wrapSingleValue: false })), {
    type: 'array',
    items: ['null', 'long'],
  });
  const key = JSON.parse(avroSchemaFor('KEY', [col('K', T.struct([{ name: 'F1', type: T.STRING }]))], { schemaFullName: avroKeySchemaFullName('OUTPUT') }));
  assert.deepEqual(key, {
    type: 'record',
    name: 'OutputKey',
    namespace: 'io.confluent.ksql.avro_schemas',
    fields: [{ name: 'F1', type: ['null', 'string'], default: null }],
    'connect.name': 'io.confluent.ksql.avro_schemas.OutputKey',
  });
  assert.equal(avroKeySchemaFullName('MY_SINK_2'), 'io.confluent.ksql.avro_schemas.MySink2Key');
  const custom = JSON.parse(avroSchemaFor('VALUE', [col('A', T.INTEGER)], { schemaFullName: 'com.acme.Order' }));
  assert.equal(custom.name, 'Order');
  assert.equal(custom.namespace, 'com.acme');
  // two key columns are a record
  assert.equal(JSON.parse(avroSchemaFor('KEY', [col('A', T.INTEGER), col('B', T.STRING)])).type, 'record');
  // dots in column names become underscores
  assert.equal(JSON.parse(avroSchemaFor('VALUE', [col('S.F', T.INTEGER)])).fields[0].name, 'S_F');
  const dotted = createSerde('AVRO', 'VALUE', [col('S.F', T.INTEGER), col('X', T.struct([{ name: 'a.b', type: T.STRING }]))], { schemaRegistry: new InMemorySchemaRegistry() });
  assert.deepEqual(dotted.deserialize(dotted.serialize([4, { 'a.b': 'v' }])), [4, { 'a.b': 'v' }]);
});

const ALL_TYPES: SerdeColumn[] = [
  col('B', T.BOOLEAN),
  col('I', T.INTEGER),
  col('L', T.BIGINT),
  col('D', T.DOUBLE),
  col('DEC', T.decimal(10, 3)),
  col('S', T.STRING),
  col('BY', T.BYTES),
  col('DT', T.DATE),
  col('TM', T.TIME),
  col('TS', T.TIMESTAMP),
  col('ARR', T.array(T.INTEGER)),
  col('M', T.map(T.STRING, T.DOUBLE)),
  col('ST', T.struct([{ name: 'X', type: T.STRING }, { name: 'INNER', type: T.struct([{ name: 'Y', type: T.array(T.decimal(4, 2)) }]) }])),
  col('NESTED', T.array(T.map(T.STRING, T.array(T.STRING)))),
];

test('AVRO: round trip of every type, with nulls at every level', () => {
  const { value } = setup();
  const serde = value(ALL_TYPES);
  const rows: unknown[][] = [
    [
      true,
      -2147483648,
      -(2n ** 63n),
      1.5e300,
      new Decimal('-1234567.891'),
      'h\u00e9llo \u{1F600}',
      Buffer.from([0, 255, 7]),
      19000,
      86399999,
      1700000000123,
      [1, null, -3],
      new Map<string, number | null>([
        ['a', 1.25],
        ['b', null],
      ]),
      { X: 'x', INNER: { Y: [new Decimal('99.99'), null, new Decimal('-0.01')] } },
      [new Map([['k', ['v', null]]]), null, new Map()],
    ],
    [false, 2147483647, 2n ** 63n - 1n, -0.0, new Decimal('0'), '', Buffer.alloc(0), -1, 0, -5, [], new Map(), { X: null, INNER: null }, []],
    ALL_TYPES.map(() => null),
  ];
  for (const row of rows) {
    const back = serde.deserialize(serde.serialize(row));
    assert.deepEqual(back, row);
  }
  assert.equal(serde.serialize(null), null);
  assert.equal(serde.deserialize(null), null);
});

test('AVRO: what ksqlDB writes is standard Avro (read back by avsc)', () => {
  const { value, registry } = setup();
  const serde = value([col('I', T.INTEGER), col('S', T.STRING), col('M', T.map(T.STRING, T.BIGINT)), col('DEC', T.decimal(4, 2)), col('ST', T.struct([{ name: 'F', type: T.DOUBLE }]))]);
  const bytes = serde.serialize([7, 'x', new Map([['a', 3n]]), new Decimal('-1.5'), { F: 2.5 }])!;
  const decoded = readWithAvsc(registry, bytes) as Record<string, unknown>;
  assert.equal(decoded.I, 7);
  assert.equal(decoded.S, 'x');
  assert.deepEqual(JSON.parse(JSON.stringify(decoded.M)), [{ key: 'a', value: 3 }]);
  // -150 unscaled, two's complement
  assert.deepEqual(decoded.DEC, Buffer.from([0xff, 0x6a]));
  assert.deepEqual({ ...(decoded.ST as object) }, { F: 2.5 });
});

test('AVRO: decimals are written at the schema scale and read into the column type', () => {
  const { value, registry } = setup();
  const serde = value([col('DEC', T.decimal(6, 4))]);
  const bytes = serde.serialize([new Decimal('10')])!;
  // 100000 unscaled = 0x0186a0
  assert.deepEqual(bytes.subarray(5), Buffer.from([0x02, 0x06, 0x01, 0x86, 0xa0]));
  assert.deepEqual(serde.deserialize(bytes), [new Decimal('10')]);
  // a writer with a larger scale fits when no digits are lost
  const writer = { type: 'record', name: 'r', fields: [{ name: 'DEC', type: { type: 'bytes', logicalType: 'decimal', precision: 8, scale: 5 } }] };
  const ok = writeWithAvsc(registry, 't-value', writer, { DEC: Buffer.from([0x0f, 0x42, 0x40]) }); // 1000000 -> 10.00000
  assert.deepEqual(serde.deserialize(ok), [new Decimal('10')]);
  const lossy = writeWithAvsc(registry, 't-value', writer, { DEC: Buffer.from([0x01]) }); // 0.00001
  assert.throws(() => serde.deserialize(lossy), (e: unknown) => e instanceof SerdeError && /Cannot fit decimal '0.00001' into DECIMAL\(6, 4\) without rounding/.test(e.message));
  const big = writeWithAvsc(registry, 't-value', writer, { DEC: Buffer.from([0x3b, 0x9a, 0xca, 0x00]) }); // 10000.00000
  assert.throws(() => serde.deserialize(big), (e: unknown) => e instanceof SerdeError && /Numeric field overflow/.test(e.message));
});

test('AVRO: keys with one column are unwrapped, NULL is a null payload', () => {
  const { key } = setup();
  const k = key([col('K', T.STRING)]);
  const bytes = k.serialize(['abc'])!;
  assert.deepEqual(bytes.subarray(5), Buffer.from([0x06, 0x61, 0x62, 0x63]));
  assert.deepEqual(k.deserialize(bytes), ['abc']);
  assert.equal(k.serialize([null]), null);
  const sk = key([col('K', T.struct([{ name: 'F1', type: T.STRING }]))]);
  assert.deepEqual(sk.deserialize(sk.serialize([{ F1: 'foo' }])), [{ F1: 'foo' }]);
  assert.deepEqual(sk.deserialize(sk.serialize([{ F1: null }])), [{ F1: null }]);
  const multi = key([col('A', T.INTEGER), col('B', T.BIGINT)]);
  assert.deepEqual(multi.deserialize(multi.serialize([1, 2n])), [1, 2n]);
});

test('AVRO: WRAP_SINGLE_VALUE=false values', () => {
  const { value, registry } = setup();
  const v = value([col('FOO', T.array(T.BIGINT))], { wrapSingleValue: false });
  const bytes = v.serialize([[12n, 34n, null]])!;
  assert.deepEqual(readWithAvsc(registry, bytes), [12, 34, null]);
  assert.deepEqual(v.deserialize(bytes), [[12n, 34n, null]]);
  assert.equal(v.serialize([null]), null);
  const wrapped = value([col('FOO', T.BOOLEAN)], { wrapSingleValue: true });
  assert.deepEqual(wrapped.deserialize(wrapped.serialize([null])), [null]);
});

test('AVRO: reads records written with older and newer writer schemas', () => {
  const { value, registry } = setup();
  const serde = value([col('ID', T.BIGINT), col('NAME', T.STRING), col('ADDED', T.INTEGER)]);
  const older = { type: 'record', name: 'v1', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: ['null', 'string'] }] };
  assert.deepEqual(serde.deserialize(writeWithAvsc(registry, 't-value', older, { id: 7, name: 'x' })), [7n, 'x', null]);
  const newer = {
    type: 'record',
    name: 'v3',
    fields: [
      { name: 'extra', type: { type: 'array', items: { type: 'map', values: 'string' } } },
      { name: 'ID', type: 'int' },
      { name: 'other', type: { type: 'record', name: 'o', fields: [{ name: 'q', type: ['null', 'double'] }] } },
      { name: 'ADDED', type: 'int' },
      { name: 'NAME', type: { type: 'enum', name: 'e', symbols: ['A', 'B'] } },
      { name: 'tail', type: { type: 'fixed', name: 'f', size: 3 } },
    ],
  };
  const bytes = writeWithAvsc(registry, 't-value', newer, { extra: [{ a: 'b' }], ID: 3, other: { q: 1.5 }, ADDED: -4, NAME: 'B', tail: Buffer.from('abc') });
  assert.deepEqual(serde.deserialize(bytes), [3n, 'B', -4]);
  // and the serde's own records still read after other writers registered their schemas
  assert.deepEqual(serde.deserialize(serde.serialize([1n, 'n', 2])), [1n, 'n', 2]);
});

test('AVRO: field names match exactly, else upper-cased; coercions follow ksqlDB', () => {
  const { value, registry } = setup();
  const serde = value([col('C1', T.STRING), col('c2', T.DOUBLE), col('C3', T.STRING), col('C4', T.BYTES), col('C5', T.STRING), col('C6', T.BIGINT)]);
  const writer = {
    type: 'record',
    name: 'w',
    fields: [
      { name: 'c1', type: 'int' },
      { name: 'c2', type: 'float' },
      { name: 'C2', type: 'double' },
      { name: 'c3', type: 'float' },
      { name: 'c4', type: ['null', { type: 'fixed', name: 'md5', size: 2 }] },
      { name: 'c5', type: 'boolean' },
      { name: 'c6', type: ['int', 'null'] },
    ],
  };
  const bytes = writeWithAvsc(registry, 't-value', writer, { c1: 10, c2: 4, C2: 9, c3: 1.1, c4: Buffer.from([1, 2]), c5: true, c6: 5 });
  // `c2` takes the exact match only; c3's float prints as Java's Float.toString
  assert.deepEqual(serde.deserialize(bytes), ['10', 4, '1.1', Buffer.from([1, 2]), 'true', 5n]);
});

test('AVRO: maps read from Avro maps and from Connect MapEntry arrays; unions become structs', () => {
  const { value, registry } = setup();
  const m = value([col('FOO', T.map(T.STRING, T.STRING))], { wrapSingleValue: false });
  const native = writeWithAvsc(registry, 't-value', { type: 'map', values: ['null', 'int'] }, { a: 1, b: null });
  assert.deepEqual(m.deserialize(native), [
    new Map<string, string | null>([
      ['a', '1'],
      ['b', null],
    ]),
  ]);
  const entries = { type: 'array', items: { type: 'record', name: 'io.confluent.connect.avro.MapEntry', fields: [{ name: 'key', type: 'string' }, { name: 'value', type: 'long' }] } };
  assert.deepEqual(m.deserialize(writeWithAvsc(registry, 't-value', entries, [{ key: 'k', value: 5 }])), [new Map([['k', '5']])]);
  const u = value([col('U', T.struct([{ name: 'INT', type: T.INTEGER }, { name: 'STRING', type: T.STRING }]))], { wrapSingleValue: false });
  const union = writeWithAvsc(registry, 't-value', ['null', 'int', 'string'], 'hi');
  assert.deepEqual(u.deserialize(union), [{ INT: null, STRING: 'hi' }]);
});

test('AVRO: a writer type that cannot be read as the column fails like ksqlDB', () => {
  const { value, registry } = setup();
  const serde = value([col('ORDERID', T.BIGINT)]);
  const writer = { type: 'record', name: 'orders', fields: [{ name: 'orderId', type: 'boolean' }] };
  const bytes = writeWithAvsc(registry, 't-value', writer, { orderId: true });
  assert.throws(
    () => serde.deserialize(bytes),
    (e: unknown) => e instanceof SerdeError && e.message === 'Failed to deserialize value from topic: t. Cannot deserialize type boolean as type int64 for path: ->ORDERID',
  );
  const notRecord = writeWithAvsc(registry, 't-value', 'long', 10);
  assert.throws(() => serde.deserialize(notRecord), /Cannot deserialize type int64 as type struct for path: $/);
  // the failure is remembered per schema id, and repeats
  assert.throws(() => serde.deserialize(bytes), /Cannot deserialize type boolean as type int64/);
});

test('AVRO: bad payloads fail with SerdeError', () => {
  const { value, registry } = setup();
  const serde = value([col('A', T.array(T.STRING)), col('B', T.STRING)]);
  const good = serde.serialize([['x', 'y'], 'z'])!;
  const fails = (bytes: Buffer, re: RegExp) => assert.throws(() => serde.deserialize(bytes), (e: unknown) => e instanceof SerdeError && re.test(e.message));
  fails(Buffer.alloc(0), /Unknown magic byte!/);
  fails(Buffer.from([1, 0, 0, 0, 1, 0]), /Unknown magic byte!/);
  fails(Buffer.from([0, 0, 0]), /Unknown magic byte!/);
  fails(Buffer.from([0, 0, 0, 0, 99, 0]), /Error retrieving Avro value schema for id 99/);
  fails(good.subarray(0, good.length - 1), /Error deserializing Avro message for id 1: Unexpected end of input/);
  // a huge array block count or string length is rejected without allocating
  const header = good.subarray(0, 5);
  fails(Buffer.concat([header, Buffer.from([0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f])]), /Invalid block count/);
  fails(Buffer.concat([header, Buffer.from([0x02, 0x02, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f])]), /Unexpected end of input/);
  fails(Buffer.concat([header, Buffer.from([0x06])]), /Invalid union index: 3/);
  fails(Buffer.concat([header, Buffer.from([0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])]), /Invalid long encoding/);
  // items that take no bytes are capped overall, not only per block
  const nulls = value([col('N', T.array(T.STRING))], { wrapSingleValue: false });
  const nullsId = registry.register('n-value', 'AVRO', '{"type":"array","items":"null"}');
  const header2 = Buffer.from([0, 0, 0, 0, 0]);
  header2.writeInt32BE(nullsId, 1);
  const oneBlock = Buffer.from([0x80, 0x89, 0x7a]); // 1,000,000 items
  assert.equal((nulls.deserialize(Buffer.concat([header2, Buffer.from([0x02, 0x00])]))![0] as unknown[]).length, 1);
  assert.throws(() => nulls.deserialize(Buffer.concat([header2, oneBlock, oneBlock, oneBlock, Buffer.from([0])])), /Invalid block count/);
  // deep recursion in the data is a SerdeError too
  const deep = value([col('V', T.INTEGER)]);
  const deepId = registry.register('d-value', 'AVRO', JSON.stringify({ type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }, { name: 'V', type: 'int' }] }));
  const header3 = Buffer.from([0, 0, 0, 0, 0]);
  header3.writeInt32BE(deepId, 1);
  assert.throws(() => deep.deserialize(Buffer.concat([header3, Buffer.alloc(1_000_000, 0x02)])), SerdeError);
  // a registered schema of another type
  const protoId = registry.register('p-value', 'PROTOBUF', 'syntax = "proto3"; message M { int32 a = 1; }');
  const proto = Buffer.from([0, 0, 0, 0, 0, 0]);
  proto.writeInt32BE(protoId, 1);
  fails(proto, /is a PROTOBUF schema, not an Avro schema/);
});

test('AVRO: random bytes never escape as anything but SerdeError', () => {
  const { value, registry } = setup();
  const serde = value(ALL_TYPES);
  const good = serde.serialize(ALL_TYPES.map(() => null))!;
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  // and a writer schema whose fields the columns mostly skip
  const other = {
    type: 'record',
    name: 'o',
    fields: [
      { name: 'x', type: { type: 'array', items: { type: 'map', values: ['null', 'float', { type: 'fixed', name: 'f', size: 3 }] } } },
      { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } },
      { name: 'I', type: ['null', 'int', 'string'] },
      { name: 'r', type: ['null', { type: 'record', name: 'R', fields: [{ name: 'n', type: 'null' }, { name: 'l', type: 'long' }, { name: 'r', type: ['null', 'R'] }] }] },
      { name: 'ST', type: { type: 'record', name: 'S', fields: [{ name: 'x', type: 'boolean' }, { name: 'b', type: 'bytes' }] } },
    ],
  };
  const otherHeader = writeWithAvsc(registry, 't-value', other, { x: [], e: 'A', I: null, r: null, ST: { x: true, b: Buffer.alloc(0) } }).subarray(0, 5);
  for (let i = 0; i < 6000; i++) {
    const body = Buffer.alloc(rand() % 64);
    for (let j = 0; j < body.length; j++) body[j] = rand() & 0xff;
    try {
      serde.deserialize(Buffer.concat([(i % 2 ? otherHeader : good).subarray(0, 5), body]));
    } catch (e) {
      assert.ok(e instanceof SerdeError, String(e));
    }
  }
});

test('AVRO: creation errors use ksqlDB\'s messages', () => {
  const registry = new InMemorySchemaRegistry();
  assert.throws(
    () => createSerde('AVRO', 'VALUE', [col('FOO', T.map(T.INTEGER, T.DOUBLE))], { schemaRegistry: registry }),
    (e: unknown) => e instanceof ConfigError && e.message === 'Avro only supports MAPs with STRING keys',
  );
  assert.throws(
    () => createSerde('AVRO', 'VALUE', [col('S', T.struct([{ name: 'M', type: T.map(T.BOOLEAN, T.STRING) }]))], { schemaRegistry: registry }),
    /Avro only supports MAPs with STRING keys/,
  );
  assert.throws(
    () => createSerde('AVRO', 'VALUE', [col('1AvroDoesNotLikeFieldsThatStartWithNumbers', T.DOUBLE)], { schemaRegistry: registry }),
    (e: unknown) => e instanceof ConfigError && e.message === 'Schema is not compatible with Avro: Illegal initial character: 1AvroDoesNotLikeFieldsThatStartWithNumbers',
  );
  assert.throws(() => createSerde('AVRO', 'VALUE', [col('A-B', T.DOUBLE)], { schemaRegistry: registry }), /Illegal character in: A-B/);
  assert.throws(() => createSerde('AVRO', 'VALUE', [col('A', T.DOUBLE)], { schemaRegistry: registry, schemaFullName: 'com.9x.Y' }), /Illegal initial character: 9x/);
  assert.throws(
    () => createSerde('AVRO', 'VALUE', [col('A', T.DOUBLE)]),
    (e: unknown) => e instanceof ConfigError && /AVRO format needs a schema registry/.test(e.message),
  );
});

test('AVRO: VALUE_SCHEMA_ID writes with the registered schema, mapping columns onto its fields', () => {
  const { value, registry } = setup();
  const schema = {
    type: 'record',
    name: 'Transaction',
    namespace: 'com.acme.namespace',
    fields: [
      { name: 'eventID', type: 'string' },
      {
        name: 'transaction',
        type: {
          type: 'record',
          name: 'transaction',
          fields: [
            { name: 'num_shares', type: ['null', 'int'] },
            { name: 'amount', type: 'int', default: 7 },
            { name: 'customer', type: { type: 'record', name: 'customer', fields: [{ name: 'first_name', type: 'string' }] } },
          ],
        },
      },
      { name: 'optField', type: 'string', default: 'foo' },
    ],
  };
  const id = registry.register('model-value', 'AVRO', JSON.stringify(schema));
  const struct = T.struct([
    { name: 'num_shares', type: T.INTEGER },
    { name: 'customer', type: T.struct([{ name: 'first_name', type: T.STRING }, { name: 'email', type: T.STRING }]) },
  ]);
  const serde = value([col('eventID', T.STRING), col('transaction', struct)], { schemaId: id, topic: 'model' });
  const bytes = serde.serialize(['1', { num_shares: null, customer: { first_name: 'Jill', email: 'j@x' } }])!;
  assert.equal(bytes.readInt32BE(1), id);
  assert.equal(registry.latest('model-value')?.id, id, 'nothing new is registered');
  const decoded = JSON.parse(JSON.stringify(readWithAvsc(registry, bytes)));
  assert.deepEqual(decoded, { eventID: '1', transaction: { num_shares: null, amount: 7, customer: { first_name: 'Jill' } }, optField: 'foo' });
  assert.deepEqual(serde.deserialize(bytes), ['1', { num_shares: null, customer: { first_name: 'Jill', email: null } }]);
  // a NULL for a field the schema requires
  assert.throws(() => serde.serialize([null, null]), (e: unknown) => e instanceof SerdeError && /Invalid value: null used for required field: "eventID", schema type: STRING/.test(e.message));

  const required = registry.register('x-value', 'AVRO', JSON.stringify({ type: 'record', name: 'r', fields: [{ name: 'c1', type: 'int' }, { name: 'EXTRA', type: 'long' }] }));
  const missingDefault = value([col('c1', T.INTEGER)], { schemaId: required });
  assert.throws(() => missingDefault.serialize([1]), /Missing default value for required Avro field: \[EXTRA\]\. This field appears in Avro schema in Schema Registry/);
  const missingColumn = value([col('c1', T.INTEGER), col('c9', T.INTEGER)], { schemaId: registry.register('y-value', 'AVRO', '{"type":"record","name":"r","fields":[{"name":"c1","type":"int"}]}') });
  assert.throws(() => missingColumn.serialize([1, 2]), /Schema from Schema Registry misses field with name: c9/);
  const unknown = value([col('c1', T.INTEGER)], { schemaId: 999 });
  assert.throws(() => unknown.serialize([1]), (e: unknown) => e instanceof SerdeError && /Schema with id 999 is not in the schema registry/.test(e.message));
});

test('AVRO: a primitive registered schema id for an unwrapped key', () => {
  const { key, registry } = setup();
  const id = registry.register('t-key', 'AVRO', '{"type":"int"}');
  const k = key([col('ROWKEY', T.INTEGER)], { schemaId: id });
  const bytes = k.serialize([10])!;
  assert.equal(bytes.readInt32BE(1), id);
  assert.deepEqual(bytes.subarray(5), Buffer.from([0x14]));
  assert.deepEqual(k.deserialize(bytes), [10]);
});

test('AVRO: encodeAvroFromJson writes test data with a registered schema', () => {
  const { value, registry } = setup();
  const schema = {
    type: 'record',
    name: 'blah',
    fields: [
      { name: 'c1', type: 'boolean' },
      { name: 'c3', type: 'long' },
      { name: 'c4', type: ['null', 'double'] },
      { name: 'e', type: { type: 'enum', name: 'Suit', symbols: ['SPADES', 'HEARTS'] } },
      { name: 'd', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 }] },
      { name: 'm', type: { type: 'map', values: ['null', 'int'] } },
      { name: 'b', type: ['null', 'bytes'] },
    ],
  };
  const text = JSON.stringify(schema);
  const id = registry.register('input-value', 'AVRO', text);
  const bytes = encodeAvroFromJson(text, id, { C1: true, c3: 400000000000, c4: 1.25, e: 'HEARTS', d: 10.5, m: { a: 1, b: null }, b: 'AQI=' })!;
  assert.equal(bytes.readInt32BE(1), id);
  const serde = value([
    col('C1', T.BOOLEAN),
    col('C3', T.BIGINT),
    col('C4', T.DOUBLE),
    col('E', T.STRING),
    col('D', T.decimal(4, 2)),
    col('M', T.map(T.STRING, T.INTEGER)),
    col('B', T.BYTES),
  ]);
  assert.deepEqual(serde.deserialize(bytes), [
    true,
    400000000000n,
    1.25,
    'HEARTS',
    new Decimal('10.5'),
    new Map<string, number | null>([
      ['a', 1],
      ['b', null],
    ]),
    Buffer.from([1, 2]),
  ]);
  assert.equal(encodeAvroFromJson(text, id, null), null);
  assert.deepEqual(encodeAvroFromJson('"int"', 3, 10)!.subarray(5), Buffer.from([0x14]));
  assert.throws(() => encodeAvroFromJson(text, id, { c1: 'no' }), SerdeError);
});

test('AVRO: decodeAvroToJson reads a record by its writer schema alone', () => {
  const { value, registry } = setup();
  const serde = value([col('M', T.map(T.STRING, T.DOUBLE)), col('DEC', T.decimal(6, 4)), col('B', T.BYTES), col('L', T.BIGINT), col('S', T.struct([{ name: 'X', type: T.TIME }]))]);
  const bytes = serde.serialize([new Map([['a', 1.1]]), new Decimal('10'), Buffer.from([1, 2]), 5n, { X: 7 }]);
  assert.deepEqual(decodeAvroToJson(bytes, registry), { M: { a: 1.1 }, DEC: 10, B: 'AQI=', L: 5, S: { X: 7 } });
  assert.equal(decodeAvroToJson(null, registry), null);
  assert.throws(() => decodeAvroToJson(Buffer.from([0, 0, 0, 0, 77]), registry), /Error retrieving Avro value schema for id 77/);
  const id = registry.register('x-value', 'AVRO', JSON.stringify({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'int' }, { name: 'opt', type: 'string', default: 'foo' }] }));
  const withDefault = value([col('a', T.INTEGER)], { schemaId: id }).serialize([3]);
  assert.deepEqual(decodeAvroToJson(withDefault, registry), { a: 3, opt: 'foo' });
});

test('AVRO: strings and longs around the encoder fast paths', () => {
  const { value } = setup();
  const serde = value([col('S', T.STRING), col('L', T.BIGINT), col('T', T.TIMESTAMP)]);
  const strings = ['', 'a'.repeat(32), 'b'.repeat(33), `${'c'.repeat(31)}\u00e9`, '\u00e9'.repeat(40), 'x\u0000y'];
  const longs = [0n, 2n ** 30n - 1n, 2n ** 30n, -(2n ** 30n) - 1n, 2n ** 51n - 1n, 2n ** 51n, -(2n ** 51n), -(2n ** 51n) - 1n, 2n ** 53n + 1n];
  for (const str of strings) {
    for (const l of longs) {
      const row = [str, l, Number(l)];
      assert.deepEqual(serde.deserialize(serde.serialize(row)), row);
    }
  }
});

test('AVRO: which keys and values are unwrapped', () => {
  const one = [col('A', T.INTEGER)];
  assert.equal(avroIsUnwrapped('KEY', one, {}), true);
  assert.equal(avroIsUnwrapped('VALUE', one, {}), false);
  assert.equal(avroIsUnwrapped('VALUE', one, { wrapSingleValue: false }), true);
  assert.equal(avroIsUnwrapped('KEY', [...one, col('B', T.INTEGER)], {}), false);
});
