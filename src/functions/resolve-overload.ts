/**
 * Overload resolution as ksqlDB's UdfIndex does it:
 *
 * 1. candidates are first looked for WITHOUT implicit casts; only when none matches are they
 *    looked for again allowing implicit casts (numbers widen INT -> BIGINT -> DECIMAL -> DOUBLE,
 *    and a STRING may stand for a DATE, TIME, TIMESTAMP or BYTES);
 * 2. an untyped NULL argument matches any parameter;
 * 3. a generic binds to the exact type of its first (non-NULL) occurrence and every other
 *    occurrence must have that same type: generics never cast;
 * 4. among several matches the best is a non-variadic one, then the one with more declared
 *    parameters, then the one with fewer generic parameters; a tie is "ambiguous".
 *
 * Lambda arguments are typed once the generics their parameters use are bound.
 */
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes, sqlTypeEquals } from '../common/sql-types.js';
import { TypeCheckError } from '../common/errors.js';
import { toDecimalType, widenDecimals } from '../common/type-coercion.js';
import type { ParamType } from './function-types.js';
import { formatParamType } from './signature-format.js';

/** What the resolver knows of an argument before choosing an overload. */
export type ArgShape =
  | { readonly kind: 'type'; readonly type: SqlType }
  /** an untyped NULL literal */
  | { readonly kind: 'null' }
  /** a lambda: typeBody types its body for the given parameter types (throws if it does not type-check) */
  | { readonly kind: 'lambda'; readonly arity: number; readonly typeBody: (paramTypes: readonly SqlType[]) => SqlType }
  | { readonly kind: 'intervalUnit' };

export interface OverloadShape {
  readonly params: readonly ParamType[];
  /** parameter names, shown in "Valid alternatives" as ksqlDB does (`explode(ARRAY<T> list)`) */
  readonly paramNames?: readonly string[];
  readonly initParams?: readonly ParamType[];
  readonly variadic?: boolean;
  /** the last init param repeats (aggregates only) */
  readonly initVariadic?: boolean;
  readonly returns: ParamType | ((argTypes: readonly SqlType[]) => SqlType);
}

export interface Resolution<O> {
  readonly overload: O;
  /**
   * The type each argument must be cast to; for a lambda argument the type of its body, for a
   * time unit STRING.
   */
  readonly argTypes: readonly SqlType[];
  /** for each lambda argument, its parameter types (undefined for other arguments) */
  readonly lambdaParamTypes: readonly (readonly SqlType[] | undefined)[];
  readonly returnType: SqlType;
}

const NUMERIC_ORDER: Partial<Record<SqlType['kind'], number>> = { INTEGER: 0, BIGINT: 1, DECIMAL: 2, DOUBLE: 3 };
const TEMPORAL_OR_BYTES = new Set<SqlType['kind']>(['DATE', 'TIME', 'TIMESTAMP', 'BYTES']);

/** ksqlDB's SqlBaseType.canImplicitlyCast: on base types only. */
function baseCanImplicitlyCast(from: SqlType['kind'], to: SqlType['kind']): boolean {
  if (from === to) return true;
  const rf = NUMERIC_ORDER[from];
  const rt = NUMERIC_ORDER[to];
  if (rf !== undefined && rt !== undefined) return rf <= rt;
  return from === 'STRING' && TEMPORAL_OR_BYTES.has(to);
}

function expandParams(o: OverloadShape, argCount: number): ParamType[] | undefined {
  const init = o.initParams ?? [];
  const n = o.params.length;
  if (o.initVariadic && init.length) {
    const repeat = argCount - n - (init.length - 1);
    if (repeat < 0) return undefined;
    return [...o.params, ...init.slice(0, -1), ...Array<ParamType>(repeat).fill(init.at(-1)!)];
  }
  if (!o.variadic) return argCount === n + init.length ? [...o.params, ...init] : undefined;
  const repeat = argCount - init.length - (n - 1);
  if (repeat < 0) return undefined;
  const last = o.params[n - 1]!;
  return [...o.params.slice(0, n - 1), ...Array<ParamType>(repeat).fill(last), ...init];
}

/** How many of `argCount` arguments are init (literal) arguments for this overload. */
export function initArgCount(o: OverloadShape, argCount: number): number {
  const init = o.initParams?.length ?? 0;
  return o.initVariadic && init ? argCount - o.params.length : init;
}

