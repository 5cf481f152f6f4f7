/**
 * Every way a producer can damage a record, per format (table-driven): each damaged record gives a
 * SerdeError whose message says why in plain words and carries no record content (the marker
 * SECRET never appears, nor control characters, nor kilobytes of text); records that are merely
 * loose (missing or extra fields, a 5 MiB string, a null value) are read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import { createSerde, InMemorySchemaRegistry, type FormatName, type RowSerde } from '../../src/serde/index.js';
import { MAX_JSON_DEPTH } from '../../src/serde/lossless-json.js';

const COLUMNS = [
  { name: 'ID', type: T.INTEGER },
  { name: 'NAME', type: T.STRING },
  { name: 'AMOUNT', type: T.DOUBLE },
];
const GOOD_ROW = [7, 'SECRET-name', 1.5];
const DEEP = 100_000;
const FIVE_MIB = 'x'.repeat(5 << 20);

function serde(format: FormatName): RowSerde {
  return createSerde(format, 'VALUE', COLUMNS, { topic: 't', schemaRegistry: new InMemorySchemaRegistry() });
}

const json = (s: string) => Buffer.from(s, 'latin1');
const withId = (bytes: Buffer, id: number) => {
  const b = Buffer.from(bytes);
  b.writeInt32BE(id, 1);
  return b;
};
const withByte = (bytes: Buffer, at: number, v: number) => {
  const b = Buffer.from(bytes);
  b[at] = v;
  return b;
};
const GARBAGE = Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]);

/** [name, bytes from the good record's bytes, expected reason] */
type Damage = readonly [string, (good: Buffer) => Buffer, RegExp];

