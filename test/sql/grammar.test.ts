/** The committed grammar reference must match what the parser generates now. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { generateGrammarFiles, repoRoot } from '../../scripts/generate-grammar.js';

it('grammar/ is up to date with the parser (run `npm run grammar` if not)', () => {
  const files = generateGrammarFiles();
  assert.ok(files.length >= 2);
  for (const f of files) {
    const committed = readFileSync(join(repoRoot(), f.path), 'utf8');
    assert.ok(committed === f.content, `${f.path} is stale: run npm run grammar`);
  }
});

it('generation is deterministic and covers the entry rules', () => {
  const a = generateGrammarFiles();
  const b = generateGrammarFiles();
  assert.deepEqual(a, b);
  const ebnf = a.find((f) => f.path.endsWith('.ebnf'))!.content;
  for (const rule of ['statement', 'expression', 'type', 'query']) assert.match(ebnf, new RegExp(`^${rule}\\n    ::=`, 'm'));
});
