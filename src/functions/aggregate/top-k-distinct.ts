/**
 * TOPKDISTINCT(col, K) -> ARRAY: the K largest distinct non-NULL values, largest first.
 * Stream only; session merges take the K largest distinct values of both lists.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { SqlTypes } from '../../common/sql-types.js';
import { p } from '../param-types.js';
import { compareSqlValues } from './sql-value-order.js';
import { COMPARABLE_TYPES } from './comparable-types.js';
import { readK } from './top-k.js';

function topKDistinct(k: number): Aggregator<unknown[]> {
  const insert = (list: unknown[], v: unknown): unknown[] => {
    let i = 0;
    while (i < list.length) {
      const c = compareSqlValues(list[i], v);
      if (c === 0) return list;
      if (c < 0) break;
      i++;
    }
    if (i >= k) return list;
    const out = list.slice(0, k - 1);
    out.splice(i, 0, v);
    return out;
  };
  return {
    initial: () => [],
    add: (acc, args) => (args[0] === null || args[0] === undefined ? acc : insert(acc, args[0])),
    merge: (a, b) => b.reduce<unknown[]>((acc, v) => insert(acc, v), a),
    result: (acc) => acc,
  };
}

export const TOPKDISTINCT: AggregateFunction = {
  name: 'TOPKDISTINCT',
  description: 'Returns the K largest distinct values of the column, largest first.',
  overloads: COMPARABLE_TYPES.map((t) => ({
    params: [p(t)],
    initParams: [p('INT')],
    returns: (argTypes) => SqlTypes.array(argTypes[0]!),
    create: (ctx) => topKDistinct(readK(ctx.initArgs, 'TOPKDISTINCT')) as Aggregator,
  })),
};
