/** The registry holding every built-in function. */
import { FunctionRegistry } from './registry.js';
import { builtinScalarFunctions } from './scalar/index.js';
import { createBuiltinAggregateFunctions, type AggregateProperties } from './aggregate/index.js';
import { builtinTableFunctions } from './table/index.js';

/**
 * Every built-in function. `props` are the configuration properties in force (e.g.
 * `ksql.functions.collect_list.limit`), which configurable aggregates read when built.
 */
export function createBuiltinRegistry(props: AggregateProperties = {}): FunctionRegistry {
  const r = new FunctionRegistry();
  for (const f of builtinScalarFunctions) r.registerScalar(f);
  for (const f of createBuiltinAggregateFunctions(props)) r.registerAggregate(f);
  for (const f of builtinTableFunctions) r.registerTable(f);
  return r;
}
