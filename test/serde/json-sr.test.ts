import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { ConfigError, SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import { createSerde, InMemorySchemaRegistry, isSupportedFormat } from '../../src/serde/index.js';
import type { SerdeColumn } from '../../src/serde/index.js';
import { deriveJsonSchema, inferColumnsFromJsonSchema, jsonSrSchemaFor } from '../../src/serde/json-sr/index.js';

const framed = (id: number, json: string): Buffer => {
  const h = Buffer.alloc(5);
  h.writeInt32BE(id, 1);
  return Buffer.concat([h, Buffer.from(json, 'utf8')]);
};

const body = (b: Buffer | null): string | null => (b === null ? null : b.subarray(5).toString('utf8'));

test('JSON_SR is a supported format', () => {
  assert.ok(isSupportedFormat('JSON_SR'));
});

test('JSON_SR: framing, registration and round trip of every type', () => {
  const registry = new InMemorySchemaRegistry();
  const cols: SerdeColumn[] = [
    { name: 'B', type: T.BOOLEAN },
    { name: 'I', type: T.INTEGER },
    { name: 'L', type: T.BIGINT },
    { name: 'D', type: T.DOUBLE },
    { name: 'DEC', type: T.decimal(6, 2) },
    { name: 'S', type: T.STRING },
    { name: 'BY', type: T.BYTES },
    { name: 'DT', type: T.DATE },
    { name: 'TM', type: T.TIME },
    { name: 'TS', type: T.TIMESTAMP },
    { name: 'A', type: T.array(T.STRING) },
    { name: 'M', type: T.map(T.STRING, T.INTEGER) },
    { name: 'ST', type: T.struct([{ name: 'F1', type: T.STRING }]) },
  ];
  const serde = createSerde('JSON_SR', 'VALUE', cols, { topic: 'events', schemaRegistry: registry });
  const row = [
    true,
    -7,
    9223372036854775807n,
    1.25,
    new Decimal('1.5'),
    'h"i',
    Buffer.from([1, 2, 255]),
    19000,
    3600000,
    1700000000000,
    ['a', null],
    new Map([['k', 1]]),
    { F1: null },
  ];
  const bytes = serde.serialize(row)!;
  assert.equal(bytes.subarray(0, 5).toString('hex'), '0000000001');
  assert.equal(
    body(bytes),
    '{"B":true,"I":-7,"L":9223372036854775807,"D":1.25,"DEC":1.50,"S":"h\\"i","BY":"AQL/","DT":19000,"TM":3600000,"TS":1700000000000,"A":["a",null],"M":{"k":1},"ST":{"F1":null}}',
  );
  const back = serde.deserialize(bytes)!;
  assert.ok((back[4] as Decimal).eq('1.5'));
  assert.deepEqual([...back.slice(0, 4), ...back.slice(5)], [...row.slice(0, 4), ...row.slice(5)]);
  const [reg] = registry.all();
  assert.equal(reg!.subject, 'events-value');
  assert.equal(reg!.type, 'JSON');
  assert.deepEqual(inferColumnsFromJsonSchema(reg!.schema, 'VALUE'), cols);
});

test('JSON_SR: registered schemas match ksqlDB', () => {
  assert.deepEqual(JSON.parse(jsonSrSchemaFor([{ name: 'FOO', type: T.INTEGER }], 'VALUE')), {
    type: 'object',
    properties: { FOO: { 'connect.index': 0, oneOf: [{ type: 'null' }, { type: 'integer', 'connect.type': 'int32' }] } },
  });
  assert.deepEqual(JSON.parse(jsonSrSchemaFor([{ name: 'ROWKEY', type: T.struct([{ name: 'F1', type: T.STRING }]) }], 'KEY')), {
    oneOf: [{ type: 'null' }, { type: 'object', properties: { F1: { 'connect.index': 0, oneOf: [{ type: 'null' }, { type: 'string' }] } } }],
  });
  assert.deepEqual(deriveJsonSchema([{ name: 'K', type: T.INTEGER }], false), { oneOf: [{ type: 'null' }, { type: 'integer', 'connect.type': 'int32' }] });
});

test('JSON_SR: unwrapped keys and values, NULLs, wrapping like JSON', () => {
  const registry = new InMemorySchemaRegistry();
  const key = createSerde('JSON_SR', 'KEY', [{ name: 'K', type: T.BIGINT }], { topic: 't', schemaRegistry: registry });
  const kb = key.serialize([998877665544332200n])!;
  assert.equal(body(kb), '998877665544332200');
  assert.deepEqual(key.deserialize(kb), [998877665544332200n]);
  assert.equal(key.serialize([null]), null);
  assert.equal(registry.latest('t-key')!.schema, '{"oneOf":[{"type":"null"},{"type":"integer","connect.type":"int64"}]}');
  const value = createSerde('JSON_SR', 'VALUE', [{ name: 'FOO', type: T.BOOLEAN }], { topic: 't', schemaRegistry: registry, wrapSingleValue: false });
  assert.equal(body(value.serialize([true])), 'true');
  assert.equal(value.serialize([null]), null);
  // reading coerces like JSON
  const str = createSerde('JSON_SR', 'VALUE', [{ name: 'FOO', type: T.STRING }], { topic: 't', wrapSingleValue: false });
  assert.deepEqual(str.deserialize(framed(5, '10')), ['10']);
  const wrapped = createSerde('JSON_SR', 'VALUE', [{ name: 'FOO', type: T.INTEGER }], { topic: 't' });
  assert.deepEqual(wrapped.deserialize(framed(3, '{"foo": 10}')), [10]);
  assert.deepEqual(wrapped.deserialize(framed(3, 'null')), null);
  assert.equal(wrapped.deserialize(null), null);
  assert.equal(wrapped.serialize(null), null);
});

test('JSON_SR: bad framing and bad JSON fail with SerdeError', () => {
  const serde = createSerde('JSON_SR', 'VALUE', [{ name: 'FOO', type: T.INTEGER }], { topic: 't' });
  assert.throws(
    () => serde.deserialize(Buffer.from('{"FOO": 1}')),
    (e: unknown) => e instanceof SerdeError && e.message.startsWith('Failed to deserialize value from topic: t. Got unexpected JSON serialization format that did not start with the magic byte.'),
  );
  assert.throws(() => serde.deserialize(Buffer.alloc(0)), SerdeError);
  assert.throws(() => serde.deserialize(Buffer.from([0, 0, 1])), SerdeError);
  assert.throws(() => serde.deserialize(framed(1, '{"FOO": ')), (e: unknown) => e instanceof SerdeError && /Invalid JSON/.test(e.message));
  assert.throws(() => serde.deserialize(framed(1, '{"FOO": "x"}')), SerdeError);
  assert.throws(() => serde.deserialize(framed(1, '')), SerdeError);
  // no registry to register in
  assert.throws(() => serde.serialize([1]), SerdeError);
  let seed = 3;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 500; i++) {
    const b = Buffer.alloc(Math.floor(rand() * 20));
    for (let j = 0; j < b.length; j++) b[j] = rand() < 0.3 ? 0 : Math.floor(rand() * 256);
    try {
      serde.deserialize(b);
    } catch (e) {
      assert.ok(e instanceof SerdeError, `not a SerdeError: ${String(e)}`);
    }
  }
});