export function hasGeneric(p: ParamType): boolean {
  switch (p.kind) {
    case 'generic':
      return true;
    case 'array':
      return hasGeneric(p.element);
    case 'map':
      return hasGeneric(p.key) || hasGeneric(p.value);
    case 'lambda':
      return p.params.some(hasGeneric) || hasGeneric(p.returns);
    default:
      return false;
  }
}

/**
 * Binds the generics of `p` from `t` (same structure required, exact types); false when `t` does
 * not have the pattern's shape or a generic is already bound to another type.
 */
function bindGenerics(p: ParamType, t: SqlType, bindings: Map<string, SqlType>): boolean {
  switch (p.kind) {
    case 'generic': {
      const old = bindings.get(p.name);
      if (old) return sqlTypeEquals(old, t);
      bindings.set(p.name, t);
      return true;
    }
    case 'array':
      return t.kind === 'ARRAY' && bindGenerics(p.element, t.element, bindings);
    case 'map':
      return t.kind === 'MAP' && bindGenerics(p.key, t.key, bindings) && bindGenerics(p.value, t.value, bindings);
    case 'exact':
      // ksqlDB only compares the kind of a non-generic part of a generic parameter
      return p.type.kind === t.kind;
    case 'anyDecimal':
      return t.kind === 'DECIMAL';
    case 'anyStruct':
      return t.kind === 'STRUCT';
    case 'any':
      return true;
    case 'lambda':
    case 'intervalUnit':
      return false;
  }
}

/** ksqlDB's ParamTypes.areCompatible for a parameter without generics. */
function compatible(t: SqlType, p: ParamType, allowCasts: boolean): boolean {
  switch (p.kind) {
    case 'exact':
      return compatibleWithType(t, p.type, allowCasts);
    case 'anyDecimal':
      return t.kind === 'DECIMAL' || (allowCasts && (t.kind === 'INTEGER' || t.kind === 'BIGINT'));
    case 'anyStruct':
      return t.kind === 'STRUCT';
    case 'any':
      return true;
    case 'array':
      return t.kind === 'ARRAY' && compatible(t.element, p.element, allowCasts);
    case 'map':
      return t.kind === 'MAP' && compatible(t.key, p.key, allowCasts) && compatible(t.value, p.value, allowCasts);
    case 'generic':
    case 'lambda':
    case 'intervalUnit':
      return false;
  }
}

function compatibleWithType(t: SqlType, want: SqlType, allowCasts: boolean): boolean {
  if (want.kind === 'ARRAY') return t.kind === 'ARRAY' && compatibleWithType(t.element, want.element, allowCasts);
  if (want.kind === 'MAP') return t.kind === 'MAP' && compatibleWithType(t.key, want.key, allowCasts) && compatibleWithType(t.value, want.value, allowCasts);
  if (want.kind === 'STRUCT') {
    if (t.kind !== 'STRUCT') return false;
    // an empty struct matches any struct; fields never cast
    if (t.fields.length === 0 || want.fields.length === 0) return true;
    return (
      t.fields.length === want.fields.length &&
      want.fields.every((f) => {
        const g = t.fields.find((x) => x.name === f.name);
        return g !== undefined && compatibleWithType(g.type, f.type, false);
      })
    );
  }
  if (t.kind === want.kind) return true;
  return allowCasts && baseCanImplicitlyCast(t.kind, want.kind);
}

/** The concrete type a pattern stands for, given bound generics (and the argument, for DECIMAL / STRUCT). */
export function resolvePattern(p: ParamType, bindings: ReadonlyMap<string, SqlType>, arg?: SqlType): SqlType | undefined {
  switch (p.kind) {
    case 'exact':
      return p.type;
    case 'anyDecimal':
      return arg ? toDecimalType(arg) : undefined;
    case 'anyStruct':
      return arg?.kind === 'STRUCT' ? arg : undefined;
    case 'any':
      return arg;
    case 'generic':
      return bindings.get(p.name);
    case 'array': {
      const e = resolvePattern(p.element, bindings, arg?.kind === 'ARRAY' ? arg.element : undefined);
      return e && SqlTypes.array(e);
    }
    case 'map': {
      const k = resolvePattern(p.key, bindings, arg?.kind === 'MAP' ? arg.key : undefined);
      const v = resolvePattern(p.value, bindings, arg?.kind === 'MAP' ? arg.value : undefined);
      return k && v && SqlTypes.map(k, v);
    }
    case 'lambda':
      return undefined;
    case 'intervalUnit':
      return SqlTypes.STRING;
  }
}

