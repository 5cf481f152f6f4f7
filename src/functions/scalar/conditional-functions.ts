/**
 * CONDITIONAL (NULL handling) scalar functions. These are NULL-aware by design, so none of them
 * short-circuits on a NULL argument.
 */
import type { ScalarFunction } from '../function-types.js';
import { fn, sig } from './define.js';
import { sqlValueEquals } from './value-semantics.js';

const CONDITIONAL = 'CONDITIONAL';

export const conditionalFunctions: ScalarFunction[] = [
  fn('COALESCE', CONDITIONAL, 'Returns the first parameter that is not NULL. All parameters must be of the same type.', [
    sig(['T', 'T'], 'T', (...xs: unknown[]) => xs.find((x) => x !== null && x !== undefined) ?? null, { variadic: true }),
  ]),
  fn('IFNULL', CONDITIONAL, 'Returns expression if it is not NULL, otherwise altValue. Both must be of the same type.', [
    sig(['T', 'T'], 'T', (x: unknown, alt: unknown) => (x === null || x === undefined ? alt ?? null : x)),
  ]),
  fn('NULLIF', CONDITIONAL, 'Returns NULL if expression1 equals expression2, otherwise expression1.', [
    sig(['T', 'T'], 'T', (a: unknown, b: unknown) => (a === null || a === undefined || sqlValueEquals(a, b) ? null : a)),
  ]),
];
