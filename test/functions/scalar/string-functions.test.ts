import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BYTES, INT, STRING, bytes, call, returnTypeOf } from './scalar-test-helper.js';

const S = STRING;
const b64 = (s: string) => Buffer.from(s, 'base64');

test('CONCAT skips NULLs, for strings and bytes', () => {
  assert.equal(call('CONCAT', [S, S, S], 'prefix-', 's1', '-postfix'), 'prefix-s1-postfix');
  assert.equal(call('CONCAT', [S, S, S], 'a', null, 'b'), 'ab');
  assert.equal(call('CONCAT', [S, S], null, null), '');
  assert.deepEqual(call('CONCAT', [BYTES, BYTES, BYTES], bytes('yes'), null, bytes('no')), bytes('yesno'));
  assert.equal(returnTypeOf('CONCAT', [BYTES, BYTES]).kind, 'BYTES');
});

test('CONCAT_WS: NULL separator gives NULL, NULL values are skipped', () => {
  assert.equal(call('CONCAT_WS', [S, S, S, S, S], 'SEP', 'foo', null, 'baz', 'literal'), 'fooSEPbazSEPliteral');
  assert.equal(call('CONCAT_WS', [S, S, S], 'SEP', null, null), '');
  assert.equal(call('CONCAT_WS', [S, S], null, 'foo'), null);
  // from ksqlDB's conformance cases, base64 encoded
  assert.deepEqual(call('CONCAT_WS', [BYTES, BYTES, BYTES, BYTES], b64('YQ=='), b64('Yg=='), b64('eWVz'), b64('bm8=')), b64('YmF5ZXNhbm8='));
  assert.deepEqual(call('CONCAT_WS', [BYTES, BYTES], null, b64('Yg==')), null);
});

test('LCASE, UCASE, TRIM, LTRIM, RTRIM', () => {
  assert.equal(call('LCASE', [S], 'AbC'), 'abc');
  assert.equal(call('UCASE', [S], 'AbC'), 'ABC');
  assert.equal(call('TRIM', [S], ' \t a b \n'), 'a b');
  assert.equal(call('LTRIM', [S], '  a  '), 'a  ');
  assert.equal(call('RTRIM', [S], '  a  '), '  a');
  for (const f of ['LCASE', 'UCASE', 'TRIM', 'LTRIM', 'RTRIM']) assert.equal(call(f, [S], null), null);
});

test('LEN counts characters of strings and bytes of BYTES', () => {
  assert.equal(call('LEN', [S], 'hello'), 5);
  assert.equal(call('LEN', [S], ''), 0);
  assert.equal(call('LEN', [BYTES], bytes('héllo')), 6);
  assert.equal(call('LEN', [S], null), null);
});

test('RPAD / LPAD on strings', () => {
  const rpad = (s: string | null, n: number | null, pad: string | null) => call('RPAD', [S, INT, S], s, n, pad);
  assert.equal(rpad('foo', 7, 'Bar'), 'fooBarB');
  assert.equal(rpad('foo', 5, 'Bar'), 'fooBa');
  assert.equal(rpad('foo', 2, 'Bar'), 'fo');
  assert.equal(rpad('foo', -1, 'Bar'), null);
  assert.equal(rpad('foo', 5, null), null);
  assert.equal(rpad('foo', null, 'Bar'), null);
  assert.equal(rpad(null, 5, 'Bar'), null);
  assert.equal(rpad('foo', 7, ''), null);
  assert.equal(rpad('', 7, 'Bar'), 'BarBarB');
  assert.equal(call('LPAD', [S, INT, S], 'foo', 7, 'Bar'), 'BarBfoo');
  assert.equal(call('LPAD', [S, INT, S], 'foo', 2, 'Bar'), 'fo');
});

