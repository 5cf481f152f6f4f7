/**
 * Regression cases for what fuzzing and issue 12 found in the parser: deep nesting (a fixed budget,
 * the same whatever ran before), slow error reports, GROUP BY over a parenthesised predicate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../src/common/errors.js';
import { formatStatement } from '../../src/sql/printer.js';
import { parseStatement, parseStatements } from '../../src/sql/parse.js';
import { MAX_NESTING } from '../../src/sql/nesting.js';

/**
 * Fails unless `run` throws a ParseError (never a RangeError or TypeError) within a second. The
 * machine is shared, so a slow attempt is timed again (up to three times) before it counts as slow.
 */
function parseErrorWithinASecond(run: () => unknown): ParseError {
  let best = Infinity;
  let error: unknown;
  for (let attempt = 0; attempt < 3 && best >= 1000; attempt++) {
    const started = performance.now();
    error = undefined;
    try {
      run();
    } catch (e) {
      error = e;
    }
    best = Math.min(best, performance.now() - started);
    assert.ok(error instanceof ParseError, `expected a ParseError, got ${String(error)}`);
  }
  assert.ok(best < 1000, `took ${best.toFixed(0)} ms`);
  return error as ParseError;
}

const nested = (depth: number) => `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)} AS x FROM s;`;

describe('deep nesting', () => {
  it('parses 170 and 1000 nested parentheses', () => {
    assert.equal(parseStatement(nested(170)).kind, 'QueryStatement');
    assert.equal(parseStatement(nested(MAX_NESTING)).kind, 'QueryStatement');
  });

  it('parses them whatever stack the caller has left', () => {
    // find how deep this thread can recurse, then parse from close to that limit
    let limit = 0;
    const probe = (n: number): void => {
      limit = n;
      probe(n + 1);
    };
    try {
      probe(0);
    } catch {
      // reached the limit
    }
    const parseAt = (n: number): string => (n <= 0 ? parseStatement(nested(170)).kind : parseAt(n - 1));
    // far too little stack left for 170 levels of recursive descent on this thread
    assert.equal(parseAt(limit - 1500), 'QueryStatement');
  });

  it('rejects more than the budget at the first parenthesis past it, in time', () => {
    for (const depth of [MAX_NESTING + 1, 10_000]) {
      const e = parseErrorWithinASecond(() => parseStatements(nested(depth)));
      assert.deepEqual(e.position, { line: 1, column: 8 + MAX_NESTING, offset: 7 + MAX_NESTING });
      assert.match(e.message, /^line 1:1008: Syntax Error\nstatement nested too deeply: more than 1000 levels\n/);
    }
    parseErrorWithinASecond(() => parseStatements(`SELECT ${'('.repeat(10_000)}`));
    parseErrorWithinASecond(() => parseStatements(`SELECT ${'NOT '.repeat(10_000)}TRUE FROM s;`));
    parseErrorWithinASecond(() => parseStatements(`SELECT ${'ARRAY['.repeat(10_000)}1 FROM s;`));
    parseErrorWithinASecond(() => parseStatements(`CREATE STREAM s (a ${'ARRAY<'.repeat(10_000)}INT) WITH (kafka_topic='t');`));
    parseErrorWithinASecond(() => parseStatements(`${'EXPLAIN '.repeat(10_000)}SHOW STREAMS;`));
  });

  it('rejects expression trees deeper than the budget (the planner recurses over them)', () => {
    const e = parseErrorWithinASecond(() => parseStatements(`SELECT ${'1 + '.repeat(2000)}1 FROM s;`));
    assert.match(e.message, /expression nested too deeply: more than 1000 levels/);
    assert.equal(parseStatement(`SELECT ${'1 + '.repeat(900)}1 FROM s;`).kind, 'QueryStatement');
  });
});

describe('error reports in time', () => {
  it("reports SELECT MAP(1 := ... 400 times (the expected tokens' work is capped)", () => {
    const e = parseErrorWithinASecond(() => parseStatements(`SELECT ${'MAP(1 := '.repeat(400)}`));
    assert.match(e.message, /^line 1:3607: Syntax Error\nExpecting \{/);
    parseErrorWithinASecond(() => parseStatements(`SELECT ${'MAP(1 := '.repeat(90)}`));
    parseErrorWithinASecond(() => parseStatements(`SELECT ${'f(a, '.repeat(90)} FROM s;`));
    parseErrorWithinASecond(() => parseStatements(`SELECT ${'a, '.repeat(3000)} FROM;`));
  });
});

describe('GROUP BY and PARTITION BY over parentheses', () => {
  it('take one parenthesised expression unless the parentheses hold a list (found by fuzzing)', () => {
    const sql = (clause: string) => formatStatement(parseStatement(`SELECT * FROM s ${clause};`));
    assert.equal(sql('PARTITION BY (f(a) IS NULL)'), 'SELECT * FROM S PARTITION BY (F(A) IS NULL)');
    assert.equal(sql('PARTITION BY (ABS() IN (1))'), 'SELECT * FROM S PARTITION BY (ABS() IN (1))');
    assert.equal(sql('GROUP BY (f(0, x => 1) IS NOT NULL)'), 'SELECT * FROM S GROUP BY (F(0, X => 1) IS NOT NULL)');
    assert.equal(sql('GROUP BY (CASE WHEN (0)->a THEN 1 END < 2)'), 'SELECT * FROM S GROUP BY (CASE WHEN 0->A THEN 1 END < 2)');
    assert.equal(sql('GROUP BY (a, b)'), 'SELECT * FROM S GROUP BY A, B');
    assert.equal(sql('GROUP BY (a)'), 'SELECT * FROM S GROUP BY A');
  });
});
