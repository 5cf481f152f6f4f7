import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { SqlTypes, formatSqlType } from '../../src/common/sql-types.js';
import { TypeCheckError } from '../../src/common/errors.js';
import { compilePredicate, typeCheck } from '../../src/expr/index.js';
import type { Expression } from '../../src/sql/ast.js';
import {
  SCOPE, and, arith, arr, at, bool, call, cmp, col, dbl, dec, evaluate, int, neg, not, nul, or, str, testRegistry, typeOf,
} from './helpers.js';

const ROW = [7, 10n, 2.5, 'abc', true, new Decimal('10.10'), [1, 2, 3], new Map([['a', 1]]), { F0: 5, Inner: { X: 'x' } }, 1000];
const NULL_ROW = ROW.map(() => null);

test('integer literals are INTEGER when they fit 32 bits, else BIGINT', () => {
  assert.equal(typeOf(int(2147483647)).kind, 'INTEGER');
  assert.equal(typeOf(int('2147483648')).kind, 'BIGINT');
  assert.equal(typeOf(neg(int('2147483648'))).kind, 'INTEGER');
  assert.equal(evaluate(neg(int('2147483648'))), -2147483648);
  assert.throws(() => typeOf(neg(int('9223372036854775809'))), /Invalid numeric literal/);
  assert.equal(formatSqlType(typeOf(dec('2.345'))), 'DECIMAL(4, 3)');
  assert.equal(formatSqlType(typeOf(dec('0.01'))), 'DECIMAL(2, 2)');
  assert.equal(typeOf(dbl('1.5E3')).kind, 'DOUBLE');
  assert.throws(() => typeOf(dbl('1.7976931348623159E308')), /overflows DOUBLE/);
});

test('INT arithmetic wraps at 32 bits and BIGINT at 64 bits', () => {
  assert.equal(evaluate(arith('+', int(2147483647), int(1))), -2147483648);
  assert.equal(evaluate(arith('*', int(65536), int(65536))), 0);
  assert.equal(evaluate(arith('+', int('9223372036854775807'), int(1))), -9223372036854775808n);
  assert.equal(evaluate(arith('-', col('L'), int(3)), ROW), 7n);
});

test('integer division truncates; division by zero gives NULL and reports', () => {
  assert.equal(evaluate(arith('/', int(7), int(2))), 3);
  assert.equal(evaluate(arith('/', int(-7), int(2))), -3);
  assert.equal(evaluate(arith('%', int(-7), int(2))), -1);
  assert.equal(evaluate(arith('-', arith('/', int(6), int(3)), int(4))), -2);
  assert.equal(evaluate(arith('+', arith('%', int(6), int(4)), int(4))), 6);
  const errors: string[] = [];
  assert.equal(evaluate(arith('/', col('I'), int(0)), ROW, SCOPE, errors), null);
  assert.equal(evaluate(arith('%', col('L'), int(0)), ROW, SCOPE, errors), null);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /\(I \/ 0\): \/ by zero/);
  assert.equal(evaluate(arith('/', col('D'), int(0)), ROW), Infinity);
});

test('mixed numeric arithmetic widens: INT+BIGINT is BIGINT, anything with DOUBLE is DOUBLE', () => {
  assert.equal(typeOf(arith('+', col('I'), col('L'))).kind, 'BIGINT');
  assert.equal(evaluate(arith('+', col('I'), col('L')), ROW), 17n);
  assert.equal(typeOf(arith('*', col('L'), col('D'))).kind, 'DOUBLE');
  assert.equal(evaluate(arith('*', col('L'), col('D')), ROW), 25);
});

