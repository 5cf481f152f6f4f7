/**
 * With `ksql.query.pull.table.scan.enabled=false` a pull query on a table must be answerable from
 * key lookups (or, with range scans enabled, a range over a single STRING key): these are
 * ksqlDB's checks and messages for WHERE clauses that would need a table scan. Sluice scans
 * without the setting; the checks apply only when a user turns table scans off.
 */
import { PlanError } from '../common/errors.js';
import { keyColumns } from '../common/schema.js';
import { formatSqlType } from '../common/sql-types.js';
import type { DataSource } from '../catalog/data-source.js';
import { formatExpression } from '../expr/index.js';
import { collectExpressions } from '../planner/rewrite-expression.js';
import type { Expression, Query } from '../sql/ast.js';

const TABLE_SCAN = 'Query requires table scan to be enabled. Table scans can be enabled by setting ksql.query.pull.table.scan.enabled=true';

function split(e: Expression, op: 'AND' | 'OR'): Expression[] {
  return e.kind === 'Logical' && e.op === op ? [...split(e.left, op), ...split(e.right, op)] : [e];
}

const resolvable = (e: Expression) => collectExpressions(e, (x) => x.kind === 'ColumnRef').length === 0;

export function checkKeyConstraints(query: Query, source: DataSource, config: ReadonlyMap<string, string>): void {
  if (config.get('ksql.query.pull.table.scan.enabled') !== 'false' || source.sourceType !== 'TABLE') return;
  const rangeScans = config.get('ksql.query.pull.range.scan.enabled') !== 'false';
  if (!query.where) throw new PlanError(TABLE_SCAN, query.pos);
  const keys = keyColumns(source.schema);
  const keyNames = new Set(keys.map((k) => k.name));
  const isKey = (e: Expression): e is Expression & { kind: 'ColumnRef'; name: string } => e.kind === 'ColumnRef' && keyNames.has(e.name);
  const disjuncts = split(query.where, 'OR');
  for (const disjunct of disjuncts) {
    const equal = new Set<string>();
    const ranged = new Map<string, Expression[]>();
    for (const term of split(disjunct, 'AND')) {
      if (term.kind === 'InList' && isKey(term.operand)) {
        if (!term.list.every(resolvable)) throw new PlanError('A comparison must be between a key column and a resolvable expression.', term.pos);
        equal.add(term.operand.name);
        continue;
      }
      if (term.kind === 'Between' && isKey(term.operand)) {
        ranged.set(term.operand.name, [...(ranged.get(term.operand.name) ?? []), term.low, term.high]);
        continue;
      }
      if (term.kind !== 'Comparison') continue;
      const keySide = isKey(term.left) ? term.left : isKey(term.right) ? term.right : undefined;
      if (!keySide) continue;
      const other = keySide === term.left ? term.right : term.left;
      if (!resolvable(other)) throw new PlanError('A comparison must be between a key column and a resolvable expression.', term.pos);
      if (term.op === '=') equal.add(keySide.name);
      else if (term.op === '<>') {
        const key = keys.find((k) => k.name === keySide.name)!;
        throw new PlanError(`Bound on key columns '[\`${key.name}\` ${formatSqlType(key.type)} KEY]' must currently be '='. `, term.pos);
      } else ranged.set(keySide.name, [...(ranged.get(keySide.name) ?? []), other]);
    }
    const constrained = new Set([...equal, ...ranged.keys()]);
    if (!constrained.size) throw new PlanError(`WHERE clause missing key column for disjunct: ${formatExpression(disjunct)}`, disjunct.pos);
    if (keys.length > 1 && keys.some((k) => !constrained.has(k.name))) throw new PlanError('Multi-column sources must specify every key in the WHERE clause.', disjunct.pos);
    if (!ranged.size) continue;
    for (const [name, bounds] of ranged) if (bounds.length > 1 || equal.has(name))
      throw new PlanError('A comparison condition on the key column cannot be combined with other comparisons such as an IN predicate', disjunct.pos);
    // a range scan: one STRING key of a non-windowed table, bounded by a string, in a single disjunct
    const [name, bounds] = [...ranged.entries()][0]!;
    const key = keys.find((k) => k.name === name)!;
    const stringBound = bounds.every((b) => b.kind === 'StringLiteral');
    if (!rangeScans || disjuncts.length > 1 || keys.length > 1 || source.window || key.type.kind !== 'STRING' || !stringBound) throw new PlanError(TABLE_SCAN, disjunct.pos);
  }
}
