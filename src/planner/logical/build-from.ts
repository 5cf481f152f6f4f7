/**
 * FROM with joins: each source, then each join on `left = right` (N-way joins nest to the left).
 * A join's rows: ROWKEY (the join key), the left input's columns, the right input's columns;
 * columns keep their source alias so `L.A` resolves.
 */
import { PlanError } from '../../common/errors.js';
import { keyColumns } from '../../common/schema.js';
import type { SqlType } from '../../common/sql-types.js';
import { formatSqlType, sqlTypeEquals } from '../../common/sql-types.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { RowColumn } from '../../catalog/query-plan.js';
import { formatExpression } from '../../expr/index.js';
import type { ColumnRef, Expression, JoinRelation, Relation } from '../../sql/ast.js';
import { sameExpression } from '../rewrite-expression.js';
import type { TypeOf } from '../plan-context.js';
import { buildSource } from './build-source.js';
import { joinKindOf } from './join-kind.js';
import { qualify, qualifyAll, sameColumn, splitCondition } from './join-condition.js';
import type { JoinKind, JoinNode, SourceNode } from './logical-plan.js';
import { durationMs } from './durations.js';

export interface JoinKey {
  /** the expressions that may be projected as the key (column refs); none when synthetic */
  readonly candidates: readonly ColumnRef[];
  /** FULL OUTER joins and joins on expressions: the key is a new ROWKEY column */
  readonly synthetic: boolean;
  /** the expressions whose value is the join key (both sides of every join it came through) */
  readonly expressions: readonly Expression[];
  /** a foreign-key join: the key is the left table's primary key */
  readonly foreignKey: boolean;
  /** the join-key column's name: ROWKEY, or ROWKEY_n when a source has a ROWKEY column */
  readonly keyColumn: string;
}

export interface FromPlan {
  readonly node: SourceNode | JoinNode;
  /** left to right */
  readonly sources: readonly SourceNode[];
  readonly isTable: boolean;
  readonly joinKey?: JoinKey;
}

const DEFAULT_JOIN_GRACE_MS = 24 * 3_600_000;

export function buildFrom(
  catalog: Catalog,
  rel: Relation,
  typeOf: TypeOf,
  depth = 0,
  /** transient queries may read a windowed table */
  allowWindowedTable = false,
): FromPlan {
  if (rel.kind === 'SourceRelation') {
    const node = buildSource(catalog, rel);
    if (depth === 0 && !allowWindowedTable && node.source.sourceType === 'TABLE' && node.source.window)
      throw new PlanError('KSQL does not support persistent queries on windowed tables.', rel.pos);
    return { node, sources: [node], isTable: node.source.sourceType === 'TABLE' };
  }
  const left = buildFrom(catalog, rel.left, typeOf, depth + 1);
  const right = buildSource(catalog, rel.right);
  checkJoinInputs(left, right, rel);
  const { leftKey, rightKey } = splitCondition(rel, left.node.schema, right.schema);
  const keyType = joinKeyType(leftKey, rightKey, left, right, typeOf, rel);
  const joinKind = joinKindOf(left, right, leftKey, rightKey, rel);
  const node = joinNode(left, right, joinKind, leftKey, rightKey, keyType, rel, depth);
  return {
    node,
    sources: [...left.sources, right],
    isTable: left.isTable && right.source.sourceType === 'TABLE',
    joinKey: joinKeyOf(node, left),
  };
}

/** Distinct aliases, no self join, and windowed sources only with compatible windowed sources. */
function checkJoinInputs(left: FromPlan, right: SourceNode, rel: JoinRelation): void {
  if (left.sources.length > 1 && left.sources.some((s) => s.source.name === right.source.name))
    throw new PlanError(`N-way joins do not support multiple occurrences of the same source. Source: '${right.source.name}'`, rel.pos);
  const aliases = [...left.sources, right].map((s) => s.alias);
  if (new Set(aliases).size !== aliases.length) throw new PlanError(`Each side of the join must have a unique alias: ${aliases.join(', ')}`, rel.pos);
  if (left.sources.some((s) => s.source.name === right.source.name))
    throw new PlanError(`Can not join '${left.sources[0]!.source.name}' to '${right.source.name}': self joins are not yet supported.`, rel.pos);
  const leftWindow = left.sources[0]!.source.window;
  const rightWindow = right.source.window;
  if (!!leftWindow !== !!rightWindow) {
    const describe = (p: SourceNode) => `\`${p.alias}\` is ${p.source.window ? `${p.source.window.type} windowed` : 'not windowed'}`;
    throw new PlanError(`Can not join windowed source to non-windowed source.\n${describe(left.sources[0]!)}\n${describe(right)}`, rel.pos);
  }
  if (leftWindow && rightWindow && (leftWindow.type === 'SESSION') !== (rightWindow.type === 'SESSION'))
    throw new PlanError(
      `Incompatible windowed sources.\nLeft source: ${leftWindow.type}\nRight source: ${rightWindow.type}\nSession windowed sources can only be joined to other session windowed sources, and may still not result in expected behaviour as session bounds must be an exact match for the join to work\nHopping and tumbling windowed sources can only be joined to other hopping and tumbling windowed sources`,
      rel.pos,
    );
}

