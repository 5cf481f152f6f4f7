/** SMT facts that hold without the Java harness (each checked against Kafka first), incl. predicated() and negate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectConfigError, DataError, Schemas, Struct, type ConnectRecord, type Schema } from '../../../src/connect/api/index.js';
import { BUILTIN_PREDICATES, BUILTIN_TRANSFORMS, predicated } from '../../../src/connect/transforms/index.js';

const T = 'org.apache.kafka.connect.transforms.';
const schema: Schema = Schemas.struct([
  { name: 'id', schema: Schemas.primitive('INT32') },
  { name: 'name', schema: Schemas.primitive('STRING', true) },
  { name: 'addr', schema: Schemas.struct([{ name: 'city', schema: Schemas.primitive('STRING') }]) },
]);
const value = new Struct(schema).put('id', 7).put('name', 'ann').put('addr', new Struct(Schemas.field(schema, 'addr')!.schema).put('city', 'Oslo'));
const record: ConnectRecord = { topic: 'orders', kafkaPartition: 1, keySchema: null, key: null, valueSchema: schema, value, timestamp: 1700000000000, headers: [] };

function smt(name: string, config: Record<string, string>) {
  const t = BUILTIN_TRANSFORMS[T + name]!();
  t.configure(config);
  return t;
}

describe('SMTs', () => {
  it('Flatten, ReplaceField and Cast reshape a struct', () => {
    const flat = smt('Flatten$Value', { delimiter: '_' }).apply(record)!;
    assert.deepEqual(flat.valueSchema!.fields!.map((f) => f.name), ['id', 'name', 'addr_city']);
    assert.equal((flat.value as Struct).get('addr_city'), 'Oslo');
    const renamed = smt('ReplaceField$Value', { exclude: 'addr', renames: 'name:full_name' }).apply(record)!;
    assert.deepEqual(renamed.valueSchema!.fields!.map((f) => f.name), ['id', 'full_name']);
    const cast = smt('Cast$Value', { spec: 'id:string' }).apply(record)!;
    assert.equal((cast.value as Struct).get('id'), '7');
  });

  it('ValueToKey and ExtractField$Key build a key from the value', () => {
    const keyed = smt('ValueToKey', { fields: 'id' }).apply(record)!;
    const extracted = smt('ExtractField$Key', { field: 'id' }).apply(keyed)!;
    assert.equal(extracted.key, 7);
    assert.equal(extracted.keySchema!.type, 'INT32');
  });

  it('routers rename topics', () => {
    assert.equal(smt('RegexRouter', { regex: '(.*)ers', replacement: '$1' }).apply(record)!.topic, 'ord');
    assert.equal(smt('TimestampRouter', {}).apply(record)!.topic, 'orders-20231114');
  });

  it("reports Kafka's config and data errors", () => {
    assert.throws(() => smt('Cast$Value', {}), (e: unknown) => e instanceof ConnectConfigError && e.message === 'Missing required configuration "spec" which has no default value.');
    assert.throws(() => smt('ValueToKey', { fields: 'nope' }).apply(record), (e: unknown) => e instanceof DataError && e.message === 'Field does not exist: nope');
    assert.throws(() => smt('InsertField$Value', { 'offset.field': 'o' }).apply(record), /Only SinkRecord supported for \[field insertion\]/);
  });

  it('predicated() applies the transform only when the predicate (or its negation) holds', () => {
    const tombstone = BUILTIN_PREDICATES[T + 'predicates.RecordIsTombstone']!();
    tombstone.configure({});
    const dropTombstones = predicated(smt('Filter', {}), tombstone, false);
    assert.equal(dropTombstones.apply({ ...record, value: null, valueSchema: null }), null);
    assert.equal(dropTombstones.apply(record), record);
    const keepOnlyTombstones = predicated(smt('Filter', {}), tombstone, true);
    assert.equal(keepOnlyTombstones.apply(record), null);
    const topic = BUILTIN_PREDICATES[T + 'predicates.TopicNameMatches']!();
    topic.configure({ pattern: 'ord.*' });
    assert.equal(topic.test(record), true);
    assert.equal(topic.test({ ...record, topic: 'xorders' }), false);
  });
});
