/** The registration seam the worker uses: class names and Connect's aliases, and what each factory builds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConverterFactory, PredicateFactory, TransformationFactory } from '../../../src/connect/api/index.js';
import { registerBuiltinConverters } from '../../../src/connect/converters/index.js';
import { registerBuiltinTransforms, pluginAliases, type ConnectPluginRegistrar } from '../../../src/connect/transforms/index.js';

function collect(): { converters: Map<string, ConverterFactory>; transforms: Map<string, TransformationFactory>; predicates: Map<string, PredicateFactory> } {
  const converters = new Map<string, ConverterFactory>();
  const transforms = new Map<string, TransformationFactory>();
  const predicates = new Map<string, PredicateFactory>();
  const registry: ConnectPluginRegistrar = {
    registerConverter: (name, f) => converters.set(name, f),
    registerTransformation: (name, f) => transforms.set(name, f),
    registerPredicate: (name, f) => predicates.set(name, f),
  };
  registerBuiltinConverters(registry);
  registerBuiltinTransforms(registry);
  return { converters, transforms, predicates };
}

describe('connect plugin registration', () => {
  it('registers every SMT Kafka ships, with $Key/$Value where Kafka has them', () => {
    const { transforms } = collect();
    const withSides = ['Cast', 'ExtractField', 'Flatten', 'HeaderFrom', 'HoistField', 'InsertField', 'MaskField', 'ReplaceField', 'SetSchemaMetadata', 'TimestampConverter'];
    const single = ['DropHeaders', 'Filter', 'InsertHeader', 'RegexRouter', 'TimestampRouter', 'ValueToKey'];
    for (const s of withSides) for (const side of ['Key', 'Value']) assert.ok(transforms.has(`org.apache.kafka.connect.transforms.${s}$${side}`), `${s}$${side}`);
    for (const s of single) {
      assert.ok(transforms.has(`org.apache.kafka.connect.transforms.${s}`), s);
      assert.ok(transforms.has(s), `alias ${s}`);
    }
    // "Key"/"Value" would name many plugins, so Kafka accepts no alias for them
    assert.equal(transforms.has('Value'), false);
    assert.equal(transforms.has('Key'), false);
    // and Debezium's ExtractNewRecordState, for change events (class name and alias)
    assert.ok(transforms.has('io.debezium.transforms.ExtractNewRecordState') && transforms.has('ExtractNewRecordState'));
    assert.equal(transforms.size, withSides.length * 2 + single.length * 2 + 2);
  });

  it('registers predicates and converters under class names and aliases', () => {
    const { converters, predicates } = collect();
    for (const p of ['HasHeaderKey', 'RecordIsTombstone', 'TopicNameMatches']) {
      assert.ok(predicates.has(`org.apache.kafka.connect.transforms.predicates.${p}`));
      assert.ok(predicates.has(p));
    }
    for (const [full, alias] of [
      ['org.apache.kafka.connect.json.JsonConverter', 'Json'],
      ['org.apache.kafka.connect.storage.StringConverter', 'String'],
      ['org.apache.kafka.connect.converters.ByteArrayConverter', 'ByteArray'],
      ['org.apache.kafka.connect.converters.LongConverter', 'Long'],
    ] as const) {
      assert.ok(converters.has(full), full);
      assert.ok(converters.has(alias), alias);
      assert.ok(converters.has(full.slice(full.lastIndexOf('.') + 1)));
    }
  });

  it('builds working instances: JsonConverter round trip and a configured Cast', () => {
    const { converters, transforms } = collect();
    const json = converters.get('JsonConverter')!();
    json.configure({ 'schemas.enable': 'false' }, false);
    const bytes = json.fromConnectData('t', [], null, { a: 1, b: [true, 'x'] });
    assert.equal(bytes!.toString(), '{"a":1,"b":[true,"x"]}');
    assert.deepEqual(json.toConnectData('t', [], bytes), { schema: null, value: { a: 1, b: [true, 'x'] } });
    const cast = transforms.get('org.apache.kafka.connect.transforms.Cast$Value')!();
    cast.configure({ spec: 'a:string' });
    const out = cast.apply({ topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: { a: 5 }, timestamp: null, headers: [] });
    assert.deepEqual(out!.value, { a: '5' });
  });

  it('drops aliases that two plugins share', () => {
    const aliases = pluginAliases(['a.FooConverter', 'b.FooConverter', 'c.BarConverter'], 'Converter');
    assert.equal(aliases.has('Foo'), false);
    assert.equal(aliases.get('Bar'), 'c.BarConverter');
    assert.equal(aliases.get('BarConverter'), 'c.BarConverter');
  });
});
