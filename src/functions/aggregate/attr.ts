/**
 * ATTR(col) -> same type: the column's value when every row agrees on one value (NULL included as
 * a value), NULL as soon as two different values are present. Table-capable: it counts each value,
 * so undo can bring the aggregate back to a single value.
 */
import type { AggregateFunction, Aggregator } from '../function-types.js';
import { p } from '../param-types.js';
import { sqlValuesEqual } from './sql-value-order.js';

interface AttrEntry {
  VALUE: unknown;
  COUNT: number;
}

function update(list: readonly AttrEntry[], v: unknown, delta: number): AttrEntry[] {
  let found = false;
  const out = list.map((e) => {
    if (!sqlValuesEqual(e.VALUE, v)) return e;
    found = true;
    return { VALUE: e.VALUE, COUNT: Math.max(0, e.COUNT + delta) };
  });
  if (!found && delta > 0) out.push({ VALUE: v, COUNT: delta });
  return out;
}

const attr: Aggregator<AttrEntry[]> = {
  initial: () => [],
  add: (acc, args) => update(acc, args[0] ?? null, 1),
  undo: (acc, args) => update(acc, args[0] ?? null, -1),
  merge: (a, b) => b.reduce((acc, e) => update(acc, e.VALUE, e.COUNT), a),
  result: (acc) => {
    const live = acc.filter((e) => e.COUNT > 0);
    return live.length === 1 ? live[0]!.VALUE : null;
  },
};

export const ATTR: AggregateFunction = {
  name: 'ATTR',
  description: 'Returns the single value of the column in the group, or NULL if it has more than one.',
  overloads: [{ params: [p('T')], returns: p('T'), create: () => attr as Aggregator }],
};