test('LPAD / RPAD on bytes', () => {
  const lpad = (n: number | null, pad: Buffer | null) => call('LPAD', [BYTES, INT, BYTES], b64('eWVz'), n, pad);
  assert.deepEqual(lpad(8, b64('bm8=')), b64('bm9ub255ZXM='));
  assert.deepEqual(lpad(5, b64('bm8=')), b64('bm95ZXM='));
  assert.deepEqual(lpad(3, b64('bm8=')), b64('eWVz'));
  assert.deepEqual(lpad(2, b64('bm8=')), b64('eWU='));
  assert.deepEqual(lpad(0, b64('bm8=')), Buffer.alloc(0));
  assert.equal(lpad(-1, b64('bm8=')), null);
  assert.equal(lpad(3, Buffer.alloc(0)), null);
  assert.equal(lpad(null, b64('bm8=')), null);
  assert.deepEqual(call('RPAD', [BYTES, INT, BYTES], bytes('yes'), 7, bytes('no')), bytes('yesnono'));
});

test('SUBSTRING: 1-based, negative positions, out-of-range clamps, strings and bytes', () => {
  assert.equal(call('SUBSTRING', [S, INT], 'some_string', 6), 'string');
  assert.equal(call('SUBSTRING', [S, INT], 'short', 6), '');
  assert.equal(call('SUBSTRING', [S, INT, INT], 'some_string', 6, 3), 'str');
  assert.equal(call('SUBSTRING', [S, INT, INT], 'another', 6, 3), 'er');
  assert.equal(call('SUBSTRING', [S, INT], 'hello', -3), 'llo');
  assert.equal(call('SUBSTRING', [S, INT, INT], 'hello', -10, 3), 'hel');
  assert.equal(call('SUBSTRING', [S, INT, INT], 'hello', 0, 2), 'he');
  assert.equal(call('SUBSTRING', [S, INT, INT], 'hello', 2, -1), '');
  assert.equal(call('SUBSTRING', [S, INT], null, 1), null);
  assert.equal(call('SUBSTRING', [S, INT], 'x', null), null);
  assert.equal(call('SUBSTRING', [S, INT, INT], 'x', 1, null), null);
  assert.deepEqual(call('SUBSTRING', [BYTES, INT], bytes('some_string'), 6), bytes('string'));
  assert.deepEqual(call('SUBSTRING', [BYTES, INT, INT], bytes('some_string'), 6, 3), bytes('str'));
  assert.equal(call('SUBSTRING', [BYTES, INT], null, 6), null);
});

test('REPLACE replaces every literal occurrence', () => {
  assert.equal(call('REPLACE', [S, S, S], 'anaconda', 'a', 'o'), 'onocondo');
  assert.equal(call('REPLACE', [S, S, S], 'a.b.c', '.', '$&'), 'a$&b$&c');
  assert.equal(call('REPLACE', [S, S, S], 'abc', '', '-'), '-a-b-c-');
  assert.equal(call('REPLACE', [S, S, S], 'popcorn', null, 'o'), null);
  assert.equal(call('REPLACE', [S, S, S], 'popcorn', 'a', null), null);
});

test('REGEXP_REPLACE uses Java regex and replacement syntax', () => {
  assert.equal(call('REGEXP_REPLACE', [S, S, S], 'baz bar', '(\\w+) (\\w+)', '$2 $1'), 'bar baz');
  assert.equal(call('REGEXP_REPLACE', [S, S, S], 'aaa', 'a', '\\$'), '$$$');
  assert.equal(call('REGEXP_REPLACE', [S, S, S], 'hello', '(?<first>h)', '${first}H'), 'hHello');
  assert.equal(call('REGEXP_REPLACE', [S, S, S], null, 'a', 'b'), null);
  assert.throws(() => call('REGEXP_REPLACE', [S, S, S], 'abc', 'a', '$3'));
});

test('REGEXP_EXTRACT returns the first match or a group of it', () => {
  const ex = (s: string | null) => call('REGEXP_EXTRACT', [S, S], 'test.', s);
  assert.equal(ex('some_test_string'), 'test_');
  assert.equal(ex('anothertest'), null);
  assert.equal(ex('testa'), 'testa');
  assert.equal(ex(null), null);
  assert.equal(call('REGEXP_EXTRACT', [S, S, INT], '(.*) (.*)', 'steven zhang', 2), 'zhang');
  assert.equal(call('REGEXP_EXTRACT', [S, S, INT], '(.*) (.*)', 'agavra', 2), null);
  assert.equal(call('REGEXP_EXTRACT', [S, S, INT], '(a)|(b)', 'b', 1), null);
  assert.throws(() => call('REGEXP_EXTRACT', [S, S, INT], '(a)', 'a', 2));
});

