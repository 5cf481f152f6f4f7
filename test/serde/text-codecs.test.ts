import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvRecord, printCsvRecord } from '../../src/serde/csv-record.js';
import { decimalToJavaString, javaDoubleToString, parseDecimalText, parseJavaDouble, parseJavaInt, parseJavaLong } from '../../src/serde/java-number-text.js';
import { JsonNumber, JsonSyntaxError, parseJsonText } from '../../src/serde/lossless-json.js';

test('lossless JSON keeps long numbers as text and matches JSON.parse otherwise', () => {
  const doc = parseJsonText('{"a": 12345678901234567890, "b": [1.5, -0.25e2, "x\\u0041\\n"], "c": {"__proto__": 1}, "d": 0.1234567890123456}') as Record<string, unknown>;
  assert.ok(doc.a instanceof JsonNumber && doc.a.text === '12345678901234567890' && doc.a.isIntegral);
  assert.deepEqual(doc.b, [1.5, -25, 'xA\n']);
  assert.ok(doc.d instanceof JsonNumber && !doc.d.isIntegral);
  const c = doc.c as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.ok(Object.hasOwn(c, '__proto__'));
  for (const bad of ['{"a": 01234567890123456789}', '[1234567890123456789,]', '{"a" 1}', '"1234567890123456\u0001"', '[1234567890123456789', '12345678901234567890 x', '-', '1.e5']) {
    assert.throws(() => parseJsonText(bad.length < 16 ? bad + ' '.repeat(0) : bad), JsonSyntaxError, bad);
  }
  // the fast path reports syntax errors with the same class
  assert.throws(() => parseJsonText('{bad'), JsonSyntaxError);
});

test('CSV record parsing edge cases', () => {
  assert.deepEqual(parseCsvRecord('a,b,', ','), ['a', 'b', '']);
  assert.deepEqual(parseCsvRecord('"",x', ','), ['', 'x']);
  assert.deepEqual(parseCsvRecord('a"b,c', ','), ['a"b', 'c']);
  assert.deepEqual(parseCsvRecord('"a"  ;b', ';'), ['a', 'b']);
  assert.deepEqual(parseCsvRecord('x\r\ny', ','), ['x']);
  assert.equal(printCsvRecord(['#x', 'a#', null, ''], ','), '"#x",a#,,');
  assert.equal(printCsvRecord(['\u00e9', '\u00e9'], ','), '"\u00e9",\u00e9');
});

test('Java number text rules', () => {
  assert.equal(parseJavaInt('+7'), 7);
  assert.equal(parseJavaInt(' 7'), undefined);
  assert.equal(parseJavaInt('-2147483649'), undefined);
  assert.equal(parseJavaLong('9223372036854775807'), 9223372036854775807n);
  assert.equal(parseJavaLong('9223372036854775808'), undefined);
  assert.equal(parseJavaDouble(' 1.5f '), 1.5);
  assert.equal(parseJavaDouble('1e'), undefined);
  assert.equal(parseJavaDouble('0x10'), undefined);
  assert.equal(javaDoubleToString(1e7), '1.0E7');
  assert.equal(javaDoubleToString(123.0), '123.0');
  assert.equal(javaDoubleToString(-1.5e-5), '-1.5E-5');
  assert.equal(javaDoubleToString(4.9e-324), '4.9E-324');
  assert.equal(decimalToJavaString(parseDecimalText('1e3')!), '1E+3');
  assert.equal(decimalToJavaString(parseDecimalText('0.00000012')!), '1.2E-7');
  assert.equal(decimalToJavaString(parseDecimalText('-0012.50')!), '-12.50');
});
