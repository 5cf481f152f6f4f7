/**
 * Rewrite: each StreamSource step learns which of its value columns the query reads
 * (`neededValueColumns`), so the value format may skip the others (JSON does, without building
 * them). Demand flows from the sink down: a sink reads all its input's columns, a projection only
 * what its expressions name, filters / repartitions / joins pass demand through by position and add
 * what their own expressions name. A reference is matched by name alone, so the answer can only be
 * too large, never too small; a step this pass does not understand demands every column.
 * Repartitions of streams (`neededColumns`) and stream-stream / stream-table joins (`leftNeeded`,
 * `rightNeeded`) learn the same of their rows, so the internal topics and the join stores carry
 * only what is read above them (pseudo columns included), the rest as NULL.
 * Plain data: stored plans without the fields still restore (every column decoded and kept).
 */
import type { QueryPlan, RowColumn, SourceStep, Step } from '../../catalog/query-plan.js';
import { valueColumns } from '../../common/schema.js';

/** indices into a step's columns, or every column */
type Demand = ReadonlySet<number> | 'all';

/** Names of the columns an expression (any AST fragment) refers to; undefined: "all of them". */
function referencedNames(nodes: readonly unknown[]): Set<string> | undefined {
  const names = new Set<string>();
  let all = false;
  const visit = (v: unknown): void => {
    if (all || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const e of v) visit(e);
      return;
    }
    const o = v as { kind?: unknown; name?: unknown };
    if (o.kind === 'ColumnRef' && typeof o.name === 'string') names.add(o.name);
    else if (o.kind === 'AllColumns') all = true;
    for (const k of Object.keys(o)) visit((o as Record<string, unknown>)[k]);
  };
  visit(nodes);
  return all ? undefined : names;
}

/** every column of `columns` named by the expressions, plus `base` */
function demandOf(columns: readonly RowColumn[], expressions: readonly unknown[], base: Iterable<number> = []): Demand {
  const names = referencedNames(expressions);
  if (names === undefined) return 'all';
  const out = new Set(base);
  columns.forEach((c, i) => {
    if (names.has(c.name)) out.add(i);
  });
  return out;
}

/** the demanded indices below `limit`, shifted by `offset` (a slice of a wider row) */
function slice(d: Demand, offset: number, limit: number): Demand {
  if (d === 'all') return 'all';
  const out = new Set<number>();
  for (const i of d) if (i >= offset && i < offset + limit) out.add(i - offset);
  return out;
}

/**
 * `privateTable`: a table read only by the stream-table join above it, whose rows live in that
 * join's own store and are read only for the columns demanded of the join: narrowed like a stream.
 */
/** a demand as plain data: ascending positions */
function positions(d: ReadonlySet<number>): number[] {
  return [...d].sort((a, b) => a - b);
}

function withNeeded(step: SourceStep, d: Demand, privateTable = false): SourceStep {
  // other tables are materialized by steps that may hand on every column: only streams are narrowed
  if (d === 'all' || (step.kind !== 'StreamSource' && !privateTable)) return step;
  const names = new Set<string>();
  for (const i of d) {
    const c = step.columns[i];
    if (c) names.add(c.name);
  }
  if (step.timestamp) names.add(step.timestamp.column);
  const values = valueColumns(step.schema);
  const needed = values.filter((c) => names.has(c.name)).map((c) => c.name);
  if (needed.length === values.length) return step;
  return { ...step, neededValueColumns: needed };
}

function mark(step: Step, d: Demand): Step {
  switch (step.kind) {
    case 'StreamSource':
    case 'TableSource':
      return withNeeded(step, d);
    case 'StreamSink':
    case 'TableSink':
      return { ...step, input: mark(step.input, 'all') };
    case 'StreamSelect':
    case 'TableSelect':
      return { ...step, input: mark(step.input, demandOf(step.input.columns, step.expressions)) };
    case 'StreamFilter':
    case 'TableFilter': {
      const same = step.columns.length === step.input.columns.length && d !== 'all';
      const keep = step.materialized ? Array.from({ length: step.materialized.keyCount }, (_, i) => i) : [];
      return { ...step, input: mark(step.input, same ? demandOf(step.input.columns, [step.predicate], [...(d as Set<number>), ...keep]) : 'all') };
    }
    case 'StreamRepartition': {
      const same = step.columns.length === step.input.columns.length && d !== 'all';
      const input = mark(step.input, same ? demandOf(step.input.columns, step.keyExpressions, d as Set<number>) : 'all');
      // only what is read above crosses the internal topic; a table's rows are kept whole (joins
      // and aggregates materialize them), as for sources
      if (!same || !isStream(step.input) || (d as Set<number>).size === step.columns.length) return { ...step, input };
      return { ...step, input, neededColumns: positions(d as Set<number>) };
    }
    case 'StreamFlatMap':
      return { ...step, input: mark(step.input, d === 'all' ? 'all' : demandOf(step.input.columns, step.tableFunctions, slice(d, 0, step.input.columns.length) as Set<number>)) };
    case 'StreamSelectKey': {
      if (d === 'all') return { ...step, input: mark(step.input, 'all') };
      const base: number[] = [];
      for (const i of d) {
        const from = step.layout[i];
        if (typeof from === 'number') base.push(from);
      }
      return { ...step, input: mark(step.input, demandOf(step.input.columns, step.keyExpressions, base)) };
    }
    case 'StreamAggregate': {
      const keys = Array.from({ length: step.inputKeyCount }, (_, i) => i);
      return { ...step, input: mark(step.input, demandOf(step.input.columns, [step.groupBy, step.aggregates], keys)) };
    }
    case 'TableAggregate':
      return { ...step, input: mark(step.input, 'all') };
    case 'StreamStreamJoin':
    case 'StreamTableJoin':
    case 'TableTableJoin':
    case 'ForeignKeyTableJoin': {
      const l = step.left.columns.length;
      const r = step.right.columns.length;
      // output: the join key, the left row, the right row
      const laidOut = step.columns.length === 1 + l + r && d !== 'all';
      const left = laidOut ? demandOf(step.left.columns, [step.leftKey], slice(d, 1, l) as Set<number>) : 'all';
      const right = laidOut ? demandOf(step.right.columns, [step.rightKey], slice(d, 1 + l, r) as Set<number>) : 'all';
      const privateTable = step.kind === 'StreamTableJoin' && step.right.kind === 'TableSource';
      // what the join keeps of each side: the columns read above it (its keys are computed first)
      const kept =
        laidOut && (step.kind === 'StreamStreamJoin' || step.kind === 'StreamTableJoin')
          ? { leftNeeded: positions(slice(d, 1, l) as Set<number>), rightNeeded: positions(slice(d, 1 + l, r) as Set<number>) }
          : {};
      return { ...step, ...kept, left: mark(step.left, left), right: privateTable ? withNeeded(step.right as SourceStep, right, true) : mark(step.right, right) };
    }
  }
}

/** whether a step's output is a stream (not a table's changelog) */
function isStream(step: Step): boolean {
  switch (step.kind) {
    case 'StreamSource':
    case 'StreamFilter':
    case 'StreamSelect':
    case 'StreamFlatMap':
    case 'StreamSelectKey':
    case 'StreamStreamJoin':
    case 'StreamTableJoin':
      return true;
    case 'StreamRepartition':
      return isStream(step.input);
    default:
      return false;
  }
}

export function markNeededColumns(plan: QueryPlan): QueryPlan {
  return { ...plan, sink: mark(plan.sink, 'all') as QueryPlan['sink'] };
}
