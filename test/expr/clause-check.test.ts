/**
 * WHERE / SELECT checking with ksqlDB's wording (comparison-expression.json, in.json, cast.json)
 * and the magic timestamp rewrite (magic-timestamp-conversion.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlTypes } from '../../src/common/sql-types.js';
import { TypeCheckError } from '../../src/common/errors.js';
import { parseExpression } from '../../src/sql/parse.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import {
  CodegenError,
  compilePredicate,
  formatExpression,
  parsePartialTimestamp,
  rewriteMagicTimestamps,
  typeCheck,
  typeCheckFilter,
  typeCheckSelect,
  type Scope,
} from '../../src/expr/index.js';

const registry = createBuiltinRegistry();
const scope: Scope = [
  { name: 'ID', type: SqlTypes.INTEGER },
  { name: 'VAL', type: SqlTypes.STRING },
  { name: 'ROWTIME', type: SqlTypes.BIGINT },
  { name: 'WINDOWSTART', type: SqlTypes.BIGINT },
  { name: 'B', type: SqlTypes.BOOLEAN },
];

function filterError(sql: string, clause: 'WHERE' | 'HAVING' = 'WHERE'): TypeCheckError {
  try {
    typeCheckFilter(parseExpression(sql), scope, registry, clause);
  } catch (e) {
    assert.ok(e instanceof TypeCheckError, String(e));
    return e;
  }
  assert.fail(`no error for ${sql}`);
}

test('WHERE: analysis errors read "Error in WHERE expression"', () => {
  assert.equal(
    filterError("ID >= 'not an int'").message,
    "Error in WHERE expression: Cannot compare ID (INTEGER) to 'not an int' (STRING) with GREATER_THAN_OR_EQUAL.",
  );
  assert.equal(
    filterError('ID = 1 AND (true + 1.5) > 0').message,
    'Error in WHERE expression: Error processing expression: (true + 1.5). Unsupported arithmetic types. BOOLEAN DECIMAL',
  );
  assert.match(filterError("ID >= 'x'", 'HAVING').message, /^Error in HAVING expression: Cannot compare/);
});

test('WHERE: a condition that is not BOOLEAN names the expression and its type', () => {
  assert.equal(filterError("'not a boolean'").message, "Type error in WHERE expression: Should evaluate to boolean but is 'not a boolean' (STRING) instead.");
  assert.equal(filterError('ID + 1.5').message, 'Type error in WHERE expression: Should evaluate to boolean but is (ID + 1.5) (DECIMAL(12, 1)) instead.');
});

test('WHERE: IN-list coercion fails when code is generated: "Invalid Predicate"', () => {
  const e = filterError("B IN (true, 'Not a boolean')");
  assert.ok(e instanceof CodegenError);
  assert.equal(e.message, 'Invalid Predicate: invalid input syntax for type BOOLEAN: "Not a boolean".');
  assert.equal(
    filterError('ID IN (1, B)').message,
    'Invalid Predicate: operator does not exist: INTEGER = BOOLEAN (B)\nHint: You might need to add explicit type casts.',
  );
  // unknown columns are left for the caller to name the clause
  assert.equal(filterError('NOPE = 1').message, "Column 'NOPE' cannot be resolved.");
});

test('SELECT: unsupported casts are code generation errors: "Invalid Select"', () => {
  assert.throws(() => typeCheckSelect(parseExpression('CAST(VAL AS ARRAY<INT>)'), scope, registry), {
    message: 'Invalid Select: Cast of STRING to ARRAY<INTEGER> is not supported',
  });
  // analysis errors keep their own words
  assert.throws(() => typeCheckSelect(parseExpression("ID > 'x'"), scope, registry), { message: /^Cannot compare ID/ });
  assert.equal(typeCheckSelect(parseExpression('CAST(ID AS STRING)'), scope, registry).type.kind, 'STRING');
});

test('partial timestamps: missing parts default, offsets and Z are honoured', () => {
  assert.equal(parsePartialTimestamp('2018'), Date.UTC(2018, 0, 1));
  assert.equal(parsePartialTimestamp('2018-05'), Date.UTC(2018, 4, 1));
  assert.equal(parsePartialTimestamp('2018-01-01T00:00:00.001'), 1514764800001);
  assert.equal(parsePartialTimestamp('2018-01-01T00:00:01'), 1514764801000);
  assert.equal(parsePartialTimestamp('2019-01-01T00:00:00+0445'), Date.UTC(2019, 0, 1) - (4 * 60 + 45) * 60_000);
  assert.equal(parsePartialTimestamp('2020-02-10T08:31:44.001+0000'), 1581323504001);
  assert.equal(parsePartialTimestamp('2020-02-10T08:31:44Z'), 1581323504000);
  assert.equal(parsePartialTimestamp('2020-02-10T08'), Date.UTC(2020, 1, 10, 8));
  assert.throws(() => parsePartialTimestamp('2018-13-01'), /Failed to parse timestamp '2018-13-01'/);
});

test('magic timestamps: string literals compared with ROWTIME / window bounds become epoch millis', () => {
  const rewritten = rewriteMagicTimestamps(parseExpression("ROWTIME >= '2019-01-01T00:00:00' AND ID = 5"));
  assert.equal(formatExpression(rewritten), '((ROWTIME >= 1546300800000) AND (ID = 5))');
  assert.equal(
    formatExpression(rewriteMagicTimestamps(parseExpression("'2020-02-10T08:31:44.001+0000' <= WINDOWSTART"))),
    '(1581323504001 <= WINDOWSTART)',
  );
  assert.equal(
    formatExpression(rewriteMagicTimestamps(parseExpression("ROWTIME BETWEEN '2018-01-01T00:00:00.001' AND '2018-01-01T00:00:01'"))),
    '(ROWTIME BETWEEN 1514764800001 AND 1514764801000)',
  );
  // only ROWTIME / WINDOWSTART / WINDOWEND, only string literals
  assert.equal(formatExpression(rewriteMagicTimestamps(parseExpression("VAL > '2018'"))), "(VAL > '2018')");
  // in WHERE the comparison type-checks and filters; elsewhere it stays an error
  const { typed, expression } = typeCheckFilter(parseExpression("ROWTIME > '2018'"), scope, registry, 'WHERE');
  assert.equal(formatExpression(expression), '(ROWTIME > 1514764800000)');
  const p = compilePredicate(typed);
  assert.equal(p([1, 'a', 1514764800001n, null, true]), true);
  assert.equal(p([1, 'a', 1514764800000n, null, true]), false);
  assert.throws(() => typeCheck(parseExpression("ROWTIME > '2018'"), scope, registry), /Cannot compare ROWTIME \(BIGINT\) to '2018' \(STRING\) with GREATER_THAN\./);
});

test('HAVING is validated on the query as written: aggregate calls typed by their result', () => {
  const cols: Scope = [
    { name: 'ID', type: SqlTypes.INTEGER },
    { name: 'VALUE', type: SqlTypes.BIGINT },
  ];
  assert.throws(() => typeCheckFilter(parseExpression("SUM(VALUE) > '100'"), cols, registry, 'HAVING', { typeAggregateCalls: true }), {
    message: "Error in HAVING expression: Cannot compare SUM(VALUE) (BIGINT) to '100' (STRING) with GREATER_THAN.",
  });
  assert.equal(typeCheckFilter(parseExpression('COUNT(*) > 1 AND SUM(VALUE) < 10'), cols, registry, 'HAVING', { typeAggregateCalls: true }).typed.type.kind, 'BOOLEAN');
  // without the option aggregates stay out of expressions
  assert.throws(() => typeCheck(parseExpression('SUM(VALUE) > 1'), cols, registry), /Aggregate function SUM is not allowed here/);
});