test('DECIMAL arithmetic follows ksqlDB precision and scale rules', () => {
  const a = { name: 'A', type: SqlTypes.decimal(4, 2) };
  const b = { name: 'B', type: SqlTypes.decimal(4, 2) };
  const scope = [a, b];
  const row = [new Decimal('10.10'), new Decimal('2')];
  const t = (op: '+' | '-' | '*' | '/' | '%') => formatSqlType(typeOf(arith(op, col('A'), col('B')), scope));
  assert.equal(t('+'), 'DECIMAL(5, 2)');
  assert.equal(t('-'), 'DECIMAL(5, 2)');
  assert.equal(t('*'), 'DECIMAL(9, 4)');
  assert.equal(t('/'), 'DECIMAL(11, 7)');
  assert.equal(t('%'), 'DECIMAL(4, 2)');
  const v = (op: '+' | '-' | '*' | '/' | '%', r = row) => (evaluate(arith(op, col('A'), col('B')), r, scope) as Decimal | null)?.toFixed();
  assert.equal(v('+'), '12.1');
  assert.equal(v('*'), '20.2');
  assert.equal(v('/'), '5.05');
  assert.equal(v('%'), '0.1');
  const errors: string[] = [];
  assert.equal(evaluate(arith('/', col('A'), col('B')), [row[0], new Decimal(0)], scope, errors), null);
  assert.equal(errors.length, 1);
  // 1/3 rounds HALF_UP at the result scale
  assert.equal((evaluate(arith('/', dec('1.0'), dec('3.0'))) as Decimal).toFixed(), '0.333333');
  // DECIMAL with INT: the INT is DECIMAL(10, 0)
  assert.equal(formatSqlType(typeOf(arith('+', col('A'), int(1)), scope)), 'DECIMAL(13, 2)');
  assert.equal((evaluate(arith('+', col('A'), int(1)), row, scope) as Decimal).toFixed(2), '11.10');
});

test('three-valued logic for AND / OR / NOT', () => {
  const T = bool(true);
  const F = bool(false);
  assert.equal(evaluate(and(T, nul)), null);
  assert.equal(evaluate(and(F, nul)), false);
  assert.equal(evaluate(and(nul, F)), false);
  assert.equal(evaluate(or(T, nul)), true);
  assert.equal(evaluate(or(nul, F)), null);
  assert.equal(evaluate(not(nul)), null);
  assert.equal(evaluate(not(cmp('>', int(4), int(11)))), true);
  assert.equal(evaluate(or(T, and(F, T))), true);
});

test('comparisons across numeric types, strings, decimals, timestamps and strings', () => {
  assert.equal(evaluate(cmp('=', col('I'), col('L')), [10, 10n]), true);
  assert.equal(evaluate(cmp('<', col('I'), col('D')), ROW), false);
  assert.equal(evaluate(cmp('<', col('M'), dec('10.2')), ROW), true);
  assert.equal(evaluate(cmp('=', col('M'), dec('10.100')), ROW), true);
  assert.equal(evaluate(cmp('<', col('S'), str('abd')), ROW), true);
  assert.equal(evaluate(cmp('>', col('TS'), str('1970-01-01T00:00:00.500')), ROW), true);
  // ksqlDB's generated code: a comparison with a NULL side is false, not NULL
  assert.equal(evaluate(cmp('=', col('I'), col('L')), NULL_ROW), false);
  assert.equal(evaluate(cmp('<>', col('I'), int(1)), NULL_ROW), false);
  assert.equal(evaluate(cmp('>', col('S'), col('S')), NULL_ROW), false);
  assert.equal(evaluate(not(cmp('=', col('I'), int(1))), NULL_ROW), true);
  assert.throws(() => typeOf(cmp('>=', col('I'), str('not an int'))), /Cannot compare I \(INTEGER\) to 'not an int' \(STRING\) with GREATER_THAN_OR_EQUAL/);
  assert.throws(() => typeOf(cmp('<', col('A'), col('A'))), /Cannot compare A \(ARRAY<INTEGER>\) to A \(ARRAY<INTEGER>\) with LESS_THAN/);
  assert.throws(() => typeOf(cmp('<>', nul, nul)), /Comparison with NULL not supported: NULL <> NULL/);
});

