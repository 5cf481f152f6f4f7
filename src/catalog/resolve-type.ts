/** Turns a type as written (possibly naming CREATE TYPE types) into a resolved SqlType. */
import { CatalogError } from '../common/errors.js';
import type { SqlType } from '../common/sql-types.js';
import { SqlTypes } from '../common/sql-types.js';
import type { TypeNode } from '../sql/ast.js';

export type TypeLookup = (name: string) => SqlType | undefined;

const resolvers: { [K in TypeNode['kind']]: (t: Extract<TypeNode, { kind: K }>, lookup: TypeLookup) => SqlType } = {
  PrimitiveType: (t) => SqlTypes[t.name],
  DecimalType: (t) => {
    if (t.precision < 1) throw new CatalogError(`DECIMAL precision must be >= 1: DECIMAL(${t.precision}, ${t.scale})`, t.pos);
    if (t.scale < 0 || t.scale > t.precision)
      throw new CatalogError(`DECIMAL scale must be between 0 and the precision: DECIMAL(${t.precision}, ${t.scale})`, t.pos);
    return SqlTypes.decimal(t.precision, t.scale);
  },
  ArrayType: (t, lookup) => SqlTypes.array(resolveType(t.element, lookup)),
  MapType: (t, lookup) => SqlTypes.map(resolveType(t.key, lookup), resolveType(t.value, lookup)),
  StructType: (t, lookup) => {
    const seen = new Set<string>();
    for (const f of t.fields) {
      if (seen.has(f.name)) throw new CatalogError(`Duplicate field names found in STRUCT: '${f.name}'`, t.pos);
      seen.add(f.name);
    }
    return SqlTypes.struct(t.fields.map((f) => ({ name: f.name, type: resolveType(f.type, lookup) })));
  },
  NamedType: (t, lookup) => {
    const found = lookup(t.name);
    if (!found) throw new CatalogError(`Unknown type: ${t.name}`, t.pos);
    return found;
  },
};

export function resolveType(t: TypeNode, lookup: TypeLookup): SqlType {
  return (resolvers[t.kind] as (t: TypeNode, lookup: TypeLookup) => SqlType)(t, lookup);
}
