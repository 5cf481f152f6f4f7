/** EXPLODE(array): one output row per element, in order; NULL or empty arrays give no rows. */
import type { TableFunction, TableOverload } from '../function-types.js';
import type { ArrayType } from '../../common/sql-types.js';
import { p } from '../param-types.js';

const explode = (list: readonly unknown[] | null): readonly unknown[] => (list === null || list === undefined ? [] : list);

export const EXPLODE: TableFunction = {
  name: 'EXPLODE',
  displayName: 'explode',
  description: 'Explodes an array into one row per element.',
  overloads: [
    // listed apart (as ksqlDB does) so the element keeps its DECIMAL precision and scale
    {
      params: [p('ARRAY<DECIMAL>')],
      paramNames: ['input'],
      returns: (argTypes) => (argTypes[0] as ArrayType).element,
      bind: () => explode,
    },
    { params: [p('ARRAY<T>')], paramNames: ['list'], returns: p('T'), bind: () => explode },
  ] satisfies TableOverload[],
};