test('container equality is deep', () => {
  assert.equal(evaluate(cmp('=', col('A'), arr(int(1), int(2), int(3))), ROW), true);
  assert.equal(evaluate(cmp('<>', col('A'), arr(int(1), int(2))), ROW), true);
  assert.equal(evaluate(cmp('=', arr(col('L')), arr(int(10))), ROW), true);
});

test('IS DISTINCT FROM treats NULLs as comparable values', () => {
  const d = (l: Expression, r: Expression, notFlag = false): Expression => ({ kind: 'DistinctFrom', not: notFlag, left: l, right: r });
  assert.equal(evaluate(d(col('I'), col('L')), NULL_ROW), false);
  assert.equal(evaluate(d(col('I'), int(1)), NULL_ROW), true);
  assert.equal(evaluate(d(col('I'), int(7)), ROW), false);
  assert.equal(evaluate(d(col('I'), int(7), true), ROW), true);
  assert.equal(evaluate(d(nul, nul)), false);
});

test('LIKE with %, _ and ESCAPE is case-sensitive', () => {
  const like = (s: string, p: string, escape?: string, notFlag = false): unknown =>
    evaluate({ kind: 'Like', not: notFlag, operand: str(s), pattern: str(p), ...(escape ? { escape } : {}) });
  assert.equal(like('this', '%hi%'), true);
  assert.equal(like('This', 'th%'), false);
  assert.equal(like('abc', 'a_c'), true);
  assert.equal(like('abbc', 'a_c'), false);
  assert.equal(like('50%', '50!%', '!'), true);
  assert.equal(like('500', '50!%', '!'), false);
  assert.equal(like('a.c', 'a.c'), true);
  assert.equal(like('abc', 'a.c'), false);
  assert.equal(like('abc', 'x%', undefined, true), true);
  assert.equal(evaluate({ kind: 'Like', not: false, operand: col('S'), pattern: str('%') }, NULL_ROW), null);
});

test('BETWEEN and IN', () => {
  const between = (o: Expression, lo: Expression, hi: Expression, n = false): Expression => ({ kind: 'Between', not: n, operand: o, low: lo, high: hi });
  assert.equal(evaluate(and(between(int(1), int(0), int(2)), between(str('b'), str('a'), str('c')))), true);
  assert.equal(evaluate(between(col('D'), int(2), dec('2.5')), ROW), true);
  assert.equal(evaluate(between(col('D'), int(0), int(2), true), ROW), true);
  const inList = (o: Expression, list: Expression[], n = false): Expression => ({ kind: 'InList', not: n, operand: o, list });
  assert.equal(evaluate(inList(col('I'), [int(1), int(7)]), ROW), true);
  // NULL never matches: IN is false and NOT IN true (ksqlDB's InListEvaluator)
  assert.equal(evaluate(inList(col('I'), [int(1), nul]), ROW), false);
  assert.equal(evaluate(inList(col('I'), [int(7), nul]), ROW), true);
  assert.equal(evaluate(inList(col('I'), [int(1), int(2)]), NULL_ROW), false);
  assert.equal(evaluate(inList(col('I'), [int(1), int(2)], true), NULL_ROW), true);
  assert.equal(evaluate(between(col('I'), int(0), int(9)), NULL_ROW), false);
  assert.equal(evaluate(between(col('I'), int(0), int(9), true), NULL_ROW), true);
  assert.equal(evaluate(inList(col('I'), [int(1), int(2)], true), ROW), true);
  assert.equal(evaluate(inList(col('L'), [int(1), dec('10.0'), str('4.000')]), ROW), true);
  assert.equal(formatSqlType(typeCheck(inList(col('I'), [int(1), str('2147483648')]), SCOPE, testRegistry()).type), 'BOOLEAN');
  assert.equal(evaluate(inList(col('I'), [int(1), str('7')]), ROW), true);
  assert.equal(evaluate(inList(col('B'), [str('tr')]), ROW), true);
  assert.equal(evaluate(inList(col('S'), [bool(true), int(10), str('abc')]), ROW), true);
  assert.throws(() => typeOf(inList(col('B'), [bool(true), str('Not a boolean')])), /invalid input syntax for type BOOLEAN: "Not a boolean"/);
  assert.throws(() => typeOf(inList(col('I'), [int(10), bool(true)])), /operator does not exist: INTEGER = BOOLEAN \(true\)/);
  assert.throws(() => typeOf(inList(col('A'), [arr(str('10'), str('not 10'))])), /invalid input syntax for type INTEGER: "not 10"/);
  assert.equal(evaluate(inList(col('A'), [arr(str('1'), str('2'), int(3))]), ROW), true);
});

