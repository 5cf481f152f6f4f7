/**
 * Every statement of the ksqlDB conformance cases that are expected to succeed must parse
 * (threshold 99.5%); prints the rate and each failure.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ParseError } from '../../src/common/errors.js';
import { parseStatements } from '../../src/sql/parse.js';
import { conformanceDir, loadCorpus } from './conformance-corpus.js';

const THRESHOLD = 0.995;

it('parses the conformance statements', (t) => {
  const corpus = loadCorpus();
  if (!corpus) {
    t.skip(`conformance cases not found at ${conformanceDir()}`);
    return;
  }
  const failures: string[] = [];
  for (const c of corpus) {
    try {
      const parsed = parseStatements(c.sql);
      assert.ok(parsed.length >= 1, `no statement in ${c.sql}`);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      failures.push(`${c.file} / ${c.test}\n${e.message}`);
    }
  }
  const rate = (corpus.length - failures.length) / corpus.length;
  t.diagnostic(`parsed ${corpus.length - failures.length}/${corpus.length} conformance statements (${(rate * 100).toFixed(2)}%)`);
  for (const f of failures) t.diagnostic(`FAILED ${f}`);
  assert.ok(corpus.length > 1000, `only ${corpus.length} statements found`);
  assert.ok(rate >= THRESHOLD, `parse rate ${(rate * 100).toFixed(2)}% is below ${THRESHOLD * 100}%`);
});
