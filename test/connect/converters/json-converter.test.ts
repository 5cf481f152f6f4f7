/**
 * JsonConverter facts that hold without the Java harness (each was first checked against Kafka's
 * JsonConverter through test/connect/java-harness), so the behaviour stays pinned where Java is absent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError, LogicalTypeNames, Schemas, Struct, type Schema } from '../../../src/connect/api/index.js';
import { JsonConverter } from '../../../src/connect/converters/index.js';

function conv(props: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(props, isKey);
  return c;
}

const decimal2: Schema = { type: 'BYTES', optional: false, name: LogicalTypeNames.decimal, version: 1, parameters: { scale: '2' } };

describe('JsonConverter', () => {
  it('writes the schema envelope exactly as Kafka does', () => {
    const schema = Schemas.struct([{ name: 'id', schema: Schemas.primitive('INT32') }, { name: 'name', schema: Schemas.primitive('STRING', true) }], { name: 'P', version: 2 });
    const bytes = conv().fromConnectData('t', [], schema, new Struct(schema).put('id', 1).put('name', null));
    assert.equal(
      bytes!.toString(),
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}],"optional":false,"name":"P","version":2},"payload":{"id":1,"name":null}}',
    );
  });

  it('prints floats and doubles as Java does', () => {
    const c = conv({ 'schemas.enable': 'false' });
    assert.equal(c.fromConnectData('t', [], Schemas.array(Schemas.primitive('FLOAT64')), [1, 0.1, 1e7, 1e-4])!.toString(), '[1.0,0.1,1.0E7,1.0E-4]');
    assert.equal(c.fromConnectData('t', [], Schemas.primitive('FLOAT32'), Math.fround(0.1))!.toString(), '0.1');
  });

  it('writes decimals as base64 bytes or numbers (decimal.format)', () => {
    assert.equal(conv({ 'schemas.enable': 'false' }).fromConnectData('t', [], decimal2, '0.57')!.toString(), '"OQ=="');
    assert.equal(conv({ 'schemas.enable': 'false', 'decimal.format': 'numeric' }).fromConnectData('t', [], decimal2, '0.57')!.toString(), '0.57');
    assert.throws(() => conv({ 'schemas.enable': 'false' }).fromConnectData('t', [], decimal2, '0.5'), /mismatching scale/);
  });

  it('reads the envelope, logical types and defaults', () => {
    const text = '{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},{"type":"string","optional":true,"default":"x","field":"s"}],"optional":false},"payload":{"ts":1700000000123,"s":null}}';
    const r = conv().toConnectData('t', [], Buffer.from(text));
    const s = r.value as Struct;
    assert.deepEqual(s.get('ts'), new Date(1700000000123));
    assert.equal(s.get('s'), 'x');
    const kept = conv({ 'replace.null.with.default': 'false' }).toConnectData('t', [], Buffer.from(text)).value as Struct;
    assert.equal(kept.getWithoutDefault('s'), null);
  });

  it('keeps big integers exact and numbers as Jackson types them', () => {
    const r = conv({ 'schemas.enable': 'false' }).toConnectData('t', [], Buffer.from('{"big":9007199254740993,"small":5,"f":2.5}'));
    assert.deepEqual(r.value, { big: 9007199254740993n, small: 5, f: 2.5 });
    const typed = conv().toConnectData('t', [], Buffer.from('{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}'));
    assert.equal(typed.value, 9223372036854775807n);
  });

  it("fails with Kafka's messages", () => {
    assert.throws(() => conv().toConnectData('t', [], Buffer.from('{"a":1}')), (e: unknown) => e instanceof DataError && /requires "schema" and "payload" fields/.test(e.message));
    assert.throws(() => conv().toConnectData('t', [], Buffer.from('{"schema":{"type":"int32","optional":false},"payload":null}')), /Invalid null value for required INT32 field/);
    assert.throws(() => conv().toConnectData('t', [], Buffer.from('{"schema":{"type":"uuid"},"payload":1}')), /Unknown schema type: uuid/);
    assert.throws(() => conv().toConnectData('t', [], Buffer.from('{"schema":')), /Converting byte\[\] to Kafka Connect data failed due to serialization error/);
    assert.throws(() => conv({ 'decimal.format': 'HEX' }), /String must be one of \(case insensitive\): NUMERIC, BASE64/);
  });

  it('treats tombstones as null and null with a schema as JSON null', () => {
    assert.equal(conv().fromConnectData('t', [], null, null), null);
    assert.equal(conv().fromConnectData('t', [], Schemas.primitive('STRING', true), null)!.toString(), '{"schema":{"type":"string","optional":true},"payload":null}');
    assert.deepEqual(conv().toConnectData('t', [], null), { schema: null, value: null });
  });
});