const DAMAGE: Record<'JSON' | 'DELIMITED' | 'AVRO' | 'PROTOBUF', readonly Damage[]> = {
  JSON: [
    ['truncated', (g) => g.subarray(0, g.length - 4), /Invalid JSON: Unexpected end of JSON input at position \d+/],
    ['unterminated string', () => json('{"NAME": "SECRET'), /Invalid JSON: Unterminated string at position \d+/],
    ['invalid token', () => json('{"ID": SECRET, "NAME": "x"}'), /Invalid JSON: Unexpected character 'S' at position 7/],
    ['long invalid text (JSON.parse would quote it)', () => json(`{"ID": 1 SECRET${'y'.repeat(200)}}`), /Invalid JSON: Expected ',' or '}' at position 9/],
    ['binary garbage', () => GARBAGE, /Invalid JSON: Unexpected character U\+0000 at position 0/],
    ['empty', () => Buffer.alloc(0), /Can't convert type\. sourceType: MissingNode/],
    ['wrong type', () => json('{"ID": "SECRET", "NAME": "a"}'), /Can't coerce string to type\. targetType: INTEGER, path: \$\.ID/],
    ['object for a number', () => json('{"ID": {"SECRET": 1}}'), /sourceType: ObjectNode, requiredType: INTEGER, path: \$\.ID/],
    ['array for the row', () => json('["SECRET"]'), /sourceType: ArrayNode/],
    ['5 MiB string for a number', () => json(`{"ID": "SECRET${FIVE_MIB}"}`), /Can't coerce string to type\. targetType: INTEGER/],
    [`nesting ${DEEP} deep (JSON.parse path)`, () => json(`{"NAME": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`), /Nesting depth exceeds the maximum allowed \(1000\), path: \$\.NAME\[0\]\[0\]/],
    [`nesting ${DEEP} deep (lossless path)`, () => json(`{"NAME": ${'['.repeat(DEEP)}12345678901234567890${']'.repeat(DEEP)}}`), new RegExp(`Nesting depth exceeds the maximum allowed \\(${MAX_JSON_DEPTH}\\)`)],
    [`unterminated nesting ${DEEP} deep`, () => json(`{"NAME": ${'{"a":'.repeat(DEEP)}`), /Invalid JSON: .* at position \d+/],
  ],
  DELIMITED: [
    ['too few columns', () => json('1,SECRET'), /Column count mismatch on deserialization\. expected: 3, got: 2/],
    ['too many columns', () => json('1,SECRET,2.0,4'), /Column count mismatch on deserialization\. expected: 3, got: 4/],
    ['unterminated quote', () => json('1,"SECRET,2.0'), /EOF reached before encapsulated token finished/],
    ['wrong type', () => json('x,SECRET,2.0'), /Error parsing column `ID` INTEGER: For input string: "x"/],
    ['5 MiB wrong-typed field', () => json(`SECRET${FIVE_MIB},a,1`), /Error parsing column `ID` INTEGER: For input string of \d+ characters/],
    ['binary field', () => json('\u0001SECRET,a,1'), /For input string of 7 characters/],
    ['binary garbage', () => GARBAGE, /Column count mismatch|Error parsing column/],
    ['empty', () => Buffer.alloc(0), /Column count mismatch on deserialization\. expected: 3, got: 1/],
  ],
  AVRO: [
    ['truncated', (g) => g.subarray(0, g.length - 3), /Error deserializing Avro message for id \d+: Unexpected end of input/],
    ['header only', (g) => g.subarray(0, 3), /Unknown magic byte!/],
    ['bad magic byte', (g) => withByte(g, 0, 1), /Unknown magic byte!/],
    ['unknown schema id', (g) => withId(g, 999), /Error retrieving Avro value schema for id 999/],
    ['binary garbage after a valid header', (g) => Buffer.concat([g.subarray(0, 5), GARBAGE.subarray(4)]), /Error deserializing Avro message for id \d+/],
    ['empty', () => Buffer.alloc(0), /Unknown magic byte!/],
  ],
  PROTOBUF: [
    ['truncated', (g) => g.subarray(0, g.length - 3), /input ended unexpectedly in the middle of a field/],
    ['truncated varint', (g) => Buffer.concat([g.subarray(0, 6), Buffer.from([0x08, 0xff, 0xff])]), /Error deserializing Protobuf message for id \d+/],
    ['wrong wire type', (g) => withByte(g, 6, (g[6]! & ~7) | 7), /invalid tag \(wire type 7\)/],
    ['header only', (g) => g.subarray(0, 3), /Unknown magic byte!/],
    ['bad magic byte', (g) => withByte(g, 0, 1), /Unknown magic byte!/],
    ['unknown schema id', (g) => withId(g, 999), /Error retrieving Protobuf schema for id 999/],
    ['binary garbage after a valid header', (g) => Buffer.concat([g.subarray(0, 5), GARBAGE]), /malformed varint|Error deserializing Protobuf message/],
    ['empty', () => Buffer.alloc(0), /Unknown magic byte!/],
  ],
};

for (const [format, cases] of Object.entries(DAMAGE) as [FormatName, readonly Damage[]][]) {
  for (const [name, damage, reason] of cases) {
    test(`${format} damaged record, ${name}: a clear SerdeError without record content`, () => {
      const s = serde(format);
      const good = s.serialize(GOOD_ROW)!;
      assert.deepEqual(s.deserialize(good), GOOD_ROW);
      assert.throws(
        () => s.deserialize(damage(good)),
        (e: unknown) => {
          assert.ok(e instanceof SerdeError, `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          assert.match(e.message, /^Failed to deserialize value from topic: t\. /);
          assert.match(e.message, reason);
          assert.doesNotMatch(e.message, /SECRET/, 'record content in the message');
          assert.doesNotMatch(e.message, /[\u0000-\u001f\u007f-\u009f]/, 'control characters in the message');
          assert.ok(e.message.length < 400, `message of ${e.message.length} characters`);
          return true;
        },
      );
    });
  }
}

const LOOSE: readonly [string, Buffer | null, unknown[] | null][] = [
  ['missing fields read as NULL', json('{"ID": 1}'), [1, null, null]],
  ['extra fields are ignored', json('{"ID": 1, "NAME": "a", "AMOUNT": 2, "EXTRA": [1, {"x": 2}]}'), [1, 'a', 2]],
  ['a 5 MiB string', json(`{"ID": 1, "NAME": "${FIVE_MIB}"}`), [1, FIVE_MIB, null]],
  ['deep nesting in an ignored field', json(`{"ID": 1, "X": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`), [1, null, null]],
  ['a null value is a tombstone', null, null],
  ['the JSON text null is a tombstone', json('null'), null],
];

for (const [name, bytes, row] of LOOSE) {
  test(`JSON loose record, ${name}: read`, () => {
    assert.deepEqual(serde('JSON').deserialize(bytes), row);
  });
}

test('DELIMITED, AVRO and PROTOBUF read a null value as a tombstone', () => {
  for (const f of ['DELIMITED', 'AVRO', 'PROTOBUF'] as const) assert.equal(serde(f).deserialize(null), null, f);
});

test(`JSON read as STRING: ${DEEP}-deep objects and arrays are refused by depth, not by a stack overflow`, () => {
  const unwrapped = createSerde('JSON', 'VALUE', [{ name: 'S', type: T.STRING }], { topic: 't', wrapSingleValue: false });
  for (const doc of [`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`, `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`]) {
    assert.throws(
      () => unwrapped.deserialize(json(doc)),
      (e: unknown) => e instanceof SerdeError && /Nesting depth exceeds the maximum allowed \(1000\), path: \$/.test(e.message) && e.message.length < 300,
    );
  }
  // up to the limit they are read, as ksqlDB renders them
  const ok = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
  assert.equal((unwrapped.deserialize(json(ok)) as string[])[0]!.length, 2 * MAX_JSON_DEPTH);
});
