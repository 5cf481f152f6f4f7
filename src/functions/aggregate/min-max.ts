/**
 * MIN(col) / MAX(col): the smallest / largest non-NULL value, NULL when there is none. Stream only
 * (ksqlDB cannot undo an extreme); session merges keep the better of both.
 */
import type { AggregateFunction, AggregateOverload, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';
import { compareSqlValues } from './sql-value-order.js';
import { COMPARABLE_TYPES } from './comparable-types.js';

function extreme(sign: 1 | -1): Aggregator<unknown> {
  const better = (a: unknown, b: unknown): unknown => {
    if (a === null) return b;
    if (b === null) return a;
    return sign * compareSqlValues(b, a) > 0 ? b : a;
  };
  return {
    initial: () => null,
    add: (acc, args) => better(acc, args[0] ?? null),
    merge: better,
    result: (acc) => acc,
  };
}

function overloads(sign: 1 | -1): AggregateOverload[] {
  return COMPARABLE_TYPES.map((t) => ({
    params: [p(t)],
    // DECIMAL keeps its precision and scale
    returns: (argTypes) => argTypes[0]!,
    create: () => extreme(sign),
  }));
}

export const MIN: AggregateFunction = {
  name: 'MIN',
  description: 'Returns the minimum non-NULL value of the column.',
  overloads: overloads(-1),
};

export const MAX: AggregateFunction = {
  name: 'MAX',
  description: 'Returns the maximum non-NULL value of the column.',
  overloads: overloads(1),
};