test('CASE picks the first true WHEN; simple CASE compares; missing ELSE is NULL', () => {
  const searched: Expression = {
    kind: 'SearchedCase',
    whens: [
      { when: cmp('<', col('I'), int(5)), then: str('small') },
      { when: cmp('<', col('I'), int(10)), then: str('medium') },
    ],
  };
  assert.equal(evaluate(searched, ROW), 'medium');
  assert.equal(evaluate(searched, [20]), null);
  const widened: Expression = { kind: 'SearchedCase', whens: [{ when: col('B'), then: col('I') }], else: col('D') };
  assert.equal(typeOf(widened).kind, 'DOUBLE');
  assert.equal(evaluate(widened, ROW), 7);
  const simple: Expression = {
    kind: 'SimpleCase',
    operand: col('S'),
    whens: [
      { when: str('x'), then: int(1) },
      { when: str('abc'), then: int(2) },
    ],
    else: nul,
  };
  assert.equal(evaluate(simple, ROW), 2);
  assert.equal(evaluate(simple, NULL_ROW), null);
  assert.throws(
    () => typeOf({ kind: 'SearchedCase', whens: [{ when: col('B'), then: int(1) }], else: col('S') }),
    /Invalid Case expression\. Type for all 'THEN' clauses should be the same/,
  );
});

test('subscripts: 1-based arrays, negative from the end, out of range NULL; maps by key', () => {
  const sub = (base: Expression, index: Expression): Expression => ({ kind: 'Subscript', base, index });
  assert.equal(evaluate(sub(col('A'), int(1)), ROW), 1);
  assert.equal(evaluate(sub(col('A'), int(-1)), ROW), 3);
  assert.equal(evaluate(sub(col('A'), int(0)), ROW), null);
  assert.equal(evaluate(sub(col('A'), int(4)), ROW), null);
  assert.equal(evaluate(sub(col('A'), int(-4)), ROW), null);
  assert.equal(evaluate(sub(col('MP'), str('a')), ROW), 1);
  assert.equal(evaluate(sub(col('MP'), str('missing')), ROW), null);
  assert.equal(evaluate(sub(col('MP'), str('a')), NULL_ROW), null);
});

test('struct dereference by declared name; NULL struct gives NULL', () => {
  const deref = (base: Expression, field: string): Expression => ({ kind: 'Dereference', base, field });
  assert.equal(evaluate(deref(col('ST'), 'F0'), ROW), 5);
  assert.equal(evaluate(deref(deref(col('ST'), 'Inner'), 'X'), ROW), 'x');
  assert.equal(evaluate(deref(deref(col('ST'), 'INNER'), 'X'), ROW), 'x');
  assert.equal(evaluate(deref(deref(col('ST'), 'Inner'), 'X'), NULL_ROW), null);
  assert.throws(() => typeOf(deref(col('ST'), 'NOPE')), /Could not find field 'NOPE'/);
});

