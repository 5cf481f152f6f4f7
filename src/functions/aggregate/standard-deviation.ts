/**
 * STDDEV_SAMPLE(col): the sample standard deviation; STDDEV_SAMP(col): what ksqlDB's function of
 * that name returns, which is the sample VARIANCE (no square root). Both return 0.0 for fewer than
 * two values, skip NULLs, and are table-capable.
 *
 * Both use ksqlDB's Youngs-Cramer updates with its Java arithmetic reproduced: STDDEV_SAMP keeps an
 * int count (so count products wrap at 32 bits) and, for INT/BIGINT, integer means when merging.
 */
import type { AggregateFunction, Aggregator, BindContext } from '../function-types.js';
import { SqlTypes, type SqlType } from '../../common/sql-types.js';
import { p } from '../param-types.js';
import { int32, int64, javaIntDiv, javaLongDiv } from './java-arithmetic.js';

interface StdDevAcc<N> {
  SUM: N;
  COUNT: number;
  M2: number;
}

interface StdDevMath<N> {
  zero: N;
  add(sum: N, v: N): N;
  sub(sum: N, v: N): N;
  /** v * (count + 1) - (sum + v), in the column's Java type */
  delta(sum: N, count: number, v: N): number;
  /** mean1 - mean2, as ksqlDB computes it */
  meanGap(a: StdDevAcc<N>, b: StdDevAcc<N>): number;
  /** a * b for counts: int (wrapping) or long */
  countProduct(a: number, b: number): number;
  finish(m2: number, count: number): number;
}

function stdDev<N>(m: StdDevMath<N>): Aggregator<StdDevAcc<N>> {
  return {
    initial: () => ({ SUM: m.zero, COUNT: 0, M2: 0 }),
    add: (acc, args) => {
      const v = args[0] as N | null;
      if (v === null) return acc;
      const newCount = acc.COUNT + 1;
      let m2 = 0;
      if (newCount - 1 > 0) {
        const d = m.delta(acc.SUM, acc.COUNT, v);
        m2 = (d * d) / m.countProduct(newCount, newCount - 1);
      }
      return { SUM: m.add(acc.SUM, v), COUNT: newCount, M2: m2 + acc.M2 };
    },
    undo: (acc, args) => {
      const v = args[0] as N | null;
      if (v === null) return acc;
      const newCount = acc.COUNT - 1;
      let m2 = 0;
      if (newCount > 0) {
        const d = m.delta(acc.SUM, acc.COUNT, v);
        m2 = (d * d) / m.countProduct(newCount, newCount + 1);
      }
      return { SUM: m.sub(acc.SUM, v), COUNT: newCount, M2: acc.M2 - m2 };
    },
    merge: (a, b) => {
      const count = a.COUNT + b.COUNT;
      let m2: number;
      if (a.COUNT === 0 || b.COUNT === 0) m2 = a.M2 + b.M2;
      else {
        const gap = m.meanGap(a, b);
        m2 = a.M2 + b.M2 + (m.countProduct(a.COUNT, b.COUNT) * gap * gap) / count;
      }
      return { SUM: m.add(a.SUM, b.SUM), COUNT: count, M2: m2 };
    },
    result: (acc) => (acc.COUNT < 2 ? 0 : m.finish(acc.M2, acc.COUNT)),
  };
}

const intProduct = (a: number, b: number): number => Math.imul(a, b);
const longProduct = (a: number, b: number): number => a * b;
const variance = (m2: number, count: number): number => m2 / (count - 1);
const deviation = (m2: number, count: number): number => Math.sqrt(m2 / (count - 1));

