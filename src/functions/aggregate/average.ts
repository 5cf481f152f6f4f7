/**
 * AVG(col) -> DOUBLE: sum / count of the non-NULL values, 0.0 when there are none. The running sum
 * keeps the input type with Java wrap-around (INTEGER at 32 bits, BIGINT at 64), as ksqlDB does.
 * Table-capable; session merges add sums and counts.
 */
import type { AggregateFunction, Aggregator, BindContext } from '../function-types.js';
import { SqlTypes, type SqlType } from '../../common/sql-types.js';
import { p } from '../param-types.js';
import { type NumericOps, bigintOps, doubleOps, intOps } from './sum.js';

interface AverageAcc<N> {
  SUM: N;
  COUNT: number;
}

function averaging<N extends number | bigint>(ops: NumericOps<N>): Aggregator<AverageAcc<N>> {
  return {
    initial: () => ({ SUM: ops.zero(), COUNT: 0 }),
    add: (acc, args) =>
      args[0] === null ? acc : { SUM: ops.add(acc.SUM, args[0] as N), COUNT: acc.COUNT + 1 },
    undo: (acc, args) =>
      args[0] === null ? acc : { SUM: ops.sub(acc.SUM, args[0] as N), COUNT: acc.COUNT - 1 },
    merge: (a, b) => ({ SUM: ops.add(a.SUM, b.SUM), COUNT: a.COUNT + b.COUNT }),
    result: (acc) => (acc.COUNT === 0 ? 0 : Number(acc.SUM) / acc.COUNT),
  };
}

/** ksqlDB's intermediate value: the sum (of the argument's type) and the count */
const sumAndCount = (ctx: BindContext): SqlType =>
  SqlTypes.struct([
    { name: 'SUM', type: ctx.argTypes[0]! },
    { name: 'COUNT', type: SqlTypes.BIGINT },
  ]);

export const AVG: AggregateFunction = {
  name: 'AVG',
  description: 'Returns the average of the non-NULL column values, computed as the sum divided by the count.',
  overloads: [
    { params: [p('INT')], returns: p('DOUBLE'), aggregateType: sumAndCount, create: () => averaging(intOps) as Aggregator },
    { params: [p('BIGINT')], returns: p('DOUBLE'), aggregateType: sumAndCount, create: () => averaging(bigintOps) as Aggregator },
    { params: [p('DOUBLE')], returns: p('DOUBLE'), aggregateType: sumAndCount, create: () => averaging(doubleOps) as Aggregator },
  ],
};
