/**
 * Expression evaluation throughput: compiled Sluice expressions against hand-written JS doing the
 * same work. Run: node dist/bench/expression-bench.js
 */
import { SqlTypes } from '../src/common/sql-types.js';
import type { Expression } from '../src/sql/ast.js';
import { FunctionRegistry } from '../src/functions/registry.js';
import { p } from '../src/functions/param-types.js';
import { compileExpression, compilePredicate, typeCheck, type Scope } from '../src/expr/index.js';

const scope: Scope = [
  { name: 'AUCTION', type: SqlTypes.BIGINT },
  { name: 'PRICE', type: SqlTypes.BIGINT },
  { name: 'BIDDER', type: SqlTypes.STRING },
  { name: 'CHANNEL', type: SqlTypes.STRING },
];

const registry = new FunctionRegistry();
registry.registerScalar({
  name: 'UCASE',
  category: 'STRING',
  description: 'upper case',
  overloads: [{ params: [p('STRING')], returns: p('STRING'), bind: () => (s: string | null) => (s === null ? null : s.toUpperCase()) }],
});

const N = 1024;
const rows: unknown[][] = [];
for (let i = 0; i < N; i++) rows.push([BigInt(1000 + i), BigInt((i * 37) % 500), `bidder-${i % 97}`, i % 3 === 0 ? 'apple' : 'google']);

const col = (name: string): Expression => ({ kind: 'ColumnRef', name });
const int = (n: number): Expression => ({ kind: 'IntegerLiteral', text: String(n) });
const str = (value: string): Expression => ({ kind: 'StringLiteral', value });

function measure(label: string, fn: (row: readonly unknown[]) => unknown): number {
  let sink = 0;
  const run = (iterations: number) => {
    for (let k = 0; k < iterations; k++) {
      const v = fn(rows[k & (N - 1)]!);
      if (v !== null && v !== false) sink++;
    }
  };
  run(200_000);
  const iterations = 2_000_000;
  const start = process.hrtime.bigint();
  run(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  const perSec = (iterations / ns) * 1e9;
  console.log(`${label.padEnd(44)} ${(perSec / 1e6).toFixed(2).padStart(8)} M evals/s  (sink ${sink % 10})`);
  return perSec;
}

function compare(name: string, expr: Expression, handWritten: (row: readonly unknown[]) => unknown, predicate = false): void {
  const typed = typeCheck(expr, scope, registry);
  const compiled = predicate ? compilePredicate(typed) : compileExpression(typed);
  for (const r of rows.slice(0, 50)) {
    const a = compiled(r);
    const b = handWritten(r);
    if (a !== b) throw new Error(`${name}: compiled ${String(a)} != hand-written ${String(b)}`);
  }
  const c = measure(`${name} (sluice)`, compiled);
  const h = measure(`${name} (hand-written)`, handWritten);
  console.log(`${name}: sluice / hand-written = ${(c / h).toFixed(2)}\n`);
}

compare(
  'filter price > 100 AND auction % 7 = 0',
  {
    kind: 'Logical',
    op: 'AND',
    left: { kind: 'Comparison', op: '>', left: col('PRICE'), right: int(100) },
    right: { kind: 'Comparison', op: '=', left: { kind: 'Arithmetic', op: '%', left: col('AUCTION'), right: int(7) }, right: int(0) },
  },
  (row) => {
    const price = row[1] as bigint | null;
    const auction = row[0] as bigint | null;
    return price !== null && price > 100n && auction !== null && auction % 7n === 0n;
  },
  true,
);

compare(
  'projection price * 908 / 1000',
  { kind: 'Arithmetic', op: '/', left: { kind: 'Arithmetic', op: '*', left: col('PRICE'), right: int(908) }, right: int(1000) },
  (row) => {
    const price = row[1] as bigint | null;
    return price === null ? null : BigInt.asIntN(64, BigInt.asIntN(64, price * 908n) / 1000n);
  },
);

compare(
  "projection bidder + '@' + channel",
  { kind: 'Arithmetic', op: '+', left: { kind: 'Arithmetic', op: '+', left: col('BIDDER'), right: str('@') }, right: col('CHANNEL') },
  (row) => {
    const b = row[2] as string | null;
    const c = row[3] as string | null;
    return b === null || c === null ? null : b + '@' + c;
  },
);

compare(
  'projection UCASE(channel)',
  { kind: 'FunctionCall', name: 'UCASE', args: [col('CHANNEL')], distinct: false, star: false },
  (row) => {
    const c = row[3] as string | null;
    return c === null ? null : c.toUpperCase();
  },
);
