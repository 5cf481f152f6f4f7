/**
 * FROM with joins: plans each source, then each join on `left = right` (N-way joins nest to the
 * left). Output layout of a join step: ROWKEY (the join key), the left input's columns, the right
 * input's columns; columns keep their source alias so `L.A` resolves.
 */
import { PlanError, TypeCheckError } from '../common/errors.js';
import { keyColumns } from '../common/schema.js';
import type { SqlType } from '../common/sql-types.js';
import { formatSqlType, sqlTypeEquals } from '../common/sql-types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource } from '../catalog/data-source.js';
import type { JoinStep, RowColumn, SourceStep, Step } from '../catalog/query-plan.js';
import { formatExpression } from '../expr/index.js';
import type { ColumnRef, Duration, Expression, JoinRelation, Relation, SourceRelation } from '../sql/ast.js';
import { collectExpressions, rewriteExpression, sameExpression } from './rewrite-expression.js';
import { sourceRowColumns } from './source-columns.js';

export interface PlannedSource {
  readonly alias: string;
  readonly source: DataSource;
}

export interface PlannedFrom {
  readonly step: Step;
  readonly sources: readonly PlannedSource[];
  readonly isTable: boolean;
  /** for joins: the expressions that may be projected as the key (column refs), or the synthetic ROWKEY */
  readonly joinKey?: {
    readonly candidates: readonly ColumnRef[];
    readonly synthetic: boolean;
    /** the expressions whose value is the join key (both sides of every join it came through) */
    readonly expressions: readonly Expression[];
    /** a foreign-key join: the key is the left table's primary key */
    readonly foreignKey?: boolean;
    /** the join-key column's name: ROWKEY, or ROWKEY_n when a source has a ROWKEY column */
    readonly keyColumn: string;
  };
}

const UNIT_MS = { MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 } as const;
const durationMs = (d: Duration) => d.value * UNIT_MS[d.unit];
const DEFAULT_JOIN_GRACE_MS = 24 * 3_600_000;

export function sourceStep(catalog: Catalog, rel: SourceRelation): { step: SourceStep; planned: PlannedSource } {
  const source = catalog.getSource(rel.name);
  if (!source) throw new PlanError(`${rel.name} does not exist.`, rel.pos);
  const alias = rel.alias ?? source.name;
  const step: SourceStep = {
    kind: source.sourceType === 'TABLE' ? 'TableSource' : 'StreamSource',
    id: `Source/${alias}`,
    columns: sourceRowColumns(source, alias),
    sourceName: source.name,
    alias,
    topic: source.topic,
    schema: source.schema,
    keyFormat: source.keyFormat,
    valueFormat: source.valueFormat,
    ...(source.timestamp ? { timestamp: source.timestamp } : {}),
    ...(source.window ? { window: source.window } : {}),
  };
  return { step, planned: { alias, source } };
}

