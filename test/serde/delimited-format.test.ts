import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { ConfigError, SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T, type SqlType } from '../../src/common/sql-types.js';
import { createSerde, parseDelimiter } from '../../src/serde/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const text = (buf: Buffer | null): string | null => (buf === null ? null : buf.toString('utf8'));

test('DELIMITED: round trip of every supported type', () => {
  const serde = createSerde('DELIMITED', 'VALUE', [
    { name: 'B', type: T.BOOLEAN },
    { name: 'I', type: T.INTEGER },
    { name: 'L', type: T.BIGINT },
    { name: 'D', type: T.DOUBLE },
    { name: 'DEC', type: T.decimal(6, 4) },
    { name: 'S', type: T.STRING },
    { name: 'BY', type: T.BYTES },
    { name: 'DT', type: T.DATE },
    { name: 'TM', type: T.TIME },
    { name: 'TS', type: T.TIMESTAMP },
  ]);
  const row = [true, 42, 998877665544332211n, 1e21, new Decimal(10), 'a,b "c"', Buffer.from('variations'), -3, 10, 1700000000000];
  const out = text(serde.serialize(row));
  assert.equal(out, 'true,42,998877665544332211,1.0E21,10.0000,"a,b ""c""",dmFyaWF0aW9ucw==,-3,10,1700000000000');
  const back = serde.deserialize(b(out!))!;
  assert.deepEqual(back.slice(0, 4), [true, 42, 998877665544332211n, 1e21]);
  assert.equal((back[4] as Decimal).toFixed(4), '10.0000');
  assert.deepEqual(back.slice(5), ['a,b "c"', Buffer.from('variations'), -3, 10, 1700000000000]);
});

test('DELIMITED: empty fields are NULL, nulls print empty', () => {
  const serde = createSerde('DELIMITED', 'VALUE', [
    { name: 'C1', type: T.BIGINT },
    { name: 'C2', type: T.INTEGER },
    { name: 'C3', type: T.STRING },
  ]);
  assert.deepEqual(serde.deserialize(b(',456,foo')), [null, 456, 'foo']);
  assert.deepEqual(serde.deserialize(b(',,')), [null, null, null]);
  assert.equal(text(serde.serialize([null, 1, null])), ',1,');
  assert.equal(serde.serialize(null), null);
  assert.equal(serde.deserialize(null), null);
  const single = createSerde('DELIMITED', 'VALUE', [{ name: 'V', type: T.INTEGER }]);
  assert.equal(text(single.serialize([null])), '');
  assert.deepEqual(single.deserialize(b('')), [null]);
});

test('DELIMITED: quoting follows commons-csv as used by ksqlDB', () => {
  const serde = createSerde('DELIMITED', 'VALUE', [
    { name: 'A', type: T.STRING },
    { name: 'B', type: T.STRING },
    { name: 'C', type: T.STRING },
  ]);
  assert.equal(text(serde.serialize(['!', 'IQ==', '!'])), '"!",IQ==,"!"');
  assert.equal(text(serde.serialize(['-1', '-1', 'x '])), '"-1",-1,"x "');
  assert.equal(text(serde.serialize(['', '', 'line\nbreak'])), '"",,"line\nbreak"');
  assert.deepEqual(serde.deserialize(b('"a""b",  "c" ,"x\ny"')), ['a"b', '  "c" ', 'x\ny']);
  // only the first record counts, and empty leading lines are skipped
  assert.deepEqual(serde.deserialize(b('\r\n1,2,3\r\n4,5,6')), ['1', '2', '3']);
  const dec = createSerde('DELIMITED', 'VALUE', [{ name: 'V', type: T.decimal(33, 16) }]);
  assert.equal(text(dec.serialize(dec.deserialize(b('"-12345.12"')))), '"-12345.1200000000000000"');
  assert.equal(text(dec.serialize(dec.deserialize(b('.12')))), '0.1200000000000000');
});

