/**
 * INSERT INTO casts the result to the sink's types where ksqlDB casts implicitly (numbers widen; an
 * INT or BIGINT goes into any DECIMAL); any other difference is left for the schema check to report.
 */
import type { LogicalSchema } from '../../common/schema.js';
import type { SqlType } from '../../common/sql-types.js';
import { formatSqlType, sqlTypeEquals } from '../../common/sql-types.js';
import { canImplicitlyCast } from '../../common/type-coercion.js';
import { parseType } from '../../sql/parse.js';
import type { ProjectNode } from './logical-plan.js';

export function castToSink(project: ProjectNode, target: LogicalSchema): ProjectNode {
  const cols = target.columns;
  if (cols.length !== project.schema.length) return project;
  const fits = project.schema.every((c, i) => {
    const t = cols[i]!;
    return c.name === t.name && (t.namespace === 'KEY') === i < project.keyCount && castable(c.type, t.type);
  });
  if (!fits || project.schema.every((c, i) => sqlTypeEquals(c.type, cols[i]!.type))) return project;
  return {
    ...project,
    expressions: project.expressions.map((e, i) =>
      sqlTypeEquals(project.schema[i]!.type, cols[i]!.type) ? e : { kind: 'Cast', operand: e, type: parseType(formatSqlType(cols[i]!.type)) },
    ),
    schema: project.schema.map((c, i) => ({ ...c, type: cols[i]!.type })),
  };
}

function castable(from: SqlType, to: SqlType): boolean {
  return canImplicitlyCast(from, to) || ((from.kind === 'INTEGER' || from.kind === 'BIGINT') && to.kind === 'DECIMAL');
}
