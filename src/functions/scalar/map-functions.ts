/** MAP scalar functions. Maps are JS Maps in insertion order; order-revealing functions follow java.util.HashMap. */
import type { ScalarFunction } from '../function-types.js';
import { fn, sig, strict } from './define.js';
import { javaHashMapEntries } from './value-semantics.js';

const MAP = 'MAP';

export const mapFunctions: ScalarFunction[] = [
  fn(
    'AS_MAP',
    MAP,
    'Constructs a map from an array of keys and an array of values, paired by position. Keys without a ' +
      'value get NULL.',
    [
      sig(['ARRAY<STRING>', 'ARRAY<T>'], 'MAP<STRING, T>', strict((keys: (string | null)[], values: unknown[]) =>
        new Map(keys.map((k, i) => [k, i < values.length ? values[i] ?? null : null])))),
    ],
  ),
  fn('MAP_KEYS', MAP, 'Returns an array of the keys of a map.', [sig(['MAP<K, V>'], 'ARRAY<K>', strict((m: Map<unknown, unknown>) => javaHashMapEntries(m).map(([k]) => k)))]),
  fn('MAP_VALUES', MAP, 'Returns an array of the values of a map.', [
    sig(['MAP<K, V>'], 'ARRAY<V>', strict((m: Map<unknown, unknown>) => javaHashMapEntries(m).map(([, v]) => v))),
  ]),
  fn(
    'MAP_UNION',
    MAP,
    'Merges two maps into one; for a key in both, the value from the second wins. A NULL map is treated as ' +
      'empty unless both are NULL.',
    [
      sig(['MAP<K, V>', 'MAP<K, V>'], 'MAP<K, V>', (a: Map<unknown, unknown> | null, b: Map<unknown, unknown> | null) =>
        a === null && b === null ? null : new Map([...(a ?? []), ...(b ?? [])])),
    ],
  ),
];
