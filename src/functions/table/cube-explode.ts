/**
 * CUBE_EXPLODE(array): one row per combination of the elements kept or replaced by NULL (a
 * grouping-sets cube), starting with all NULLs and counting up with the first element as the most
 * significant; combinations that would repeat because an element is already NULL are left out.
 */
import type { TableFunction } from '../function-types.js';
import { ExecutionError } from '../../common/errors.js';
import { p } from '../param-types.js';

/** 2^30 rows is already far beyond anything useful; refuse rather than exhaust memory */
const MAX_ELEMENTS = 30;

function cube(list: readonly unknown[] | null): readonly unknown[] {
  if (list === null || list === undefined) return [];
  const n = list.length;
  if (n > MAX_ELEMENTS) throw new ExecutionError(`CUBE_EXPLODE supports at most ${MAX_ELEMENTS} elements, got ${n}`);
  // a NULL element contributes the same value whether kept or not: only its "dropped" form is emitted
  let nullMask = 0;
  for (let i = 0; i < n; i++) if (list[i] === null) nullMask |= 1 << (n - 1 - i);
  const rows: unknown[][] = [];
  const total = 2 ** n;
  for (let mask = 0; mask < total; mask++) {
    if ((mask & nullMask) !== 0) continue;
    const row = new Array<unknown>(n);
    for (let i = 0; i < n; i++) row[i] = (mask >> (n - 1 - i)) & 1 ? list[i] : null;
    rows.push(row);
  }
  return rows;
}

export const CUBE_EXPLODE: TableFunction = {
  name: 'CUBE_EXPLODE',
  displayName: 'cube_explode',
  description: 'Returns every combination of the array elements kept or replaced by NULL, one row each.',
  overloads: [{ params: [p('ARRAY<T>')], returns: p('ARRAY<T>'), bind: () => cube }],
};
