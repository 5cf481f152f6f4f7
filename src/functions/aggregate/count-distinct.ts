/**
 * COUNT_DISTINCT(col): the number of distinct non-NULL values. ksqlDB estimates with HyperLogLog,
 * which is exact for small sets; this keeps the distinct values' encodings, so it is exact always.
 * Stream only (no undo), as in ksqlDB.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { SqlTypes } from '../../common/sql-types.js';
import { p } from '../param-types.js';
import { encodeValue } from '../../common/value-codec.js';

/** keyed by the value's encoding, so equal values of any type collapse */
type Seen = Map<string, boolean>;

const keyOf = (v: unknown): string => encodeValue(v).toString('latin1');

const countDistinct: Aggregator<Seen> = {
  initial: () => new Map(),
  add: (acc, args) => {
    const v = args[0];
    if (v === null || v === undefined) return acc;
    const k = keyOf(v);
    if (acc.has(k)) return acc;
    const next = new Map(acc);
    next.set(k, true);
    return next;
  },
  merge: (a, b) => {
    const next = new Map(a);
    for (const k of b.keys()) next.set(k, true);
    return next;
  },
  result: (acc) => BigInt(acc.size),
};

export const COUNT_DISTINCT: AggregateFunction = {
  name: 'COUNT_DISTINCT',
  description: 'Returns the number of distinct non-NULL values of the column.',
  // ksqlDB's intermediate value is the list of distinct values seen
  overloads: [{ params: [p('T')], returns: p('BIGINT'), aggregateType: (ctx) => SqlTypes.array(ctx.argTypes[0]!), create: () => countDistinct as Aggregator }],
};