test('REGEXP_EXTRACT_ALL returns every match', () => {
  const ex = (s: string | null) => call('REGEXP_EXTRACT_ALL', [S, S, INT], '(\\w+) (\\w*)', s, 2);
  assert.deepEqual(ex('steven zhang andy coates'), ['zhang', 'coates']);
  assert.deepEqual(ex('apurva mehta agavra '), ['mehta', '']);
  assert.deepEqual(ex('agavra'), []);
  assert.equal(ex(null), null);
  assert.deepEqual(call('REGEXP_EXTRACT_ALL', [S, S], '\\d', 'a1b22'), ['1', '2', '2']);
});

test('REGEXP_SPLIT_TO_ARRAY keeps empty pieces', () => {
  const split = (s: string | null, re: string | null) => call('REGEXP_SPLIT_TO_ARRAY', [S, S], s, re);
  assert.deepEqual(split('aabcda', '(ab|cd)'), ['a', '', 'a']);
  assert.deepEqual(split('aabdcda', '(ab|cd)'), ['a', 'd', 'a']);
  assert.deepEqual(split('zxy', '(ab|cd)'), ['zxy']);
  assert.deepEqual(split(',a,', ','), ['', 'a', '']);
  assert.deepEqual(split('abc', ''), ['a', 'b', 'c']);
  assert.equal(split(null, 'a'), null);
  assert.equal(split('a', null), null);
});

test('SPLIT keeps empty strings; empty delimiter splits into characters', () => {
  const split = (s: string, d: string) => call('SPLIT', [S, S], s, d);
  assert.deepEqual(split('a.b.c', '.'), ['a', 'b', 'c']);
  assert.deepEqual(split('..a..', '.'), ['', '', 'a', '', '']);
  assert.deepEqual(split('.$$a..', '$$'), ['.', 'a..']);
  assert.deepEqual(split('', '.'), ['']);
  assert.deepEqual(split('abc', ''), ['a', 'b', 'c']);
  assert.deepEqual(split('', ''), ['']);
  assert.equal(call('SPLIT', [S, S], null, '.'), null);
  assert.deepEqual(call('SPLIT', [BYTES, BYTES], bytes('.abc.'), bytes('.')), [bytes(''), bytes('abc'), bytes('')]);
  assert.deepEqual(call('SPLIT', [BYTES, BYTES], bytes('ab'), bytes('')), [bytes('a'), bytes('b')]);
  assert.deepEqual(call('SPLIT', [BYTES, BYTES], bytes(''), bytes('')), [bytes('')]);
  assert.deepEqual(returnTypeOf('SPLIT', [BYTES, BYTES]), { kind: 'ARRAY', element: BYTES });
});

test('SPLIT_TO_MAP', () => {
  const stm = (s: string | null, e: string | null, kv: string | null) => call('SPLIT_TO_MAP', [S, S, S], s, e, kv);
  const fruit = 'apple:green/banana:yellow/cherry:red';
  assert.deepEqual(stm(fruit, '/', ':'), new Map([['apple', 'green'], ['banana', 'yellow'], ['cherry', 'red']]));
  assert.deepEqual(stm(fruit, '&&', ':'), new Map([['apple', 'green/banana']]));
  assert.deepEqual(stm('apple:green//banana:yellow/', '/', ':'), new Map([['apple', 'green'], ['banana', 'yellow']]));
  assert.deepEqual(stm(fruit, '/', '='), new Map());
  assert.equal(stm(fruit, '', ':'), null);
  assert.equal(stm(fruit, '/', ''), null);
  assert.equal(stm(fruit, null, ':'), null);
  assert.deepEqual(stm('', '/', ':'), new Map());
  assert.equal(stm(null, '/', ':'), null);
});

