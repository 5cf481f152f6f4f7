/**
 * How built-in and user functions describe themselves. Implementations receive runtime values in
 * the representation documented in common/sql-types.ts (SQL NULL is `null`) and must handle NULL
 * arguments themselves, as ksqlDB UDFs do. An implementation may throw on bad input (bad regex,
 * bad format): the expression runtime turns that into NULL plus a processing-log entry.
 */
import type { SqlType } from '../common/sql-types.js';

/** A parameter (or return) type pattern: concrete types, generics and lambda shapes. */
export type ParamType =
  | { readonly kind: 'exact'; readonly type: SqlType }
  /** any DECIMAL(p, s) */
  | { readonly kind: 'anyDecimal' }
  /** any STRUCT */
  | { readonly kind: 'anyStruct' }
  /**
   * any one type, like a Java `Object` parameter: unlike a generic, every occurrence takes its own
   * argument's type, so a variadic ANY accepts arguments of mixed types
   */
  | { readonly kind: 'any' }
  /** a type variable (T, U, ...): every occurrence in one signature binds to the same type */
  | { readonly kind: 'generic'; readonly name: string }
  | { readonly kind: 'array'; readonly element: ParamType }
  | { readonly kind: 'map'; readonly key: ParamType; readonly value: ParamType }
  | { readonly kind: 'lambda'; readonly params: readonly ParamType[]; readonly returns: ParamType }
  /** a time unit keyword argument: TIMESTAMPADD(SECONDS, ...); the value passed is the unit name */
  | { readonly kind: 'intervalUnit' };

/** What an implementation factory is told once, when the expression is compiled. */
export interface BindContext {
  /** resolved types of the arguments as passed (after implicit casts) */
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
}

export interface ScalarOverload {
  readonly params: readonly ParamType[];
  /** parameter names, listed with the types in resolution errors (optional) */
  readonly paramNames?: readonly string[];
  /** the last param may repeat zero or more times (ksqlDB variadic) */
  readonly variadic?: boolean;
  /** a pattern resolved with the generic bindings, or computed from the argument types */
  readonly returns: ParamType | ((argTypes: readonly SqlType[]) => SqlType);
  /**
   * Returns the implementation for these argument types. Lambda arguments arrive as plain JS
   * functions taking and returning runtime values.
   */
  readonly bind: (ctx: BindContext) => (...args: any[]) => unknown;
}

export interface ScalarFunction {
  /** upper-case */
  readonly name: string;
  /**
   * The name as ksqlDB declares it, used in resolution errors ("Function 'greatest' does not
   * accept parameters ..."); defaults to `name`.
   */
  readonly displayName?: string;
  readonly description: string;
  /** e.g. 'STRING', 'MATHEMATICAL', 'DATE / TIME', 'JSON', 'ARRAY', 'MAP', 'LAMBDA', 'CONDITIONAL', ... */
  readonly category: string;
  readonly overloads: readonly ScalarOverload[];
}

/** Per-record context an aggregate may use (EARLIEST_BY_OFFSET / LATEST_BY_OFFSET need order). */
export interface AggregateRecordContext {
  readonly timestamp: number;
  readonly offset: bigint;
  readonly partition: number;
}

/**
 * One aggregation's behaviour. The accumulator must be made only of runtime SQL values and plain
 * arrays/objects of them (so the state layer can store it with the value codec).
 */
export interface Aggregator<A = unknown> {
  initial(): A;
  /** args are the non-literal arguments, in order */
  add(acc: A, args: readonly unknown[], ctx: AggregateRecordContext): A;
  /** removes a previously added row: needed for table (changelog) aggregations */
  undo?(acc: A, args: readonly unknown[], ctx: AggregateRecordContext): A;
  /** combines two accumulators: needed when session windows merge */
  merge?(a: A, b: A): A;
  result(acc: A): unknown;
}

export interface AggregateOverload {
  /** the column arguments */
  readonly params: readonly ParamType[];
  /** trailing literal arguments, e.g. the K of TOPK(col, K): must be literals in the query */
  readonly initParams?: readonly ParamType[];
  /** the last column param may repeat zero or more times (it may be followed by init params) */
  readonly variadic?: boolean;
  /**
   * the last init param may repeat zero or more times: FOUR_ARG(col1, ..., col4, 5, '10', '20').
   * An overload has at most one variadic part, `variadic` or `initVariadic`.
   */
  readonly initVariadic?: boolean;
  readonly returns: ParamType | ((argTypes: readonly SqlType[]) => SqlType);
  /**
   * The type of the intermediate value (ksqlDB's "aggregate type") when it is not the return type:
   * AVG keeps STRUCT<SUM, COUNT>. ksqlDB keeps it in the format of the values aggregated, so a
   * GROUP BY whose value format cannot hold it (a STRUCT in DELIMITED) is rejected.
   */
  readonly aggregateType?: (ctx: BindContext) => SqlType;
  readonly create: (ctx: BindContext & { readonly initArgs: readonly unknown[] }) => Aggregator;
}

export interface AggregateFunction {
  readonly name: string;
  /** the name as ksqlDB declares it, used in resolution errors; defaults to `name` */
  readonly displayName?: string;
  readonly description: string;
  readonly overloads: readonly AggregateOverload[];
}

export interface TableOverload {
  readonly params: readonly ParamType[];
  /** parameter names, listed with the types in resolution errors (optional) */
  readonly paramNames?: readonly string[];
  readonly variadic?: boolean;
  /** the type of ONE output value (EXPLODE(ARRAY<T>) returns T) */
  readonly returns: ParamType | ((argTypes: readonly SqlType[]) => SqlType);
  /** returns the values to emit, one output row each; NULL input gives no rows */
  readonly bind: (ctx: BindContext) => (...args: any[]) => readonly unknown[];
}

export interface TableFunction {
  readonly name: string;
  /** the name as ksqlDB declares it, used in resolution errors; defaults to `name` */
  readonly displayName?: string;
  readonly description: string;
  readonly overloads: readonly TableOverload[];
}
