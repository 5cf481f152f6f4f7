/**
 * Calls built-in scalar functions the way the expression compiler will: pick the overload whose
 * parameters match the argument types exactly (binding generics), resolve the return type, bind,
 * and invoke with runtime values.
 */
import type { SqlType } from '../../../src/common/sql-types.js';
import { SqlTypes, sqlTypeEquals } from '../../../src/common/sql-types.js';
import type { ParamType, ScalarFunction, ScalarOverload } from '../../../src/functions/function-types.js';
import { p } from '../../../src/functions/param-types.js';
import { arrayFunctions } from '../../../src/functions/scalar/array-functions.js';
import { conditionalFunctions } from '../../../src/functions/scalar/conditional-functions.js';
import { conversionFunctions } from '../../../src/functions/scalar/conversion-functions.js';
import { jsonFunctions } from '../../../src/functions/scalar/json-functions.js';
import { lambdaFunctions } from '../../../src/functions/scalar/lambda-functions.js';
import { mapFunctions } from '../../../src/functions/scalar/map-functions.js';
import { mathFunctions } from '../../../src/functions/scalar/math-functions.js';
import { otherFunctions } from '../../../src/functions/scalar/other-functions.js';
import { stringFunctions } from '../../../src/functions/scalar/string-functions.js';
import { urlFunctions } from '../../../src/functions/scalar/url-functions.js';

/** Every non-date/time function (the index also pulls in the date/time ones). */
export const ownFunctions: ScalarFunction[] = [
  ...stringFunctions,
  ...mathFunctions,
  ...conditionalFunctions,
  ...jsonFunctions,
  ...urlFunctions,
  ...arrayFunctions,
  ...mapFunctions,
  ...lambdaFunctions,
  ...conversionFunctions,
  ...otherFunctions,
];

/** Stands for a lambda argument in an argument type list: the type its body returns. */
export interface LambdaArgType {
  readonly lambdaReturns: SqlType;
}

export type ArgType = SqlType | LambdaArgType;

/** A concrete SqlType from the signature notation: t('ARRAY<INT>'), t('DECIMAL(4, 2)'). */
export function t(text: string): SqlType {
  return toSqlType(p(text), new Map());
}

export function lambda(returns: string | SqlType): LambdaArgType {
  return { lambdaReturns: typeof returns === 'string' ? t(returns) : returns };
}

function toSqlType(pt: ParamType, bindings: Map<string, SqlType>): SqlType {
  switch (pt.kind) {
    case 'exact':
      return pt.type;
    case 'generic': {
      const b = bindings.get(pt.name);
      if (!b) throw new Error(`unbound generic ${pt.name}`);
      return b;
    }
    case 'array':
      return SqlTypes.array(toSqlType(pt.element, bindings));
    case 'map':
      return SqlTypes.map(toSqlType(pt.key, bindings), toSqlType(pt.value, bindings));
    default:
      throw new Error(`no concrete type for pattern ${pt.kind}`);
  }
}

function isLambda(a: ArgType): a is LambdaArgType {
  return 'lambdaReturns' in a;
}

function matches(pt: ParamType, arg: ArgType, bindings: Map<string, SqlType>): boolean {
  if (pt.kind === 'lambda') return isLambda(arg) && matches(pt.returns, arg.lambdaReturns, bindings);
  if (isLambda(arg)) return false;
  switch (pt.kind) {
    case 'exact':
      return sqlTypeEquals(pt.type, arg);
    case 'anyDecimal':
      return arg.kind === 'DECIMAL';
    case 'anyStruct':
      return arg.kind === 'STRUCT';
    case 'any':
      return true;
    case 'generic': {
      const b = bindings.get(pt.name);
      if (b) return sqlTypeEquals(b, arg);
      bindings.set(pt.name, arg);
      return true;
    }
    case 'array':
      return arg.kind === 'ARRAY' && matches(pt.element, arg.element, bindings);
    case 'map':
      return arg.kind === 'MAP' && matches(pt.key, arg.key, bindings) && matches(pt.value, arg.value, bindings);
    case 'intervalUnit':
      return false;
  }
}

export function findFunction(name: string): ScalarFunction {
  const f = ownFunctions.find((x) => x.name === name.toUpperCase());
  if (!f) throw new Error(`no function ${name}`);
  return f;
}

export function resolve(name: string, argTypes: readonly ArgType[]): { overload: ScalarOverload; returnType: SqlType } {
  const hits: { overload: ScalarOverload; bindings: Map<string, SqlType> }[] = [];
  for (const overload of findFunction(name).overloads) {
    const n = overload.params.length;
    if (overload.variadic ? argTypes.length < n - 1 : argTypes.length !== n) continue;
    const bindings = new Map<string, SqlType>();
    const ok = argTypes.every((a, i) => matches(overload.params[Math.min(i, n - 1)]!, a, bindings));
    if (ok) hits.push({ overload, bindings });
  }
  if (hits.length !== 1) throw new Error(`${name}: ${hits.length} overloads match the argument types`);
  const { overload, bindings } = hits[0]!;
  const sqlArgs = argTypes.map((a) => (isLambda(a) ? a.lambdaReturns : a));
  const returnType = typeof overload.returns === 'function' ? overload.returns(sqlArgs) : toSqlType(overload.returns, bindings);
  return { overload, returnType };
}

/** Resolves, binds and calls a function. */
export function call(name: string, argTypes: readonly ArgType[], ...args: unknown[]): unknown {
  const { overload, returnType } = resolve(name, argTypes);
  const sqlArgs = argTypes.map((a) => (isLambda(a) ? a.lambdaReturns : a));
  return overload.bind({ argTypes: sqlArgs, returnType })(...args);
}

/** The resolved return type of a call. */
export function returnTypeOf(name: string, argTypes: readonly ArgType[]): SqlType {
  return resolve(name, argTypes).returnType;
}

export const { BOOLEAN, INTEGER: INT, BIGINT, DOUBLE, STRING, BYTES, DATE, TIME, TIMESTAMP } = SqlTypes;

export const bytes = (hexOrText: string, enc: BufferEncoding = 'utf8') => Buffer.from(hexOrText, enc);
