/**
 * Overload resolution in the spirit of ksqlDB's UdfIndex: a candidate matches when every argument
 * equals or implicitly widens to its parameter (a NULL literal matches anything), generics bind
 * consistently (to the common super type of their occurrences), a variadic last parameter repeats,
 * and lambda bodies are typed once the generics their parameters use are bound. Among matches the
 * cheapest wins: fewest widening steps, then fewest generic parameters, then non-variadic. A tie
 * is ambiguous.
 */
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes, formatSqlType, sqlTypeEquals } from '../common/sql-types.js';
import { TypeCheckError } from '../common/errors.js';
import { canImplicitlyCast, commonSuperType, toDecimalType } from '../expr/type-coercion.js';
import type { ParamType } from './function-types.js';
import { formatSignature } from './signature-format.js';

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
  readonly initParams?: readonly ParamType[];
  readonly variadic?: boolean;
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

type Cost = readonly [number, number, number];

const RANK: Partial<Record<SqlType['kind'], number>> = { INTEGER: 0, BIGINT: 1, DECIMAL: 2, DOUBLE: 3 };

/** Widening steps from one type to another it implicitly casts to. */
function castCost(from: SqlType, to: SqlType): number {
  if (sqlTypeEquals(from, to)) return 0;
  const rf = RANK[from.kind];
  const rt = RANK[to.kind];
  if (rf !== undefined && rt !== undefined) return rf === rt ? 0.5 : rt - rf;
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') return castCost(from.element, to.element);
  if (from.kind === 'MAP' && to.kind === 'MAP') return castCost(from.key, to.key) + castCost(from.value, to.value);
  if (from.kind === 'STRUCT' && to.kind === 'STRUCT') {
    return from.fields.reduce((s, f, i) => s + castCost(f.type, to.fields[i]!.type), 0);
  }
  return 0;
}

function expandParams(o: OverloadShape, argCount: number): ParamType[] | undefined {
  const init = o.initParams ?? [];
  const n = o.params.length;
  if (!o.variadic) return argCount === n + init.length ? [...o.params, ...init] : undefined;
  const repeat = argCount - init.length - (n - 1);
  if (repeat < 0) return undefined;
  const last = o.params[n - 1]!;
  return [...o.params.slice(0, n - 1), ...Array<ParamType>(repeat).fill(last), ...init];
}

function hasGeneric(p: ParamType): boolean {
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

/** Records the types generics take in `t`; false when `t` cannot have the pattern's shape. */
function collect(p: ParamType, t: SqlType, acc: Map<string, SqlType[]>): boolean {
  switch (p.kind) {
    case 'exact':
      return true;
    case 'anyDecimal':
      return t.kind === 'DECIMAL' || t.kind === 'INTEGER' || t.kind === 'BIGINT';
    case 'anyStruct':
      return t.kind === 'STRUCT';
    case 'generic': {
      const list = acc.get(p.name);
      if (list) list.push(t);
      else acc.set(p.name, [t]);
      return true;
    }
    case 'array':
      return t.kind === 'ARRAY' && collect(p.element, t.element, acc);
    case 'map':
      return t.kind === 'MAP' && collect(p.key, t.key, acc) && collect(p.value, t.value, acc);
    case 'lambda':
    case 'intervalUnit':
      return false;
  }
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

function tryCandidate<O extends OverloadShape>(o: O, args: readonly ArgShape[]): { res: Resolution<O>; cost: Cost } | Mismatch {
  const params = expandParams(o, args.length);
  if (!params) return new Mismatch();
  const acc = new Map<string, SqlType[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = params[i]!;
    if (a.kind === 'type') {
      if (!collect(p, a.type, acc)) return new Mismatch();
    } else if (a.kind === 'lambda') {
      if (p.kind !== 'lambda' || p.params.length !== a.arity) return new Mismatch();
    } else if (a.kind === 'intervalUnit') {
      if (p.kind !== 'intervalUnit') return new Mismatch();
    } else if (p.kind === 'lambda' || p.kind === 'intervalUnit') {
      return new Mismatch();
    }
  }
  const bindings = new Map<string, SqlType>();
  for (const [name, types] of acc) {
    const t = commonSuperType(types);
    if (!t) return new Mismatch();
    bindings.set(name, t);
  }
  // lambdas: parameters come from generics bound so far; the body's type may bind more
  const lambdaParamTypes: (SqlType[] | undefined)[] = args.map(() => undefined);
  const argTypes: SqlType[] = [];
  let cost = 0;
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
    const want = resolvePattern(p.returns, bindings, bodyType);
    if (want) {
      if (!canImplicitlyCast(bodyType, want)) return new Mismatch();
      cost += castCost(bodyType, want);
    } else {
      const more = new Map<string, SqlType[]>();
      if (!collect(p.returns, bodyType, more)) return new Mismatch();
      for (const [name, types] of more) {
        const t = commonSuperType(types);
        if (!t) return new Mismatch();
        bindings.set(name, t);
      }
    }
    lambdaParamTypes[i] = pts;
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = params[i]!;
    switch (a.kind) {
      case 'type': {
        const target = resolvePattern(p, bindings, a.type);
        if (!target || !canImplicitlyCast(a.type, target)) return new Mismatch();
        cost += castCost(a.type, target);
        argTypes.push(target);
        break;
      }
      case 'null': {
        const target = resolvePattern(p, bindings);
        if (!target) return new Mismatch();
        argTypes.push(target);
        break;
      }
      case 'lambda': {
        const lp = p as Extract<ParamType, { kind: 'lambda' }>;
        argTypes.push(resolvePattern(lp.returns, bindings)!);
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
  const generics = params.filter(hasGeneric).length;
  return { res: { overload: o, argTypes, lambdaParamTypes, returnType }, cost: [cost, generics, o.variadic ? 1 : 0] };
}

function less(a: Cost, b: Cost): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function describeArg(a: ArgShape): string {
  switch (a.kind) {
    case 'type':
      return formatSqlType(a.type);
    case 'null':
      return 'null';
    case 'lambda':
      return 'LAMBDA';
    case 'intervalUnit':
      return 'INTERVALUNIT';
  }
}

/** Picks the overload of `name` for these arguments, or throws TypeCheckError listing the candidates. */
export function resolveOverload<O extends OverloadShape>(name: string, overloads: readonly O[], args: readonly ArgShape[]): Resolution<O> {
  const matches: { res: Resolution<O>; cost: Cost }[] = [];
  let lambdaError: unknown;
  for (const o of overloads) {
    const r = tryCandidate(o, args);
    if (r instanceof Mismatch) {
      if (r.reason !== undefined && lambdaError === undefined) lambdaError = r.reason;
    } else {
      matches.push(r);
    }
  }
  const alternatives = overloads.map((o) => formatSignature(name, o)).join('\n');
  if (matches.length === 0) {
    if (lambdaError instanceof TypeCheckError) throw lambdaError;
    throw new TypeCheckError(
      `Function '${name}' does not accept parameters (${args.map(describeArg).join(', ')}).\nValid alternatives are:\n${alternatives}`,
    );
  }
  matches.sort((a, b) => less(a.cost, b.cost));
  if (matches.length > 1 && less(matches[0]!.cost, matches[1]!.cost) === 0) {
    const tied = matches.filter((m) => less(m.cost, matches[0]!.cost) === 0);
    throw new TypeCheckError(
      `Function '${name}' cannot be resolved due to ambiguous method parameters (${args.map(describeArg).join(', ')}).\n` +
        `Matching candidates are:\n${tied.map((m) => formatSignature(name, m.res.overload)).join('\n')}`,
    );
  }
  return matches[0]!.res;
}