test('constructors and string concatenation', () => {
  assert.deepEqual(evaluate(arr(col('I'), col('L')), ROW), [7n, 10n]);
  assert.equal(formatSqlType(typeOf(arr(int(1), dbl('2.0E0')))), 'ARRAY<DOUBLE>');
  const m = evaluate({ kind: 'MapConstructor', entries: [{ key: str('k'), value: col('I') }] }, ROW) as Map<string, unknown>;
  assert.equal(m.get('k'), 7);
  const s = evaluate({ kind: 'StructConstructor', fields: [{ name: 'A', value: col('S') }, { name: 'b', value: int(1) }] }, ROW);
  assert.deepEqual(s, { A: 'abc', b: 1 });
  assert.equal(evaluate(arith('+', col('S'), str('!')), ROW), 'abc!');
  assert.equal(evaluate({ kind: 'Concat', left: str('a'), right: col('S') }, ROW), 'aabc');
  assert.equal(evaluate({ kind: 'Concat', left: str('a'), right: col('S') }, NULL_ROW), null);
});

test('column resolution: qualified, ambiguous, unknown, lambda shadowing', () => {
  const scope = [
    { name: 'ID', source: 'L', type: SqlTypes.INTEGER },
    { name: 'ID', source: 'R', type: SqlTypes.STRING },
    { name: 'X', source: 'R', type: SqlTypes.array(SqlTypes.INTEGER) },
  ];
  assert.equal(typeOf(col('ID', 'R'), scope).kind, 'STRING');
  assert.throws(() => typeOf(col('ID'), scope), /^TypeCheckError: Column 'ID' is ambiguous. Could be L.ID or R.ID.$/);
  const err = (() => {
    try {
      typeCheck({ ...col('NOPE'), ...at(12) }, scope, testRegistry());
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof TypeCheckError);
  assert.equal(err.position?.column, 12);
  assert.equal(err.expression, 'NOPE');
  assert.match(err.message, /Column 'NOPE' cannot be resolved/);
  // the lambda parameter ID shadows both ID columns
  const t = call('TRANSFORM', col('X'), { kind: 'Lambda', params: ['ID'], body: arith('*', col('ID'), int(2)) });
  assert.deepEqual(evaluate(t, [1, 'a', [1, 2]], scope), [2, 4]);
});

test('type errors name the expression', () => {
  assert.throws(() => typeOf(arith('+', bool(true), dec('1.5'))), /Error processing expression: \(true \+ 1\.5\)\. Unsupported arithmetic types\. BOOLEAN DECIMAL/);
  assert.throws(() => typeOf(and(col('I'), bool(true))), /I should evaluate to BOOLEAN but is INTEGER/);
  assert.throws(() => typeOf(nul), /Can't infer a type of null/);
});

test('compilePredicate maps NULL and failures to false', () => {
  const reg = testRegistry();
  const pred = compilePredicate(typeCheck(and(cmp('>', col('D'), int(1)), cmp('=', arith('%', col('L'), int(7)), int(3))), SCOPE, reg));
  assert.equal(pred(ROW), true);
  assert.equal(pred(NULL_ROW), false);
  const errs: Error[] = [];
  const bad = compilePredicate(typeCheck(cmp('=', arith('/', col('I'), int(0)), int(1)), SCOPE, reg), { onError: (e) => errs.push(e) });
  assert.equal(bad(ROW), false);
  assert.equal(errs.length, 1);
});

test('BIGINT column % literal = literal (the sampling filter) agrees with BigInt arithmetic, beyond safe integers too', () => {
  const values = [null, 0n, 1n, -1n, 122n, 123n, 246n, -246n, -247n, 9007199254740991n, -9007199254740991n, 9007199254740993n, -9007199254740993n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
  for (const m of [123n, -7n, 1n, 2n, 9007199254740991n, 2n ** 60n])
    for (const c of [0n, 3n, -3n, 1n, 2n ** 60n])
      for (const a of values) {
        const want = a === null ? false : a % m === c;
        assert.equal(evaluate(cmp('=', arith('%', col('L'), int(String(m))), int(String(c))), [7, a]), want, `${a} % ${m} = ${c}`);
      }
  // a zero divisor is still reported
  const errors: string[] = [];
  assert.equal(evaluate(cmp('=', arith('%', col('L'), int(0)), int(0)), [7, 5n], SCOPE, errors), null);
  assert.equal(errors.length, 1);
});
