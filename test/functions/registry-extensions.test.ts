/** Public function API pieces the test-harness fixtures needed: ANY, variadic init params, STRUCT<...> patterns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, FunctionRegistry, SqlTypes, TypeCheckError, formatSqlType, paramType as p } from '../../src/index.js';
import type { AggregateFunction, Aggregator } from '../../src/index.js';

const none = (): Aggregator => ({ initial: () => null, add: (a) => a, result: (a) => a });
const type = (t: Parameters<typeof formatSqlType>[0]) => ({ kind: 'type' as const, type: t });

test('paramType reads exact STRUCT<...> patterns and ANY', () => {
  assert.deepEqual(p('STRUCT<A STRING, b INT>'), {
    kind: 'exact',
    type: SqlTypes.struct([
      { name: 'A', type: SqlTypes.STRING },
      { name: 'B', type: SqlTypes.INTEGER },
    ]),
  });
  assert.deepEqual(p('STRUCT'), { kind: 'anyStruct' });
  assert.deepEqual(p('ARRAY<ANY>'), { kind: 'array', element: { kind: 'any' } });
  assert.throws(() => p('STRUCT<A T>'), /must have a concrete type/);
});

test('a variadic ANY takes arguments of mixed types, each cast to nothing but itself', () => {
  const r = new FunctionRegistry();
  r.registerAggregate({ name: 'OBJS', description: '', overloads: [{ params: [p('INT'), p('ANY')], variadic: true, returns: p('ARRAY<INT>'), create: none }] });
  const res = r.resolveAggregate('objs', [type(SqlTypes.INTEGER), type(SqlTypes.STRING), type(SqlTypes.map(SqlTypes.STRING, SqlTypes.DOUBLE)), { kind: 'null' }]);
  assert.deepEqual(res.argTypes.map(formatSqlType), ['INTEGER', 'STRING', 'MAP<STRING, DOUBLE>', 'STRING']);
  assert.equal(formatSqlType(res.returnType), 'ARRAY<INTEGER>');
  assert.deepEqual(r.describe('OBJS')!.signatures, ['OBJS(INTEGER, ANY...) -> ARRAY<INTEGER>']);
  assert.throws(() => r.resolveAggregate('OBJS', [type(SqlTypes.STRING)]), /Function 'OBJS' does not accept parameters \(STRING\)/);
});

test('variadic init params: the column params are fixed, the trailing literals repeat', () => {
  const r = new FunctionRegistry();
  const fn: AggregateFunction = {
    name: 'TAIL',
    description: '',
    overloads: [{ params: [p('BIGINT'), p('STRING')], initParams: [p('INT'), p('STRING')], initVariadic: true, returns: p('BIGINT'), create: none }],
  };
  r.registerAggregate(fn);
  const [L, S, I] = [SqlTypes.BIGINT, SqlTypes.STRING, SqlTypes.INTEGER].map(type);
  assert.equal(r.resolveAggregate('TAIL', [L!, S!, I!]).argTypes.length, 3);
  assert.equal(r.resolveAggregate('TAIL', [L!, S!, I!, S!, S!, S!]).argTypes.length, 6);
  assert.throws(() => r.resolveAggregate('TAIL', [L!, S!]), TypeCheckError);
  assert.throws(() => r.resolveAggregate('TAIL', [L!, S!, I!, I!]), /does not accept parameters \(BIGINT, STRING, INTEGER, INTEGER\)[\s\S]*TAIL\(BIGINT, STRING, INT, STRING\.\.\.\)/);
  assert.deepEqual(r.describe('TAIL')!.signatures, ['TAIL(BIGINT, STRING, INTEGER, STRING...) -> BIGINT']);
});

test('an aggregate overload may not repeat both its column and its init params', () => {
  const r = new FunctionRegistry();
  const both = { params: [p('STRING')], variadic: true, initParams: [p('INT')], initVariadic: true, returns: p('INT'), create: none };
  assert.throws(() => r.registerAggregate({ name: 'BOTH', description: '', overloads: [both] }), ConfigError);
  assert.throws(() => r.registerAggregate({ name: 'NOINIT', description: '', overloads: [{ ...both, variadic: false, initParams: [] }] }), /initVariadic needs init params/);
  assert.equal(r.has('BOTH'), false);
});
