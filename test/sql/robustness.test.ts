/**
 * Bad input never escapes as anything but a ParseError and never hangs: a hand-written corpus of
 * broken statements, and seeded mutations of the conformance statements.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ParseError } from '../../src/common/errors.js';
import { tokenize } from '../../src/sql/lexer.js';
import { parseStatements } from '../../src/sql/parse.js';
import { loadCorpus, repoRoot } from './conformance-corpus.js';
import { Random } from './seeded-random.js';

/** Per-parse time box: a parse that takes longer is treated as a hang. */
const MAX_PARSE_MS = 2000;

/** Parses `sql`; returns whether it parsed, and fails on any non-ParseError or a slow parse. */
function parseOrParseError(sql: string): boolean {
  const start = performance.now();
  try {
    parseStatements(sql);
    return true;
  } catch (e) {
    if (!(e instanceof ParseError)) assert.fail(`non-ParseError ${String(e)} for input: ${JSON.stringify(sql)}`);
    assert.ok(e.message.length > 0);
    assert.ok(e.position, `ParseError without position for ${JSON.stringify(sql)}`);
    return false;
  } finally {
    const ms = performance.now() - start;
    assert.ok(ms < MAX_PARSE_MS, `parse took ${ms.toFixed(0)}ms for ${JSON.stringify(sql).slice(0, 200)}`);
  }
}

describe('broken statements', () => {
  const lines = readFileSync(join(repoRoot(), 'test', 'sql', 'broken-statements.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));

  it('has at least 100 cases', () => assert.ok(lines.length >= 100, `${lines.length} cases`));

  it('each fails with a positioned ParseError', () => {
    for (const line of lines) assert.equal(parseOrParseError(line), false, `parsed but should not: ${line}`);
  });

  it('points at the offending line of a multi-line script', () => {
    for (const line of lines.slice(0, 40)) {
      try {
        parseStatements(`SHOW STREAMS;\n\n${line}`);
      } catch (e) {
        assert.ok(e instanceof ParseError);
        assert.ok(e.position!.line >= 3, `line ${e.position!.line} for ${line}`);
      }
    }
  });
});

describe('fuzzing', { timeout: 120_000 }, () => {
  const corpus = loadCorpus();
  const statements = corpus ? [...new Set(corpus.map((c) => c.sql))] : ['SELECT a, b + 1 AS c FROM s WHERE x > 2 EMIT CHANGES;'];
  const rnd = new Random(20240521);
  const fillers = ['(', ')', ',', ';', 'SELECT', 'FROM', 'AS', '->', '=>', '[', ']', "'", '"', '`', '--', '/*', '${x}', 'NOT', 'AND', '-', '*', 'WITHIN', 'x', '1.5', 'EMIT', 'CASE', 'END'];

  function mutate(sql: string): string {
    const tokens = (() => {
      try {
        return tokenize(sql, { allowVariables: true }).map((t) => t.image);
      } catch {
        return sql.split(/\s+/);
      }
    })();
    switch (rnd.int(6)) {
      case 0: // delete a token
        tokens.splice(rnd.int(tokens.length), 1);
        return tokens.join(' ');
      case 1: // insert a token
        tokens.splice(rnd.int(tokens.length + 1), 0, rnd.pick(fillers));
        return tokens.join(' ');
      case 2: {
        // swap two tokens
        const i = rnd.int(tokens.length);
        const j = rnd.int(tokens.length);
        [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
        return tokens.join(' ');
      }
      case 3: // truncate
        return sql.slice(0, rnd.int(sql.length));
      case 4: {
        // random bytes at a random place
        const at = rnd.int(sql.length + 1);
        let junk = '';
        for (let k = rnd.int(4) + 1; k > 0; k--) junk += String.fromCharCode(rnd.int(0x250));
        return sql.slice(0, at) + junk + sql.slice(at);
      }
      default: {
        // duplicate a span
        const a = rnd.int(sql.length);
        const b = a + rnd.int(20);
        return sql.slice(0, b) + sql.slice(a, b) + sql.slice(b);
      }
    }
  }

  it('mutated statements parse or fail with a ParseError, quickly', () => {
    let failed = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      let sql = rnd.pick(statements);
      for (let m = rnd.int(3) + 1; m > 0; m--) sql = mutate(sql);
      if (!parseOrParseError(sql)) failed++;
    }
    // most mutations break the statement; if none did, the mutator is not doing its job
    assert.ok(failed > n / 3, `only ${failed} of ${n} mutations failed to parse`);
  });

  it('deep nesting is a ParseError, not a crash', () => {
    // either outcome is fine as long as it is a parse or a ParseError
    parseOrParseError('SELECT ' + '('.repeat(20000) + '1' + ')'.repeat(20000) + ' FROM s;');
    parseOrParseError('SELECT * FROM s WHERE ' + 'NOT '.repeat(20000) + 'a;');
    parseOrParseError('SELECT ' + 'ARRAY['.repeat(5000) + ' FROM s;');
  });
});