/** Both sides of the condition must have the same type: the key's, which may not hold a map. */
function joinKeyType(leftKey: Expression, rightKey: Expression, left: FromPlan, right: SourceNode, typeOf: TypeOf, rel: JoinRelation): SqlType {
  const leftType = typeOf(leftKey, left.node.schema);
  const rightType = typeOf(rightKey, right.schema);
  if (!sqlTypeEquals(leftType, rightType)) {
    const shown = (e: Expression, cols: readonly RowColumn[]) => formatExpression(qualifyAll(e, cols));
    throw new PlanError(
      `Invalid join condition: types don't match. Got ${shown(leftKey, left.node.schema)}{${formatSqlType(leftType)}} = ${shown(rightKey, right.schema)}{${formatSqlType(rightType)}}.`,
      rel.on.pos,
    );
  }
  // the join key becomes a (repartition) key column: keys may not hold maps, as in ksqlDB
  if (containsMap(leftType)) {
    const ref = qualifyAll(leftKey, left.node.schema);
    const name = ref.kind === 'ColumnRef' && ref.source ? `${ref.source}_${ref.name}` : formatExpression(ref);
    throw new PlanError(
      'Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. ' +
        `Key column name: \`${name}\`. Column type: ${formatSqlType(leftType)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
      rel.on.pos,
    );
  }
  return leftType;
}

function containsMap(t: SqlType): boolean {
  if (t.kind === 'MAP') return true;
  if (t.kind === 'ARRAY') return containsMap(t.element);
  if (t.kind === 'STRUCT') return t.fields.some((f) => containsMap(f.type));
  return false;
}

function joinNode(
  left: FromPlan,
  right: SourceNode,
  joinKind: JoinKind,
  leftKey: Expression,
  rightKey: Expression,
  keyType: SqlType,
  rel: JoinRelation,
  depth: number,
): JoinNode {
  const within = rel.within
    ? {
        beforeMs: durationMs(rel.within.before),
        afterMs: durationMs(rel.within.after),
        graceMs: rel.within.grace ? durationMs(rel.within.grace) : DEFAULT_JOIN_GRACE_MS,
        eagerOuter: !rel.within.grace,
      }
    : undefined;
  // an inner join's key column stays in the layout (for positions) under a name nothing can reference
  const innerKey = left.joinKey?.keyColumn;
  const leftColumns = left.node.schema.map((c) => (innerKey && c.name === innerKey && !c.source ? { ...c, name: `KSQL_JOIN_KEY_${depth + 1}` } : c));
  const taken = new Set([...leftColumns, ...right.schema].map((c) => c.name));
  let keyColumn = 'ROWKEY';
  for (let n = 1; taken.has(keyColumn); n++) keyColumn = `ROWKEY_${n}`;
  const schema: RowColumn[] = [{ name: keyColumn, type: keyType }, ...leftColumns, ...right.schema];
  return { kind: 'Join', schema, joinKind, joinType: rel.joinType, left: left.node, right, leftKey, rightKey, ...(within ? { within } : {}), depth };
}

/** What the join is keyed by, and which projected columns may stand for that key. */
function joinKeyOf(node: JoinNode, left: FromPlan): JoinKey {
  const { leftKey, rightKey, right } = node;
  const keyColumn = node.schema[0]!.name;
  const foreignKey = node.joinKind === 'ForeignKey';
  // a foreign-key join is keyed by the left table's primary key
  const leftPrimaryKey = keyColumns(left.sources[0]!.source.schema).map((c): ColumnRef => ({ kind: 'ColumnRef', name: c.name, source: left.sources[0]!.alias }));
  const own = foreignKey
    ? leftPrimaryKey
    : [leftKey, rightKey].filter((e): e is ColumnRef => e.kind === 'ColumnRef').map((e) => qualify(e, left.node.schema, right.schema));
  // joining on the inner join's key keeps that key (and its candidates)
  const sameKey =
    !!left.joinKey &&
    left.joinKey.expressions.some(
      (x) => sameExpression(x, leftKey) || (x.kind === 'ColumnRef' && leftKey.kind === 'ColumnRef' && sameColumn(qualify(x, left.node.schema, []), qualify(leftKey, left.node.schema, []))),
    );
  const inherited = sameKey ? left.joinKey!.candidates : [];
  const candidates = [...own, ...inherited.filter((c) => !own.some((o) => o.source === c.source && o.name === c.name))];
  const synthetic = node.joinType === 'FULL' || candidates.length === 0;
  return {
    candidates: synthetic ? [] : candidates,
    synthetic,
    expressions: foreignKey ? leftPrimaryKey : [leftKey, rightKey, ...(sameKey ? left.joinKey!.expressions : [])],
    foreignKey,
    keyColumn,
  };
}