test('JSON_SR: statement-level errors are JSON\'s', () => {
  assert.throws(
    () => createSerde('JSON_SR', 'VALUE', [{ name: 'FOO', type: T.map(T.INTEGER, T.DOUBLE) }], {}),
    (e: unknown) => e instanceof ConfigError && e.message.includes('JSON only supports MAP types with STRING keys') && e.message.includes('format: JSON_SR'),
  );
});

test('JSON_SR: writing with a schema id uses the registered properties', () => {
  const registry = new InMemorySchemaRegistry();
  const valueId = registry.register('x', 'JSON', JSON.stringify({ type: 'object', properties: { c1: { type: 'integer' }, c2: { type: 'string' } } }));
  const keyId = registry.register('y', 'JSON', JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } } }));
  const value = createSerde('JSON_SR', 'VALUE', [{ name: 'c1', type: T.BIGINT }], { topic: 'OUTPUT', schemaRegistry: registry, schemaId: valueId });
  const vb = value.serialize([4n])!;
  assert.equal(vb.readInt32BE(1), valueId);
  assert.equal(body(vb), '{"c1":4,"c2":null}');
  const key = createSerde('JSON_SR', 'KEY', [{ name: 'ROWKEY', type: T.struct([{ name: 'id', type: T.BIGINT }]) }], {
    topic: 'OUTPUT',
    schemaRegistry: registry,
    schemaId: keyId,
  });
  const kb = key.serialize([{ id: 42n }])!;
  assert.equal(kb.readInt32BE(1), keyId);
  assert.equal(body(kb), '{"id":42}');
  // case-insensitive binding; a column the schema lacks fails
  const upper = createSerde('JSON_SR', 'VALUE', [{ name: 'C1', type: T.BIGINT }], { topic: 'o', schemaRegistry: registry, schemaId: valueId });
  assert.equal(body(upper.serialize([1n])), '{"c1":1,"c2":null}');
  const extra = createSerde('JSON_SR', 'VALUE', [{ name: 'c1', type: T.BIGINT }, { name: 'c9', type: T.BIGINT }], { topic: 'o', schemaRegistry: registry, schemaId: valueId });
  assert.throws(() => extra.serialize([1n, 2n]), (e: unknown) => e instanceof SerdeError && /misses field with name: c9/.test(e.message));
  const required = registry.register('z', 'JSON', JSON.stringify({ type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } }, required: ['b'] }));
  const req = createSerde('JSON_SR', 'VALUE', [{ name: 'a', type: T.BIGINT }], { topic: 'o', schemaRegistry: registry, schemaId: required });
  assert.throws(() => req.serialize([1n]), (e: unknown) => e instanceof SerdeError && /Missing default value for required field: \[b\]/.test(e.message));
});

