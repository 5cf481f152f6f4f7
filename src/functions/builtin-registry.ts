/** The registry holding every built-in function. */
import { FunctionRegistry } from './registry.js';
import { builtinScalarFunctions } from './scalar/index.js';
import { builtinAggregateFunctions } from './aggregate/index.js';
import { builtinTableFunctions } from './table/index.js';

export function createBuiltinRegistry(): FunctionRegistry {
  const r = new FunctionRegistry();
  for (const f of builtinScalarFunctions) r.registerScalar(f);
  for (const f of builtinAggregateFunctions) r.registerAggregate(f);
  for (const f of builtinTableFunctions) r.registerTable(f);
  return r;
}
