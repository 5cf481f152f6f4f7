/**
 * SUM_LIST(array): sums the elements of every array into one number (NULL arrays and NULL elements
 * are skipped). ARRAY<INT> -> INT, ARRAY<BIGINT> -> BIGINT, ARRAY<DOUBLE> -> DOUBLE. Table-capable.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';
import { type NumericOps, bigintOps, doubleOps, intOps } from './sum.js';

function listSumming<N>(ops: NumericOps<N>): Aggregator<N> {
  const sumOf = (list: readonly (N | null)[]): N => {
    let s = ops.zero();
    for (const v of list) if (v !== null) s = ops.add(s, v);
    return s;
  };
  return {
    initial: () => ops.zero(),
    add: (acc, args) => (args[0] === null ? acc : ops.add(acc, sumOf(args[0] as N[]))),
    undo: (acc, args) => (args[0] === null ? acc : ops.sub(acc, sumOf(args[0] as N[]))),
    merge: (a, b) => ops.add(a, b),
    result: (acc) => acc,
  };
}

export const SUM_LIST: AggregateFunction = {
  name: 'SUM_LIST',
  description: 'Returns the sum of the elements contained in the lists.',
  overloads: [
    { params: [p('ARRAY<INT>')], returns: p('INT'), create: () => listSumming(intOps) as Aggregator },
    { params: [p('ARRAY<BIGINT>')], returns: p('BIGINT'), create: () => listSumming(bigintOps) as Aggregator },
    { params: [p('ARRAY<DOUBLE>')], returns: p('DOUBLE'), create: () => listSumming(doubleOps) as Aggregator },
  ],
};
