/**
 * ARRAY scalar functions. Element equality is deep (Java equals), set-like results keep the
 * order of first occurrence, and NULL elements are ordinary values.
 */
import { ExecutionError } from '../../common/errors.js';
import type { Decimal } from 'decimal.js';
import type { SqlType } from '../../common/sql-types.js';
import { SqlTypes } from '../../common/sql-types.js';
import type { ScalarFunction } from '../function-types.js';
import { bound, fn, sig, strict } from './define.js';
import { javaDecimalToString, javaDoubleToString } from './java-format.js';
import { compareNullsLast, compareSqlValues, sqlValueEquals, sqlValueKey } from './value-semantics.js';

const ARRAY = 'ARRAY';

function distinct<T>(xs: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of xs) {
    const k = sqlValueKey(x);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

const keySet = (xs: readonly unknown[]) => new Set(xs.map(sqlValueKey));

function extremum(xs: readonly unknown[], sign: 1 | -1): unknown {
  let best: unknown = null;
  for (const x of xs) {
    if (x === null || x === undefined) continue;
    if (best === null || sign * compareSqlValues(x, best) > 0) best = x;
  }
  return best;
}

/** Element text as Java's toString prints it, for ARRAY_JOIN. */
function elementToString(type: SqlType | undefined): (v: unknown) => string {
  switch (type?.kind) {
    case 'BOOLEAN':
    case 'INTEGER':
    case 'BIGINT':
    case 'STRING':
    case undefined:
      break;
    case 'DOUBLE':
      return (v) => (v === null ? 'null' : javaDoubleToString(v as number));
    case 'DECIMAL': {
      const scale = type.scale;
      return (v) => (v === null ? 'null' : javaDecimalToString(v as Decimal, scale));
    }
    default: {
      const kind = type!.kind;
      return (v) => {
        if (v === null) return 'null';
        throw new ExecutionError(`error: hit element of type ${kind} which is currently not supported`);
      };
    }
  }
  return (v) => (v === null ? 'null' : String(v));
}

function sortArray(xs: readonly unknown[], direction: string): unknown[] | null {
  const d = direction.toUpperCase();
  if (d === 'ASC' || d === 'ASCENDING') return [...xs].sort(compareNullsLast);
  if (d === 'DESC' || d === 'DESCENDING') {
    return [...xs].sort((a, b) => (a === null || b === null ? compareNullsLast(a, b) : compareSqlValues(b, a)));
  }
  return null;
}

/** Java List.subList(from - 1, to), NULL when out of bounds. */
function slice(xs: readonly unknown[], from: number | null, to: number | null): unknown[] | null {
  const start = from === null ? 0 : from - 1;
  const end = to === null ? xs.length : to;
  if (start < 0 || end > xs.length || start > end) return null;
  return xs.slice(start, end);
}

const entryStruct = (argTypes: readonly SqlType[]): SqlType => {
  const map = argTypes[0];
  const value = map?.kind === 'MAP' ? map.value : SqlTypes.STRING;
  return SqlTypes.array(SqlTypes.struct([{ name: 'K', type: SqlTypes.STRING }, { name: 'V', type: value }]));
};

export const arrayFunctions: ScalarFunction[] = [
  fn('ARRAY_CONTAINS', ARRAY, 'Returns TRUE if the array contains the value (NULL matches a NULL element). A NULL array gives FALSE.', [
    sig(['ARRAY<T>', 'T'], 'BOOLEAN', (xs: unknown[] | null, v: unknown) => xs !== null && xs.some((x) => sqlValueEquals(x, v ?? null))),
  ]),
  fn('ARRAY_DISTINCT', ARRAY, 'Returns an array of the distinct values of the input, in order of first occurrence.', [
    sig(['ARRAY<T>'], 'ARRAY<T>', strict(distinct)),
  ]),
  fn('ARRAY_EXCEPT', ARRAY, 'Returns the distinct elements of the first array that are not in the second, in order.', [
    sig(['ARRAY<T>', 'ARRAY<T>'], 'ARRAY<T>', strict((a: unknown[], b: unknown[]) => {
      const right = keySet(b);
      return distinct(a.filter((x) => !right.has(sqlValueKey(x))));
    })),
  ]),
  fn('ARRAY_INTERSECT', ARRAY, 'Returns the distinct elements of the first array that are also in the second, in order.', [
    sig(['ARRAY<T>', 'ARRAY<T>'], 'ARRAY<T>', strict((a: unknown[], b: unknown[]) => {
      const right = keySet(b);
      return distinct(a.filter((x) => right.has(sqlValueKey(x))));
    })),
  ]),
  fn('ARRAY_UNION', ARRAY, 'Returns the distinct elements of both arrays, in order of first occurrence.', [
    sig(['ARRAY<T>', 'ARRAY<T>'], 'ARRAY<T>', strict((a: unknown[], b: unknown[]) => distinct([...a, ...b]))),
  ]),
  fn('ARRAY_CONCAT', ARRAY, 'Concatenates two arrays. A NULL array is treated as empty unless both are NULL.', [
    sig(['ARRAY<T>', 'ARRAY<T>'], 'ARRAY<T>', (a: unknown[] | null, b: unknown[] | null) =>
      a === null && b === null ? null : [...(a ?? []), ...(b ?? [])]),
  ]),
  fn(
    'ARRAY_JOIN',
    ARRAY,
    "Joins the elements of an array of primitive values into a string, separated by the delimiter (default ','; NULL means none).",
    [
      bound(['ARRAY<T>'], 'STRING', (ctx) => {
        const str = elementToString(ctx.argTypes[0]?.kind === 'ARRAY' ? ctx.argTypes[0].element : undefined);
        return strict((xs: unknown[]) => xs.map(str).join(','));
      }),
      bound(['ARRAY<T>', 'STRING'], 'STRING', (ctx) => {
        const str = elementToString(ctx.argTypes[0]?.kind === 'ARRAY' ? ctx.argTypes[0].element : undefined);
        return (xs: unknown[] | null, delim: string | null) => (xs === null ? null : xs.map(str).join(delim ?? ''));
      }),
    ],
  ),
  fn('ARRAY_LENGTH', ARRAY, 'Returns the number of elements in an array.', [sig(['ARRAY<T>'], 'INT', strict((xs: unknown[]) => xs.length))]),
  fn('ARRAY_MAX', ARRAY, 'Returns the maximum non-NULL element of an array of primitive values, or NULL if there is none.', [
    sig(['ARRAY<T>'], 'T', strict((xs: unknown[]) => extremum(xs, 1))),
  ]),
  fn('ARRAY_MIN', ARRAY, 'Returns the minimum non-NULL element of an array of primitive values, or NULL if there is none.', [
    sig(['ARRAY<T>'], 'T', strict((xs: unknown[]) => extremum(xs, -1))),
  ]),
  fn('ARRAY_REMOVE', ARRAY, 'Removes every element equal to the value (NULL removes NULL elements).', [
    sig(['ARRAY<T>', 'T'], 'ARRAY<T>', (xs: unknown[] | null, v: unknown) => (xs === null ? null : xs.filter((x) => !sqlValueEquals(x, v ?? null)))),
  ]),
  fn(
    'ARRAY_SORT',
    ARRAY,
    "Sorts an array of primitive values in their natural order, 'ASC' (default) or 'DESC'. NULL elements go last.",
    [
      sig(['ARRAY<T>'], 'ARRAY<T>', strict((xs: unknown[]) => sortArray(xs, 'ASC'))),
      sig(['ARRAY<T>', 'STRING'], 'ARRAY<T>', strict(sortArray)),
    ],
  ),
  fn('SLICE', ARRAY, 'Returns the elements from the 1-based start to end positions (inclusive); NULL if out of bounds.', [
    sig(['ARRAY<T>', 'INT', 'INT'], 'ARRAY<T>', (xs: unknown[] | null, from: number | null, to: number | null) =>
      xs === null ? null : slice(xs, from, to)),
  ]),
  fn('ENTRIES', ARRAY, 'Returns the entries of a map as an array of structs with fields K and V, optionally sorted by key.', [
    sig(['MAP<STRING, T>', 'BOOLEAN'], entryStruct, strict((m: Map<string, unknown>, sorted: boolean) => {
      const entries = [...m].map(([K, V]) => ({ K, V }));
      if (sorted) entries.sort((a, b) => compareSqlValues(a.K, b.K));
      return entries;
    })),
  ]),
];
