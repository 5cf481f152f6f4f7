/**
 * Terse builders for the built-in scalar function tables, so each category file reads as a
 * list of signatures with their behaviour.
 */
import type { SqlType } from '../../common/sql-types.js';
import type { BindContext, ScalarFunction, ScalarOverload } from '../function-types.js';
import { p } from '../param-types.js';

export type Impl = (...args: any[]) => unknown;

/** Built-ins ksqlDB declares in upper case; every other built-in is declared in lower case. */
const UPPER_CASE_DECLARED = new Set(['COALESCE', 'IFNULL', 'NULLIF']);

/** ksqlDB's declared name of a built-in, as its resolution errors show it ("Function 'greatest' ..."). */
export function declaredName(name: string): string {
  const upper = name.toUpperCase();
  return UPPER_CASE_DECLARED.has(upper) ? upper : upper.toLowerCase();
}

export function fn(
  name: string,
  category: string,
  description: string,
  overloads: readonly ScalarOverload[],
): ScalarFunction {
  return { name: name.toUpperCase(), displayName: declaredName(name), category, description, overloads };
}

/** An overload whose implementation does not depend on the argument types. */
export function sig(
  params: readonly string[],
  returns: string | ((argTypes: readonly SqlType[]) => SqlType),
  impl: Impl,
  opts: { variadic?: boolean } = {},
): ScalarOverload {
  return bound(params, returns, () => impl, opts);
}

/** An overload whose implementation is built from the resolved types. */
export function bound(
  params: readonly string[],
  returns: string | ((argTypes: readonly SqlType[]) => SqlType),
  bind: (ctx: BindContext) => Impl,
  opts: { variadic?: boolean } = {},
): ScalarOverload {
  return {
    params: params.map(p),
    returns: typeof returns === 'string' ? p(returns) : returns,
    bind,
    ...(opts.variadic ? { variadic: true } : {}),
  };
}

/** NULL in any argument gives NULL out: the common UDF convention. */
export function strict(impl: Impl): Impl {
  return (...args: unknown[]) => {
    for (const a of args) if (a === null || a === undefined) return null;
    return impl(...args);
  };
}
