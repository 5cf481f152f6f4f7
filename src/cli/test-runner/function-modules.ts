/**
 * Extra functions for a test run: `sluice test --functions MODULE` imports a JavaScript module that
 * exports `registerFunctions(registry)` and calls it on each case's function registry, after the
 * built-in functions (so a name already built in is an error). The engine itself never loads these:
 * they exist for suites that call functions of their own test harness (ksqlDB's TEST_UDF, ...).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../index.js';
import type { FunctionRegistry } from '../../index.js';

/** Adds functions to a registry through its public registration methods. */
export type RegisterFunctions = (registry: FunctionRegistry) => void;

export async function loadFunctionModule(path: string): Promise<RegisterFunctions> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`Cannot load functions module ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const register = mod.registerFunctions;
  if (typeof register !== 'function') throw new ConfigError(`Functions module ${path} does not export registerFunctions(registry)`);
  return register as RegisterFunctions;
}
