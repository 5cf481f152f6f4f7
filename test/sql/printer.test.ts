/**
 * Printer property: print -> re-parse gives the same AST (ignoring positions), over every
 * conformance statement and over seeded random expression trees.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as A from '../../src/sql/ast.js';
import { parseExpression, parseStatement, parseStatements, parseType, stripPositions } from '../../src/sql/parse.js';
import { formatExpression, formatStatement, formatType, quoteIdentifier } from '../../src/sql/printer.js';
import { loadCorpus } from './conformance-corpus.js';
import { Random } from './seeded-random.js';

describe('printer', () => {
  it('quotes identifiers only when needed', () => {
    assert.equal(quoteIdentifier('ABC_1'), 'ABC_1');
    assert.equal(quoteIdentifier('abc'), '`abc`');
    assert.equal(quoteIdentifier('SELECT'), '`SELECT`');
    assert.equal(quoteIdentifier('KEY'), 'KEY');
    assert.equal(quoteIdentifier('a`b'), '`a``b`');
    assert.equal(quoteIdentifier('1X'), '`1X`');
  });

  it('prints minimal parentheses', () => {
    const cases: [string, string][] = [
      ['(a + b) * c', '(A + B) * C'],
      ['a - (b - c)', 'A - (B - C)'],
      ['(a - b) - c', 'A - B - C'],
      ['NOT (a AND b)', 'NOT (A AND B)'],
      ['(a OR b) AND c', '(A OR B) AND C'],
      ['-(1)', '-(1)'],
      ['- -a', '-(-A)'],
      ["(a = b) IS NULL", '(A = B) IS NULL'],
      ["x->`f g`[1]", 'X->`f g`[1]'],
      ["'it''s'", "'it''s'"],
    ];
    for (const [input, printed] of cases) assert.equal(formatExpression(parseExpression(input)), printed, input);
  });

  it('round-trips every conformance statement', (t) => {
    const corpus = loadCorpus();
    if (!corpus) {
      t.skip('conformance cases not found');
      return;
    }
    let n = 0;
    for (const sql of new Set(corpus.map((c) => c.sql))) {
      for (const p of parseStatements(sql)) {
        const printed = formatStatement(p.statement);
        assert.deepEqual(stripPositions(parseStatement(printed)), stripPositions(p.statement), `${sql}\n  printed: ${printed}`);
        n++;
      }
    }
    t.diagnostic(`${n} statements round-tripped`);
    assert.ok(n > 1000);
  });

  it('round-trips hand-picked statements of every kind', () => {
    const statements = [
      "CREATE OR REPLACE SOURCE TABLE IF NOT EXISTS `t` (`k` STRING PRIMARY KEY, h BYTES HEADER('a''b'), hs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS) WITH (\"kafka_topic\"='x', partitions=-2, r=1.5);",
      "CREATE SINK IF NOT EXISTS o FROM s WITH (format='JSON');",
      'CREATE TYPE IF NOT EXISTS `INT` AS STRUCT<>;',
      'ALTER TABLE t ADD COLUMN `COLUMN` INT, ADD b MAP<STRING, DECIMAL(10, 2)>;',
      'DESCRIBE `TABLES` EXTENDED;',
      'DESCRIBE STREAMS EXTENDED;',
      'EXPLAIN INSERT INTO t (a) VALUES (1);',
      'EXPLAIN `SHOW`;',
      "PRINT 'my topic' FROM BEGINNING INTERVAL 3 LIMIT 4;",
      "DEFINE `select` = 'x';",
      "ASSERT NOT EXISTS SCHEMA SUBJECT 'x' ID 4 TIMEOUT 3 MINUTES;",
      'SELECT s.*, `emit`, x->*, a AS `FROM` FROM s AS `EMIT` LEFT JOIN t AS partition WITHIN (1 SECOND, 2 HOURS) GRACE PERIOD 1 DAY ON s.a = partition.a GROUP BY () EMIT CHANGES LIMIT -1;',
      'SELECT * FROM s WINDOW HOPPING (SIZE 1 DAY, ADVANCE BY 1 HOUR, RETENTION 7 DAYS, GRACE PERIOD 0 SECONDS) PARTITION BY (a, b);',
    ];
    for (const sql of statements) {
      const ast = stripPositions(parseStatement(sql));
      const printed = formatStatement(parseStatement(sql));
      assert.deepEqual(stripPositions(parseStatement(printed)), ast, `${sql}\n  printed: ${printed}`);
    }
    // the test runner's statements parse through their own entry
    for (const sql of ['ASSERT NULL VALUES s (k) KEY (1);', "ASSERT STREAM s (a INT) WITH (kafka_topic='s');", 'ASSERT VALUES s (a) VALUES (1);']) {
      const parse = (text: string) => parseStatements(text, { testRunnerStatements: true })[0]!.statement;
      const printed = formatStatement(parse(sql));
      assert.deepEqual(stripPositions(parse(printed)), stripPositions(parse(sql)), `${sql}\n  printed: ${printed}`);
    }
  });

  it('round-trips seeded random expressions', (t) => {
    const gen = new ExpressionGenerator(new Random(7));
    for (let i = 0; i < 3000; i++) {
      const e = gen.expression(4);
      const printed = formatExpression(e);
      if (i < 3) t.diagnostic(`sample: ${printed}`);
      let reparsed: A.Expression;
      try {
        reparsed = parseExpression(printed);
      } catch (err) {
        assert.fail(`could not re-parse ${printed}: ${(err as Error).message}\nfrom ${JSON.stringify(e)}`);
      }
      assert.deepEqual(stripPositions(reparsed), e, printed);
    }
  });

  it('round-trips seeded random types', () => {
    const gen = new ExpressionGenerator(new Random(11));
    for (let i = 0; i < 500; i++) {
      const t = gen.type(3);
      assert.deepEqual(stripPositions(parseType(formatType(t))), t, formatType(t));
    }
  });
});

/** Random, well-formed expression trees (lambdas and time units only as function arguments). */
class ExpressionGenerator {
  private readonly names = ['A', 'B_1', 'KEY', 'VALUE', 'DATE', 'ARRAY', 'MAP', 'DAY', 'EMIT', 'SELECT', 'lower', 'with space', 'q`uote', 'SIZE', '1ST'];
  private readonly strings = ['', 'x', "it's", "''", 'multi\nline', '${v}', '--no comment', 'ünï'];

