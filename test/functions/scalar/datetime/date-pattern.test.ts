import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, type FieldToken, type Token } from '../../../../src/functions/scalar/datetime/date-pattern.js';

function fields(tokens: readonly Token[]): FieldToken[] {
  return tokens.filter((t): t is FieldToken => t.kind === 'field');
}

test('letters, literals and quotes', () => {
  const { tokens } = compilePattern("yyyy-MM-dd'T'HH 'o''clock'''");
  assert.deepEqual(
    tokens.map((t) => (t.kind === 'literal' ? `lit:${t.text}` : t.kind === 'field' ? `${t.letter}${t.count}` : 'opt')),
    ['y4', 'lit:-', 'M2', 'lit:-', 'd2', 'lit:T', 'H2', "lit: o'clock'"],
  );
  // '' outside a quoted literal is one quote; the letter after it is a pattern letter again
  assert.deepEqual(compilePattern("HH''mm").tokens.map((t) => t.kind), ['field', 'literal', 'field']);
  assert.throws(() => compilePattern("yyyy-MM-dd''T''HH"), /Unknown pattern letter: T/);
});

test('optional sections nest', () => {
  const { tokens } = compilePattern('HH[:mm[:ss]]');
  assert.equal(tokens.length, 2);
  const opt = tokens[1]!;
  assert.equal(opt.kind, 'optional');
  if (opt.kind === 'optional') {
    assert.equal(opt.tokens.length, 3);
    assert.equal(opt.tokens[2]!.kind, 'optional');
  }
});

test('adjacent value parsing reserves the widths of following fixed-width numbers', () => {
  const toks = fields(compilePattern('yyyyMMddHHmmssSSS').tokens);
  assert.equal(toks[0]!.subsequentWidth, 2 + 2 + 2 + 2 + 2 + 3);
  assert.ok(toks.slice(1).every((t) => t.subsequentWidth === 0));
  // a literal breaks the run
  assert.equal(fields(compilePattern('yyyy-MMdd').tokens)[0]!.subsequentWidth, 0);
  assert.equal(fields(compilePattern('yyyy-MMdd').tokens)[1]!.subsequentWidth, 2);
});

test('invalid patterns are rejected with Java messages', () => {
  assert.throws(() => compilePattern('yyyy-bb'), /Unknown pattern letter: b/);
  assert.throws(() => compilePattern("yyyy'T"), /incomplete string literal/);
  assert.throws(() => compilePattern('ddd'), /Too many pattern letters: d/);
  assert.throws(() => compilePattern('HHH'), /Too many pattern letters: H/);
  assert.throws(() => compilePattern('aa'), /Too many pattern letters: a/);
  assert.throws(() => compilePattern('MMMMMM'), /Too many pattern letters: M/);
  assert.throws(() => compilePattern('V'), /must be 2: V/);
  assert.throws(() => compilePattern('OO'), /must be 1 or 4: O/);
  assert.throws(() => compilePattern('SSSSSSSSSS'), /Maximum width/);
  assert.throws(() => compilePattern('yyyy]'), /without previous \[/);
  assert.throws(() => compilePattern('yyyy#'), /reserved character: '#'/);
  assert.throws(() => compilePattern('zzzzz'), /Too many pattern letters: z/);
});

test('compiled patterns are cached', () => {
  assert.equal(compilePattern('dd/MM/yyyy'), compilePattern('dd/MM/yyyy'));
});