export function planFrom(catalog: Catalog, rel: Relation, typeOf: (e: Expression, cols: readonly RowColumn[]) => SqlType, depth = 0): PlannedFrom {
  if (rel.kind === 'SourceRelation') {
    const { step, planned } = sourceStep(catalog, rel);
    if (depth === 0 && planned.source.sourceType === 'TABLE' && planned.source.window)
      throw new PlanError('KSQL does not support persistent queries on windowed tables.', rel.pos);
    return { step, sources: [planned], isTable: planned.source.sourceType === 'TABLE' };
  }
  const left = planFrom(catalog, rel.left, typeOf, depth + 1);
  const { step: rightStep, planned: right } = sourceStep(catalog, rel.right);
  if (left.sources.length > 1 && left.sources.some((s) => s.source.name === right.source.name))
    throw new PlanError(`N-way joins do not support multiple occurrences of the same source. Source: '${right.source.name}'`, rel.pos);
  const aliases = [...left.sources, right].map((s) => s.alias);
  if (new Set(aliases).size !== aliases.length) throw new PlanError(`Each side of the join must have a unique alias: ${aliases.join(', ')}`, rel.pos);
  const rightIsTable = right.source.sourceType === 'TABLE';
  if (left.sources.some((s) => s.source.name === right.source.name))
    throw new PlanError(`Can not join '${left.sources[0]!.source.name}' to '${right.source.name}': self joins are not yet supported.`, rel.pos);
  const leftWindow = left.sources[0]!.source.window;
  const rightWindow = right.source.window;
  if (!!leftWindow !== !!rightWindow) {
    const describe = (p: PlannedSource) => `\`${p.alias}\` is ${p.source.window ? `${p.source.window.type} windowed` : 'not windowed'}`;
    throw new PlanError(`Can not join windowed source to non-windowed source.\n${describe(left.sources[0]!)}\n${describe(right)}`, rel.pos);
  }
  if (leftWindow && rightWindow && (leftWindow.type === 'SESSION') !== (rightWindow.type === 'SESSION'))
    throw new PlanError(
      `Incompatible windowed sources.\nLeft source: ${leftWindow.type}\nRight source: ${rightWindow.type}\nSession windowed sources can only be joined to other session windowed sources, and may still not result in expected behaviour as session bounds must be an exact match for the join to work\nHopping and tumbling windowed sources can only be joined to other hopping and tumbling windowed sources`,
      rel.pos,
    );

  const { leftKey, rightKey } = splitCondition(rel, left.step.columns, rightStep.columns, typeOf);
  const leftType = typeOf(leftKey, left.step.columns);
  const rightType = typeOf(rightKey, rightStep.columns);
  if (!sqlTypeEquals(leftType, rightType)) {
    const shown = (e: Expression, cols: readonly RowColumn[]) => formatExpression(qualifyAll(e, cols));
    throw new PlanError(
      `Invalid join condition: types don't match. Got ${shown(leftKey, left.step.columns)}{${formatSqlType(leftType)}} = ${shown(rightKey, rightStep.columns)}{${formatSqlType(rightType)}}.`,
      rel.on.pos,
    );
  }

  // the join key becomes a (repartition) key column: keys may not hold maps, as in ksqlDB
  if (containsMap(leftType)) {
    const ref = qualifyAll(leftKey, left.step.columns);
    const name = ref.kind === 'ColumnRef' && ref.source ? `${ref.source}_${ref.name}` : formatExpression(ref);
    throw new PlanError(
      'Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. ' +
        `Key column name: \`${name}\`. Column type: ${formatSqlType(leftType)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
      rel.on.pos,
    );
  }

  let kind: JoinStep['kind'];
  if (!left.isTable && !rightIsTable) {
    if (!rel.within) throw new PlanError('Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select', rel.pos);
    kind = 'StreamStreamJoin';
  } else if (!left.isTable && rightIsTable) {
    if (rel.within) throw new PlanError('A window definition was provided for a Stream-Table join. These joins are not windowed. Please drop the window definition (ie. the WITHIN clause) and try to execute your Stream-Table join again.', rel.within.pos);
    if (rel.joinType === 'FULL' || rel.joinType === 'RIGHT')
      throw new PlanError(
        `Invalid join type: ${rel.joinType === 'FULL' ? 'full-outer' : 'right'} join not supported for stream-table join. Got ${describeSide(rel.left)} ${JOIN_TEXT[rel.joinType]} ${rel.right.name}.`,
        rel.pos,
      );
    requirePrimaryKey(rightKey, right, "stream-table joins require to join on the table's primary key", [...left.step.columns, ...rightStep.columns], rel);
    kind = 'StreamTableJoin';
  } else if (left.isTable && !rightIsTable) {
    throw new PlanError(
      `Invalid join order: table-stream joins are not supported; only stream-table joins. Got ${keySide(leftKey, left.step.columns, rel.left)} ${JOIN_TEXT[rel.joinType]} ${rel.right.name}.`,
      rel.pos,
    );
  } else {
    if (rel.within) throw new PlanError('A window definition was provided for a Table-Table join. These joins are not windowed. Please drop the window definition (i.e. the WITHIN clause) and try to execute your Table-Table join again.', rel.within.pos);
    requirePrimaryKey(rightKey, right, 'table-table joins require to join on the primary key of the right input table', [...left.step.columns, ...rightStep.columns], rel);
    const leftPk = left.step.kind !== 'TableSource' || isPrimaryKey(leftKey, left.sources[0]!);
    if (leftPk) kind = 'TableTableJoin';
    else {
      // a foreign key: the left table's column(s) name the right table's primary key
      if (rel.joinType === 'RIGHT' || rel.joinType === 'FULL')
        throw new PlanError(`${rel.joinType === 'RIGHT' ? 'RIGHT' : 'FULL'} OUTER JOIN on a foreign key is not supported`, rel.pos);
      kind = 'ForeignKeyTableJoin';
    }
  }

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
  const leftColumns = left.step.columns.map((c) => (innerKey && c.name === innerKey && !c.source ? { ...c, name: `KSQL_JOIN_KEY_${depth + 1}` } : c));
  const taken = new Set([...leftColumns, ...rightStep.columns].map((c) => c.name));
  let keyColumn = 'ROWKEY';
  for (let n = 1; taken.has(keyColumn); n++) keyColumn = `ROWKEY_${n}`;
  const columns: RowColumn[] = [{ name: keyColumn, type: leftType }, ...leftColumns, ...rightStep.columns];
  const step: JoinStep = {
    kind,
    id: `Join/${depth}`,
    joinType: rel.joinType,
    left: left.step,
    right: rightStep,
    leftKey,
    rightKey,
    ...(within ? { within } : {}),
    columns,
  };
  // a foreign-key join is keyed by the left table's primary key
  const leftPrimaryKey = keyColumns(left.sources[0]!.source.schema).map((c): ColumnRef => ({ kind: 'ColumnRef', name: c.name, source: left.sources[0]!.alias }));
  const own =
    kind === 'ForeignKeyTableJoin'
      ? leftPrimaryKey
      : [leftKey, rightKey].filter((e): e is ColumnRef => e.kind === 'ColumnRef').map((e) => qualify(e, left.step.columns, rightStep.columns));
  // joining on the inner join's key keeps that key (and its candidates)
  const sameKey = !!left.joinKey && left.joinKey.expressions.some((x) => sameExpression(x, leftKey) || (x.kind === 'ColumnRef' && leftKey.kind === 'ColumnRef' && sameColumn(qualify(x, left.step.columns, []), qualify(leftKey, left.step.columns, []))));
  const inherited = sameKey ? left.joinKey!.candidates : [];
  const candidates = [...own, ...inherited.filter((c) => !own.some((o) => o.source === c.source && o.name === c.name))];
  const synthetic = rel.joinType === 'FULL' || candidates.length === 0;
  return {
    step,
    sources: [...left.sources, right],
    isTable: left.isTable && rightIsTable,
    joinKey: {
      candidates: synthetic ? [] : candidates,
      synthetic,
      expressions: kind === 'ForeignKeyTableJoin' ? leftPrimaryKey : [leftKey, rightKey, ...(sameKey ? left.joinKey!.expressions : [])],
      foreignKey: kind === 'ForeignKeyTableJoin',
      keyColumn,
    },
  };
}

/** every column reference qualified by its source, as ksqlDB prints join conditions */
function qualifyAll(e: Expression, cols: readonly RowColumn[]): Expression {
  return rewriteExpression(e, (x) => (x.kind === 'ColumnRef' && !x.source ? qualify(x, cols, []) : undefined));
}

function sameColumn(a: ColumnRef, b: ColumnRef): boolean {
  return a.name === b.name && a.source === b.source;
}

/** how ksqlDB spells join types in errors */
const JOIN_TEXT: Record<JoinRelation['joinType'], string> = {
  INNER: '[INNER] JOIN',
  LEFT: 'LEFT [OUTER] JOIN',
  RIGHT: 'RIGHT [OUTER] JOIN',
  FULL: '[FULL] OUTER JOIN',
};

/** the right-most source of a relation: what ksqlDB names as the left side in join errors */
function containsMap(t: SqlType): boolean {
  if (t.kind === 'MAP') return true;
  if (t.kind === 'ARRAY') return containsMap(t.element);
  if (t.kind === 'STRUCT') return t.fields.some((f) => containsMap(f.type));
  return false;
}

function describeSide(r: Relation): string {
  return r.kind === 'SourceRelation' ? r.name : r.right.name;
}

/** The left side of a join as ksqlDB names it in errors: the source its join column comes from. */
function keySide(leftKey: Expression, cols: readonly RowColumn[], left: Relation): string {
  const qualified = qualifyAll(leftKey, cols);
  const ref = qualified.kind === 'ColumnRef' ? qualified : undefined;
  return ref?.source ?? describeSide(left);
}

function isPrimaryKey(e: Expression, side: PlannedSource): boolean {
  const keys = keyColumns(side.source.schema);
  return e.kind === 'ColumnRef' && keys.length === 1 && keys[0]!.name === e.name && (!e.source || e.source === side.alias);
}

function requirePrimaryKey(rightKey: Expression, right: PlannedSource, what: string, columns: readonly RowColumn[], rel: JoinRelation): void {
  if (isPrimaryKey(rightKey, right)) return;
  // the condition as written, every column qualified
  const on = rel.on.kind === 'Comparison' ? rel.on : undefined;
  const shown = on ? `${formatExpression(qualifyAll(on.left, columns))} = ${formatExpression(qualifyAll(on.right, columns))}` : formatExpression(rel.on);
  throw new PlanError(`Invalid join condition: ${what}. Got ${shown}.`, rel.on.pos);
}

/** The column's qualified form, resolving an unqualified name against the side it belongs to. */
function qualify(e: ColumnRef, left: readonly RowColumn[], right: readonly RowColumn[]): ColumnRef {
  if (e.source) return e;
  const c = [...left, ...right].find((x) => x.name === e.name && x.source);
  return c ? { ...e, source: c.source! } : e;
}

/** Splits `ON a = b` into the left input's expression and the right input's. */
function splitCondition(
  rel: JoinRelation,
  left: readonly RowColumn[],
  right: readonly RowColumn[],
  typeOf: (e: Expression, cols: readonly RowColumn[]) => SqlType,
): { leftKey: Expression; rightKey: Expression } {
  const on = rel.on;
  const text = formatExpression(on);
  if (on.kind === 'Logical' && on.op === 'AND') throw new PlanError(`Invalid join condition: joins on multiple conditions are not yet supported. Got ${text}.`, on.pos);
  if (on.kind !== 'Comparison' || on.op !== '=')
    throw new PlanError(`Unsupported join expression: ${text}. Only equi-joins (a = b) are supported.`, on.pos);
  const sideOf = (e: Expression): 'left' | 'right' | 'none' | 'both' => {
    const refs = collectExpressions(e, (x) => x.kind === 'ColumnRef') as ColumnRef[];
    if (!refs.length) return 'none';
    let inLeft = false;
    let inRight = false;
    for (const r of refs) {
      const l = resolves(r, left);
      const rr = resolves(r, right);
      if (!l && !rr) {
        if (r.source && ![...left, ...right].some((c) => c.source === r.source))
          throw new PlanError(`Failed to prepare statement: '${r.source}' is not a valid stream/table name or alias.`, r.pos);
        throw new PlanError(`JOIN ON column '${r.source ? `${r.source}.` : ''}${r.name}' cannot be resolved.`, r.pos);
      }
      inLeft ||= l;
      inRight ||= rr && !l;
    }
    return inLeft && inRight ? 'both' : inLeft ? 'left' : 'right';
  };
  const a = sideOf(on.left);
  const b = sideOf(on.right);
  const invalid = (e: Expression) =>
    new PlanError(
      `Invalid comparison expression '${formatExpression(e)}' in join '${text}'. Each side of the join comparision must contain references from exactly one source.`,
      on.pos,
    );
  if (a === 'none' || a === 'both') throw invalid(on.left);
  if (b === 'none' || b === 'both') throw invalid(on.right);
  if (a === b) throw new PlanError(`Invalid join criteria ${text}. Could not find a join criteria operand for ${rel.right.alias ?? rel.right.name}.`, on.pos);
  return a === 'left' ? { leftKey: on.left, rightKey: on.right } : { leftKey: on.right, rightKey: on.left };
}

function resolves(r: ColumnRef, cols: readonly RowColumn[]): boolean {
  return cols.some((c) => c.name === r.name && (!r.source || c.source === r.source));
}