  constructor(private readonly r: Random) {}

  private name(): string {
    return this.r.pick(this.names);
  }

  type(depth: number): A.TypeNode {
    const r = this.r;
    const choice = depth <= 0 ? r.int(3) : r.int(7);
    switch (choice) {
      case 0:
        return { kind: 'PrimitiveType', name: r.pick(['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP'] as const) };
      case 1:
        return { kind: 'DecimalType', precision: r.int(30) + 1, scale: r.int(5) };
      case 2:
        return { kind: 'NamedType', name: r.pick(['MY_TYPE', 'INT', 'lower', 'STRUCT']) };
      case 3:
        return { kind: 'ArrayType', element: this.type(depth - 1) };
      case 4:
        return { kind: 'MapType', key: this.type(depth - 1), value: this.type(depth - 1) };
      default: {
        const fields = [];
        for (let i = r.int(3); i > 0; i--) fields.push({ name: this.name(), type: this.type(depth - 1) });
        return { kind: 'StructType', fields };
      }
    }
  }

  private leaf(): A.Expression {
    const r = this.r;
    switch (r.int(8)) {
      case 0:
        return { kind: 'NullLiteral' };
      case 1:
        return { kind: 'BooleanLiteral', value: r.chance(0.5) };
      case 2:
        return { kind: 'IntegerLiteral', text: (r.chance(0.3) ? '-' : '') + String(r.int(100000)) };
      case 3:
        return { kind: 'DecimalLiteral', text: (r.chance(0.3) ? '-' : '') + r.pick(['1.5', '0.25', '.5', '10.', '3.14159']) };
      case 4:
        return { kind: 'DoubleLiteral', text: (r.chance(0.3) ? '-' : '') + r.pick(['1E5', '2.5e-3', '.5E1', '7E+2']) };
      case 5:
        return { kind: 'StringLiteral', value: r.pick(this.strings) };
      case 6:
        return { kind: 'ColumnRef', source: this.name(), name: this.name() };
      default:
        return { kind: 'ColumnRef', name: this.name() };
    }
  }

