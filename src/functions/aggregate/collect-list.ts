/**
 * COLLECT_LIST(col) -> ARRAY: every value in arrival order, NULLs included, up to
 * ksql.functions.collect_list.limit entries (later values are ignored). Table-capable: undo removes
 * the last equal value, as ksqlDB does. Session merges append the second list up to the limit.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';
import { sqlValuesEqual } from './sql-value-order.js';
import { type AggregateProperties, COLLECT_LIST_LIMIT, readLimit } from './aggregate-config.js';

function collecting(limit: number): Aggregator<unknown[]> {
  return {
    initial: () => [],
    add: (acc, args) => (acc.length < limit ? [...acc, args[0] ?? null] : acc),
    undo: (acc, args) => {
      const v = args[0] ?? null;
      for (let i = acc.length - 1; i >= 0; i--) {
        if (sqlValuesEqual(acc[i], v)) return [...acc.slice(0, i), ...acc.slice(i + 1)];
      }
      // never collected (it arrived past the limit)
      return acc;
    },
    merge: (a, b) => (a.length >= limit ? a : [...a, ...b.slice(0, limit - a.length)]),
    result: (acc) => acc,
  };
}

export function collectList(props: AggregateProperties): AggregateFunction {
  const limit = readLimit(props, COLLECT_LIST_LIMIT);
  return {
    name: 'COLLECT_LIST',
    description: `Returns an array of all the values of the column, up to ${COLLECT_LIST_LIMIT} entries.`,
    overloads: [{ params: [p('T')], returns: p('ARRAY<T>'), create: () => collecting(limit) as Aggregator }],
  };
}
