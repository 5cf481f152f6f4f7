/**
 * COLLECT_SET(col) -> ARRAY: the distinct values in first-seen order (NULL counts as a value), up
 * to ksql.functions.collect_set.limit entries. Stream only, as in ksqlDB.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';
import { sqlValuesEqual } from './sql-value-order.js';
import { type AggregateProperties, COLLECT_SET_LIMIT, readLimit } from './aggregate-config.js';

const contains = (list: readonly unknown[], v: unknown): boolean => list.some((x) => sqlValuesEqual(x, v));

function collectingDistinct(limit: number): Aggregator<unknown[]> {
  return {
    initial: () => [],
    add: (acc, args) => {
      const v = args[0] ?? null;
      return acc.length < limit && !contains(acc, v) ? [...acc, v] : acc;
    },
    merge: (a, b) => {
      const out = [...a];
      for (const v of b) {
        if (out.length >= limit) break;
        if (!contains(out, v)) out.push(v);
      }
      return out;
    },
    result: (acc) => acc,
  };
}

export function collectSet(props: AggregateProperties): AggregateFunction {
  const limit = readLimit(props, COLLECT_SET_LIMIT);
  return {
    name: 'COLLECT_SET',
    description: `Returns an array of the distinct values of the column, up to ${COLLECT_SET_LIMIT} entries.`,
    overloads: [{ params: [p('T')], returns: p('ARRAY<T>'), create: () => collectingDistinct(limit) as Aggregator }],
  };
}