  private list(depth: number, min = 0): A.Expression[] {
    const out: A.Expression[] = [];
    for (let i = min + this.r.int(3); i > 0; i--) out.push(this.expression(depth - 1));
    return out;
  }

  private argument(depth: number): A.Expression {
    const r = this.r;
    const k = r.int(10);
    if (k === 0) return { kind: 'IntervalUnit', unit: r.pick(['MILLISECONDS', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS'] as const) };
    if (k === 1) {
      const params = [];
      for (let i = r.int(3) + 1; i > 0; i--) params.push(this.name());
      return { kind: 'Lambda', params, body: this.expression(depth - 1) };
    }
    return this.expression(depth - 1);
  }

  expression(depth: number): A.Expression {
    const r = this.r;
    if (depth <= 0 || r.chance(0.15)) return this.leaf();
    const d = depth - 1;
    const e = () => this.expression(d);
    switch (r.int(22)) {
      case 0:
        return { kind: 'Dereference', base: e(), field: this.name() };
      case 1:
        return { kind: 'Subscript', base: e(), index: e() };
      case 2: {
        const star = r.chance(0.1);
        const args: A.Expression[] = [];
        if (!star) for (let i = r.int(4); i > 0; i--) args.push(this.argument(depth));
        return { kind: 'FunctionCall', name: r.pick(['F', 'COUNT', 'lower_fn', 'MAP', 'ARRAY', 'STRUCT', 'IF']), args, distinct: !star && r.chance(0.1), star };
      }
      case 3:
        return { kind: 'Negate', operand: e() };
      case 4:
        return { kind: 'Not', operand: e() };
      case 5:
      case 6:
        return { kind: 'Arithmetic', op: r.pick(['+', '-', '*', '/', '%'] as const), left: e(), right: e() };
      case 7:
        return { kind: 'Concat', left: e(), right: e() };
      case 8:
        return { kind: 'Comparison', op: r.pick(['=', '<>', '<', '<=', '>', '>='] as const), left: e(), right: e() };
      case 9:
        return { kind: 'DistinctFrom', not: r.chance(0.5), left: e(), right: e() };
      case 10:
      case 11:
        return { kind: 'Logical', op: r.pick(['AND', 'OR'] as const), left: e(), right: e() };
      case 12:
        return { kind: 'IsNull', not: r.chance(0.5), operand: e() };
      case 13: {
        const like: A.Like = { kind: 'Like', not: r.chance(0.5), operand: e(), pattern: e() };
        return r.chance(0.3) ? { ...like, escape: r.pick(['!', "'"]) } : like;
      }
      case 14:
        return { kind: 'Between', not: r.chance(0.5), operand: e(), low: e(), high: e() };
      case 15:
        return { kind: 'InList', not: r.chance(0.5), operand: e(), list: this.list(depth, 1) };
      case 16: {
        const whens = [];
        for (let i = r.int(2) + 1; i > 0; i--) whens.push({ when: e(), then: e() });
        const c: A.SearchedCase = { kind: 'SearchedCase', whens };
        return r.chance(0.5) ? { ...c, else: e() } : c;
      }
      case 17: {
        const whens = [];
        for (let i = r.int(2) + 1; i > 0; i--) whens.push({ when: e(), then: e() });
        const c: A.SimpleCase = { kind: 'SimpleCase', operand: e(), whens };
        return r.chance(0.5) ? { ...c, else: e() } : c;
      }
      case 18:
        return { kind: 'Cast', operand: e(), type: this.type(2) };
      case 19:
        return { kind: 'ArrayConstructor', elements: this.list(depth) };
      case 20: {
        const entries = [];
        for (let i = r.int(3); i > 0; i--) entries.push({ key: e(), value: e() });
        return { kind: 'MapConstructor', entries };
      }
      default: {
        const fields = [];
        for (let i = r.int(3); i > 0; i--) fields.push({ name: this.name(), value: e() });
        return { kind: 'StructConstructor', fields };
      }
    }
  }
}