test('INSTR with position and occurrence', () => {
  assert.equal(call('INSTR', [S, S], 'corporate floor', 'or'), 2);
  assert.equal(call('INSTR', [S, S], 'should I stay or should I go', 'or'), 15);
  assert.equal(call('INSTR', [S, S], 'no substring', 'or'), 0);
  assert.equal(call('INSTR', [S, S, INT], 'corporate floor', 'or', 4), 5);
  assert.equal(call('INSTR', [S, S, INT], 'short', 'or', 4), 0);
  assert.equal(call('INSTR', [S, S, INT], 'corporate floor', 'or', -4), 5);
  assert.equal(call('INSTR', [S, S, INT], 'short', 'or', -4), 0);
  assert.equal(call('INSTR', [S, S, INT, INT], 'corporate floor', 'or', 1, 2), 5);
  assert.equal(call('INSTR', [S, S, INT, INT], 'corporate floor', 'or', 1, 4), 0);
  assert.equal(call('INSTR', [S, S, INT], 'abc', 'a', 10), 0);
  assert.equal(call('INSTR', [S, S, INT], 'abcabc', 'abc', -1), 4);
  assert.equal(call('INSTR', [S, S, INT, INT], 'abcabc', 'abc', -1, 2), 1);
  assert.equal(call('INSTR', [S, S, INT], 'abcabc', 'c', -2), 3);
  assert.equal(call('INSTR', [S, S], null, 'or'), 0);
});

test('INITCAP capitalizes each word', () => {
  assert.equal(call('INITCAP', [S], 'some_string'), 'Some_string');
  assert.equal(call('INITCAP', [S], 'the   Quick br0wn fOx'), 'The   Quick Br0wn Fox');
  assert.equal(call('INITCAP', [S], null), null);
});

test('MASK and its variants', () => {
  assert.equal(call('MASK', [S], 'AbCd#$123xy Z'), 'XxXx--nnnxx-X');
  assert.equal(call('MASK', [S, S, S, S, S], 'AbCd#$123xy Z', '*', '-', '.', '='), '*-*-==...--=*');
  assert.equal(call('MASK', [S, S, S, S, S], 'Ab1-', null, 'q', null, null), 'Aq1-');
  assert.throws(() => call('MASK', [S, S, S, S, S], 'Ab', 'XX', null, null, null));
  assert.equal(call('MASK', [S], null), null);
  assert.equal(call('MASK_LEFT', [S, INT], 'AbCd#$123xy Z', 5), 'XxXx-$123xy Z');
  assert.equal(call('MASK_LEFT', [S, INT], 'Ab', 5), 'Xx');
  assert.equal(call('MASK_RIGHT', [S, INT], 'AbCd#$123xy Z', 5), 'AbCd#$12nxx-X');
  assert.equal(call('MASK_KEEP_LEFT', [S, INT], 'AbCd#$123xy Z', 5), 'AbCd#-nnnxx-X');
  assert.equal(call('MASK_KEEP_RIGHT', [S, INT], 'AbCd#$123xy Z', 5), 'XxXx--nn3xy Z');
  assert.equal(call('MASK_KEEP_RIGHT', [S, INT, S, S, S, S], 'Ab1', 1, 'U', 'L', 'D', 'O'), 'UL1');
  assert.equal(call('MASK_KEEP_LEFT', [S, INT], null, 2), null);
  assert.throws(() => call('MASK_LEFT', [S, INT], 'abc', -1), /non-negative/);
});

test('CHR from code points and UTF-16 escapes', () => {
  assert.equal(call('CHR', [INT], 75), 'K');
  assert.equal(call('CHR', [INT], 128512), '😀');
  assert.equal(call('CHR', [INT], -1), null);
  assert.equal(call('CHR', [S], '\\u004b'), 'K');
  assert.equal(call('CHR', [S], '\\ud83d\\ude00'), '😀');
  assert.equal(call('CHR', [S], 'K'), null);
  assert.equal(call('CHR', [INT], null), null);
});

test('ELT and FIELD', () => {
  assert.equal(call('ELT', [INT, S, S], 2, 'ignored', 'something'), 'something');
  assert.equal(call('ELT', [INT, S, S], 3, 'a', 'b'), null);
  assert.equal(call('ELT', [INT, S, S], 0, 'a', 'b'), null);
  assert.equal(call('ELT', [INT, S], null, 'a'), null);
  assert.equal(call('FIELD', [S, S, S], 'hello', 'hello', 'world'), 1);
  assert.equal(call('FIELD', [S, S, S], 'hello', 'world', 'hello'), 2);
  assert.equal(call('FIELD', [S, S, S], 'hello', null, 'world'), 0);
  assert.equal(call('FIELD', [S, S], null, null), 0);
});

