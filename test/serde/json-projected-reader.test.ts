/**
 * The JSON fast path for queries that read some columns (neededColumns) against the general path:
 * on every input the fast serde must give the general path's row with the unneeded columns NULL,
 * or exactly its error. Table-driven tricky inputs, then fast-check properties over generated
 * documents (seeded, so a failure replays).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SqlTypes as T, type SqlType } from '../../src/common/sql-types.js';
import { createSerde, type SerdeColumn } from '../../src/serde/index.js';
import { compileProjectedFieldsReader } from '../../src/serde/json-projected-reader.js';

type Outcome = { row: unknown[] | null } | { error: string };

function outcome(f: () => unknown[] | null): Outcome {
  try {
    return { row: f() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** asserts the fast path agrees with the general one on `text` */
function agree(columns: readonly SerdeColumn[], needed: readonly string[] | undefined, bytes: Buffer): void {
  const general = createSerde('JSON', 'VALUE', columns, { generalPath: true });
  // undefined: every column needed (what a query reading all columns, and anything else reading a value, gets)
  const fast = createSerde('JSON', 'VALUE', columns, needed === undefined ? {} : { neededColumns: needed });
  needed ??= columns.map((c) => c.name);
  // unneeded columns may come out NULL (the fast path) or filled (when it hands over to the general path)
  const masked = (o: Outcome): Outcome => ('row' in o && o.row !== null ? { row: o.row.map((v, i) => (needed.includes(columns[i]!.name) ? v : null)) } : o);
  assert.deepStrictEqual(masked(outcome(() => fast.deserialize(bytes))), masked(outcome(() => general.deserialize(bytes))), `on ${JSON.stringify(bytes.toString('utf8'))}`);
}

const BID: SerdeColumn[] = [
  { name: 'AUCTION', type: T.BIGINT },
  { name: 'BIDDER', type: T.BIGINT },
  { name: 'PRICE', type: T.BIGINT },
  { name: 'CHANNEL', type: T.STRING },
  { name: 'EXTRA', type: T.STRING },
  { name: 'D', type: T.decimal(4, 2) },
  { name: 'B', type: T.BOOLEAN },
  { name: 'N', type: T.INTEGER },
  { name: 'ARR', type: T.array(T.INTEGER) },
  { name: 'S', type: T.struct([{ name: 'X', type: T.DOUBLE }]) },
  { name: 'M', type: T.map(T.STRING, T.BIGINT) },
  { name: 'BY', type: T.BYTES },
  { name: 'lower', type: T.STRING },
];

