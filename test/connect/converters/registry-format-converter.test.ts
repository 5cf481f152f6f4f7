/** ProtobufConverter over the embedded registry: round trip, and interop with Sluice's PROTOBUF format both ways. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import { DataError, LogicalTypeNames, Schemas, Struct, type Schema } from '../../../src/connect/api/index.js';
import { JsonSchemaConverter, ProtobufConverter, registerBuiltinConverters } from '../../../src/connect/converters/index.js';
import { createSerde, InMemorySchemaRegistry } from '../../../src/serde/index.js';
import { SqlTypes as T } from '../../../src/common/sql-types.js';

const address: Schema = Schemas.struct([{ name: 'CITY', schema: Schemas.primitive('STRING', true) }], { optional: true });
const user: Schema = Schemas.struct([
  { name: 'ID', schema: Schemas.primitive('INT64') },
  { name: 'NAME', schema: Schemas.primitive('STRING', true) },
  { name: 'SCORE', schema: Schemas.primitive('FLOAT64', true) },
  { name: 'BALANCE', schema: { type: 'BYTES', optional: true, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' } } },
  { name: 'JOINED', schema: { type: 'INT64', optional: true, name: LogicalTypeNames.timestamp, version: 1 } },
  { name: 'TAGS', schema: Schemas.array(Schemas.primitive('STRING', true), true) },
  { name: 'ADDR', schema: address },
]);

function makeUser(): Struct {
  return new Struct(user)
    .put('ID', 42n)
    .put('NAME', 'zoe')
    .put('SCORE', 2.5)
    .put('BALANCE', '10.25')
    .put('JOINED', new Date(1700000000000))
    .put('TAGS', ['a', 'b'])
    .put('ADDR', new Struct(address).put('CITY', 'Oslo'));
}

describe('ProtobufConverter (io.confluent.connect.protobuf.ProtobufConverter)', () => {
  it('round-trips a struct through the registry', () => {
    const registry = new InMemorySchemaRegistry();
    const conv = new ProtobufConverter(registry);
    conv.configure({}, false);
    const bytes = conv.fromConnectData('users', [], user, makeUser())!;
    assert.equal(bytes[0], 0);
    assert.equal(registry.byId(bytes.readInt32BE(1))!.subject, 'users-value');
    const back = conv.toConnectData('users', [], bytes);
    const s = back.value as Struct;
    assert.equal(s.get('ID'), 42n);
    assert.equal(s.get('NAME'), 'zoe');
    assert.equal(s.get('SCORE'), 2.5);
    assert.equal(s.get('BALANCE'), '10.25');
    assert.deepEqual(s.get('JOINED'), new Date(1700000000000));
    assert.deepEqual(s.get('TAGS'), ['a', 'b']);
    assert.equal((s.get('ADDR') as Struct).get('CITY'), 'Oslo');
    assert.deepEqual(back.schema!.fields!.map((f) => f.name), ['ID', 'NAME', 'SCORE', 'BALANCE', 'JOINED', 'TAGS', 'ADDR']);
  });

  it("interoperates with Sluice's PROTOBUF format", () => {
    const registry = new InMemorySchemaRegistry();
    const conv = new ProtobufConverter(registry);
    conv.configure({}, false);
    const columns = [
      { name: 'ID', type: T.BIGINT },
      { name: 'NAME', type: T.STRING },
      { name: 'BALANCE', type: T.decimal(10, 2) },
    ];
    const serde = createSerde('PROTOBUF', 'VALUE', columns, { schemaRegistry: registry, topic: 'users' });
    const row = serde.deserialize(conv.fromConnectData('users', [], user, makeUser()))!;
    assert.equal(row[0], 42n);
    assert.equal(row[1], 'zoe');
    assert.equal((row[2] as Decimal).toFixed(2), '10.25');
    const back = conv.toConnectData('users', [], serde.serialize([7n, 'max', new Decimal('1.50')]));
    assert.equal((back.value as Struct).get('ID'), 7n);
    assert.equal((back.value as Struct).get('BALANCE'), '1.50');
  });

  it('rejects non-struct data and foreign bytes', () => {
    const conv = new ProtobufConverter(new InMemorySchemaRegistry());
    conv.configure({}, false);
    assert.throws(() => conv.fromConnectData('t', [], Schemas.primitive('STRING'), 'x'), DataError);
    assert.throws(() => conv.toConnectData('t', [], Buffer.from('{"a":1}')), /Unknown magic byte/);
    assert.equal(conv.toConnectData('t', [], null).value, null);
  });

  it('is registered under Confluent\'s class name with the engine\'s registry', () => {
    const names: string[] = [];
    registerBuiltinConverters({ registerConverter: (n) => names.push(n) }, { schemaRegistry: new InMemorySchemaRegistry() });
    assert.ok(names.includes('io.confluent.connect.protobuf.ProtobufConverter'));
  });
});

describe('JsonSchemaConverter (io.confluent.connect.json.JsonSchemaConverter)', () => {
  it("round-trips and interoperates with Sluice's JSON_SR format", () => {
    const registry = new InMemorySchemaRegistry();
    const conv = new JsonSchemaConverter(registry);
    conv.configure({}, false);
    const bytes = conv.fromConnectData('users', [], user, makeUser())!;
    assert.equal(bytes[0], 0);
    const registered = registry.byId(bytes.readInt32BE(1))!;
    assert.equal(registered.subject, 'users-value');
    assert.equal(registered.type, 'JSON');
    const back = conv.toConnectData('users', [], bytes).value as Struct;
    assert.equal(back.get('ID'), 42n);
    assert.equal(back.get('BALANCE'), '10.25');
    assert.equal((back.get('ADDR') as Struct).get('CITY'), 'Oslo');
    const serde = createSerde('JSON_SR', 'VALUE', [{ name: 'ID', type: T.BIGINT }, { name: 'NAME', type: T.STRING }], { schemaRegistry: registry, topic: 'users' });
    const row = serde.deserialize(bytes)!;
    assert.deepEqual(row, [42n, 'zoe']);
    const fromSql = conv.toConnectData('users', [], serde.serialize([9n, 'ivy'])).value as Struct;
    assert.equal(fromSql.get('NAME'), 'ivy');
  });
});
