/**
 * Expression cases hand-taken from ksqlDB's query-validation tests (operators, null, cast, in,
 * udf-implicit-cast, case-expression), evaluated through the real parser and built-in functions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlTypes, formatSqlType } from '../../src/common/sql-types.js';
import { parseExpression } from '../../src/sql/parse.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import { compileExpression, formatExpression, typeCheck, type Scope } from '../../src/expr/index.js';

const registry = createBuiltinRegistry();

function run(sql: string, scope: Scope = [], row: readonly unknown[] = [], errors: string[] = []): unknown {
  const expr = parseExpression(sql);
  const typed = typeCheck(expr, scope, registry);
  return compileExpression(typed, { text: formatExpression(expr), onError: (e, t) => errors.push(`${t}: ${e.message}`) })(row);
}

test('operator precedence cases (operators.json)', () => {
  assert.equal(run('6 / 3 - 4'), -2);
  assert.equal(run('6 % 4 + 4'), 6);
  assert.equal(run('16 % 6 - 4'), 0);
  assert.equal(run('NOT 4 > 11'), true);
  assert.equal(run('NOT false AND NOT false'), true);
  assert.equal(run("1 BETWEEN 0 AND 2 AND 'b' BETWEEN 'a' AND 'c'"), true);
  assert.equal(run("'this' LIKE '%hi%' AND true"), true);
  assert.equal(run('true OR false AND true'), true);
});

test('null handling (null.json)', () => {
  const scope: Scope = [
    { name: 'COL0', type: SqlTypes.INTEGER },
    { name: 'COL2', type: SqlTypes.array(SqlTypes.INTEGER) },
    { name: 'A_MAP', type: SqlTypes.map(SqlTypes.STRING, SqlTypes.INTEGER) },
  ];
  assert.equal(run('IFNULL(COL0, 10)', scope, [null, null, null]), 10);
  assert.deepEqual(run('IFNULL(COL2, ARRAY[10, 20])', scope, [null, null, null]), [10, 20]);
  assert.equal(run("IFNULL(A_MAP['missing'], -1)", scope, [null, null, new Map([['expected', 10]])]), -1);
  assert.equal(run("A_MAP['expected']", scope, [null, null, new Map([['expected', 10]])]), 10);
  assert.equal(run('NULL IS NULL'), true);
  assert.throws(() => run('NULL <> NULL'), /Comparison with NULL not supported: NULL <> NULL/);
  assert.throws(() => run('COALESCE()'), /Function 'COALESCE' does not accept parameters \(\)/);
});

test('implicit casts to function parameters (udf-implicit-cast.json)', () => {
  const scope: Scope = [{ name: 'LAT1', type: SqlTypes.INTEGER }];
  const t = typeCheck(parseExpression('GEO_DISTANCE(LAT1, 0, 51, 0)'), scope, registry);
  assert.equal(t.type.kind, 'DOUBLE');
  assert.equal(typeof run('GEO_DISTANCE(LAT1, 0, 51.0, 0)', scope, [50]), 'number');
  assert.throws(() => run("GEO_DISTANCE(LAT1, 0, 'foo', 0)", scope, [50]), /does not accept parameters/);
});

test('casts and case (cast.json, case-expression)', () => {
  const scope: Scope = [{ name: 'F0', type: SqlTypes.STRING }];
  assert.equal(run("IFNULL(CAST(PARSE_DATE(F0, 'yyyy-MM-dd') AS STRING), '1900-01-01')", scope, ['abcd']), '1900-01-01');
  assert.equal(run("IFNULL(CAST(PARSE_DATE(F0, 'yyyy-MM-dd') AS STRING), '1900-01-01')", scope, ['2022-02-02']), '2022-02-02');
  assert.equal(formatSqlType(typeCheck(parseExpression('CAST(1 AS DECIMAL(2, 1))'), [], registry).type), 'DECIMAL(2, 1)');
  assert.equal(run("CASE WHEN F0 = 'a' THEN 1 WHEN F0 = 'b' THEN 2 ELSE 3 END", scope, ['b']), 2);
  assert.equal(run('ARRAY_CONTAINS(ARRAY[1, 2], 2)'), true);
  assert.deepEqual(run('TRANSFORM(ARRAY[1, 2], x => x * 10)'), [10, 20]);
});
