/** COUNT(*) / COUNT() count rows; COUNT(col) counts rows where col is not NULL. Table-capable. */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';

const countRows: Aggregator<bigint> = {
  initial: () => 0n,
  add: (acc) => acc + 1n,
  undo: (acc) => acc - 1n,
  merge: (a, b) => a + b,
  result: (acc) => acc,
};

const countNonNull: Aggregator<bigint> = {
  initial: () => 0n,
  add: (acc, args) => (args[0] === null ? acc : acc + 1n),
  undo: (acc, args) => (args[0] === null ? acc : acc - 1n),
  merge: (a, b) => a + b,
  result: (acc) => acc,
};

export const COUNT: AggregateFunction = {
  name: 'COUNT',
  description: 'Counts the rows (COUNT(*)), or the rows where the argument is not NULL.',
  overloads: [
    { params: [], returns: p('BIGINT'), create: () => countRows as Aggregator },
    { params: [p('T')], returns: p('BIGINT'), create: () => countNonNull as Aggregator },
  ],
};
