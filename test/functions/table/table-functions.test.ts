import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { builtinTableFunctions } from '../../../src/functions/table/index.js';
import type { TableFunction, TableOverload } from '../../../src/functions/function-types.js';
import type { SqlType } from '../../../src/common/sql-types.js';

const fn = (name: string): TableFunction => builtinTableFunctions.find((f) => f.name === name)!;
const INT: SqlType = { kind: 'INTEGER' };
const arrayOf = (element: SqlType): SqlType => ({ kind: 'ARRAY', element });

function bind(o: TableOverload, argTypes: SqlType[]) {
  const returnType = typeof o.returns === 'function' ? o.returns(argTypes) : INT;
  return o.bind({ argTypes, returnType });
}

test('built-in table functions: EXPLODE and CUBE_EXPLODE', () => {
  assert.deepEqual(builtinTableFunctions.map((f) => f.name).sort(), ['CUBE_EXPLODE', 'EXPLODE']);
});

test('EXPLODE emits one value per element; NULL and empty arrays emit nothing', () => {
  const generic = fn('EXPLODE').overloads.find((o) => o.params[0]!.kind === 'array' && (o.params[0] as any).element.kind === 'generic')!;
  const explode = bind(generic, [arrayOf(INT)]);
  assert.deepEqual(explode([1, 2]), [1, 2]);
  assert.deepEqual(explode([null, 3]), [null, 3]);
  assert.deepEqual(explode([]), []);
  assert.deepEqual(explode(null), []);
  assert.deepEqual(explode([{ F1: 1 }, { F1: 2 }]), [{ F1: 1 }, { F1: 2 }]);
});

test('EXPLODE of ARRAY<DECIMAL> returns the element type, precision included', () => {
  const dec = fn('EXPLODE').overloads.find((o) => (o.params[0] as any).element?.kind === 'anyDecimal')!;
  const t: SqlType = { kind: 'DECIMAL', precision: 5, scale: 2 };
  assert.deepEqual((dec.returns as (a: readonly SqlType[]) => SqlType)([arrayOf(t)]), t);
  const d = new Decimal('1.25');
  assert.deepEqual(bind(dec, [arrayOf(t)])([d]), [d]);
});

test('CUBE_EXPLODE emits every kept/NULL combination, first element most significant', () => {
  const cube = bind(fn('CUBE_EXPLODE').overloads[0]!, [arrayOf(INT)]);
  assert.deepEqual(cube([1, 2]), [[null, null], [null, 2], [1, null], [1, 2]]);
  assert.deepEqual(cube(['one', 'two', 'three']), [
    [null, null, null], [null, null, 'three'], [null, 'two', null], [null, 'two', 'three'],
    ['one', null, null], ['one', null, 'three'], ['one', 'two', null], ['one', 'two', 'three'],
  ]);
});

test('CUBE_EXPLODE skips duplicate combinations from NULL elements', () => {
  const cube = bind(fn('CUBE_EXPLODE').overloads[0]!, [arrayOf(INT)]);
  assert.deepEqual(cube([1, null]), [[null, null], [1, null]]);
  assert.deepEqual(cube([null, null]), [[null, null]]);
  assert.deepEqual(cube([]), [[]]);
  assert.deepEqual(cube(null), []);
  const rowsOf = cube([1, 2, 3, 4, 5, 6]) as unknown[][];
  assert.equal(rowsOf.length, 64);
  assert.equal(new Set(rowsOf.map((r) => JSON.stringify(r))).size, 64);
});
