/** Test helpers: pick an overload the way a resolver would, and drive an Aggregator over rows. */
import type { SqlType } from '../../../src/common/sql-types.js';
import { sqlTypeEquals } from '../../../src/common/sql-types.js';
import type {
  AggregateFunction,
  AggregateOverload,
  AggregateRecordContext,
  Aggregator,
  ParamType,
} from '../../../src/functions/function-types.js';
import { builtinAggregateFunctions } from '../../../src/functions/aggregate/index.js';
import { decodeValue, encodeValue } from '../../../src/common/value-codec.js';

export const T = {
  INT: { kind: 'INTEGER' },
  BIGINT: { kind: 'BIGINT' },
  DOUBLE: { kind: 'DOUBLE' },
  STRING: { kind: 'STRING' },
  BOOLEAN: { kind: 'BOOLEAN' },
  BYTES: { kind: 'BYTES' },
  DATE: { kind: 'DATE' },
  TIME: { kind: 'TIME' },
  TIMESTAMP: { kind: 'TIMESTAMP' },
  decimal: (precision: number, scale: number): SqlType => ({ kind: 'DECIMAL', precision, scale }),
  array: (element: SqlType): SqlType => ({ kind: 'ARRAY', element }),
  map: (key: SqlType, value: SqlType): SqlType => ({ kind: 'MAP', key, value }),
} as const satisfies Record<string, SqlType | ((...a: any[]) => SqlType)>;

function matches(pt: ParamType, t: SqlType, bound: Map<string, SqlType>): boolean {
  switch (pt.kind) {
    case 'exact':
      return sqlTypeEquals(pt.type, t);
    case 'anyDecimal':
      return t.kind === 'DECIMAL';
    case 'anyStruct':
      return t.kind === 'STRUCT';
    case 'generic': {
      const b = bound.get(pt.name);
      if (b) return sqlTypeEquals(b, t);
      bound.set(pt.name, t);
      return true;
    }
    case 'array':
      return t.kind === 'ARRAY' && matches(pt.element, t.element, bound);
    case 'map':
      return t.kind === 'MAP' && matches(pt.key, t.key, bound) && matches(pt.value, t.value, bound);
    default:
      return false;
  }
}

function resolve(pt: ParamType, bound: Map<string, SqlType>): SqlType {
  switch (pt.kind) {
    case 'exact':
      return pt.type;
    case 'generic':
      return bound.get(pt.name)!;
    case 'array':
      return { kind: 'ARRAY', element: resolve(pt.element, bound) };
    case 'map':
      return { kind: 'MAP', key: resolve(pt.key, bound), value: resolve(pt.value, bound) };
    default:
      throw new Error(`cannot resolve ${pt.kind}`);
  }
}

const literalType = (v: unknown): SqlType => (typeof v === 'boolean' ? T.BOOLEAN : T.INT);

export function fn(name: string): AggregateFunction {
  const f = builtinAggregateFunctions.find((x) => x.name === name);
  if (!f) throw new Error(`no aggregate ${name}`);
  return f;
}

export function findOverload(
  f: AggregateFunction,
  argTypes: readonly SqlType[],
  initArgs: readonly unknown[] = [],
): { overload: AggregateOverload; returnType: SqlType } {
  for (const o of f.overloads) {
    if (o.params.length !== argTypes.length || (o.initParams?.length ?? 0) !== initArgs.length) continue;
    const bound = new Map<string, SqlType>();
    if (!o.params.every((pt, i) => matches(pt, argTypes[i]!, bound))) continue;
    if (!(o.initParams ?? []).every((pt, i) => matches(pt, literalType(initArgs[i]), bound))) continue;
    const returnType = typeof o.returns === 'function' ? o.returns(argTypes) : resolve(o.returns, bound);
    return { overload: o, returnType };
  }
  throw new Error(`${f.name} has no overload for (${argTypes.map((t) => t.kind).join(', ')})`);
}

export function create(
  name: string | AggregateFunction,
  argTypes: readonly SqlType[],
  initArgs: readonly unknown[] = [],
): Aggregator & { returnType: SqlType } {
  const f = typeof name === 'string' ? fn(name) : name;
  const { overload, returnType } = findOverload(f, argTypes, initArgs);
  const agg = overload.create({ argTypes, returnType, initArgs });
  return { ...agg, returnType };
}

let nextOffset = 0n;
/** a record context with a fresh, increasing offset */
export function ctx(partition = 0): AggregateRecordContext {
  return { timestamp: 0, offset: nextOffset++, partition };
}

/** Adds each row (an array of args) and returns the result after each. */
export function resultsOf(agg: Aggregator, rows: readonly (readonly unknown[])[], start?: unknown): unknown[] {
  let acc = start ?? agg.initial();
  return rows.map((r) => {
    acc = agg.add(acc, r, ctx());
    return agg.result(acc);
  });
}

/** Adds the rows and returns the final accumulator, round-tripping it through the codec each step
 * (as the state store will), so accumulators that do not survive storage fail loudly. */
export function accumulate(agg: Aggregator, rows: readonly (readonly unknown[])[], start?: unknown): unknown {
  let acc = start ?? agg.initial();
  for (const r of rows) acc = decodeValue(encodeValue(agg.add(acc, r, ctx())));
  return acc;
}

/** Single-arg rows from values. */
export const rows = (...values: unknown[]): unknown[][] => values.map((v) => [v]);
