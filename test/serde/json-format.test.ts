import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { ConfigError, SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import { createSerde } from '../../src/serde/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const text = (buf: Buffer | null): string | null => (buf === null ? null : buf.toString('utf8'));

test('JSON value: wrapped row round trip with every primitive type', () => {
  const cols = [
    { name: 'B', type: T.BOOLEAN },
    { name: 'I', type: T.INTEGER },
    { name: 'L', type: T.BIGINT },
    { name: 'D', type: T.DOUBLE },
    { name: 'DEC', type: T.decimal(6, 2) },
    { name: 'S', type: T.STRING },
    { name: 'BY', type: T.BYTES },
    { name: 'DT', type: T.DATE },
    { name: 'TM', type: T.TIME },
    { name: 'TS', type: T.TIMESTAMP },
  ];
  const serde = createSerde('JSON', 'VALUE', cols);
  const row = [true, -7, 9223372036854775807n, 1.25, new Decimal('1.5'), 'h"i\u00e9', Buffer.from([1, 2, 255]), 19000, 3600000, 1700000000000];
  const out = text(serde.serialize(row));
  assert.equal(
    out,
    '{"B":true,"I":-7,"L":9223372036854775807,"D":1.25,"DEC":1.50,"S":"h\\"i\u00e9","BY":"AQL/","DT":19000,"TM":3600000,"TS":1700000000000}',
  );
  const back = serde.deserialize(b(out!))!;
  assert.equal(back[2], 9223372036854775807n);
  assert.ok(Decimal.isDecimal(back[4]) && (back[4] as Decimal).eq('1.5'));
  assert.deepEqual(back[6], Buffer.from([1, 2, 255]));
  assert.deepEqual([back[0], back[1], back[3], back[5], back[7], back[8], back[9]], [true, -7, 1.25, 'h"i\u00e9', 19000, 3600000, 1700000000000]);
});

test('JSON: nulls, missing fields and tombstones', () => {
  const serde = createSerde('JSON', 'VALUE', [
    { name: 'A', type: T.INTEGER },
    { name: 'B', type: T.STRING },
  ]);
  assert.equal(serde.serialize(null), null);
  assert.equal(serde.deserialize(null), null);
  assert.equal(serde.deserialize(b('null')), null);
  assert.equal(text(serde.serialize([null, null])), '{"A":null,"B":null}');
  assert.deepEqual(serde.deserialize(b('{"A": null}')), [null, null]);
  assert.deepEqual(serde.deserialize(b('{}')), [null, null]);
  assert.deepEqual(serde.deserialize(b('{"other": 1, "a": 3}')), [3, null]);
});

test('JSON: exact match first, then the upper-cased JSON key', () => {
  const serde = createSerde('JSON', 'VALUE', [
    { name: 'ID', type: T.INTEGER },
    { name: 'Mixed', type: T.INTEGER },
  ]);
  assert.deepEqual(serde.deserialize(b('{"id": 1, "Mixed": 2}')), [1, 2]);
  assert.deepEqual(serde.deserialize(b('{"iD": 1, "ID": 5}')), [5, null]);
  // a quoted mixed-case name only matches exactly (ksqlDB upper-cases the JSON key, not the column)
  assert.deepEqual(serde.deserialize(b('{"mixed": 2}')), [null, null]);
  // prototype names are not mistaken for fields
  const proto = createSerde('JSON', 'VALUE', [{ name: 'constructor', type: T.STRING }, { name: 'toString', type: T.STRING }]);
  assert.deepEqual(proto.deserialize(b('{"toString": "x"}')), [null, 'x']);
});

test('JSON: nested arrays, maps and structs (struct fields case-insensitive)', () => {
  const type = T.struct([
    { name: 'F', type: T.array(T.map(T.STRING, T.decimal(4, 1))) },
    { name: 'G', type: T.struct([{ name: 'H', type: T.BIGINT }]) },
  ]);
  const serde = createSerde('JSON', 'VALUE', [{ name: 'S', type }]);
  const row = serde.deserialize(b('{"s": {"f": [{"a": 1.5, "b": null}, null], "g": {"h": "12"}}}'))!;
  const s = row[0] as { F: unknown[]; G: { H: bigint } };
  assert.equal(s.G.H, 12n);
  assert.equal(s.F[1], null);
  const m = s.F[0] as Map<string, Decimal | null>;
  assert.ok(m instanceof Map);
  assert.deepEqual([...m.keys()], ['a', 'b']);
  assert.ok(m.get('a')!.eq('1.5'));
  assert.equal(text(serde.serialize(row)), '{"S":{"F":[{"a":1.5,"b":null},null],"G":{"H":12}}}');
});

test('JSON: lenient coercions match ksqlDB', () => {
  const serde = (type: Parameters<typeof T.array>[0]) => createSerde('JSON', 'VALUE', [{ name: 'V', type }], { wrapSingleValue: false });
  assert.deepEqual(serde(T.INTEGER).deserialize(b('"42"')), [42]);
  assert.deepEqual(serde(T.INTEGER).deserialize(b('1.9')), [1]);
  assert.deepEqual(serde(T.INTEGER).deserialize(b('4294967297')), [1]); // low 32 bits, as Java
  assert.deepEqual(serde(T.BIGINT).deserialize(b('"-9223372036854775808"')), [-9223372036854775808n]);
  assert.deepEqual(serde(T.DOUBLE).deserialize(b('" 1.5e3 "')), [1500]);
  assert.deepEqual(serde(T.STRING).deserialize(b('123')), ['123']);
  assert.deepEqual(serde(T.STRING).deserialize(b('true')), ['true']);
  assert.deepEqual(serde(T.STRING).deserialize(b('[1, "a", null]')), ['[1, a, null]']);
  assert.deepEqual(serde(T.STRING).deserialize(b('{"a": [1, 2.50]}')), ['{"a":[1,2.5]}']);
  assert.deepEqual(serde(T.array(T.STRING)).deserialize(b('[1, 2, 3]')), [['1', '2', '3']]);
  assert.deepEqual(serde(T.TIMESTAMP).deserialize(b('"1700000000000"')), [1700000000000]);
  const dec = serde(T.decimal(5, 2)).deserialize(b('"-12.3"'))![0] as Decimal;
  assert.equal(dec.toFixed(2), '-12.30');
});

test('JSON: type mismatches fail with ksqlDB messages', () => {
  const s = createSerde('JSON', 'VALUE', [{ name: 'FOO', type: T.INTEGER }], { topic: 't' });
  assert.throws(() => s.deserialize(b('{"FOO": "abc"}')), (e: unknown) => {
    assert.ok(e instanceof SerdeError);
    assert.equal(e.message, "Failed to deserialize value from topic: t. Can't coerce string to type. targetType: INTEGER, path: $.FOO");
    assert.equal(e.topic, 't');
    return true;
  });
  assert.throws(() => s.deserialize(b('{"FOO": true}')), /sourceType: BooleanNode, requiredType: INTEGER, path: \$\.FOO/);
  assert.throws(() => s.deserialize(b('"text"')), /sourceType: TextNode, requiredType: STRUCT<FOO INTEGER>, path: \$$/);
  assert.throws(() => s.deserialize(b('[1]')), /sourceType: ArrayNode/);
  const bool = createSerde('JSON', 'VALUE', [{ name: 'B', type: T.BOOLEAN }]);
  assert.throws(() => bool.deserialize(b('{"B": "true"}')), /sourceType: TextNode, requiredType: BOOLEAN/);
  const arr = createSerde('JSON', 'VALUE', [{ name: 'A', type: T.array(T.INTEGER) }]);
  assert.throws(() => arr.deserialize(b('{"A": [1, "x"]}')), /path: \$\.A\[1\]/);
  const bytes = createSerde('JSON', 'VALUE', [{ name: 'Y', type: T.BYTES }]);
  assert.throws(() => bytes.deserialize(b('{"Y": "not base64!"}')), /not a valid Base64/);
  assert.throws(() => s.deserialize(b('{"FOO": 1')), (e: unknown) => e instanceof SerdeError && /Invalid JSON/.test(e.message));
  assert.throws(() => s.deserialize(b('{secret')), (e: unknown) => e instanceof SerdeError && !e.message.includes('secret'));
  assert.throws(() => s.deserialize(b('   ')), /sourceType: MissingNode/);
  assert.deepEqual(s.deserialize(b('\ufeff{"FOO": 3}')), [3], 'a UTF-8 BOM is skipped');
});

test('JSON: BIGINT exact beyond 2^53 on both paths', () => {
  const serde = createSerde('JSON', 'VALUE', [
    { name: 'A', type: T.BIGINT },
    { name: 'B', type: T.BIGINT },
  ]);
  assert.deepEqual(serde.deserialize(b('{"A": 9007199254740993, "B": -9223372036854775807}')), [9007199254740993n, -9223372036854775807n]);
  assert.deepEqual(serde.deserialize(b('{"A": 123, "B": -5}')), [123n, -5n]);
  assert.equal(text(serde.serialize([9007199254740993n, null])), '{"A":9007199254740993,"B":null}');
  // a long digit run inside a string sends the record down the lossless path; strings still decode
  const s2 = createSerde('JSON', 'VALUE', [
    { name: 'S', type: T.STRING },
    { name: 'A', type: T.BIGINT },
  ]);
  assert.deepEqual(s2.deserialize(b('{"S": "1234567890123456789 \\u00e9\\n", "A": 1}')), ['1234567890123456789 \u00e9\n', 1n]);
});

test('JSON: DECIMAL keeps scale on output and never rounds on input', () => {
  const serde = createSerde('JSON', 'VALUE', [{ name: 'D', type: T.decimal(21, 19) }]);
  const row = serde.deserialize(b('{"D": 10.123451234512345}'))!;
  assert.equal((row[0] as Decimal).toFixed(), '10.123451234512345');
  assert.equal(text(serde.serialize(row)), '{"D":10.1234512345123450000}');
  const small = createSerde('JSON', 'VALUE', [{ name: 'D', type: T.decimal(4, 2) }]);
  assert.equal(text(small.serialize([new Decimal(1)])), '{"D":1.00}');
  assert.throws(() => small.deserialize(b('{"D": 100}')), /Numeric field overflow: A field with precision 4 and scale 2 must round to an absolute value less than 10\^2. Got 100/);
  assert.throws(() => small.deserialize(b('{"D": 1.234}')), /Cannot fit decimal '1.234' into DECIMAL\(4, 2\) without rounding. \(Requires 4,3\)/);
  assert.ok((small.deserialize(b('{"D": 1.200}'))![0] as Decimal).eq('1.2'));
});

test('JSON: single-column unwrapping (WRAP_SINGLE_VALUE)', () => {
  const unwrapped = createSerde('JSON', 'VALUE', [{ name: 'V', type: T.array(T.BIGINT) }], { wrapSingleValue: false });
  assert.equal(text(unwrapped.serialize([[12n, null]])), '[12,null]');
  assert.equal(unwrapped.serialize([null]), null, 'a NULL unwrapped value is a null payload');
  assert.deepEqual(unwrapped.deserialize(b('[1, 2]')), [[1n, 2n]]);
  assert.deepEqual(unwrapped.deserialize(b('null')), [null]);
  assert.equal(unwrapped.deserialize(null), null);
  const wrapped = createSerde('JSON', 'VALUE', [{ name: 'FOO', type: T.BOOLEAN }]);
  assert.equal(text(wrapped.serialize([true])), '{"FOO":true}');
  assert.equal(text(wrapped.serialize([null])), '{"FOO":null}');
  const explicit = createSerde('JSON', 'VALUE', [{ name: 'FOO', type: T.BOOLEAN }], { wrapSingleValue: true });
  assert.deepEqual(explicit.deserialize(b('{"foo": false}')), [false]);
});

test('JSON keys: one column unwrapped by default, several wrapped', () => {
  const key = createSerde('JSON', 'KEY', [{ name: 'K', type: T.STRING }]);
  assert.equal(text(key.serialize(['Hey'])), '"Hey"');
  assert.deepEqual(key.deserialize(b('"Hey"')), ['Hey']);
  assert.equal(key.serialize([null]), null);
  const structKey = createSerde('JSON', 'KEY', [{ name: 'K', type: T.struct([{ name: 'F', type: T.DOUBLE }]) }]);
  assert.deepEqual(structKey.deserialize(b('{"f": 45.67}')), [{ F: 45.67 }]);
  assert.equal(text(structKey.serialize([{ F: 45.67 }])), '{"F":45.67}');
  const multi = createSerde('JSON', 'KEY', [
    { name: 'K1', type: T.STRING },
    { name: 'K2', type: T.INTEGER },
  ]);
  assert.equal(text(multi.serialize(['a', 1])), '{"K1":"a","K2":1}');
  assert.deepEqual(multi.deserialize(b('{"k1": "a", "k2": 1}')), ['a', 1]);
});

test('JSON: doubles, including non-finite values, survive a round trip', () => {
  const s = createSerde('JSON', 'VALUE', [{ name: 'D', type: T.DOUBLE }]);
  for (const d of [0, -0, 1e300, 5e-324, Math.PI, NaN, Infinity, -Infinity]) {
    const back = s.deserialize(s.serialize([d]))![0];
    assert.ok(Object.is(back, d), `round trip of ${d}`);
  }
});

test('JSON: creation errors', () => {
  assert.throws(() => createSerde('JSON', 'VALUE', [{ name: 'M', type: T.map(T.INTEGER, T.DOUBLE) }]), /JSON only supports MAP types with STRING keys/);
  assert.throws(
    () => createSerde('JSON', 'KEY', [{ name: 'K', type: T.array(T.map(T.INTEGER, T.DOUBLE)) }]),
    /Map keys, including types that contain maps, are not supported/,
  );
  assert.throws(
    () => createSerde('JSON', 'VALUE', [{ name: 'M', type: T.map(T.BIGINT, T.DOUBLE) }], { wrapSingleValue: true }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        'Value format does not support schema.\nformat: JSON\nschema: Persistence{columns=[`M` MAP<BIGINT, DOUBLE>], features=[WRAP_SINGLES]}\nreason: JSON only supports MAP types with STRING keys',
  );
  assert.throws(() => createSerde('JSON', 'VALUE', [{ name: 'A', type: T.INTEGER }], { delimiter: '|' }), /JSON does not support the following configs: \[delimiter\]/);
  assert.throws(
    () => createSerde('JSON', 'VALUE', [{ name: 'A', type: T.INTEGER }, { name: 'B', type: T.INTEGER }], { wrapSingleValue: false }),
    /'WRAP_SINGLE_VALUE' is only valid for single-field value schemas/,
  );
});

test('JSON value: a BIGINT column repeated, changed, back, and as a number writes each value (the last text is kept per column)', () => {
  const serde = createSerde('JSON', 'VALUE', [
    { name: 'A', type: T.BIGINT },
    { name: 'B', type: T.BIGINT },
  ]);
  const rows: unknown[][] = [
    [1n, 2n],
    [1n, 2n],
    [2n, 1n],
    [-1n, 2n],
    [1n, 9007199254740993n],
    [5, 9007199254740993n],
    [5n, null],
  ];
  assert.deepEqual(
    rows.map((r) => text(serde.serialize(r))),
    ['{"A":1,"B":2}', '{"A":1,"B":2}', '{"A":2,"B":1}', '{"A":-1,"B":2}', '{"A":1,"B":9007199254740993}', '{"A":5,"B":9007199254740993}', '{"A":5,"B":null}'],
  );
});
