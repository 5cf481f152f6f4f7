/**
 * Rewrite: every stateful step sees input co-partitioned on its key. A stream GROUP BY on anything
 * but the input's key, and a join whose sides are not both partitioned on their join expressions,
 * get StreamRepartition steps below them (for a join: on both sides, so both are partitioned the
 * same way). The runtime splits the plan at these steps into sub-topologies joined by internal
 * `-repartition` topics, as ksqlDB plans them.
 *
 * A TABLE GROUP BY is left alone: re-grouping a changelog needs the old row's group sent to the old
 * partition (Kafka Streams' subtractor records); until then the runtime runs such a plan as one
 * task over every partition. Idempotent: a plan that already has its repartitions is unchanged.
 */
import type { JoinStep, QueryPlan, RepartitionStep, RowColumn, SinkStep, SourceStep, Step } from '../catalog/query-plan.js';
import { isPartitionedBy } from '../catalog/key-partitioning.js';
import type { SqlType } from '../common/sql-types.js';
import type { Expression } from '../sql/ast.js';

/** the type of an expression over a step's columns (undefined: unknown) */
export type ExpressionTypeOf = (e: Expression, columns: readonly RowColumn[]) => SqlType | undefined;

/**
 * `typeOf`, when given, lets a join key that is an expression (not just a column) be partitioned
 * like the other side's source topic, so that side (a table keyed by the join key, typically) is
 * read as it is instead of through a repartition topic of its own.
 */
export function addRepartitions(plan: QueryPlan, typeOf?: ExpressionTypeOf): QueryPlan {
  const repartition = (input: Step, keyExpressions: readonly Expression[], id: string): RepartitionStep => ({
    kind: 'StreamRepartition',
    id,
    input,
    keyExpressions,
    columns: input.columns,
    topic: `_sluice-${plan.queryId}-${id.replace(/[^A-Za-z0-9._-]/g, '-')}-repartition`,
  });
  /**
   * A join side's repartition goes below a filter pushed down to that side (rules/push-down-filter.ts):
   * the filter then runs in the join's task, which reads every record it read before, in the same
   * steps, so a stream side and a table side interleave as they did (dropping records upstream would
   * let the table side run ahead while the thinned stream side waits for its upstream).
   */
  const repartitionSide = (input: Step, keyExpressions: readonly Expression[], id: string): Step =>
    input.kind === 'StreamFilter' ? { ...input, input: repartitionSide(input.input, keyExpressions, id) } : repartition(input, keyExpressions, id);

  const rewrite = (step: Step): Step => {
    switch (step.kind) {
      case 'StreamSource':
      case 'TableSource':
        return step;
      case 'StreamAggregate': {
        const input = rewrite(step.input);
        const keyed = isPartitionedBy(input, step.groupBy) ? input : repartition(input, step.groupBy, `${step.id}/GroupBy`);
        return keyed === step.input ? step : { ...step, input: keyed };
      }
      case 'StreamStreamJoin':
      case 'StreamTableJoin':
      case 'TableTableJoin': {
        let left = rewrite(step.left);
        let right = rewrite(step.right);
        const leftReady = isPartitionedBy(left, [step.leftKey]);
        const rightReady = isPartitionedBy(right, [step.rightKey]);
        if (leftReady && rightReady) return left === step.left && right === step.right ? step : { ...step, left, right };
        const like = leftReady ? partitionedLike(left, step.rightKey, right, typeOf) : rightReady ? partitionedLike(right, step.leftKey, left, typeOf) : undefined;
        const sideLike = (side: Step, key: Expression, id: string): Step =>
          side.kind === 'StreamFilter' ? { ...side, input: sideLike(side.input, key, id) } : { ...repartition(side, [key], id), partitionLike: like };
        if (like && leftReady) right = sideLike(right, step.rightKey, `${step.id}/Right`);
        else if (like) left = sideLike(left, step.leftKey, `${step.id}/Left`);
        else {
          // both sides, so both are partitioned by the same function of the same key value
          left = repartitionSide(left, [step.leftKey], `${step.id}/Left`);
          right = repartitionSide(right, [step.rightKey], `${step.id}/Right`);
        }
        return left === step.left && right === step.right ? step : ({ ...step, left, right } satisfies JoinStep);
      }
      case 'ForeignKeyTableJoin': {
        const left = rewrite(step.left);
        const right = rewrite(step.right);
        return left === step.left && right === step.right ? step : { ...step, left, right };
      }
      default: {
        const input = rewrite(step.input);
        return input === step.input ? step : ({ ...step, input } as Step);
      }
    }
  };
  const sink = rewrite(plan.sink) as SinkStep;
  return sink === plan.sink ? plan : { ...plan, sink };
}

/** key formats whose serialization needs no schema registry, so a repartition can copy it */
const COPYABLE_KEY_FORMATS = new Set(['KAFKA', 'JSON', 'DELIMITED']);

/**
 * How to partition the other side of a join like `ready` is: the source topic `ready` reads (its
 * partitioning comes straight from that topic's key), when the other side's join key is a column
 * (or, with `typeOf`, an expression) of the same type as that key and the key format can be
 * copied. Otherwise undefined.
 */
function partitionedLike(ready: Step, otherKey: Expression, other: Step, typeOf?: ExpressionTypeOf): RepartitionStep['partitionLike'] {
  const source = sourceOf(ready);
  if (!source || source.window || !COPYABLE_KEY_FORMATS.has(source.keyFormat.format)) return undefined;
  const keys = source.schema.columns.filter((c) => c.namespace === 'KEY');
  if (keys.length !== 1) return undefined;
  const like = { topic: source.topic, keyFormat: source.keyFormat, keyColumn: keys[0]! };
  const sameType = (t: SqlType | undefined) => t !== undefined && JSON.stringify(t) === JSON.stringify(keys[0]!.type);
  if (otherKey.kind !== 'ColumnRef') {
    if (!typeOf) return undefined;
    let type: SqlType | undefined;
    try {
      type = typeOf(otherKey, other.columns);
    } catch {
      return undefined;
    }
    return sameType(type) ? like : undefined;
  }
  const matching = other.columns.filter((c) => c.name === otherKey.name && (!otherKey.source || !c.source || c.source === otherKey.source));
  if (matching.length !== 1 || !sameType(matching[0]!.type)) return undefined;
  return like;
}

/** the source a stateless chain reads */
function sourceOf(step: Step): SourceStep | undefined {
  switch (step.kind) {
    case 'StreamSource':
    case 'TableSource':
      return step;
    case 'StreamFilter':
    case 'TableFilter':
    case 'StreamFlatMap':
    case 'StreamSelect':
    case 'TableSelect':
      return sourceOf(step.input);
    default:
      return undefined;
  }
}