test('DELIMITED: custom delimiters, TAB and SPACE', () => {
  const cols = [
    { name: 'ID', type: T.BIGINT },
    { name: 'NAME', type: T.STRING },
    { name: 'V', type: T.INTEGER },
  ];
  const pipe = createSerde('DELIMITED', 'VALUE', cols, { delimiter: '|' });
  assert.deepEqual(pipe.deserialize(b('0|zero|0')), [0n, 'zero', 0]);
  assert.equal(text(pipe.serialize([1n, 'a|b', 2])), '1|"a|b"|2');
  const space = createSerde('DELIMITED', 'VALUE', cols, { delimiter: 'SPACE' });
  assert.deepEqual(space.deserialize(b('100 100 500')), [100n, '100', 500]);
  assert.equal(text(space.serialize([1n, 'a b', 2])), '1 "a b" 2');
  const tab = createSerde('DELIMITED', 'VALUE', cols, { delimiter: 'TAB' });
  assert.equal(text(tab.serialize([1n, 'x', 2])), '1\tx\t2');
  assert.deepEqual(tab.deserialize(b('1\tx,y\t2')), [1n, 'x,y', 2]);
  const key = createSerde('DELIMITED', 'KEY', [{ name: 'K1', type: T.STRING }, { name: 'K2', type: T.STRING }], { delimiter: ';' });
  assert.deepEqual(key.deserialize(b('foo,bar;baz')), ['foo,bar', 'baz']);
  // the catalog stores the resolved character: a space or a tab taken literally
  const literalSpace = createSerde('DELIMITED', 'VALUE', cols, { delimiter: ' ' });
  assert.deepEqual(literalSpace.deserialize(b('0 zero 0')), [0n, 'zero', 0]);
  assert.equal(text(literalSpace.serialize([0n, 'zero', 0])), '0 zero 0');
  const literalTab = createSerde('DELIMITED', 'KEY', cols, { delimiter: '\t' });
  assert.deepEqual(literalTab.deserialize(b('1\tx\t2')), [1n, 'x', 2]);
  assert.throws(() => createSerde('DELIMITED', 'VALUE', cols, { delimiter: '||' }), /Invalid delimiter value: '\|\|'/);
  assert.throws(() => createSerde('DELIMITED', 'VALUE', cols, { delimiter: '' }), /Delimiter cannot be empty/);
  assert.throws(
    () => createSerde('DELIMITED', 'VALUE', cols, { delimiter: '"' }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.endsWith(`reason: The quoteChar character and the delimiter cannot be the same ('"')`),
  );
});

test('DELIMITED: parseDelimiter validates the WITH clause text like ksqlDB', () => {
  assert.equal(parseDelimiter(undefined, 'VALUE'), ',');
  assert.equal(parseDelimiter('|', 'VALUE'), '|');
  assert.equal(parseDelimiter('TAB', 'VALUE'), '\t');
  assert.equal(parseDelimiter('SPACE', 'KEY'), ' ');
  assert.throws(() => parseDelimiter(' ', 'VALUE'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      "Configuration VALUE_DELIMITER is invalid: Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'\nExample valid value: ';'",
    );
    return true;
  });
  assert.throws(() => parseDelimiter('\t', 'KEY'), /KEY_DELIMITER is invalid: Delimiter cannot be empty/);
  assert.throws(() => parseDelimiter('space', 'VALUE'), /Invalid delimiter value: 'space'. Delimiter must be a single character or TAB,SPACE/);
});

test('DELIMITED: Java parsing rules for primitives', () => {
  const s = createSerde('DELIMITED', 'VALUE', [
    { name: 'B', type: T.BOOLEAN },
    { name: 'D', type: T.DOUBLE },
  ]);
  assert.deepEqual(s.deserialize(b('TRUE,1.5e2')), [true, 150]);
  assert.deepEqual(s.deserialize(b('yes,NaN')), [false, NaN]);
  assert.deepEqual(s.deserialize(b('true,-Infinity')), [true, -Infinity]);
  assert.equal(text(s.serialize([false, 0.001])), 'false,0.001');
  assert.equal(text(s.serialize([false, 1e-4])), 'false,1.0E-4');
  assert.equal(text(s.serialize([true, 10])), 'true,10.0');
});

test('DELIMITED: malformed records fail with SerdeError', () => {
  const s = createSerde('DELIMITED', 'VALUE', [
    { name: 'A', type: T.INTEGER },
    { name: 'B', type: T.INTEGER },
    { name: 'C', type: T.INTEGER },
  ]);
  const check = (input: string, pattern: RegExp) =>
    assert.throws(() => s.deserialize(b(input)), (e: unknown) => e instanceof SerdeError && pattern.test(e.message));
  check('1,2', /Column count mismatch on deserialization. expected: 3, got: 2/);
  check('1,2,3,4', /expected: 3, got: 4/);
  check('1,x,3', /column `B` INTEGER: For input string: "x"/);
  check('1,2147483648,3', /For input string/);
  check('1," 2,3', /EOF reached before encapsulated token finished/);
  check('1,"2"x,3', /Invalid char between encapsulated token and delimiter/);
  const dec = createSerde('DELIMITED', 'VALUE', [{ name: 'D', type: T.decimal(3, 1) }]);
  assert.throws(() => dec.deserialize(b('123.4')), /Numeric field overflow/);
  assert.throws(() => dec.deserialize(b('1.25')), /without rounding/);
  const bytes = createSerde('DELIMITED', 'VALUE', [{ name: 'Y', type: T.BYTES }]);
  assert.throws(() => bytes.deserialize(b('@@@')), SerdeError);
});

test('DELIMITED: creation errors', () => {
  const schemaError = (target: 'KEY' | 'VALUE', column: { name: string; type: SqlType }, expected: string) =>
    assert.throws(
      () => createSerde('DELIMITED', target, [column]),
      (e: unknown) => e instanceof ConfigError && e.message === expected,
    );
  schemaError(
    'KEY',
    { name: 'K', type: T.array(T.DOUBLE) },
    "Key format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=[`K` ARRAY<DOUBLE> KEY], features=[]}\nreason: The 'DELIMITED' format does not support type 'ARRAY', column: `K`",
  );
  schemaError(
    'KEY',
    { name: 'K', type: T.struct([{ name: 'F', type: T.DOUBLE }]) },
    "Key format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=[`K` STRUCT<`F` DOUBLE> KEY], features=[]}\nreason: The 'DELIMITED' format does not support type 'STRUCT', column: `K`",
  );
  schemaError(
    'VALUE',
    { name: 'M', type: T.map(T.STRING, T.INTEGER) },
    "Value format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=[`M` MAP<STRING, INTEGER>], features=[]}\nreason: The 'DELIMITED' format does not support type 'MAP', column: `M`",
  );
  assert.throws(
    () => createSerde('DELIMITED', 'VALUE', [{ name: 'A', type: T.INTEGER }], { wrapSingleValue: true }),
    /Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'./,
  );
  assert.doesNotThrow(() => createSerde('DELIMITED', 'VALUE', [{ name: 'A', type: T.INTEGER }], { wrapSingleValue: false }));
});
