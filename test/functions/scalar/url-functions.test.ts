import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRING, call } from './scalar-test-helper.js';

const S = STRING;
const url = (f: string, u: string | null) => call(f, [S], u);

test('URL_DECODE_PARAM and URL_ENCODE_PARAM', () => {
  assert.equal(url('URL_DECODE_PARAM', '%3Ffoo+%24bar'), '?foo $bar');
  assert.equal(url('URL_DECODE_PARAM', 'hello%26world'), 'hello&world');
  assert.equal(url('URL_DECODE_PARAM', '%C3%A9t%C3%A9'), 'été');
  assert.throws(() => url('URL_DECODE_PARAM', 'bad%zz'));
  assert.equal(url('URL_ENCODE_PARAM', '?foo $bar'), '%3Ffoo+%24bar');
  assert.equal(url('URL_ENCODE_PARAM', 'a.b-c*d_e~é'), 'a.b-c*d_e%7E%C3%A9');
  assert.equal(url('URL_ENCODE_PARAM', null), null);
  assert.equal(url('URL_DECODE_PARAM', null), null);
});

test('URL_EXTRACT_HOST / PATH / PORT / PROTOCOL / QUERY / FRAGMENT', () => {
  assert.equal(url('URL_EXTRACT_HOST', 'http://www.test.com/?query#fragment'), 'www.test.com');
  assert.equal(url('URL_EXTRACT_HOST', 'http://test@confluent.io:8080'), 'confluent.io');
  assert.equal(url('URL_EXTRACT_HOST', 'www.confluent.io'), null);
  assert.equal(url('URL_EXTRACT_PATH', 'http://www.test.com?query#fragment'), '');
  assert.equal(url('URL_EXTRACT_PATH', 'http://www.test.com/path?query'), '/path');
  assert.equal(url('URL_EXTRACT_PATH', 'http://test@confluent.io:8080/nested/path?query&jobs'), '/nested/path');
  assert.equal(url('URL_EXTRACT_PATH', 'http://x.com/a%20b'), '/a b');
  assert.equal(url('URL_EXTRACT_PORT', 'http://test@confluent.io'), null);
  assert.equal(url('URL_EXTRACT_PORT', 'http://test@confluent.io:8080/nested/path?query&jobs'), 8080);
  assert.equal(url('URL_EXTRACT_PROTOCOL', 'https://test@confluent.io:8080/nested'), 'https');
  assert.equal(url('URL_EXTRACT_PROTOCOL', 'www.confluent.io'), null);
  assert.equal(url('URL_EXTRACT_QUERY', 'http://www.test.com?query#fragment'), 'query');
  assert.equal(url('URL_EXTRACT_QUERY', 'http://www.test.com/path?q1&q2'), 'q1&q2');
  assert.equal(url('URL_EXTRACT_QUERY', 'http://test@confluent.io:8080/path'), null);
  assert.equal(url('URL_EXTRACT_FRAGMENT', 'http://www.test.com/?query#frag%20ment'), 'frag ment');
  assert.equal(url('URL_EXTRACT_FRAGMENT', 'http://www.test.com/'), null);
  assert.equal(url('URL_EXTRACT_HOST', null), null);
  assert.throws(() => url('URL_EXTRACT_HOST', 'http://bad host/'), /invalid syntax/);
});

test('URL_EXTRACT_PARAMETER', () => {
  const param = (u: string, name: string) => call('URL_EXTRACT_PARAMETER', [S, S], u, name);
  assert.equal(param('http://www.test.com/?one=a&two=b&three', 'one'), 'a');
  assert.equal(param('http://www.test.com/?one=a&two=b&three', 'two'), 'b');
  assert.equal(param('http://www.test.com/?one=a&two=b&three', 'three'), '');
  assert.equal(param('http://www.test.com/?one=a&two=b&three', 'four'), null);
  assert.equal(param('http://www.test.com/?one=a&two=url%20encoded', 'two'), 'url encoded');
  assert.equal(param('http://www.test.com/', 'one'), null);
  assert.equal(call('URL_DECODE_PARAM', [S], param('http://www.test.com/?two=url%20encoded', 'two')), 'url encoded');
});
