/**
 * TOPK(col, K) -> ARRAY: the K largest non-NULL values, largest first, duplicates kept.
 * TOPK(col, other1, ..., K) -> ARRAY<STRUCT<sort_col, col0, ...>>: the rows with the K largest
 * sort values, carrying the other columns along. Equal sort values keep arrival order.
 * Stream only; session merges take the K largest of both lists.
 */
import type { AggregateFunction, AggregateOverload, Aggregator } from '../function-types.js';
import type { SqlType } from '../../common/sql-types.js';
import { SqlTypes } from '../../common/sql-types.js';
import { PlanError } from '../../common/errors.js';
import { p } from '../param-types.js';
import { compareSqlValues } from './sql-value-order.js';
import { COMPARABLE_TYPES } from './comparable-types.js';

/** how many columns may ride along with the sort column */
const MAX_EXTRA_COLUMNS = 8;

export function readK(initArgs: readonly unknown[], fn: string): number {
  const raw = initArgs[0];
  const k = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new PlanError(`${fn}: K must be a positive integer literal, got ${String(raw)}`);
  }
  return k;
}

/** Insertion and merge for a list kept largest first; `key` extracts an element's sort value. */
interface TopList<E> {
  add(list: E[], e: E): E[];
  merge(a: E[], b: E[]): E[];
}

function topList<E>(k: number, key: (e: E) => unknown): TopList<E> {
  const cmp = (a: E, b: E): number => compareSqlValues(key(a), key(b));
  return {
    add: (list, e) => {
      if (key(e) === null) return list;
      const n = list.length;
      if (n === k && cmp(e, list[n - 1]!) <= 0) return list;
      // a full list drops its smallest; insert after every element >= e (stable descending order)
      const out = n === k ? list.slice(0, n - 1) : list.slice();
      let i = out.length;
      while (i > 0 && cmp(out[i - 1]!, e) < 0) i--;
      out.splice(i, 0, e);
      return out;
    },
    merge: (a, b) => {
      const out: E[] = [];
      let i = 0;
      let j = 0;
      while (out.length < k && (i < a.length || j < b.length)) {
        if (j >= b.length || (i < a.length && cmp(a[i]!, b[j]!) >= 0)) out.push(a[i++]!);
        else out.push(b[j++]!);
      }
      return out;
    },
  };
}

const structFieldName = (i: number): string => (i === 0 ? 'sort_col' : `col${i - 1}`);

function structType(argTypes: readonly SqlType[], extra: number): SqlType {
  return SqlTypes.array(
    SqlTypes.struct(Array.from({ length: extra + 1 }, (_, i) => ({ name: structFieldName(i), type: argTypes[i]! }))),
  );
}

function valuesTopK(k: number): Aggregator<unknown[]> {
  const list = topList<unknown>(k, (v) => v);
  return {
    initial: () => [],
    add: (acc, args) => list.add(acc, args[0] ?? null),
    merge: list.merge,
    result: (acc) => acc,
  };
}

type Row = Record<string, unknown>;

function rowsTopK(k: number, extra: number): Aggregator<Row[]> {
  const list = topList<Row>(k, (r) => r['sort_col'] ?? null);
  return {
    initial: () => [],
    add: (acc, args) => {
      if (args[0] === null) return acc;
      const row: Row = {};
      for (let i = 0; i <= extra; i++) row[structFieldName(i)] = args[i] ?? null;
      return list.add(acc, row);
    },
    merge: list.merge,
    result: (acc) => acc,
  };
}

function overloads(): AggregateOverload[] {
  const out: AggregateOverload[] = [];
  for (const t of COMPARABLE_TYPES) {
    out.push({
      params: [p(t)],
      initParams: [p('INT')],
      returns: (argTypes) => SqlTypes.array(argTypes[0]!),
      create: (ctx) => valuesTopK(readK(ctx.initArgs, 'TOPK')) as Aggregator,
    });
    for (let extra = 1; extra <= MAX_EXTRA_COLUMNS; extra++) {
      out.push({
        params: [p(t), ...Array.from({ length: extra }, (_, i) => p(`A${i}`))],
        initParams: [p('INT')],
        returns: (argTypes) => structType(argTypes, extra),
        create: (ctx) => rowsTopK(readK(ctx.initArgs, 'TOPK'), extra) as Aggregator,
      });
    }
  }
  return out;
}

export const TOPK: AggregateFunction = {
  name: 'TOPK',
  description: 'Returns the K largest values of the column, largest first; other columns may ride along in structs.',
  overloads: overloads(),
};
