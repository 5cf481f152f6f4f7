import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlTypes, formatSqlType } from '../../src/common/sql-types.js';
import { TypeCheckError } from '../../src/common/errors.js';
import { typeCheck, compileExpression, findAggregateCalls } from '../../src/expr/index.js';
import { SCOPE, arr, call, col, evaluate, int, lambda, nul, str, arith, dec, testRegistry, typeOf } from '../expr/helpers.js';

test('lookups are case-insensitive and listing carries metadata', () => {
  const r = testRegistry();
  assert.ok(r.getScalar('array_contains'));
  assert.equal(r.kindOf('sum'), 'AGGREGATE');
  const info = r.describe('Array_Contains')!;
  assert.equal(info.kind, 'SCALAR');
  assert.equal(info.category, 'ARRAY');
  assert.deepEqual(info.signatures, ['ARRAY_CONTAINS(ARRAY<T>, T) -> BOOLEAN']);
  assert.deepEqual(r.describe('COALESCE')!.signatures, ['COALESCE(T...) -> T']);
  const names = r.list().map((f) => f.name);
  assert.deepEqual(names, [...names].sort());
  assert.throws(() => r.registerScalar({ name: 'abs', category: 'X', description: '', overloads: r.getScalar('ABS')!.overloads }), /already registered/);
});

test('exact matches are looked for before implicit casts; several cast matches are ambiguous (UdfIndex)', () => {
  assert.equal(typeOf(call('ABS', col('I'))).kind, 'INTEGER');
  assert.equal(typeOf(call('ABS', col('L'))).kind, 'BIGINT');
  assert.equal(formatSqlType(typeOf(call('ABS', col('M')))), 'DECIMAL(4, 2)');
  assert.equal(evaluate(call('ROUNDISH', col('L')), [null, 1n]), 'bigint');
  // DECIMAL only widens to DOUBLE here: one candidate once casts are allowed
  assert.equal(evaluate(call('ROUNDISH', col('M')), [null, null, null, null, null, null]), 'double');
  const typed = typeCheck(call('ROUNDISH', col('M')), SCOPE, testRegistry());
  assert.equal(typed.kind === 'Call' && typed.args[0]!.kind, 'Cast');
  // INT widens to BIGINT and to DOUBLE alike: ksqlDB does not pick the nearer one
  assert.throws(
    () => typeOf(call('ROUNDISH', col('I'))),
    /Function 'ROUNDISH' cannot be resolved due to ambiguous method parameters \(INTEGER\)\.\nUse CAST\(\)/,
  );
});

test('no match or ambiguity lists the candidates', () => {
  assert.throws(() => typeOf(call('LEN', int(1))), (e: unknown) => {
    assert.ok(e instanceof TypeCheckError);
    assert.match(e.message, /Function 'LEN' does not accept parameters \(INTEGER\)/);
    assert.match(e.message, /Valid alternatives are:\nLEN\(STRING\)\n/);
    return true;
  });
  assert.throws(() => typeOf(call('PICK', int(1), int(1))), /ambiguous method parameters \(INTEGER, INTEGER\)[\s\S]*PICK\(INT, DOUBLE\)\nPICK\(DOUBLE, INT\)/);
  assert.throws(() => typeOf(call('COALESCE')), /Function 'COALESCE' does not accept parameters \(\)/);
  assert.throws(() => typeOf(call('NOPE', int(1))), /Can't find any functions with the name 'NOPE'/);
});

test('generics bind to one exact type: no widening between their occurrences', () => {
  assert.equal(evaluate(call('ARRAY_CONTAINS', col('A'), int(2)), [null, null, null, null, null, null, [1, 2]]), true);
  assert.equal(typeOf(call('COALESCE', col('L'), col('L'))).kind, 'BIGINT');
  assert.equal(evaluate(call('COALESCE', nul, col('I'), int(3)), [null]), 3);
  // "All parameters must be of the same type"
  assert.throws(() => typeOf(call('COALESCE', col('I'), col('L'))), /Function 'COALESCE' does not accept parameters \(INTEGER, BIGINT\)/);
  assert.throws(() => typeOf(call('COALESCE', col('I'), str('x'))), /does not accept parameters/);
  assert.throws(() => typeOf(call('COALESCE', nul, nul)), /does not accept parameters/);
  assert.throws(() => typeOf(call('ARRAY_CONTAINS', arr(col('L')), col('I'))), /does not accept parameters \(ARRAY<BIGINT>, INTEGER\)/);
});

test('variadic overloads rank after fixed ones', () => {
  assert.equal(evaluate(call('VAR', str('a'), str('b'))), 'fixed');
  assert.equal(evaluate(call('VAR', str('a'))), 'variadic');
  assert.equal(evaluate(call('VAR', str('a'), str('b'), str('c'))), 'variadic');
});

test('lambdas: parameters typed from bound generics, return type binds the rest', () => {
  const t = call('TRANSFORM', col('A'), lambda(['X'], arith('+', col('X'), dec('0.5'))));
  assert.equal(formatSqlType(typeOf(t)), 'ARRAY<DECIMAL(12, 1)>');
  const out = evaluate(t, [null, null, null, null, null, null, [1, 2]]) as { toFixed(): string }[];
  assert.deepEqual(out.map((d) => d.toFixed()), ['1.5', '2.5']);
  const toStr = call('TRANSFORM', col('A'), lambda(['X'], arith('+', str('n'), str('!'))));
  assert.equal(formatSqlType(typeOf(toStr)), 'ARRAY<STRING>');
  const reduce = call('REDUCE', col('A'), int(0), lambda(['S', 'X'], arith('+', col('S'), col('X'))));
  assert.equal(evaluate(reduce, [null, null, null, null, null, null, [1, 2, 3]]), 6);
  // nested lambdas see outer parameters
  const nested = call('TRANSFORM', col('A'), lambda(['X'], call('REDUCE', col('A'), col('X'), lambda(['S', 'Y'], arith('+', col('S'), col('Y'))))));
  assert.deepEqual(evaluate(nested, [null, null, null, null, null, null, [1, 2]]), [4, 5]);
  // errors inside a lambda body surface as such
  assert.throws(() => typeOf(call('TRANSFORM', col('A'), lambda(['X'], col('NOPE')))), /Column 'NOPE' cannot be resolved/);
});

test('a throwing function yields NULL for that call and reports it', () => {
  const errors: string[] = [];
  assert.equal(evaluate(call('COALESCE', call('BOOM', str('x')), str('fallback')), [], SCOPE, errors), 'fallback');
  assert.deepEqual(errors, ["BOOM('x'): boom"]);
});

test('aggregate calls are rejected by the checker and found by the helper', () => {
  const r = testRegistry();
  const e = arith('+', call('SUM', col('I')), int(1));
  assert.throws(() => typeCheck(e, SCOPE, r), /Aggregate function SUM is not allowed here/);
  assert.deepEqual(findAggregateCalls(e, r).map((c) => c.name), ['SUM']);
  const f = compileExpression(typeCheck(call('LEN', col('S')), SCOPE, r));
  assert.equal(f([null, null, null, 'four']), 4);
  assert.equal(SqlTypes.INTEGER.kind, 'INTEGER');
});
