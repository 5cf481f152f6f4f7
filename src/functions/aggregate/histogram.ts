/**
 * HISTOGRAM(col) -> MAP<STRING, BIGINT>: how many times each value occurred, at most 1000 distinct
 * values (new ones beyond that are ignored). Table-capable: undo decrements and drops zero counts.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';

const LIMIT = 1000;

type Counts = Map<string | null, bigint>;

const histogram: Aggregator<Counts> = {
  initial: () => new Map(),
  add: (acc, args) => {
    const v = (args[0] ?? null) as string | null;
    if (acc.size >= LIMIT && !acc.has(v)) return acc;
    const next = new Map(acc);
    next.set(v, (acc.get(v) ?? 0n) + 1n);
    return next;
  },
  undo: (acc, args) => {
    const v = (args[0] ?? null) as string | null;
    const n = acc.get(v);
    if (n === undefined) return acc;
    const next = new Map(acc);
    if (n - 1n < 1n) next.delete(v);
    else next.set(v, n - 1n);
    return next;
  },
  merge: (a, b) => {
    const next = new Map(a);
    for (const [k, n] of b) {
      if (next.size < LIMIT || next.has(k)) next.set(k, (next.get(k) ?? 0n) + n);
    }
    return next;
  },
  result: (acc) => acc,
};

export const HISTOGRAM: AggregateFunction = {
  name: 'HISTOGRAM',
  description: 'Returns a map from each distinct value of the column to the number of times it occurred.',
  overloads: [{ params: [p('STRING')], returns: p('MAP<STRING, BIGINT>'), create: () => histogram as Aggregator }],
};