const TRICKY = [
  '{"auction":1,"price":2}',
  '{"AUCTION":1,"auction":2}',
  '{"auction":1,"Auction":2}',
  '{"Auction":1,"aUction":2,"AUCTION":3}',
  '{"auction":1,"auction":2}',
  '{"auction":1,"auction":null}',
  '{"AUCTION":null,"auction":5}',
  '{"price":12345678901234567890}',
  '{"price":123456789012345678901234567890}',
  '{"price":9007199254740993}',
  '{"price":1.5e300}',
  '{"price":-0}',
  '{"price":1e400}',
  '{"price":0.1234567890123456789}',
  '{"price":"123"}',
  '{"price":"12x"}',
  '{"price":true}',
  '{"price":{"a":1}}',
  '{"channel":"a\\"b\\u0041\\n"}',
  '{"channel":"\\ud800"}',
  '{"channel":12.50}',
  '{"channel":[1,"a",null,{"b":2}]}',
  '{"channel":{"z":1,"a":[true]}}',
  '{"ch\\u0061nnel":"escaped key"}',
  '{"extra":"\u0001"}',
  '{"extra":"tab\there"}',
  '{"extra":"\\x"}',
  '{"extra":"\\u12g4"}',
  '{"d":1.234}',
  '{"d":123.4}',
  '{"d":"1.5"}',
  '{"d":"abc"}',
  '{"b":"true"}',
  '{"b":1}',
  '{"n":2147483648}',
  '{"n":"x"}',
  '{"arr":[1,"2",null]}',
  '{"arr":[1,"x"]}',
  '{"arr":5}',
  '{"s":{"x":1,"X":2}}',
  '{"s":{"x":"nope"}}',
  '{"m":{"a":1,"b":"2"}}',
  '{"m":{"a":"q"}}',
  '{"by":"AAEC"}',
  '{"by":"!!"}',
  '{"lower":"exact"}',
  '{"LOWER":"upper only"}',
  '{"constructor":1,"__proto__":{"a":1},"toString":"x","auction":3}',
  '{"unknown":{"deep":[[[[{}]]]]},"auction":4}',
  `{"unknown":${'['.repeat(300)}${']'.repeat(300)},"auction":4}`,
  `{"extra":${'['.repeat(1100)}${']'.repeat(1100)}}`,
  '{"auction":01}',
  '{"auction":1.}',
  '{"auction":.5}',
  '{"auction":-}',
  '{"auction":1e}',
  '{"auction":+1}',
  '{"auction":1,}',
  '{,"auction":1}',
  '{"auction" 1}',
  '{"auction":1}}',
  '{"auction":1} x',
  '{"auction":1',
  '{"auction":tru}',
  '{"auction":nul}',
  '{"auction":NaN}',
  '{}',
  '  {  "auction" : 7 , "price"\n:\t8 }  ',
  'null',
  ' null x',
  '"str"',
  '[1,2]',
  '5',
  '',
  '   ',
  '\ufeff{"auction":1}',
  '{"extra":"\u00e9\u4e2d\ud83d\ude00"}',
  '{"auction":1,"extra":"12345678901234567890"}',
];

