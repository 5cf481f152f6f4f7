/** Scalar functions that fit no data-type category. */
import type { ScalarFunction } from '../function-types.js';
import { fn, sig } from './define.js';

export const otherFunctions: ScalarFunction[] = [
  fn(
    'AS_VALUE',
    'OTHER',
    "Copies a row's key column into the row's value. Used in projections to keep a copy of a key column in the value.",
    [sig(['T'], 'T', (x: unknown) => x ?? null)],
  ),
];
