/**
 * CORRELATION(x, y) -> DOUBLE: the Pearson correlation coefficient of the pairs where neither value
 * is NULL, by ksqlDB's single-pass formula (so NaN until the values vary). Table-capable.
 * INTEGER and BIGINT columns are widened to DOUBLE, as ksqlDB's implicit cast does.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { SqlTypes, type StructField } from '../../common/sql-types.js';
import { p } from '../param-types.js';
import { toDouble } from './java-arithmetic.js';

interface CorrelationAcc {
  X_SUM: number;
  Y_SUM: number;
  X_SQUARED_SUM: number;
  Y_SQUARED_SUM: number;
  XY_SUM: number;
  COUNT: number;
}

function step(acc: CorrelationAcc, x: number, y: number, sign: 1 | -1): CorrelationAcc {
  const s = sign === 1 ? (a: number, b: number) => a + b : (a: number, b: number) => a - b;
  return {
    X_SUM: s(acc.X_SUM, x),
    Y_SUM: s(acc.Y_SUM, y),
    X_SQUARED_SUM: s(acc.X_SQUARED_SUM, x * x),
    Y_SQUARED_SUM: s(acc.Y_SQUARED_SUM, y * y),
    XY_SUM: s(acc.XY_SUM, x * y),
    COUNT: acc.COUNT + sign,
  };
}

const correlation: Aggregator<CorrelationAcc> = {
  initial: () => ({ X_SUM: 0, Y_SUM: 0, X_SQUARED_SUM: 0, Y_SQUARED_SUM: 0, XY_SUM: 0, COUNT: 0 }),
  add: (acc, args) =>
    args[0] === null || args[1] === null ? acc : step(acc, toDouble(args[0]), toDouble(args[1]), 1),
  undo: (acc, args) =>
    args[0] === null || args[1] === null ? acc : step(acc, toDouble(args[0]), toDouble(args[1]), -1),
  merge: (a, b) => ({
    X_SUM: a.X_SUM + b.X_SUM,
    Y_SUM: a.Y_SUM + b.Y_SUM,
    X_SQUARED_SUM: a.X_SQUARED_SUM + b.X_SQUARED_SUM,
    Y_SQUARED_SUM: a.Y_SQUARED_SUM + b.Y_SQUARED_SUM,
    XY_SUM: a.XY_SUM + b.XY_SUM,
    COUNT: a.COUNT + b.COUNT,
  }),
  result: (acc) => {
    const n = acc.COUNT;
    const numerator = n * acc.XY_SUM - acc.X_SUM * acc.Y_SUM;
    const dx = n * acc.X_SQUARED_SUM - acc.X_SUM * acc.X_SUM;
    const dy = n * acc.Y_SQUARED_SUM - acc.Y_SUM * acc.Y_SUM;
    return numerator / Math.sqrt(dx * dy);
  },
};

export const CORRELATION: AggregateFunction = {
  name: 'CORRELATION',
  description: 'Returns the Pearson correlation coefficient of two columns.',
  overloads: [
    {
      params: [p('DOUBLE'), p('DOUBLE')],
      returns: p('DOUBLE'),
      // ksqlDB's intermediate value: a struct of running sums and the count
      aggregateType: () =>
        SqlTypes.struct([
          ...['X_SUM', 'Y_SUM', 'X_SQUARED_SUM', 'Y_SQUARED_SUM', 'XY_SUM'].map((name): StructField => ({ name, type: SqlTypes.DOUBLE })),
          { name: 'COUNT', type: SqlTypes.BIGINT },
        ]),
      create: () => correlation as Aggregator,
    },
  ],
};
