import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T } from '../../src/common/sql-types.js';
import { createSerde, isSupportedFormat, validateFormatOptions } from '../../src/serde/index.js';

test('KAFKA: primitive encodings', () => {
  const int = createSerde('KAFKA', 'KEY', [{ name: 'K', type: T.INTEGER }]);
  assert.deepEqual(int.serialize([-2]), Buffer.from([0xff, 0xff, 0xff, 0xfe]));
  assert.deepEqual(int.deserialize(Buffer.from([0, 0, 1, 0])), [256]);
  const long = createSerde('KAFKA', 'VALUE', [{ name: 'V', type: T.BIGINT }]);
  assert.deepEqual(long.serialize([2n ** 62n]), Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(long.deserialize(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), [-1n]);
  const dbl = createSerde('KAFKA', 'VALUE', [{ name: 'V', type: T.DOUBLE }]);
  assert.deepEqual(dbl.serialize([1.5]), Buffer.from([0x3f, 0xf8, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(dbl.deserialize(dbl.serialize([-0.1])), [-0.1]);
  const str = createSerde('KAFKA', 'KEY', [{ name: 'K', type: T.STRING }]);
  assert.deepEqual(str.deserialize(Buffer.from('h\u00e9', 'utf8')), ['h\u00e9']);
  assert.deepEqual(str.deserialize(Buffer.alloc(0)), ['']);
  assert.deepEqual(str.serialize(['']), Buffer.alloc(0));
  const bytes = createSerde('KAFKA', 'VALUE', [{ name: 'B', type: T.BYTES }]);
  const input = Buffer.from([0, 1, 2]);
  const out = bytes.deserialize(input)![0] as Buffer;
  assert.deepEqual(out, input);
  input[0] = 9;
  assert.equal(out[0], 0, 'the result does not alias the input buffer');
});

test('KAFKA: nulls are null payloads', () => {
  const int = createSerde('KAFKA', 'VALUE', [{ name: 'V', type: T.INTEGER }]);
  assert.equal(int.serialize([null]), null);
  assert.equal(int.serialize(null), null);
  assert.equal(int.deserialize(null), null);
});

test('KAFKA: wrong sizes fail with the Kafka deserializer messages', () => {
  const cases: [Parameters<typeof T.array>[0], number, RegExp][] = [
    [T.INTEGER, 3, /Size of data received by IntegerDeserializer is not 4/],
    [T.BIGINT, 4, /Size of data received by LongDeserializer is not 8/],
    [T.DOUBLE, 9, /Size of data received by DoubleDeserializer is not 8/],
  ];
  for (const [type, size, pattern] of cases) {
    const s = createSerde('KAFKA', 'VALUE', [{ name: 'V', type }], { topic: 'tp' });
    assert.throws(() => s.deserialize(Buffer.alloc(size)), (e: unknown) => {
      assert.ok(e instanceof SerdeError);
      assert.match(e.message, pattern);
      assert.match(e.message, /from topic: tp/);
      return true;
    });
  }
});

test('KAFKA: creation errors', () => {
  assert.throws(
    () => createSerde('KAFKA', 'VALUE', [{ name: 'V0', type: T.INTEGER }, { name: 'V1', type: T.STRING }]),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "Value format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`V0` INTEGER, `V1` STRING], features=[]}\nreason: The 'KAFKA' format only supports a single field. Got: [`V0` INTEGER, `V1` STRING]",
  );
  // ksqlDB's whole SchemaNotSupportedException message, for keys and values
  assert.throws(
    () => createSerde('KAFKA', 'KEY', [{ name: 'K', type: T.BOOLEAN }]),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`K` BOOLEAN KEY], features=[]}\nreason: The 'KAFKA' format does not support type 'BOOLEAN'",
  );
  assert.throws(
    () => createSerde('KAFKA', 'KEY', [{ name: 'K', type: T.decimal(21, 19) }]),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`K` DECIMAL(21, 19) KEY], features=[]}\nreason: The 'KAFKA' format does not support type 'DECIMAL'",
  );
  assert.throws(
    () => createSerde('KAFKA', 'VALUE', [{ name: 'V', type: T.BOOLEAN }], { wrapSingleValue: false }),
    /: Value format does not support schema.\nformat: KAFKA\nschema: Persistence\{columns=\[`V` BOOLEAN\], features=\[UNWRAP_SINGLES\]\}\n/,
  );
  assert.throws(() => createSerde('KAFKA', 'VALUE', [{ name: 'V', type: T.array(T.INTEGER) }]), /does not support type 'ARRAY'/);
  assert.throws(
    () => createSerde('KAFKA', 'VALUE', [{ name: 'V', type: T.INTEGER }], { wrapSingleValue: true }),
    /Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'./,
  );
});