test('fast path agrees with the general path on tricky documents, for several needed sets', () => {
  const sets = [['AUCTION', 'PRICE'], ['CHANNEL'], ['D', 'ARR'], ['lower'], ['S', 'M', 'BY'], [], undefined];
  for (const needed of sets) for (const text of TRICKY) agree(BID, needed, Buffer.from(text, 'utf8'));
  // a byte order mark, and invalid UTF-8
  agree(BID, ['AUCTION'], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"auction":9}')]));
  agree(BID, ['CHANNEL'], Buffer.concat([Buffer.from('{"channel":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
});

test('skipped columns are still checked: a record the full schema refuses is refused', () => {
  const fast = createSerde('JSON', 'VALUE', BID, { neededColumns: ['AUCTION'] });
  assert.throws(() => fast.deserialize(Buffer.from('{"auction":1,"d":123.4}')), /Numeric field overflow/);
  assert.throws(() => fast.deserialize(Buffer.from('{"auction":1,"b":"x"}')), /BOOLEAN/);
  assert.deepStrictEqual(fast.deserialize(Buffer.from('{"auction":1,"extra":[1,2]}')), [1n, ...BID.slice(1).map(() => null)]);
});

test('the fast path answers ordinary records itself (no hand-over to the general path)', () => {
  const read = compileProjectedFieldsReader(BID, BID.map((c) => c.name === 'AUCTION' || c.name === 'CHANNEL'));
  const row = read('{"auction":1000,"bidder":2,"price":3,"channel":"Google","extra":"padding \\"text\\"","d":1.5,"arr":[1,2],"s":{"x":1},"by":"AAEC"}');
  assert.ok(row);
  assert.deepStrictEqual(row.slice(0, 4), [1000n, null, null, 'Google']);
  assert.equal(read('{"auction":1,"channel":"a","d":"1.2345"}'), undefined, 'a DECIMAL that does not fit: the general path reports it');
  assert.equal(read('{"auction":1,"Auction":2}'), undefined, 'two casings of one column: the general path picks');
});

// ---- properties --------------------------------------------------------------------------------

const KEYS = ['auction', 'AUCTION', 'Auction', 'price', 'channel', 'extra', 'd', 'b', 'n', 'arr', 's', 'm', 'by', 'lower', 'LOWER', 'other', 'a\\u0075ction'];

const scalarText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('0', '-0', '1.50', '1e3', '1E-2', '12345678901234567', '0.1234567890123456', '99.99', '-1.005'),
  fc.string().map((s) => JSON.stringify(s)),
  fc.constantFrom('"12"', '"1.5"', '"true"', '"AAEC"', '"\\u00e9\\n"', '"abc"', '""'),
  fc.constantFrom('true', 'false', 'null'),
);

const valueText: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.array(tie('v'), { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
    fc.array(fc.tuple(fc.constantFrom(...KEYS, 'x', 'X'), tie('v')), { maxLength: 3 }).map((a) => `{${a.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
  ),
})).v;

const ws = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');

const documentText = fc
  .array(fc.tuple(fc.constantFrom(...KEYS), valueText, ws, ws), { maxLength: 8 })
  .map((fields) => `{${fields.map(([k, v, a, b]) => `${a}"${k}"${b}:${a}${v}${b}`).join(',')}}`);

/** a document, sometimes damaged by one edit */
const maybeBroken = fc.oneof(
  { weight: 4, arbitrary: documentText },
  fc.tuple(documentText, fc.nat(), fc.constantFrom('', ',', '}', '"', '\\', '\u0001', ' ', 'x', '1', '[')).map(([d, at, ins]) => {
    const i = at % (d.length + 1);
    return d.slice(0, i) + ins + d.slice(i + 1);
  }),
);

const COLUMN_TYPES: SqlType[] = [
  T.BIGINT,
  T.INTEGER,
  T.DOUBLE,
  T.STRING,
  T.BOOLEAN,
  T.TIMESTAMP,
  T.decimal(6, 2),
  T.BYTES,
  T.array(T.STRING),
  T.map(T.STRING, T.INTEGER),
  T.struct([{ name: 'X', type: T.BIGINT }]),
];
const NAMES = ['AUCTION', 'PRICE', 'CHANNEL', 'EXTRA', 'D', 'B', 'N', 'ARR', 'S', 'M', 'BY', 'lower', 'Auction'];

const schema = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 8 })
  .chain((names) => fc.tuple(fc.tuple(...names.map((name) => fc.constantFrom(...COLUMN_TYPES).map((type) => ({ name, type })))), fc.subarray(names)));

test('property: fast path = general path with unneeded columns NULL, or the same error', () => {
  fc.assert(
    fc.property(schema, maybeBroken, ([columns, needed], text) => agree(columns, needed, Buffer.from(text, 'utf8'))),
    { seed: 1407, numRuns: 5000 },
  );
});

test('property: with every column needed (no neededColumns), the one-pass reader = the general path', () => {
  fc.assert(
    fc.property(schema, maybeBroken, ([columns], text) => agree(columns, undefined, Buffer.from(text, 'utf8'))),
    { seed: 1408, numRuns: 3000 },
  );
});

// ---- the fast scan (records repeating the keys of the record before) ----------------------------

/** `text` read by a reader that has just read `primer` (so it may take the fast scan), twice */
function agreeAfter(columns: readonly SerdeColumn[], needed: readonly string[] | undefined, primer: string, text: string): void {
  const general = createSerde('JSON', 'VALUE', columns, { generalPath: true });
  const fast = createSerde('JSON', 'VALUE', columns, needed === undefined ? {} : { neededColumns: needed });
  const want = needed ?? columns.map((c) => c.name);
  const masked = (o: Outcome): Outcome => ('row' in o && o.row !== null ? { row: o.row.map((v, i) => (want.includes(columns[i]!.name) ? v : null)) } : o);
  for (const doc of [primer, primer, text, text, primer]) {
    const bytes = Buffer.from(doc, 'utf8');
    assert.deepStrictEqual(masked(outcome(() => fast.deserialize(bytes))), masked(outcome(() => general.deserialize(bytes))), `on ${JSON.stringify(doc)} after ${JSON.stringify(primer)}`);
  }
}

const compactFields = fc.array(fc.tuple(fc.constantFrom(...KEYS), valueText), { maxLength: 8 });

test('the fast scan agrees with the general path on records after one with the same keys', () => {
  const primerOf = (keys: readonly string[], value: string) => `{${keys.map((k) => `"${k}":${value}`).join(',')}}`;
  // tricky values behind plain primers: every TRICKY document's keys, primed with each scalar
  for (const text of TRICKY) {
    let keys: string[];
    try {
      keys = Object.keys(JSON.parse(text) as object);
    } catch {
      keys = ['auction', 'price'];
    }
    for (const v of ['1', '"x"', 'null', 'true'])
      for (const needed of [['AUCTION', 'PRICE'], ['CHANNEL', 'lower'], undefined]) agreeAfter(BID, needed, primerOf(keys, v), text);
  }
  fc.assert(
    fc.property(
      schema,
      compactFields,
      fc.constantFrom('1', '"x"', 'null', '-2.5e3', 'false'),
      fc.nat(),
      fc.constantFrom('', ',', '}', '"', '\\', '\u0001', ' ', 'x', '1', '[', '{', 'e'),
      ([columns, needed], fields, plain, at, ins) => {
        const text = `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
        const primer = primerOf(
          fields.map(([k]) => k),
          plain,
        );
        agreeAfter(columns, needed, primer, text);
        const i = at % (text.length + 1);
        agreeAfter(columns, needed, primer, text.slice(0, i) + ins + text.slice(i + 1));
      },
    ),
    { seed: 1409, numRuns: 3000 },
  );
});

test('the fast scan takes ordinary records (no hand-over to the general path)', () => {
  const read = compileProjectedFieldsReader(BID, BID.map((c) => c.name === 'AUCTION' || c.name === 'EXTRA'));
  assert.deepStrictEqual(read('{"auction":1,"extra":"a","b":true}')?.slice(0, 5), [1n, null, null, null, 'a']);
  assert.deepStrictEqual(read('{"auction":-20,"extra":"b\u00e9","b":false}')?.slice(0, 5), [-20n, null, null, null, 'b\u00e9']);
  assert.equal(read('{"auction":-20,"extra":"b\u0001","b":false}'), undefined, 'a raw control character');
  assert.equal(read('{"auction":1,"extra":"a","b":"x"}'), undefined, 'a BOOLEAN column given a string');
  assert.deepStrictEqual(read('{"auction":3,"extra":"c\\"","b":null}')?.slice(0, 5), [3n, null, null, null, 'c"'], 'an escape: the careful scan');
});

test('the fast scan compares keys by code unit (keys beyond the BMP, keys sharing a prefix)', () => {
  const cols: SerdeColumn[] = [
    { name: 'K\ud83d\ude00', type: T.BIGINT },
    { name: 'K', type: T.BIGINT },
  ];
  const read = compileProjectedFieldsReader(cols, [true, true]);
  for (let i = 0; i < 3; i++) assert.deepStrictEqual(read(`{"k\ud83d\ude00":${i},"k":${i + 1}}`), [BigInt(i), BigInt(i + 1)]);
  assert.deepStrictEqual(read('{"k\ud83d\ude01":7,"k":8}'), [null, 8n]);
  assert.deepStrictEqual(read('{"k\ud83d\ude00":7,"kk":8}'), [7n, null]);
});

test('strings read from plain tokens are written back as JSON.stringify writes them; others still escaped', () => {
  const cols: SerdeColumn[] = [
    { name: 'A', type: T.STRING },
    { name: 'B', type: T.STRING },
  ];
  const serde = createSerde('JSON', 'VALUE', cols);
  const texts = ['{"a":"plain","b":"caf\u00e9 \ud83d\ude00"}', '{"a":"q\\"x","b":"tab\\t"}', '{"a":"x","b":"y"}'];
  for (let i = 0; i < 3; i++)
    for (const text of texts) {
      const row = serde.deserialize(Buffer.from(text, 'utf8'))!;
      const want = `{"A":${JSON.stringify(row[0])},"B":${JSON.stringify(row[1])}}`;
      assert.equal(serde.serialize(row)!.toString('utf8'), want);
      // values that did not come from the record are tested as ever (a lone surrogate, a quote)
      for (const other of ['\ud800', 'a"b', 'ctl\u0001', `${row[0] as string}\ud800`]) {
        assert.equal(serde.serialize([other, row[1]])!.toString('utf8'), Buffer.from(`{"A":${JSON.stringify(other)},"B":${JSON.stringify(row[1])}}`, 'utf8').toString('utf8'));
      }
    }
  // a reader not given UTF-8 text hands nothing over: a lone surrogate in it is still escaped
  const read = compileProjectedFieldsReader(cols, [true, true]);
  for (let i = 0; i < 2; i++) {
    const row = read('{"a":"\ud800","b":"ok"}')!;
    assert.equal(serde.serialize(row)!.toString('utf8'), '{"A":"\\ud800","B":"ok"}');
  }
});

test('the fast scan refuses what JSON refuses, behind a primer with the same keys', () => {
  const values = ['01', '-01', '00', '-', '1.', '.5', '1e', '1e+', '+1', '1.5e3', '-0', '0', '1E+2', '1e-2', '-0.0', 'tru', 'truee', 'nul', 'nulll', 'fals', 'NaN', 'Infinity', '"a', '"a\u0001"', '"a\tb"', '"\u007f"', '"\\u0041"', '""', '"\u2028"', '[]', '{}', "'a'", '1 ', ' 1', '0x10', '1_000'];
  for (const v of values)
    for (const text of [`{"auction":${v},"price":2,"extra":"x"}`, `{"auction":1,"price":2,"extra":${v}}`, `{"auction":1,"price":2,"extra":"x"}${v}`])
      for (const needed of [['AUCTION', 'PRICE', 'EXTRA'], ['PRICE'], undefined]) agreeAfter(BID, needed, '{"auction":1,"price":2,"extra":"x"}', text);
});

test('records whose keys keep changing order read right (plans are made sparingly)', () => {
  const general = createSerde('JSON', 'VALUE', BID, { generalPath: true });
  const fast = createSerde('JSON', 'VALUE', BID, { neededColumns: ['AUCTION', 'EXTRA'] });
  for (let i = 0; i < 3000; i++) {
    const text = i % 3 === 0 ? `{"auction":${i},"extra":"e${i}"}` : i % 3 === 1 ? `{"extra":"e${i}","auction":${i}}` : `{"auction":${i},"price":1,"extra":"e${i}"}`;
    const want = general.deserialize(Buffer.from(text))!;
    assert.deepStrictEqual(fast.deserialize(Buffer.from(text))!.slice(0, 13), [want[0], null, null, null, want[4], ...want.slice(5).map(() => null)], text);
  }
});

test('the fast scan reuses a numeric value only for the same number (0 and -0 apart), and narrows unneeded fields to the kinds that always read', () => {
  const cols: SerdeColumn[] = [
    { name: 'A', type: T.BIGINT },
    { name: 'D', type: T.DOUBLE },
    { name: 'T', type: T.TIMESTAMP },
    { name: 'U', type: T.BIGINT },
    { name: 'B', type: T.BOOLEAN },
  ];
  const read = compileProjectedFieldsReader(cols, [true, true, true, false, false]);
  const general = createSerde('JSON', 'VALUE', cols, { generalPath: true });
  const rows = ['1,0,5', '1,-0,5', '1,-0,5', '10,0.5,5', '10,5e-1,6', '9007199254740993,1e400,6', '9007199254740993,1e400,6', '-1,0,7'].map((nums) => {
    const [a, d, t] = nums.split(',');
    const text = `{"a":${a},"d":${d},"t":${t},"u":2,"b":true}`;
    const row = read(text);
    assert.deepStrictEqual(row?.slice(0, 3), general.deserialize(Buffer.from(text))!.slice(0, 3), text);
    return row;
  });
  assert.deepStrictEqual(rows, [
    [1n, 0, 5, null, null],
    [1n, -0, 5, null, null],
    [1n, -0, 5, null, null],
    [10n, 0.5, 5, null, null],
    [10n, 0.5, 6, null, null],
    [9007199254740993n, Infinity, 6, null, null],
    [9007199254740993n, Infinity, 6, null, null],
    [-1n, 0, 7, null, null],
  ]);
  assert.ok(Object.is(rows[1]![1], -0) && Object.is(rows[2]![1], -0) && Object.is(rows[7]![1], 0));
  // an unneeded BIGINT given a string, an unneeded BOOLEAN given a number: converted to be checked
  assert.deepStrictEqual(read('{"a":1,"d":0,"t":5,"u":"3","b":true}'), [1n, 0, 5, null, null]);
  assert.equal(read('{"a":1,"d":0,"t":5,"u":"x","b":true}'), undefined);
  assert.equal(read('{"a":1,"d":0,"t":5,"u":2,"b":1}'), undefined);
  assert.deepStrictEqual(read('{"a":1,"d":0,"t":5,"u":null,"b":null}'), [1n, 0, 5, null, null]);
});

test('records read as Latin-1 first are read as UTF-8 when not ASCII (accents, emoji, bad UTF-8, a byte order mark)', () => {
  const columns: SerdeColumn[] = [
    { name: 'AUCTION', type: T.BIGINT },
    { name: 'CHANNEL', type: T.STRING },
    { name: 'EXTRA', type: T.STRING },
  ];
  const primer = Buffer.from('{"auction":1,"channel":"c","extra":"e"}');
  const docs: Buffer[] = [
    Buffer.from('{"auction":2,"channel":"caf\u00e9","extra":"e"}'),
    Buffer.from('{"auction":3,"channel":"c","extra":"\ud83d\ude00"}'),
    Buffer.from('{"auction":4,"channel":"\u00ff","extra":"\u0080"}'),
    Buffer.concat([Buffer.from('{"auction":5,"channel":"'), Buffer.from([0xe9, 0xff, 0xc3]), Buffer.from('","extra":"e"}')]),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), primer]),
    Buffer.from('{"auction":6,"channel":"c","extra":"\u007f"}'),
    Buffer.from('{"auction":7,"channel":"c","extra":"e\u0001"}'),
  ];
  for (const needed of [['AUCTION', 'CHANNEL'], ['AUCTION'], undefined]) {
    const general = createSerde('JSON', 'VALUE', columns, { generalPath: true });
    const fast = createSerde('JSON', 'VALUE', columns, needed === undefined ? {} : { neededColumns: needed });
    const want = needed ?? columns.map((c) => c.name);
    const masked = (o: Outcome): Outcome => ('row' in o && o.row !== null ? { row: o.row.map((v, i) => (want.includes(columns[i]!.name) ? v : null)) } : o);
    for (const doc of docs) {
      // past the records read as UTF-8 after a miss: this document is tried as Latin-1 first
      for (let i = 0; i < 100; i++) fast.deserialize(primer);
      for (const bytes of [doc, primer, doc])
        assert.deepStrictEqual(masked(outcome(() => fast.deserialize(bytes))), masked(outcome(() => general.deserialize(bytes))), `on ${bytes.toString('hex')}`);
    }
  }
});