test('JSON_SR: inference from registered schemas', () => {
  const t = (schema: unknown, target: 'KEY' | 'VALUE' = 'VALUE') => inferColumnsFromJsonSchema(JSON.stringify(schema), target);
  assert.deepEqual(t({ oneOf: [{ type: 'null' }, { type: 'integer', 'connect.type': 'int32' }] }, 'KEY'), [{ name: 'ROWKEY', type: T.INTEGER }]);
  assert.deepEqual(t({ oneOf: [{ type: 'null' }, { type: 'integer', 'connect.type': 'int64' }] }, 'KEY'), [{ name: 'ROWKEY', type: T.BIGINT }]);
  assert.deepEqual(t({ oneOf: [{ type: 'null' }, { type: 'number', 'connect.type': 'float64' }] }, 'KEY'), [{ name: 'ROWKEY', type: T.DOUBLE }]);
  assert.deepEqual(t({ oneOf: [{ type: 'null' }, { type: 'array', items: { oneOf: [{ type: 'null' }, { type: 'string' }] } }] }, 'KEY'), [
    { name: 'ROWKEY', type: T.array(T.STRING) },
  ]);
  assert.deepEqual(t({ type: 'object', properties: { F1: { 'connect.index': 0, oneOf: [{ type: 'null' }, { type: 'string', 'connect.type': 'string' }] } } }, 'KEY'), [
    { name: 'ROWKEY', type: T.struct([{ name: 'F1', type: T.STRING }]) },
  ]);
  assert.deepEqual(t({ type: 'object', properties: { c1: { type: 'integer' } } }), [{ name: 'c1', type: T.BIGINT }]);
  assert.deepEqual(t({ type: 'object', properties: { b: { 'connect.index': 1, type: 'boolean' }, a: { 'connect.index': 0, type: ['null', 'number'] } } }), [
    { name: 'a', type: T.DOUBLE },
    { name: 'b', type: T.BOOLEAN },
  ]);
  assert.deepEqual(
    t({
      type: 'object',
      properties: {
        m: { type: 'object', additionalProperties: { type: 'integer', 'connect.type': 'int32' } },
        r: { $ref: '#/definitions/R' },
        r2: { $ref: '#/definitions/R' },
        by: { type: 'string', 'connect.type': 'bytes' },
      },
      definitions: { R: { type: 'object', properties: { x: { type: 'string' } } } },
    }),
    [
      { name: 'm', type: T.map(T.STRING, T.INTEGER) },
      { name: 'r', type: T.struct([{ name: 'x', type: T.STRING }]) },
      { name: 'r2', type: T.struct([{ name: 'x', type: T.STRING }]) },
      { name: 'by', type: T.BYTES },
    ],
  );
  assert.deepEqual(t({ type: 'string' }), [{ name: 'ROWVAL', type: T.STRING }]);
  assert.throws(() => t({ type: 'object', properties: { a: { oneOf: [{ type: 'string' }, { type: 'integer' }] } } }), ConfigError);
  assert.throws(() => inferColumnsFromJsonSchema('{not json', 'VALUE'), ConfigError);
  assert.throws(() => t({ $ref: '#/definitions/A', definitions: { A: { $ref: '#/definitions/A' } } }), ConfigError);
});
