/** The built-in table functions (UDTFs), as ksqlDB documents them. */
import type { TableFunction } from '../function-types.js';
import { CUBE_EXPLODE } from './cube-explode.js';
import { EXPLODE } from './explode.js';

export const builtinTableFunctions: TableFunction[] = [EXPLODE, CUBE_EXPLODE];