/** STDDEV_SAMP: int count; INT and BIGINT deltas and means in integer arithmetic. */
const sampInt: StdDevMath<number> = {
  zero: 0,
  add: (s, v) => int32(s + v),
  sub: (s, v) => int32(s - v),
  delta: (s, c, v) => int32(Math.imul(v, c + 1) - int32(s + v)),
  meanGap: (a, b) => int32(javaIntDiv(a.SUM, a.COUNT) - javaIntDiv(b.SUM, b.COUNT)),
  countProduct: intProduct,
  finish: variance,
};
const sampLong: StdDevMath<bigint> = {
  zero: 0n,
  add: (s, v) => int64(s + v),
  sub: (s, v) => int64(s - v),
  delta: (s, c, v) => Number(int64(int64(v * BigInt(c + 1)) - int64(s + v))),
  meanGap: (a, b) => Number(int64(javaLongDiv(a.SUM, BigInt(a.COUNT)) - javaLongDiv(b.SUM, BigInt(b.COUNT)))),
  countProduct: intProduct,
  finish: variance,
};
const doubleMath = (countProduct: (a: number, b: number) => number, finish: StdDevMath<number>['finish']): StdDevMath<number> => ({
  zero: 0,
  add: (s, v) => s + v,
  sub: (s, v) => s - v,
  delta: (s, c, v) => v * (c + 1) - (s + v),
  meanGap: (a, b) => a.SUM / a.COUNT - b.SUM / b.COUNT,
  countProduct,
  finish,
});

/** STDDEV_SAMPLE: long count, so `v * (count + 1)` is long arithmetic even for INT columns. */
const sampleInt: StdDevMath<number> = {
  zero: 0,
  add: (s, v) => int32(s + v),
  sub: (s, v) => int32(s - v),
  delta: (s, c, v) => Number(int64(BigInt(v) * BigInt(c + 1) - BigInt(int32(s + v)))),
  meanGap: (a, b) => a.SUM / a.COUNT - b.SUM / b.COUNT,
  countProduct: longProduct,
  finish: deviation,
};
const sampleLong: StdDevMath<bigint> = {
  zero: 0n,
  add: (s, v) => int64(s + v),
  sub: (s, v) => int64(s - v),
  delta: (s, c, v) => Number(int64(int64(v * BigInt(c + 1)) - int64(s + v))),
  meanGap: (a, b) => Number(a.SUM) / a.COUNT - Number(b.SUM) / b.COUNT,
  countProduct: longProduct,
  finish: deviation,
};

/** ksqlDB's intermediate value: the sum (of the argument's type), the count and M2 */
const sumCountM2 = (ctx: BindContext): SqlType =>
  SqlTypes.struct([
    { name: 'SUM', type: ctx.argTypes[0]! },
    { name: 'COUNT', type: SqlTypes.BIGINT },
    { name: 'M2', type: SqlTypes.DOUBLE },
  ]);

export const STDDEV_SAMP: AggregateFunction = {
  name: 'STDDEV_SAMP',
  description: 'Returns the sample variance of the column (ksqlDB semantics: no square root is taken).',
  overloads: [
    { params: [p('INT')], returns: p('DOUBLE'), aggregateType: sumCountM2, create: () => stdDev(sampInt) as Aggregator },
    { params: [p('BIGINT')], returns: p('DOUBLE'), aggregateType: sumCountM2, create: () => stdDev(sampLong) as Aggregator },
    { params: [p('DOUBLE')], returns: p('DOUBLE'), aggregateType: sumCountM2, create: () => stdDev(doubleMath(intProduct, variance)) as Aggregator },
  ],
};

export const STDDEV_SAMPLE: AggregateFunction = {
  name: 'STDDEV_SAMPLE',
  description: 'Returns the sample standard deviation of the column.',
  overloads: [
    { params: [p('INT')], returns: p('DOUBLE'), aggregateType: sumCountM2, create: () => stdDev(sampleInt) as Aggregator },
    { params: [p('BIGINT')], returns: p('DOUBLE'), aggregateType: sumCountM2, create: () => stdDev(sampleLong) as Aggregator },
    { params: [p('DOUBLE')], returns: p('DOUBLE'), aggregateType: sumCountM2, create: () => stdDev(doubleMath(longProduct, deviation)) as Aggregator },
  ],
};
