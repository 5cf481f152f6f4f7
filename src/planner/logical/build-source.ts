/** FROM's sources: a catalog lookup each, read with the source's row layout. */
import { PlanError } from '../../common/errors.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { SourceRelation } from '../../sql/ast.js';
import { sourceRowColumns } from '../source-columns.js';
import type { SourceNode } from './logical-plan.js';

export function buildSource(catalog: Catalog, rel: SourceRelation): SourceNode {
  const source = catalog.getSource(rel.name);
  if (!source) throw new PlanError(`${rel.name} does not exist.`, rel.pos);
  const alias = rel.alias ?? source.name;
  return { kind: 'Source', schema: sourceRowColumns(source, alias), source, alias };
}
