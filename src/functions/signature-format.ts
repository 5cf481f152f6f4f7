/** Prints function signatures for SHOW FUNCTIONS / DESCRIBE FUNCTION: `ARRAY_CONTAINS(ARRAY<T>, T) -> BOOLEAN`. */
import { formatSqlType } from '../common/sql-types.js';
import type { ParamType } from './function-types.js';

export function formatParamType(p: ParamType): string {
  switch (p.kind) {
    case 'exact':
      return formatSqlType(p.type);
    case 'anyDecimal':
      return 'DECIMAL';
    case 'anyStruct':
      return 'STRUCT';
    case 'any':
      return 'ANY';
    case 'generic':
      return p.name;
    case 'array':
      return `ARRAY<${formatParamType(p.element)}>`;
    case 'map':
      return `MAP<${formatParamType(p.key)}, ${formatParamType(p.value)}>`;
    case 'lambda':
      return `LAMBDA<(${p.params.map(formatParamType).join(', ')}) => ${formatParamType(p.returns)}>`;
    case 'intervalUnit':
      return 'INTERVALUNIT';
  }
}

export interface SignatureShape {
  readonly params: readonly ParamType[];
  readonly initParams?: readonly ParamType[];
  readonly variadic?: boolean;
  readonly initVariadic?: boolean;
  readonly returns: ParamType | ((...args: never[]) => unknown);
}

export function formatSignature(name: string, o: SignatureShape): string {
  const params = o.params.map((p, i) => formatParamType(p) + (o.variadic && i === o.params.length - 1 ? '...' : ''));
  const init = o.initParams ?? [];
  const all = [...params, ...init.map((p, i) => formatParamType(p) + (o.initVariadic && i === init.length - 1 ? '...' : ''))];
  const ret = typeof o.returns === 'function' ? 'ANY' : formatParamType(o.returns);
  return `${name}(${all.join(', ')}) -> ${ret}`;
}
