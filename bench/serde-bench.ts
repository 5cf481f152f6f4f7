/**
 * Serde throughput for a typical 5-column row: JSON (fast JSON.parse path and the lossless path
 * taken when a number has 16+ digits), DELIMITED and KAFKA. Run: node dist/bench/serde-bench.js
 */
import { Decimal } from 'decimal.js';
import { SqlTypes } from '../src/common/sql-types.js';
import { createSerde, type FormatName, type RowSerde, type SerdeColumn } from '../src/serde/index.js';

const columns: SerdeColumn[] = [
  { name: 'AUCTION', type: SqlTypes.BIGINT },
  { name: 'BIDDER', type: SqlTypes.STRING },
  { name: 'PRICE', type: SqlTypes.decimal(10, 2) },
  { name: 'CHANNEL', type: SqlTypes.STRING },
  { name: 'DATETIME', type: SqlTypes.TIMESTAMP },
];

const N = 1024;
function rows(bigIds: boolean): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i < N; i++) {
    out.push([
      bigIds ? 1234567890123456789n + BigInt(i) : BigInt(1000 + i),
      `bidder-${i % 97}`,
      new Decimal(i).div(4),
      i % 3 === 0 ? 'apple' : 'google',
      1700000000000 + i,
    ]);
  }
  return out;
}

function rate(fn: (i: number) => void): number {
  for (let i = 0; i < 20_000; i++) fn(i); // warm-up
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 0.5) {
    for (let i = 0; i < 10_000; i++) fn(count + i);
    count += 10_000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return count / elapsed;
}

function report(label: string, serde: RowSerde, data: unknown[][]): void {
  const encoded = data.map((r) => serde.serialize(r)!);
  const ser = rate((i) => serde.serialize(data[i & (N - 1)]!));
  const de = rate((i) => serde.deserialize(encoded[i & (N - 1)]!));
  console.log(`${label.padEnd(28)} serialize ${Math.round(ser).toLocaleString().padStart(10)} rows/s   deserialize ${Math.round(de).toLocaleString().padStart(10)} rows/s`);
}

const cases: [string, FormatName, boolean][] = [
  ['JSON', 'JSON', false],
  ['JSON (19-digit BIGINTs)', 'JSON', true],
  ['DELIMITED', 'DELIMITED', false],
];
for (const [label, format, big] of cases) report(label, createSerde(format, 'VALUE', columns), rows(big));
report('KAFKA (BIGINT)', createSerde('KAFKA', 'KEY', [columns[0]!]), rows(false).map((r) => [r[0]]));
