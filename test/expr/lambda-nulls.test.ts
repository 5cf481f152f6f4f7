/**
 * ksqlDB's lambda bodies work on unboxed numbers: arithmetic on a NULL there fails the whole
 * function call (the column is NULL and the failure reported), where outside a lambda it is NULL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, formatExpression, typeCheck } from '../../src/expr/index.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import type { Expression } from '../../src/sql/ast.js';
import { SCOPE, and, arith, call, cmp, col, int, lambda } from './helpers.js';

const registry = createBuiltinRegistry();
function run(expr: Expression, row: unknown[]): { value: unknown; errors: string[] } {
  const errors: string[] = [];
  const value = compileExpression(typeCheck(expr, SCOPE, registry), { text: formatExpression(expr), onError: (e) => errors.push(e.message) })(row);
  return { value, errors };
}
const rowWith = (i: number, v: unknown) => SCOPE.map((_, j) => (j === i ? v : null));
const A = SCOPE.findIndex((c) => c.name === 'A');
const MP = SCOPE.findIndex((c) => c.name === 'MP');
const ref = (name: string): Expression => ({ kind: 'ColumnRef', name });

test('FILTER over a map whose lambda does arithmetic on a NULL value is NULL, and reported', () => {
  // FILTER(MP, (k, v) => v % 5 = 0)
  const f = call('FILTER', col('MP'), lambda(['K', 'V'], cmp('=', arith('%', ref('V'), int(5)), int(0))));
  assert.deepEqual(run(f, rowWith(MP, new Map([['a', 10], ['b', 7]]))).value, new Map([['a', 10]]));
  const bad = run(f, rowWith(MP, new Map([['a', 10], ['b', null]])));
  assert.equal(bad.value, null);
  assert.match(bad.errors.join('\n'), /NULL operand of % in a lambda function/);
});

test('a comparison with a NULL element in a lambda is just not TRUE: FILTER drops the element', () => {
  const f = call('FILTER', col('A'), lambda(['X'], and(cmp('>', ref('X'), int(5)), cmp('<', ref('X'), int(100)))));
  const r = run(f, rowWith(A, [3, 6, null, 10]));
  assert.deepEqual(r.value, [6, 10]);
  assert.deepEqual(r.errors, []);
});

test('outside a lambda, arithmetic on NULL is NULL without an error', () => {
  const r = run(arith('+', col('I'), int(1)), rowWith(0, null));
  assert.equal(r.value, null);
  assert.deepEqual(r.errors, []);
});
