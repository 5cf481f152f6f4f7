/**
 * AvroConverter over the embedded schema registry: Connect data round-trips, the Avro schema has
 * Confluent's connect.* annotations, and what it writes is readable by Sluice's own AVRO format
 * (a stream declared with VALUE_FORMAT='AVRO' on a connector's topic).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError, LogicalTypeNames, Schemas, Struct, type Schema } from '../../../src/connect/api/index.js';
import { AvroConverter, registerBuiltinConverters } from '../../../src/connect/converters/index.js';
import { createSerde, InMemorySchemaRegistry } from '../../../src/serde/index.js';
import { SqlTypes as T } from '../../../src/common/sql-types.js';

const order: Schema = Schemas.struct(
  [
    { name: 'ID', schema: Schemas.primitive('INT32') },
    { name: 'QTY', schema: Schemas.primitive('INT64') },
    { name: 'ITEM', schema: Schemas.primitive('STRING', true) },
    { name: 'PRICE', schema: { type: 'BYTES', optional: false, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: '2' } } },
    { name: 'AT', schema: { type: 'INT64', optional: false, name: LogicalTypeNames.timestamp, version: 1 } },
    { name: 'TAGS', schema: Schemas.array(Schemas.primitive('STRING')) },
    { name: 'ATTRS', schema: Schemas.map(Schemas.primitive('STRING'), Schemas.primitive('FLOAT64')) },
    { name: 'SMALL', schema: Schemas.primitive('INT8', true) },
  ],
  { name: 'com.example.Order', version: 3, doc: 'an order' },
);

function makeOrder(): Struct {
  return new Struct(order)
    .put('ID', 7)
    .put('QTY', 9007199254740993n)
    .put('ITEM', 'pen')
    .put('PRICE', '12.50')
    .put('AT', new Date(1700000000123))
    .put('TAGS', ['a', 'b'])
    .put('ATTRS', new Map([['w', 1.5]]))
    .put('SMALL', -3);
}

describe('AvroConverter (io.confluent.connect.avro.AvroConverter)', () => {
  it('round-trips Connect data through the wire format and registry', () => {
    const registry = new InMemorySchemaRegistry();
    const conv = new AvroConverter(registry);
    conv.configure({ 'schema.registry.url': 'http://ignored:8081' }, false);
    const bytes = conv.fromConnectData('orders', [], order, makeOrder())!;
    assert.equal(bytes[0], 0);
    const id = bytes.readInt32BE(1);
    assert.equal(registry.byId(id)!.subject, 'orders-value');
    const back = conv.toConnectData('orders', [], bytes);
    assert.ok(back.value instanceof Struct);
    const s = back.value as Struct;
    assert.equal(s.get('ID'), 7);
    assert.equal(s.get('QTY'), 9007199254740993n);
    assert.equal(s.get('PRICE'), '12.50');
    assert.deepEqual(s.get('AT'), new Date(1700000000123));
    assert.deepEqual(s.get('ATTRS'), new Map([['w', 1.5]]));
    assert.equal(s.get('SMALL'), -3);
    assert.equal(back.schema!.name, 'com.example.Order');
    assert.equal(back.schema!.version, 3);
    assert.equal(Schemas.field(back.schema!, 'SMALL')!.schema.type, 'INT8');
    assert.equal(Schemas.field(back.schema!, 'ITEM')!.schema.optional, true);
    const avroSchema = JSON.parse(registry.byId(id)!.schema) as { name: string; namespace: string; fields: { name: string; type: unknown }[] };
    assert.equal(avroSchema.namespace, 'com.example');
    assert.deepEqual(avroSchema.fields.find((f) => f.name === 'SMALL')!.type, ['null', { type: 'int', 'connect.type': 'int8' }]);
    // the same schema is registered once
    assert.equal(conv.fromConnectData('orders', [], order, makeOrder())!.readInt32BE(1), id);
    assert.equal(conv.toConnectData('orders', [], null).value, null);
  });

  it("writes records Sluice's AVRO format reads", () => {
    const registry = new InMemorySchemaRegistry();
    const conv = new AvroConverter(registry);
    conv.configure({}, false);
    const bytes = conv.fromConnectData('orders', [], order, makeOrder());
    const serde = createSerde(
      'AVRO',
      'VALUE',
      [
        { name: 'ID', type: T.INTEGER },
        { name: 'QTY', type: T.BIGINT },
        { name: 'ITEM', type: T.STRING },
        { name: 'PRICE', type: T.decimal(10, 2) },
        { name: 'AT', type: T.TIMESTAMP },
        { name: 'TAGS', type: T.array(T.STRING) },
      ],
      { schemaRegistry: registry, topic: 'orders' },
    );
    const row = serde.deserialize(bytes)!;
    assert.equal(row[0], 7);
    assert.equal(row[1], 9007199254740993n);
    assert.equal(row[2], 'pen');
    assert.equal(String(row[3]), '12.5');
    assert.equal(Number(row[4]), 1700000000123);
    assert.deepEqual(row[5], ['a', 'b']);
  });

  it('reads what Sluice\'s AVRO format writes', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = createSerde('AVRO', 'VALUE', [{ name: 'ID', type: T.BIGINT }, { name: 'NAME', type: T.STRING }], { schemaRegistry: registry, topic: 'users' });
    const bytes = serde.serialize([5n, 'zoe']);
    const conv = new AvroConverter(registry);
    conv.configure({}, false);
    const back = conv.toConnectData('users', [], bytes);
    const s = back.value as Struct;
    assert.equal(s.get('ID'), 5n);
    assert.equal(s.get('NAME'), 'zoe');
  });

  it('rejects schemaless data, bad magic bytes and unknown ids with DataError', () => {
    const conv = new AvroConverter(new InMemorySchemaRegistry());
    conv.configure({}, true);
    assert.throws(() => conv.fromConnectData('t', [], null, { a: 1 }), DataError);
    assert.throws(() => conv.toConnectData('t', [], Buffer.from([1, 0, 0, 0, 1])), /Unknown magic byte/);
    assert.throws(() => conv.toConnectData('t', [], Buffer.from([0, 0, 0, 0, 99, 2])), /Error retrieving Avro schema for id 99/);
  });

  it('is registered under Confluent\'s class name when the engine passes its registry', () => {
    const names: string[] = [];
    registerBuiltinConverters({ registerConverter: (n) => names.push(n) }, { schemaRegistry: new InMemorySchemaRegistry() });
    assert.ok(names.includes('io.confluent.connect.avro.AvroConverter'));
    const without: string[] = [];
    registerBuiltinConverters({ registerConverter: (n) => without.push(n) });
    assert.equal(without.includes('io.confluent.connect.avro.AvroConverter'), false);
  });
});
