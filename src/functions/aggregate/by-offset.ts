/**
 * EARLIEST_BY_OFFSET / LATEST_BY_OFFSET(col [, N] [, ignoreNulls]): the value(s) of the first / last
 * record(s) in input order. N > 0 returns an ARRAY of up to N values, oldest first; ignoreNulls
 * (default true) skips NULL values. Stream only. Each kept value remembers its record's position
 * (offset, then partition), so session merges keep the true earliest / latest.
 */
import type { AggregateFunction, AggregateOverload, AggregateRecordContext, Aggregator, BindContext } from '../function-types.js';
import { SqlTypes, type SqlType } from '../../common/sql-types.js';
import { PlanError } from '../../common/errors.js';
import { p } from '../param-types.js';

interface Entry {
  OFFSET: bigint;
  PARTITION: number;
  VAL: unknown;
}

const entry = (val: unknown, ctx: AggregateRecordContext): Entry => ({
  OFFSET: ctx.offset,
  PARTITION: ctx.partition,
  VAL: val,
});

function compareEntries(a: Entry, b: Entry): number {
  if (a.OFFSET !== b.OFFSET) return a.OFFSET < b.OFFSET ? -1 : 1;
  return a.PARTITION - b.PARTITION;
}

/** Single value: the accumulator is null until a (kept) value arrives. */
function single(latest: boolean, ignoreNulls: boolean): Aggregator<Entry | null> {
  return {
    initial: () => null,
    add: (acc, args, ctx) => {
      const v = args[0] ?? null;
      if (v === null && ignoreNulls) return acc;
      if (!latest && acc !== null) return acc;
      return entry(v, ctx);
    },
    merge: (a, b) => {
      if (a === null) return b;
      if (b === null) return a;
      const c = compareEntries(a, b);
      return latest ? (c >= 0 ? a : b) : c <= 0 ? a : b;
    },
    result: (acc) => (acc === null ? null : acc.VAL),
  };
}

/** Up to N values, kept in input order. */
function multiple(latest: boolean, n: number, ignoreNulls: boolean): Aggregator<Entry[]> {
  return {
    initial: () => [],
    add: (acc, args, ctx) => {
      const v = args[0] ?? null;
      if (v === null && ignoreNulls) return acc;
      if (!latest) return acc.length < n ? [...acc, entry(v, ctx)] : acc;
      const out = [...acc, entry(v, ctx)];
      return out.length > n ? out.slice(out.length - n) : out;
    },
    merge: (a, b) => {
      const all = [...a, ...b].sort(compareEntries);
      return latest ? all.slice(Math.max(0, all.length - n)) : all.slice(0, n);
    },
    result: (acc) => acc.map((e) => e.VAL),
  };
}

function readN(raw: unknown, fn: string): number {
  const n = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new PlanError(`${fn}: N must be 1 or greater, got ${String(raw)}`);
  }
  return n;
}

function readIgnoreNulls(raw: unknown): boolean {
  // a NULL literal falls back to the default
  return raw === null || raw === undefined ? true : Boolean(raw);
}

/** ksqlDB's intermediate value: the value with the sequence number that orders it */
const sequenced = (ctx: BindContext): SqlType =>
  SqlTypes.struct([
    { name: 'SEQ', type: SqlTypes.BIGINT },
    { name: 'VAL', type: ctx.argTypes[0]! },
  ]);

function byOffset(name: string, latest: boolean, description: string): AggregateFunction {
  const overloads: AggregateOverload[] = [
    { params: [p('T')], returns: p('T'), aggregateType: sequenced, create: () => single(latest, true) as Aggregator },
    {
      params: [p('T')],
      initParams: [p('BOOLEAN')],
      returns: p('T'),
      aggregateType: sequenced,
      create: (ctx) => single(latest, readIgnoreNulls(ctx.initArgs[0])) as Aggregator,
    },
    {
      params: [p('T')],
      initParams: [p('INT')],
      returns: p('ARRAY<T>'),
      aggregateType: (ctx) => SqlTypes.array(sequenced(ctx)),
      create: (ctx) => multiple(latest, readN(ctx.initArgs[0], name), true) as Aggregator,
    },
    {
      params: [p('T')],
      initParams: [p('INT'), p('BOOLEAN')],
      returns: p('ARRAY<T>'),
      aggregateType: (ctx) => SqlTypes.array(sequenced(ctx)),
      create: (ctx) =>
        multiple(latest, readN(ctx.initArgs[0], name), readIgnoreNulls(ctx.initArgs[1])) as Aggregator,
    },
  ];
  return { name, description, overloads };
}

export const EARLIEST_BY_OFFSET = byOffset(
  'EARLIEST_BY_OFFSET',
  false,
  'Returns the earliest value(s) of the column, by input offset.',
);

export const LATEST_BY_OFFSET = byOffset(
  'LATEST_BY_OFFSET',
  true,
  'Returns the latest value(s) of the column, by input offset.',
);
