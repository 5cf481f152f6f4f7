/**
 * One type for IN lists and ARRAY / MAP constructors, as ksqlDB's CoercionUtil.coerceUserList
 * finds it (create_array.json, create_map.json, in.json), and overload resolution through the
 * built-in registry as ksqlDB's UdfIndex does it (greatest.json, least.json, explode.json, ...).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { SqlTypes, formatSqlType } from '../../src/common/sql-types.js';
import { parseExpression } from '../../src/sql/parse.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import { compileExpression, typeCheck, type Scope } from '../../src/expr/index.js';

const registry = createBuiltinRegistry();
const scope: Scope = [
  { name: 'A', type: SqlTypes.INTEGER },
  { name: 'B', type: SqlTypes.BIGINT },
  { name: 'S', type: SqlTypes.STRING },
  { name: 'D', type: SqlTypes.DATE },
  { name: 'DE', type: SqlTypes.decimal(9, 3) },
  { name: 'BT', type: SqlTypes.BYTES },
];
const ROW = [30, 40n, 'x', 19157, new Decimal('1.5'), Buffer.from('a')];

const typeOf = (sql: string) => formatSqlType(typeCheck(parseExpression(sql), scope, registry).type);
const run = (sql: string, row: readonly unknown[] = ROW) => compileExpression(typeCheck(parseExpression(sql), scope, registry))(row);

test('ARRAY: numbers and numeric strings widen together; strings with e or . make a DECIMAL', () => {
  assert.equal(typeOf("ARRAY[null, 10, '2e1', A, B]"), 'ARRAY<DECIMAL(19, 0)>');
  assert.deepEqual(
    (run("ARRAY[null, 10, '2e1', A, B]") as (Decimal | null)[]).map((d) => d && d.toString()),
    [null, '10', '20', '30', '40'],
  );
  assert.equal(typeOf("ARRAY[1, '2']"), 'ARRAY<INTEGER>');
  assert.equal(typeOf("ARRAY['2', 1]"), 'ARRAY<STRING>');
  assert.equal(typeOf("ARRAY[1, '2147483648']"), 'ARRAY<BIGINT>');
  assert.equal(typeOf("ARRAY[1, '0.005']"), 'ARRAY<DECIMAL(13, 3)>');
  assert.throws(() => typeOf("ARRAY[1, 'x']"), { message: 'invalid input syntax for type INTEGER: "x".' });
  assert.throws(() => typeOf('ARRAY[A, S]'), { message: 'operator does not exist: INTEGER = STRING (S)\nHint: You might need to add explicit type casts.' });
});

test('ARRAY of STRUCTs: the element type holds every field of every struct', () => {
  assert.equal(typeOf('ARRAY[null, STRUCT(X := A, Y := B), STRUCT(Y := A, Z := B)]'), 'ARRAY<STRUCT<`Y` BIGINT, `Z` BIGINT, `X` INTEGER>>');
  assert.deepEqual(run('ARRAY[null, STRUCT(X := A, Y := B), STRUCT(Y := A, Z := B)]'), [
    null,
    { Y: 40n, Z: null, X: 30 },
    { Y: 30n, Z: 40n, X: null },
  ]);
  assert.throws(() => typeOf('ARRAY[STRUCT(X := A), STRUCT(X := S)]'), /operator does not exist: STRUCT<`X` INTEGER> = STRUCT<`X` STRING> \(STRUCT\(X:=S\)\)/);
});

test('constructors: empty and all-NULL constructors fail with ksqlDB\'s words', () => {
  assert.throws(() => typeOf('ARRAY[null, null]'), /^Error: |Cannot construct an array with all NULL elements \(see https:\/\/github.com\/confluentinc\/ksql\/issues\/4239\)\. As a workaround/);
  assert.throws(() => typeOf('MAP(null := 1)'), /Cannot construct a map with all NULL keys/);
  assert.throws(() => typeOf("MAP('a' := null)"), /Cannot construct a map with all NULL values/);
  assert.equal(typeOf("MAP('a' := 1, 'b' := '2.5')"), 'MAP<STRING, DECIMAL(11, 1)>');
  assert.throws(() => typeOf('STRUCT(F := A, F := S)'), /Duplicate field names found in STRUCT: F/);
});

test('IN: items coerce to the operand; a malformed string literal is an error', () => {
  assert.equal(run("A IN (1, '30')"), true);
  assert.equal(run("S IN (1, true, 'x')"), true);
  assert.equal(run('B IN (40.0, 1)'), true);
  assert.throws(() => run("A IN (1, '10 - not a number')"), { message: 'invalid input syntax for type INTEGER: "10 - not a number".' });
  assert.throws(() => run("DE IN (1, 'x')"), { message: 'invalid input syntax for type DECIMAL: "x".' });
  assert.throws(() => run('ARRAY[B] IN (ARRAY[A = 1])'), /operator does not exist: ARRAY<BIGINT> = ARRAY<BOOLEAN> \(ARRAY\[\(A = 1\)\]\)/);
  assert.equal(run('NULL IN (1, 2)'), false);
});

test('functions: declared names, exact matches before casts, ambiguity, NULL arguments', () => {
  assert.throws(() => typeOf('GREATEST(A, B)'), {
    message: /^Function 'greatest' cannot be resolved due to ambiguous method parameters \(INTEGER, BIGINT\)\.\nUse CAST\(\)/,
  });
  assert.throws(() => typeOf('GREATEST(null, null)'), /Function 'greatest' cannot be resolved due to ambiguous method parameters \(null, null\)\./);
  assert.throws(() => typeOf('GREATEST(*)'), /Function 'greatest' does not accept parameters \(\)\./);
  assert.throws(() => typeOf('COALESCE()'), /Function 'COALESCE' does not accept parameters \(\)\./);
  // a DECIMAL argument keeps the DECIMAL overload even with a NULL beside it
  assert.equal(typeOf('GREATEST(DE, DE, null)'), 'DECIMAL(9, 3)');
  assert.equal(typeOf('GREATEST(A, B, 1.5, 2e0, null)'), 'DOUBLE');
  // a STRING argument may stand for a DATE (or TIME, TIMESTAMP, BYTES) once casts are allowed
  assert.equal(typeOf("GREATEST(D, null, '2022-06-14')"), 'DATE');
  assert.equal(run("GREATEST(D, null, '2022-06-15')"), 19158);
  assert.equal(run("LEAST(BT, 'Yg==')"), ROW[5]);
  assert.throws(() => typeOf("GREATEST(S, 1)"), /Function 'greatest' does not accept parameters \(STRING, INTEGER\)\.\nValid alternatives are:\ngreatest\(INT, INT\.\.\.\)/);
  assert.throws(() => typeOf('DATEADD(D, 1, D)'), /Function 'dateadd' does not accept parameters \(DATE, INTEGER, DATE\)/);
});
