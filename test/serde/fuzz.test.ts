import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { SerdeError } from '../../src/common/errors.js';
import { SqlTypes as T, type SqlType } from '../../src/common/sql-types.js';
import { createSerde, type FormatName, type RowSerde } from '../../src/serde/index.js';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIMITIVE_COLUMNS = [
  { name: 'B', type: T.BOOLEAN },
  { name: 'I', type: T.INTEGER },
  { name: 'L', type: T.BIGINT },
  { name: 'D', type: T.DOUBLE },
  { name: 'DEC', type: T.decimal(10, 3) },
  { name: 'S', type: T.STRING },
  { name: 'Y', type: T.BYTES },
  { name: 'TS', type: T.TIMESTAMP },
];
const NESTED_COLUMNS = [
  ...PRIMITIVE_COLUMNS,
  { name: 'A', type: T.array(T.struct([{ name: 'X', type: T.INTEGER }])) },
  { name: 'M', type: T.map(T.STRING, T.array(T.DOUBLE)) },
];

function serdes(): [string, RowSerde][] {
  const out: [string, RowSerde][] = [
    ['JSON wrapped', createSerde('JSON', 'VALUE', NESTED_COLUMNS)],
    ['JSON unwrapped struct', createSerde('JSON', 'VALUE', [{ name: 'K', type: T.struct(NESTED_COLUMNS) }], { wrapSingleValue: false })],
    ['DELIMITED', createSerde('DELIMITED', 'VALUE', PRIMITIVE_COLUMNS)],
    ['DELIMITED single', createSerde('DELIMITED', 'VALUE', [{ name: 'V', type: T.decimal(5, 2) }])],
    ['NONE', createSerde('NONE', 'KEY', [])],
  ];
  for (const c of PRIMITIVE_COLUMNS) {
    out.push([`JSON ${c.type.kind}`, createSerde('JSON', 'KEY', [c])]);
    if (['INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES'].includes(c.type.kind)) {
      out.push([`KAFKA ${c.type.kind}`, createSerde('KAFKA', 'VALUE', [c])]);
    }
  }
  return out;
}

const PIECES = ['{', '}', '[', ']', ',', ':', '"', '\\', 'null', 'true', 'false', '-', '0', '12345678901234567890', '1e999', '.5', 'e', '"b"', '"i"', '"dec"', '"a"', '"m"', ' ', '\n', '\u00e9', '\ud800', 'NaN', '"x"', '1.5'];

function randomInput(r: () => number): Buffer {
  const kind = r();
  if (kind < 0.4) {
    const n = Math.floor(r() * 40);
    const buf = Buffer.alloc(n);
    for (let i = 0; i < n; i++) buf[i] = Math.floor(r() * 256);
    return buf;
  }
  let s = '';
  const n = Math.floor(r() * 30);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return Buffer.from(s, 'utf8');
}

function assertOnlySerdeErrors(name: string, serde: RowSerde, input: Buffer): void {
  try {
    const row = serde.deserialize(input);
    assert.ok(row === null || Array.isArray(row), `${name}: unexpected result`);
  } catch (e) {
    if (!(e instanceof SerdeError)) {
      assert.fail(`${name} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} for ${JSON.stringify(input.toString('latin1'))}`);
    }
  }
}

test('fuzz: random bytes and token soup only ever raise SerdeError', () => {
  const r = rng(42);
  const all = serdes();
  for (let i = 0; i < 400; i++) {
    const input = randomInput(r);
    for (const [name, serde] of all) assertOnlySerdeErrors(name, serde, input);
  }
});

