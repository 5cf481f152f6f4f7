/**
 * Which values decide the partition of the records flowing out of a step, so the planner can see
 * whether a stateful step's input is co-partitioned on the step's key (and insert a repartition if
 * not) and the runtime can see whether a sub-topology may run as one task per partition.
 *
 * A partitioning is a list of canonical terms: `col:<i>` (the value of output column i) or
 * `expr:<json>` (an expression over the step's own columns, only meaningful at that step).
 * `undefined` means unknown: records with equal keys may sit in different partitions.
 */
import type { Expression } from '../sql/ast.js';
import type { RowColumn, Step } from './query-plan.js';
import { stepInputs } from './query-plan.js';

/** per key position, the equivalent terms (a join's key equals its ROWKEY and the joined columns) */
export type Partitioning = readonly (readonly string[])[] | undefined;

/** The index of the column a column reference names, if exactly one matches. */
function columnIndex(e: Expression, columns: readonly RowColumn[]): number | undefined {
  if (e.kind !== 'ColumnRef') return undefined;
  let found: number | undefined;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    if (c.name !== e.name || (e.source !== undefined && c.source !== undefined && c.source !== e.source)) continue;
    if (found !== undefined) return undefined;
    found = i;
  }
  return found;
}

/** An expression as a partitioning term over `columns` (positions dropped, so equal text compares equal). */
export function partitionTerm(e: Expression, columns: readonly RowColumn[]): string {
  const i = columnIndex(e, columns);
  if (i !== undefined) return `col:${i}`;
  return `expr:${JSON.stringify(e, (k, v) => (k === 'pos' ? undefined : v))}`;
}

/** keeps the column terms of each position, moved to their new index; undefined if a position loses all */
function mapColumns(p: Partitioning, to: (i: number) => number): Partitioning {
  if (!p) return undefined;
  const out: string[][] = [];
  for (const terms of p) {
    const mapped = terms.filter((t) => t.startsWith('col:')).map((t) => to(Number(t.slice(4)))).filter((j) => j >= 0).map((j) => `col:${j}`);
    if (!mapped.length) return undefined;
    out.push(mapped);
  }
  return out;
}

/** How the records out of `step` are partitioned. */
export function partitioningOf(step: Step): Partitioning {
  switch (step.kind) {
    case 'StreamSource':
    case 'TableSource': {
      const terms: string[][] = [];
      for (const key of step.schema.columns.filter((c) => c.namespace === 'KEY')) {
        const i = step.columns.findIndex((c) => c.name === key.name);
        if (i < 0) return undefined;
        terms.push([`col:${i}`]);
      }
      return terms;
    }
    case 'StreamFilter':
    case 'TableFilter':
    case 'StreamFlatMap':
    case 'StreamSink':
    case 'TableSink':
      // same leading columns (a flat-map only appends)
      return partitioningOf(step.input);
    case 'StreamSelectKey':
      // the new key is not yet the partitioning: only a repartition (or the sink) makes it so
      return mapColumns(partitioningOf(step.input), (i) => step.layout.indexOf(i));
    case 'StreamSelect':
    case 'TableSelect':
      return mapColumns(partitioningOf(step.input), (i) => step.expressions.findIndex((e) => columnIndex(e, step.input.columns) === i));
    case 'StreamAggregate':
    case 'TableAggregate':
      return step.groupBy.map((_, i) => [`col:${i}`]);
    case 'StreamStreamJoin':
    case 'StreamTableJoin':
    case 'TableTableJoin':
    case 'ForeignKeyTableJoin': {
      // rows are [key, ...left, ...right]; a side's key column equals the key where that side is present
      const terms = ['col:0'];
      const l = columnIndex(step.leftKey, step.left.columns);
      const r = columnIndex(step.rightKey, step.right.columns);
      const t = step.joinType;
      if (step.kind !== 'ForeignKeyTableJoin') {
        if (l !== undefined && (t === 'INNER' || t === 'LEFT')) terms.push(`col:${1 + l}`);
        if (r !== undefined && (t === 'INNER' || t === 'RIGHT')) terms.push(`col:${1 + step.left.columns.length + r}`);
      }
      return [terms];
    }
    case 'StreamRepartition':
      return step.keyExpressions.map((e) => [partitionTerm(e, step.input.columns)]);
  }
  // a new step kind must say how it partitions its output
  const unhandled: never = step;
  return unhandled;
}

/** True when `input`'s records with equal `keys` values are already in the same partition. */
export function isPartitionedBy(input: Step, keys: readonly Expression[]): boolean {
  const have = partitioningOf(input);
  if (!have || have.length !== keys.length) return false;
  return keys.every((k, i) => have[i]!.includes(partitionTerm(k, input.columns)));
}

/**
 * True when every stateful step sees input partitioned on its key, so the plan (or the sub-topology
 * rooted at `step`, which ends at the repartitions below it) may run as one task per partition;
 * false means one task must read every partition.
 */
export function isCoPartitioned(step: Step): boolean {
  switch (step.kind) {
    case 'StreamAggregate':
    case 'TableAggregate':
      if (!isPartitionedBy(step.input, step.groupBy)) return false;
      break;
    case 'StreamStreamJoin':
    case 'StreamTableJoin':
    case 'TableTableJoin':
      if (!isPartitionedBy(step.left, [step.leftKey]) || !isPartitionedBy(step.right, [step.rightKey])) return false;
      break;
    case 'ForeignKeyTableJoin':
      // Kafka Streams routes foreign-key joins through subscription topics; Sluice reads all partitions
      return false;
    default:
      break;
  }
  // a repartition below is another sub-topology's output: nothing beneath it matters here
  return stepInputs(step).every((s) => s.kind === 'StreamRepartition' || isCoPartitioned(s));
}
