import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { SqlTypes } from '../../../src/common/sql-types.js';
import { BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INT, STRING, TIME, TIMESTAMP, call, t } from './scalar-test-helper.js';

const S = STRING;
const extract = (json: string | null, path: string | null) => call('EXTRACTJSONFIELD', [S, S], json, path);

test('EXTRACTJSONFIELD navigates objects and arrays', () => {
  const doc = '{"name": "cdc", "version": "1", "@type": "UDF", "n": {"a": [1, {"b": true}]}}';
  assert.equal(extract(doc, '$.name'), 'cdc');
  assert.equal(extract(doc, '$.@type'), 'UDF');
  assert.equal(extract(doc, "$['name']"), 'cdc');
  assert.equal(extract(doc, '$.n.a[1].b'), 'true');
  assert.equal(extract(doc, '$.n'), '{"a":[1,{"b":true}]}');
  assert.equal(extract(doc, '$.missing'), null);
  assert.equal(extract(doc, '$.n.a[5]'), null);
  assert.equal(extract(doc, '$.name.x'), null);
  assert.equal(extract('{"array": [1, 2, 3]}', '$.array[-1]'), null);
  assert.equal(extract('{"array": [1.23450]}', '$.array[0]'), '1.23450');
  // trailing content after the first value is ignored, as Jackson does
  assert.equal(extract('{"name": "cdd"}}', '$.name'), 'cdd');
  assert.equal(extract(null, '$.a'), null);
  assert.equal(extract('{}', null), null);
  assert.throws(() => extract('{not json', '$.a'));
});

test('IS_JSON_STRING', () => {
  assert.equal(call('IS_JSON_STRING', [S], '[1, 2]'), true);
  assert.equal(call('IS_JSON_STRING', [S], '"abc"'), true);
  assert.equal(call('IS_JSON_STRING', [S], 'abc'), false);
  assert.equal(call('IS_JSON_STRING', [S], ''), false);
  assert.equal(call('IS_JSON_STRING', [S], null), false);
});

test('JSON_ARRAY_CONTAINS compares values of the same JSON kind', () => {
  const colors = '["Pink", "Yellow", null]';
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], colors, 'Pink'), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], '["Red"]', 'Pink'), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], colors, null), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, INT], '[1, 2.0]', 1), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, INT], '[1.0]', 1), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, BIGINT], '[9007199254740993]', 9007199254740993n), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, DOUBLE], '[1, 2.5]', 2.5), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, BOOLEAN], '[false]', false), true);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], '[["Pink"]]', 'Pink'), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], '{"a": "Pink"}', 'Pink'), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], 'not json', 'Pink'), false);
  assert.equal(call('JSON_ARRAY_CONTAINS', [S, S], null, 'Pink'), false);
});

test('JSON_ARRAY_LENGTH', () => {
  assert.equal(call('JSON_ARRAY_LENGTH', [S], '["Red", "Green"]'), 2);
  assert.equal(call('JSON_ARRAY_LENGTH', [S], '[]'), 0);
  assert.equal(call('JSON_ARRAY_LENGTH', [S], '{}'), null);
  assert.equal(call('JSON_ARRAY_LENGTH', [S], ''), null);
  assert.equal(call('JSON_ARRAY_LENGTH', [S], null), null);
});

test('JSON_CONCAT merges objects or concatenates arrays', () => {
  const jc = (a: string | null, b: string | null) => call('JSON_CONCAT', [S, S], a, b);
  assert.equal(jc('{"a": 1}', '{"b": 2}'), '{"a":1,"b":2}');
  assert.equal(jc('{}', '{}'), '{}');
  assert.equal(jc('{"a": {"5": 6}}', '{"a": {"3": 4}}'), '{"a":{"3":4}}');
  assert.equal(jc('[1, 2]', '[3, 4]'), '[1,2,3,4]');
  assert.equal(jc('null', 'null'), '[null,null]');
  assert.equal(jc('[1, 2]', '{"a": 1}'), '[1,2,{"a":1}]');
  assert.equal(jc('[1, [2]]', '[[[3]], [[[4]]]]'), '[1,[2],[[3]],[[[4]]]]');
  assert.equal(jc('1', ''), null);
  assert.equal(jc(null, '1'), null);
  assert.equal(call('JSON_CONCAT', [S, S, S], '[1]', '"x"', '[2]'), '[1,"x",2]');
});

test('JSON_KEYS, JSON_RECORDS, JSON_ITEMS', () => {
  assert.deepEqual(call('JSON_KEYS', [S], '{"a": 1, "b": {"c": 2}}'), ['a', 'b']);
  assert.equal(call('JSON_KEYS', [S], '[1]'), null);
  assert.equal(call('JSON_KEYS', [S], null), null);
  assert.deepEqual(call('JSON_RECORDS', [S], '{"Red": 3, "White": "Seven", "o": {"x": [1]}}'),
    new Map([['Red', '3'], ['White', 'Seven'], ['o', '{"x":[1]}']]));
  assert.deepEqual(call('JSON_RECORDS', [S], '{}'), new Map());
  assert.equal(call('JSON_RECORDS', [S], ''), null);
  assert.equal(call('JSON_RECORDS', [S], '[1]'), null);
  assert.deepEqual(call('JSON_ITEMS', [S], '[{"type": "A", "timestamp": "2022-01-27"}, 1, "s"]'),
    ['{"type":"A","timestamp":"2022-01-27"}', '1', '"s"']);
  assert.deepEqual(call('JSON_ITEMS', [S], '[]'), []);
  assert.equal(call('JSON_ITEMS', [S], '{}'), null);
});

test('TO_JSON_STRING for every type', () => {
  const j = (ty: Parameters<typeof call>[1][number], v: unknown) => call('TO_JSON_STRING', [ty], v);
  assert.equal(j(INT, 1), '1');
  assert.equal(j(INT, null), 'null');
  assert.equal(j(STRING, 'a"b'), '"a\\"b"');
  assert.equal(j(BIGINT, 123n), '123');
  assert.equal(j(DOUBLE, 1e10), '1.0E10');
  assert.equal(j(DOUBLE, 0.5), '0.5');
  assert.equal(j(t('DECIMAL(6, 3)'), new Decimal('123.4')), '123.400');
  assert.equal(j(BOOLEAN, true), 'true');
  assert.equal(j(BYTES, Buffer.from('!')), '"IQ=="');
  assert.equal(j(TIME, 60220000), '"16:43:40"');
  assert.equal(j(DATE, 1000), '"1972-09-27"');
  assert.equal(j(TIMESTAMP, 1000), '1000');
  assert.equal(j(t('ARRAY<INT>'), [1, null]), '[1,null]');
  assert.equal(j(t('MAP<STRING, DOUBLE>'), new Map([['a', 1]])), '{"a":1.0}');
  const st = SqlTypes.struct([{ name: 'A', type: INT }, { name: 'B', type: t('ARRAY<STRING>') }]);
  assert.equal(j(st, { A: 1, B: ['x'] }), '{"A":1,"B":["x"]}');
});