test('NONE and key-less keys ignore bytes and write nothing', () => {
  const none = createSerde('NONE', 'KEY', []);
  assert.equal(none.serialize([]), null);
  assert.deepEqual(none.deserialize(Buffer.from('data that should be ignored')), []);
  assert.equal(none.deserialize(null), null);
  for (const format of ['JSON', 'KAFKA', 'DELIMITED'] as const) {
    const keyless = createSerde(format, 'KEY', []);
    assert.equal(keyless.serialize([]), null, format);
    assert.deepEqual(keyless.deserialize(Buffer.from('ignored')), [], format);
  }
  assert.throws(
    () => createSerde('NONE', 'VALUE', [{ name: 'FOO', type: T.INTEGER }]),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "Value format does not support schema.\nformat: NONE\nschema: Persistence{columns=[`FOO` INTEGER], features=[]}\nreason: The 'NONE' format can only be used when no columns are defined. Got: [`FOO` INTEGER]",
  );
  assert.throws(() => createSerde('NONE', 'KEY', [{ name: 'BAR', type: T.INTEGER }]), /Got: \[`BAR` INTEGER KEY\]/);
});

test('format names and key-wide checks', () => {
  assert.ok(isSupportedFormat('JSON') && isSupportedFormat('NONE'));
  assert.ok(isSupportedFormat('AVRO') && !isSupportedFormat('FOO') && !isSupportedFormat('json') && !isSupportedFormat('toString'));
  assert.throws(() => createSerde('FOO' as 'JSON', 'VALUE', []), /Unknown format: FOO/);
  assert.throws(
    () => createSerde('JSON', 'KEY', [{ name: 'K', type: T.array(T.map(T.STRING, T.DOUBLE)) }]),
    /Map keys, including types that contain maps, are not supported .* Key column name: `K`. Column type: ARRAY<MAP<STRING, DOUBLE>>/,
  );
  const emptyValue = createSerde('JSON', 'VALUE', []);
  assert.equal(emptyValue.serialize([])!.toString(), '{}');
  assert.deepEqual(emptyValue.deserialize(Buffer.from('{"x": 1}')), []);
});

test('validateFormatOptions: statement-level checks need no columns and are not wrapped', () => {
  const plain = (message: string) => (e: unknown) => e instanceof ConfigError && e.message === message;
  assert.throws(() => validateFormatOptions('JSON', 'VALUE', { delimiter: '|' }), plain('JSON does not support the following configs: [delimiter]'));
  assert.throws(() => validateFormatOptions('KAFKA', 'KEY', { delimiter: '|' }), plain('KAFKA does not support the following configs: [delimiter]'));
  assert.throws(() => validateFormatOptions('NONE', 'KEY', { delimiter: '|' }), plain('NONE does not support the following configs: [delimiter]'));
  assert.throws(() => validateFormatOptions('JSON', 'VALUE', { schemaFullName: 'com.custom.schema' }), plain('JSON does not support the following configs: [fullSchemaName]'));
  assert.doesNotThrow(() => validateFormatOptions('AVRO', 'VALUE', { schemaFullName: 'com.custom.schema' }));
  assert.throws(
    () => validateFormatOptions('KAFKA', 'VALUE', { wrapSingleValue: true }),
    plain("Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'."),
  );
  assert.throws(
    () => validateFormatOptions('DELIMITED', 'VALUE', { wrapSingleValue: true }),
    plain("Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'."),
  );
  assert.throws(() => validateFormatOptions('DELIMITED', 'VALUE', { delimiter: 'ab' }), /^ConfigError: Configuration VALUE_DELIMITER is invalid/);
  assert.throws(() => validateFormatOptions('BAR' as 'JSON', 'VALUE', {}), plain('Unknown format: BAR'));
  for (const ok of [
    ['DELIMITED', { delimiter: ' ' }],
    ['DELIMITED', { delimiter: 'TAB' }],
    ['JSON', { wrapSingleValue: true }],
    ['KAFKA', { wrapSingleValue: false }],
  ] as const)
    assert.doesNotThrow(() => validateFormatOptions(ok[0], 'VALUE', ok[1]));
  // the same checks come first in createSerde, unwrapped, even for a key-less key
  assert.throws(() => createSerde('JSON', 'KEY', [], { delimiter: ';' }), plain('JSON does not support the following configs: [delimiter]'));
});
