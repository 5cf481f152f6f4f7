/** The test tool's reading of test-file values: BIGINTs that went through doubles come back exact. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigintFromTest, fromTestValue, stringifyTestJson, testJsonText, testValuesEqual } from '../../src/cli/test-runner/test-values.js';
import { parseJsonText } from '../../src/serde/lossless-json.js';

const BIGINT = { kind: 'BIGINT' } as const;
const STRING = { kind: 'STRING' } as const;

test('a BIGINT written through a double as 2^63 reads as Long.MAX_VALUE, -2^63 as Long.MIN_VALUE', () => {
  assert.equal(bigintFromTest(9223372036854776000), 9223372036854775807n);
  assert.equal(bigintFromTest(-9223372036854776000), -9223372036854775808n);
  assert.equal(bigintFromTest('42'), 42n);
  assert.equal(fromTestValue(9223372036854776000, BIGINT), 9223372036854775807n);
});

test('JSON inputs write BIGINT fields as exact integer text, other fields as they are', () => {
  const columns = [
    { name: 'V', type: BIGINT },
    { name: 'S', type: STRING },
  ];
  assert.equal(testJsonText({ v: 9223372036854776000, s: 'x' }, columns, false), '{"v":9223372036854775807,"s":"x"}');
  assert.equal(testJsonText({ v: 5, s: 1e300 }, columns, false), '{"v":5,"s":1e+300}');
  assert.equal(testJsonText(-9223372036854776000, [{ name: 'V', type: BIGINT }], true), '-9223372036854775808');
});

test('numbers of more digits than a double holds are read as their text, as ksqlDB reads BigDecimals', () => {
  const doc = parseJsonText('{"d": 12345678987654321.2345678987654321, "l": 9007199254740993}') as Record<string, unknown>;
  const d = fromTestValue(doc.d, { kind: 'DECIMAL', precision: 33, scale: 16 }) as { toFixed(): string };
  assert.equal(d.toFixed(), '12345678987654321.2345678987654321');
  assert.equal(fromTestValue(doc.l, BIGINT), 9007199254740993n);
  assert.equal(stringifyTestJson(doc), '{"d":12345678987654321.2345678987654321,"l":9007199254740993}');
  assert.ok(testValuesEqual(doc.l, 9007199254740992));
});
