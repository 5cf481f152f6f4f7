import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJavaRegex, findAll, javaReplaceAll, javaSplit, translateJavaRegex } from '../../../src/functions/scalar/java-regex.js';

test('Java-only regex syntax is translated', () => {
  assert.ok(compileJavaRegex('\\p{Alpha}+').test('abc'));
  assert.equal(findAll(compileJavaRegex('\\p{Digit}+'), 'a12b3').map((m) => m.groups[0]).join(','), '12,3');
  assert.deepEqual(translateJavaRegex('(?i)abc'), { source: 'abc', flags: 'i' });
  assert.ok(compileJavaRegex('(?i)abc').test('ABC'));
  assert.equal(findAll(compileJavaRegex('\\Qa.b\\E'), 'a.b axb').length, 1);
  assert.equal(findAll(compileJavaRegex('\\Aab'), 'abab').length, 1);
  assert.equal(findAll(compileJavaRegex('a++b'), 'aaab').length, 1);
  assert.equal(findAll(compileJavaRegex('(?>a|b)c'), 'bc').length, 1);
  assert.ok(compileJavaRegex('\\p{Lu}').test('É'));
  assert.throws(() => compileJavaRegex('(unclosed'));
});

test('javaSplit follows Pattern.split(input, -1)', () => {
  assert.deepEqual(javaSplit(compileJavaRegex(','), ',a,,b,'), ['', 'a', '', 'b', '']);
  assert.deepEqual(javaSplit(compileJavaRegex(''), 'abc'), ['a', 'b', 'c', '']);
  assert.deepEqual(javaSplit(compileJavaRegex(','), ''), ['']);
  assert.deepEqual(javaSplit(compileJavaRegex('x'), 'abc'), ['abc']);
});

test('javaReplaceAll expands Java replacement strings', () => {
  const re = compileJavaRegex('(a)(b)?');
  assert.equal(javaReplaceAll(re, 'ab a', '[$1|$2]'), '[a|b] [a|]');
  assert.equal(javaReplaceAll(compileJavaRegex('x'), 'x', '\\\\'), '\\');
  assert.equal(javaReplaceAll(compileJavaRegex('(a)'), 'a', '$12'), 'a2');
  assert.throws(() => javaReplaceAll(compileJavaRegex('a'), 'a', '$'));
  assert.equal(javaReplaceAll(compileJavaRegex('b*'), 'abc', '-'), '-a--c-');
});