class Mismatch {
  constructor(readonly reason?: unknown) {}
}

interface Match<O> {
  readonly res: Resolution<O>;
  readonly variadic: boolean;
  readonly paramCount: number;
  readonly generics: number;
}

function tryCandidate<O extends OverloadShape>(o: O, args: readonly ArgShape[], allowCasts: boolean): Match<O> | Mismatch {
  const params = expandParams(o, args.length);
  if (!params) return new Mismatch();
  const bindings = new Map<string, SqlType>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = params[i]!;
    if (a.kind === 'type') {
      if (p.kind === 'lambda' || p.kind === 'intervalUnit') return new Mismatch();
      if (hasGeneric(p)) {
        if (!bindGenerics(p, a.type, bindings)) return new Mismatch();
      } else if (!compatible(a.type, p, allowCasts)) {
        return new Mismatch();
      }
    } else if (a.kind === 'lambda') {
      if (p.kind !== 'lambda' || p.params.length !== a.arity) return new Mismatch();
    } else if (a.kind === 'intervalUnit') {
      if (p.kind !== 'intervalUnit') return new Mismatch();
    } else if (p.kind === 'lambda' || p.kind === 'intervalUnit') {
      return new Mismatch();
    }
  }
  // lambdas: parameters come from generics bound so far; the body's type may bind more
  const lambdaParamTypes: (SqlType[] | undefined)[] = args.map(() => undefined);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.kind !== 'lambda') continue;
    const p = params[i] as Extract<ParamType, { kind: 'lambda' }>;
    const pts: SqlType[] = [];
    for (const lp of p.params) {
      const t = resolvePattern(lp, bindings);
      if (!t) return new Mismatch();
      pts.push(t);
    }
    let bodyType: SqlType;
    try {
      bodyType = a.typeBody(pts);
    } catch (e) {
      return new Mismatch(e);
    }
    if (hasGeneric(p.returns)) {
      if (!bindGenerics(p.returns, bodyType, bindings)) return new Mismatch();
    } else if (!compatible(bodyType, p.returns, allowCasts)) {
      return new Mismatch();
    }
    lambdaParamTypes[i] = pts;
  }
  // a NULL argument for a DECIMAL parameter takes the type of the other DECIMAL arguments
  let nullDecimal: SqlType | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.kind === 'type' && params[i]!.kind === 'anyDecimal') {
      const d = toDecimalType(a.type)!;
      nullDecimal = nullDecimal?.kind === 'DECIMAL' ? widenDecimals(nullDecimal, d) : d;
    }
  }
  const argTypes: SqlType[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = params[i]!;
    switch (a.kind) {
      case 'type': {
        const target = resolvePattern(p, bindings, a.type);
        if (!target) return new Mismatch();
        argTypes.push(target);
        break;
      }
      case 'null': {
        // a NULL passed for ANY has no type of its own; it is always NULL, so STRING serves
        const target = p.kind === 'anyDecimal' ? (nullDecimal ?? SqlTypes.decimal(1, 0)) : p.kind === 'any' ? SqlTypes.STRING : resolvePattern(p, bindings);
        if (!target) return new Mismatch();
        argTypes.push(target);
        break;
      }
      case 'lambda': {
        const lp = p as Extract<ParamType, { kind: 'lambda' }>;
        const t = resolvePattern(lp.returns, bindings);
        if (!t) return new Mismatch();
        argTypes.push(t);
        break;
      }
      case 'intervalUnit':
        argTypes.push(SqlTypes.STRING);
        break;
    }
  }
  let returnType: SqlType | undefined;
  if (typeof o.returns === 'function') {
    try {
      returnType = o.returns(argTypes);
    } catch (e) {
      return new Mismatch(e);
    }
  } else {
    returnType = resolvePattern(o.returns, bindings);
  }
  if (!returnType) return new Mismatch();
  return {
    res: { overload: o, argTypes, lambdaParamTypes, returnType },
    variadic: o.variadic === true || o.initVariadic === true,
    paramCount: o.params.length + (o.initParams?.length ?? 0),
    generics: [...o.params, ...(o.initParams ?? [])].filter(hasGeneric).length,
  };
}

