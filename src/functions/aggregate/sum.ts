/**
 * SUM(col): INTEGER -> INTEGER (wraps like Java int), BIGINT -> BIGINT (wraps at 64 bits),
 * DOUBLE -> DOUBLE, DECIMAL(p, s) -> DECIMAL(p, s) (fails with "Numeric field overflow").
 * NULLs are skipped; no rows or only NULLs sum to 0. Table-capable.
 */
import type { Decimal } from 'decimal.js';
import type { AggregateFunction, Aggregator } from '../function-types.js';
import type { SqlType } from '../../common/sql-types.js';
import { p } from '../param-types.js';
import { ZERO_DECIMAL, decimalAdd, decimalSub, fitDecimal, int32, int64 } from './java-arithmetic.js';

/** A SUM over one numeric type: how to add and subtract non-null values. */
export interface NumericOps<N> {
  zero(): N;
  add(a: N, b: N): N;
  sub(a: N, b: N): N;
}

export const intOps: NumericOps<number> = { zero: () => 0, add: (a, b) => int32(a + b), sub: (a, b) => int32(a - b) };
export const bigintOps: NumericOps<bigint> = { zero: () => 0n, add: (a, b) => int64(a + b), sub: (a, b) => int64(a - b) };
export const doubleOps: NumericOps<number> = { zero: () => 0, add: (a, b) => a + b, sub: (a, b) => a - b };

export function decimalOps(type: SqlType): NumericOps<Decimal> {
  return {
    zero: () => ZERO_DECIMAL,
    add: (a, b) => fitDecimal(decimalAdd(a, b), type),
    sub: (a, b) => fitDecimal(decimalSub(a, b), type),
  };
}

export function numericOpsFor(type: SqlType): NumericOps<any> {
  switch (type.kind) {
    case 'INTEGER':
      return intOps;
    case 'BIGINT':
      return bigintOps;
    case 'DECIMAL':
      return decimalOps(type);
    default:
      return doubleOps;
  }
}

function summing<N>(ops: NumericOps<N>, resultType: SqlType): Aggregator<N> {
  return {
    initial: () => ops.zero(),
    add: (acc, args) => (args[0] === null ? acc : ops.add(acc, args[0] as N)),
    undo: (acc, args) => (args[0] === null ? acc : ops.sub(acc, args[0] as N)),
    merge: (a, b) => ops.add(a, b),
    // an empty DECIMAL sum is 0 at the type's scale
    result: (acc) => (resultType.kind === 'DECIMAL' ? fitDecimal(acc as Decimal, resultType) : acc),
  };
}

export const SUM: AggregateFunction = {
  name: 'SUM',
  description: 'Returns the sum of the column values; NULLs are ignored.',
  overloads: [
    { params: [p('INT')], returns: p('INT'), create: () => summing(intOps, { kind: 'INTEGER' }) as Aggregator },
    { params: [p('BIGINT')], returns: p('BIGINT'), create: () => summing(bigintOps, { kind: 'BIGINT' }) as Aggregator },
    { params: [p('DOUBLE')], returns: p('DOUBLE'), create: () => summing(doubleOps, { kind: 'DOUBLE' }) as Aggregator },
    {
      params: [p('DECIMAL')],
      returns: (argTypes) => argTypes[0]!,
      create: (ctx) => summing(decimalOps(ctx.argTypes[0]!), ctx.argTypes[0]!) as Aggregator,
    },
  ],
};
