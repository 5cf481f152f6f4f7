/**
 * LAMBDA (higher-order) scalar functions over arrays and maps. Lambdas arrive as plain JS
 * functions over runtime values.
 */
import { ExecutionError } from '../../common/errors.js';
import type { ScalarFunction } from '../function-types.js';
import { fn, sig } from './define.js';
import { javaHashMapEntries, sqlValueKey } from './value-semantics.js';

const LAMBDA = 'LAMBDA';

type Fn1 = (x: unknown) => unknown;
type Fn2 = (a: unknown, b: unknown) => unknown;
type Fn3 = (a: unknown, b: unknown, c: unknown) => unknown;

/** Builds a map as Java's Collectors.toMap does: duplicate keys and NULL values are errors. */
function transformMap(m: Map<unknown, unknown> | null, keyFn: Fn2, valueFn: Fn2): Map<unknown, unknown> | null {
  if (m === null) return null;
  const out = new Map<unknown, unknown>();
  const seen = new Set<string>();
  for (const [k, v] of m) {
    const nk = keyFn(k, v) ?? null;
    const nv = valueFn(k, v) ?? null;
    const key = sqlValueKey(nk);
    if (seen.has(key)) throw new ExecutionError(`Duplicate key ${String(nk)} in the result of TRANSFORM`);
    if (nv === null) throw new ExecutionError(`TRANSFORM produced a NULL value for key ${String(nk)}`);
    seen.add(key);
    out.set(nk, nv);
  }
  return out;
}

export const lambdaFunctions: ScalarFunction[] = [
  fn(
    'TRANSFORM',
    LAMBDA,
    'Applies a lambda to each element of an array, or lambdas to each key and value of a map, and returns ' +
      'the transformed collection.',
    [
      sig(['ARRAY<T>', 'LAMBDA<(T) => U>'], 'ARRAY<U>', (xs: unknown[] | null, f: Fn1) =>
        xs === null ? null : xs.map((x) => f(x) ?? null)),
      sig(['MAP<K, V>', 'LAMBDA<(K, V) => K1>', 'LAMBDA<(K, V) => V1>'], 'MAP<K1, V1>', transformMap),
    ],
  ),
  fn('FILTER', LAMBDA, 'Keeps the elements of an array, or the entries of a map, for which the lambda returns TRUE.', [
    sig(['ARRAY<T>', 'LAMBDA<(T) => BOOLEAN>'], 'ARRAY<T>', (xs: unknown[] | null, f: Fn1) =>
      xs === null ? null : xs.filter((x) => f(x) === true)),
    sig(['MAP<K, V>', 'LAMBDA<(K, V) => BOOLEAN>'], 'MAP<K, V>', (m: Map<unknown, unknown> | null, f: Fn2) =>
      m === null ? null : new Map([...m].filter(([k, v]) => f(k, v) === true))),
  ]),
  fn(
    'REDUCE',
    LAMBDA,
    'Folds an array (lambda (state, element)) or a map (lambda (state, key, value)) into a single value, ' +
      'starting from the initial state. A NULL collection gives the initial state.',
    [
      sig(['ARRAY<T>', 'S', 'LAMBDA<(S, T) => S>'], 'S', (xs: unknown[] | null, init: unknown, f: Fn2) => {
        let state = init ?? null;
        for (const x of xs ?? []) state = f(state, x) ?? null;
        return state;
      }),
      sig(['MAP<K, V>', 'S', 'LAMBDA<(S, K, V) => S>'], 'S', (m: Map<unknown, unknown> | null, init: unknown, f: Fn3) => {
        let state = init ?? null;
        // in the order ksqlDB's HashMap would hand the entries over: the result may depend on it
        for (const [k, v] of m ? javaHashMapEntries(m) : []) state = f(state, k, v) ?? null;
        return state;
      }),
    ],
  ),
];