test('UUID: random v4, or formatted from 16 bytes', () => {
  const a = call('UUID', []) as string;
  const b = call('UUID', []) as string;
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
  const raw = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  assert.equal(call('UUID', [BYTES], raw), '01234567-89ab-cdef-0123-456789abcdef');
  assert.equal(call('UUID', [BYTES], Buffer.alloc(3)), null);
  assert.equal(call('UUID', [BYTES], null), null);
});

test('ENCODE between hex, utf8, ascii and base64', () => {
  const enc = (s: string | null, from: string, to: string) => call('ENCODE', [S, S, S], s, from, to);
  assert.equal(enc('Example!', 'ascii', 'hex'), '4578616d706c6521');
  assert.equal(enc('Example!', 'ascii', 'base64'), 'RXhhbXBsZSE=');
  assert.equal(enc('Ελλάδα', 'ascii', 'hex'), '3f3f3f3f3f3f');
  assert.equal(enc('Ελλάδα', 'ascii', 'utf8'), '??????');
  assert.equal(enc('zpXOu867zqzOtM6x', 'base64', 'utf8'), 'Ελλάδα');
  assert.equal(enc('zpXOu867zqzOtM6x', 'base64', 'hex'), 'ce95cebbcebbceacceb4ceb1');
  assert.equal(enc('zpXOu867zqzOtM6x', 'base64', 'ascii'), '\uFFFD'.repeat(12));
  assert.equal(enc('0x4578', 'hex', 'utf8'), 'Ex');
  assert.equal(enc("X'4578'", 'HEX', 'UTF8'), 'Ex');
  assert.equal(enc('0x578', 'hex', 'hex'.replace('hex', 'base64')), Buffer.from([0x05, 0x78]).toString('base64'));
  assert.throws(() => enc('abc', 'hex', 'utf8'));
  assert.throws(() => enc('abc', 'null', 'utf8'), /Supported/);
  assert.equal(enc(null, 'ascii', 'hex'), null);
  assert.equal(call('ENCODE', [S, S, S], 'a', null, 'hex'), null);
});

test('TO_BYTES and FROM_BYTES', () => {
  assert.deepEqual(call('TO_BYTES', [S, S], '1aB2', 'hex'), Buffer.from([0x1a, 0xb2]));
  assert.equal(call('FROM_BYTES', [BYTES, S], Buffer.from([0x1a, 0xb2]), 'hex'), '1AB2');
  assert.deepEqual(call('TO_BYTES', [S, S], 'héllo', 'utf8'), Buffer.from('héllo'));
  assert.equal(call('FROM_BYTES', [BYTES, S], Buffer.from('héllo'), 'utf8'), 'héllo');
  assert.deepEqual(call('TO_BYTES', [S, S], '!', 'ascii'), Buffer.from([0x21]));
  assert.equal(call('FROM_BYTES', [BYTES, S], Buffer.from([0x23]), 'ascii'), '#');
  assert.deepEqual(call('TO_BYTES', [S, S], 'IQ==', 'base64'), Buffer.from('!'));
  assert.equal(call('FROM_BYTES', [BYTES, S], Buffer.from('!'), 'base64'), 'IQ==');
  assert.throws(() => call('TO_BYTES', [S, S], 'abc', 'hex'));
  assert.throws(() => call('TO_BYTES', [S, S], 'a', 'latin1'));
  assert.equal(call('TO_BYTES', [S, S], null, 'hex'), null);
  assert.equal(call('FROM_BYTES', [BYTES, S], null, 'hex'), null);
});

test('MD5 hex digest', () => {
  assert.equal(call('MD5', [S], 'r1'), '7c92cf1eee8d99cc85f8355a3d6e4b86');
  assert.equal(call('MD5', [S], ''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(call('MD5', [S], null), null);
});
