/** transforms=..., predicates=..., negate: the chain a connector's configuration describes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectConfigError, type ConnectRecord } from '../../../src/connect/api/index.js';
import { buildTransformationChain, builtinTransformLookup } from '../../../src/connect/transforms/index.js';

const rec = (topic: string, value: unknown): ConnectRecord => ({ topic, kafkaPartition: 0, keySchema: null, key: null, valueSchema: null, value, timestamp: 1700000000000, headers: [] });

describe('buildTransformationChain', () => {
  const config = {
    transforms: 'dropTombstones, hoist, route, tag',
    'transforms.dropTombstones.type': 'org.apache.kafka.connect.transforms.Filter',
    'transforms.dropTombstones.predicate': 'isTombstone',
    'transforms.hoist.type': 'org.apache.kafka.connect.transforms.HoistField$Value',
    'transforms.hoist.field': 'line',
    'transforms.route.type': 'RegexRouter',
    'transforms.route.regex': 'raw-(.*)',
    'transforms.route.replacement': 'clean-$1',
    'transforms.tag.type': 'InsertHeader',
    'transforms.tag.header': 'source',
    'transforms.tag.value.literal': 'file',
    'transforms.tag.predicate': 'isRaw',
    'transforms.tag.negate': 'true',
    predicates: 'isTombstone,isRaw',
    'predicates.isTombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
    'predicates.isRaw.type': 'TopicNameMatches',
    'predicates.isRaw.pattern': 'raw-.*',
  };

  it('applies stages in order, with predicates and negate', () => {
    const chain = buildTransformationChain(config, builtinTransformLookup());
    assert.deepEqual(chain.stages.map((s) => s.alias), ['dropTombstones', 'hoist', 'route', 'tag']);
    assert.equal(chain.apply(rec('raw-a', null)), null);
    const out = chain.apply(rec('raw-a', 'hello'))!;
    assert.equal(out.topic, 'clean-a');
    assert.deepEqual(out.value, { line: 'hello' });
    // the route ran before tag, so the topic no longer matches raw-.* and the negated predicate holds
    assert.deepEqual(out.headers.map((h) => [h.key, h.value]), [['source', 'file']]);
    chain.close();
  });

  it("rejects configurations as Connect does", () => {
    const lookup = builtinTransformLookup();
    assert.throws(() => buildTransformationChain({ transforms: 'a,a' }, lookup), /Duplicate alias provided/);
    assert.throws(() => buildTransformationChain({ transforms: 'a' }, lookup), (e: unknown) => e instanceof ConnectConfigError && /transforms\.a\.type/.test(e.message));
    assert.throws(() => buildTransformationChain({ transforms: 'a', 'transforms.a.type': 'com.example.Nope' }, lookup), /Class com.example.Nope could not be found/);
    assert.throws(() => buildTransformationChain({ transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.negate': 'true' }, lookup), /there is no config 'transforms.a.predicate'/);
    assert.throws(() => buildTransformationChain({ transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.predicate': 'p' }, lookup), /not listed in 'predicates'/);
    assert.throws(() => buildTransformationChain({ transforms: 'c', 'transforms.c.type': 'org.apache.kafka.connect.transforms.Cast$Value' }, lookup), /Missing required configuration "spec"/);
  });

  it('is empty without transforms', () => {
    const chain = buildTransformationChain({}, builtinTransformLookup());
    const r = rec('t', 1);
    assert.equal(chain.apply(r), r);
  });
});
