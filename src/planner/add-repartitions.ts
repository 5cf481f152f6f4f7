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
import type { JoinStep, QueryPlan, RepartitionStep, SinkStep, Step } from '../catalog/query-plan.js';
import { isPartitionedBy } from '../catalog/key-partitioning.js';
import type { Expression } from '../sql/ast.js';

export function addRepartitions(plan: QueryPlan): QueryPlan {
  const repartition = (input: Step, keyExpressions: readonly Expression[], id: string): RepartitionStep => ({
    kind: 'StreamRepartition',
    id,
    input,
    keyExpressions,
    columns: input.columns,
    topic: `_sluice-${plan.queryId}-${id.replace(/[^A-Za-z0-9._-]/g, '-')}-repartition`,
  });

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
        if (!isPartitionedBy(left, [step.leftKey]) || !isPartitionedBy(right, [step.rightKey])) {
          // both sides, so both are partitioned by the same function of the same key value
          left = repartition(left, [step.leftKey], `${step.id}/Left`);
          right = repartition(right, [step.rightKey], `${step.id}/Right`);
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