/** > 0 when a is preferred: non-variadic first, then more parameters, then fewer generics. */
function preference(a: Match<unknown>, b: Match<unknown>): number {
  if (a.variadic !== b.variadic) return a.variadic ? -1 : 1;
  if (a.paramCount !== b.paramCount) return a.paramCount - b.paramCount;
  return b.generics - a.generics;
}

/** How an argument reads in resolution errors (ksqlDB's unescaped type names). */
export function describeArg(a: ArgShape): string {
  switch (a.kind) {
    case 'type':
      return formatTypeUnescaped(a.type);
    case 'null':
      return 'null';
    case 'lambda':
      return 'LAMBDA';
    case 'intervalUnit':
      return 'INTERVALUNIT';
  }
}

function formatTypeUnescaped(t: SqlType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'ARRAY':
      return `ARRAY<${formatTypeUnescaped(t.element)}>`;
    case 'MAP':
      return `MAP<${formatTypeUnescaped(t.key)}, ${formatTypeUnescaped(t.value)}>`;
    case 'STRUCT':
      return `STRUCT<${t.fields.map((f) => `${f.name} ${formatTypeUnescaped(f.type)}`).join(', ')}>`;
    default:
      return t.kind;
  }
}

/** A parameter type as ksqlDB's ParamType prints it (INT, not INTEGER; STRUCT<> for any struct). */
function ksqlParamType(p: ParamType): string {
  switch (p.kind) {
    case 'exact':
      return p.type.kind === 'INTEGER' ? 'INT' : p.type.kind === 'STRUCT' ? formatTypeUnescaped(p.type) : formatParamType(p);
    case 'anyStruct':
      return 'STRUCT<>';
    case 'array':
      return `ARRAY<${ksqlParamType(p.element)}>`;
    case 'map':
      return `MAP<${ksqlParamType(p.key)}, ${ksqlParamType(p.value)}>`;
    case 'lambda':
      return `LAMBDA<(${p.params.map(ksqlParamType).join(', ')}) => ${ksqlParamType(p.returns)}>`;
    default:
      return formatParamType(p);
  }
}

/** One overload as ksqlDB lists it among "Valid alternatives": `explode(ARRAY<T> list)`, `greatest(INT, INT...)`. */
export function formatAlternative(name: string, o: OverloadShape): string {
  const all = [...o.params, ...(o.initParams ?? [])];
  const parts = all.map((p, i) => {
    const variadic = (o.variadic === true && i === o.params.length - 1) || (o.initVariadic === true && i === all.length - 1);
    const type = ksqlParamType(p) + (variadic ? '...' : '');
    const paramName = o.paramNames?.[i];
    return paramName ? `${type} ${paramName}` : type;
  });
  return `${name}(${parts.join(', ')})`;
}

const DETAIL_HINT = 'For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;';

/**
 * Picks the overload of a function for these arguments, or throws TypeCheckError in ksqlDB's
 * words. `name` is the function's name as it appears in messages (ksqlDB's declared name).
 */
export function resolveOverload<O extends OverloadShape>(name: string, overloads: readonly O[], args: readonly ArgShape[]): Resolution<O> {
  let lambdaError: unknown;
  const argList = `(${args.map(describeArg).join(', ')})`;
  const alternatives = overloads.map((o) => formatAlternative(name, o)).join('\n');
  for (const allowCasts of [false, true]) {
    const matches: Match<O>[] = [];
    for (const o of overloads) {
      const r = tryCandidate(o, args, allowCasts);
      if (r instanceof Mismatch) {
        if (r.reason !== undefined && lambdaError === undefined) lambdaError = r.reason;
      } else {
        matches.push(r);
      }
    }
    if (matches.length === 0) continue;
    matches.sort((a, b) => preference(b, a));
    if (matches.length > 1 && preference(matches[0]!, matches[1]!) === 0) {
      throw new TypeCheckError(
        `Function '${name}' cannot be resolved due to ambiguous method parameters ${argList}.\n` +
          `Use CAST() to explicitly cast your parameters to one of the supported function calls.\n` +
          `Valid function calls are:\n${alternatives}\n${DETAIL_HINT}`,
      );
    }
    return matches[0]!.res;
  }
  if (lambdaError instanceof TypeCheckError) throw lambdaError;
  throw new TypeCheckError(`Function '${name}' does not accept parameters ${argList}.\nValid alternatives are:\n${alternatives}\n${DETAIL_HINT}`);
}