test('fuzz: mutated valid documents only ever raise SerdeError', () => {
  const r = rng(7);
  const json = createSerde('JSON', 'VALUE', NESTED_COLUMNS);
  const seed = Buffer.from(
    '{"B": true, "I": 1, "L": 12345678901234567890, "D": 1.5, "DEC": "12.5", "S": "x", "Y": "AQI=", "TS": 1, "A": [{"x": 1}], "M": {"k": [1.5]}}',
  );
  const csv = createSerde('DELIMITED', 'VALUE', PRIMITIVE_COLUMNS);
  const csvSeed = Buffer.from('true,1,2,1.5,12.5,"a,b",AQI=,1');
  for (let i = 0; i < 300; i++) {
    for (const [serde, base] of [
      [json, seed],
      [csv, csvSeed],
    ] as const) {
      const m = Buffer.from(base);
      const edits = 1 + Math.floor(r() * 3);
      for (let k = 0; k < edits; k++) m[Math.floor(r() * m.length)] = Math.floor(r() * 128);
      assertOnlySerdeErrors('mutated', serde, m);
    }
  }
  // a deeply nested document must not escape as a RangeError
  const deep = createSerde('JSON', 'VALUE', [{ name: 'S', type: T.STRING }]);
  assertOnlySerdeErrors('deep', deep, Buffer.from(`{"S": ${'['.repeat(200000)}12345678901234567 ${']'.repeat(200000)}}`));
});

function randomValue(t: SqlType, r: () => number): unknown {
  if (r() < 0.15) return null;
  switch (t.kind) {
    case 'BOOLEAN':
      return r() < 0.5;
    case 'INTEGER':
      return (Math.floor(r() * 2 ** 32) | 0) as number;
    case 'BIGINT':
      return BigInt.asIntN(64, BigInt(Math.floor(r() * 2 ** 53)) * BigInt(Math.floor(r() * 2 ** 20)) - 2n ** 60n);
    case 'DOUBLE':
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 'DECIMAL':
      return new Decimal(Math.floor((r() - 0.5) * 10 ** t.precision)).div(new Decimal(10).pow(t.scale));
    case 'STRING': {
      const chars = ['a', ',', '"', ' ', '\n', '\u00e9', '\ud83d\ude00', '\\', '-', '#', 'Z', '0'];
      let s = '';
      const n = Math.floor(r() * 8);
      for (let i = 0; i < n; i++) s += chars[Math.floor(r() * chars.length)];
      // DELIMITED reads an empty field as NULL, so keep strings non-empty for the round trip
      return s.length === 0 ? 'x' : s;
    }
    case 'BYTES':
      return Buffer.from([Math.floor(r() * 256), Math.floor(r() * 256)]);
    case 'TIMESTAMP':
      return Math.floor(r() * 2e12);
    case 'ARRAY':
      return Array.from({ length: Math.floor(r() * 3) }, () => randomValue(t.element, r));
    case 'MAP':
      return new Map(Array.from({ length: Math.floor(r() * 3) }, (_, i) => [`k${i}`, randomValue(t.value, r)]));
    case 'STRUCT':
      return Object.fromEntries(t.fields.map((f) => [f.name, randomValue(f.type, r)]));
    default:
      return null;
  }
}

/** Decimal values compare by value; everything else structurally. */
function normalise(v: unknown): unknown {
  if (Decimal.isDecimal(v)) return `dec:${(v as Decimal).toFixed()}`;
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) return new Map([...v].map(([k, e]) => [k, normalise(e)]));
  if (Buffer.isBuffer(v)) return v;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, normalise(e)]));
  return v;
}

test('property: random rows round-trip through JSON and DELIMITED', () => {
  const r = rng(99);
  const cases: [FormatName, typeof NESTED_COLUMNS][] = [
    ['JSON', NESTED_COLUMNS],
    ['DELIMITED', PRIMITIVE_COLUMNS],
  ];
  for (const [format, columns] of cases) {
    const serde = createSerde(format, 'VALUE', columns, format === 'DELIMITED' ? { delimiter: 'SPACE' } : {});
    for (let i = 0; i < 300; i++) {
      const row = columns.map((c) => randomValue(c.type, r));
      const back = serde.deserialize(serde.serialize(row));
      assert.deepEqual(normalise(back), normalise(row), `${format} ${serde.serialize(row)?.toString()}`);
    }
  }
});
