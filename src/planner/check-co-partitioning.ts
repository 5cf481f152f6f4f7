/**
 * Validation after addRepartitions: a join's two sides must be partitioned alike, as ksqlDB
 * requires. A stream and a table joined on their keys without a repartition must have as many
 * partitions, and a
 * windowed source cannot be repartitioned (its windowed key would be lost).
 */
import { PlanError } from '../common/errors.js';
import type { QueryPlan, SourceStep, Step } from '../catalog/query-plan.js';
import { leftmostSource, stepInputs } from '../catalog/query-plan.js';

const WINDOWED_REPARTITION = 'Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.';

export function checkCoPartitioning(plan: QueryPlan, sourcePartitions: (topic: string) => number): void {
  const widest = Math.max(1, ...plan.sourceTopics.map(sourcePartitions));
  /** how many partitions a step's output has: its source's, or its repartition topic's */
  const partitionsOf = (step: Step): number => {
    if (step.kind === 'StreamSource' || step.kind === 'TableSource') return sourcePartitions(step.topic);
    if (step.kind === 'StreamRepartition') return step.partitionLike ? sourcePartitions(step.partitionLike.topic) : widest;
    return partitionsOf(stepInputs(step)[0]!);
  };
  const visit = (step: Step): void => {
    stepInputs(step).forEach(visit);
    if (step.kind !== 'StreamStreamJoin' && step.kind !== 'StreamTableJoin' && step.kind !== 'TableTableJoin') return;
    const sides = [step.left, step.right];
    for (const side of sides) if (side.kind === 'StreamRepartition' && leftmostSource(side.input).window) throw new PlanError(WINDOWED_REPARTITION);
    if (sides.some((s) => s.kind === 'StreamRepartition')) return;
    const [left, right] = sides.map(leftmostSource) as [SourceStep, SourceStep];
    // ksqlDB checks the counts of stream-table joins only (Kafka Streams checks the others when it starts)
    const [l, r] = sides.map(partitionsOf) as [number, number];
    if (step.kind === 'StreamTableJoin' && l !== r)
      throw new PlanError(
        `Can't join \`${left.sourceName}\` with \`${right.sourceName}\` since the number of partitions don't match. ` +
          `\`${left.sourceName}\` partitions = ${l}; \`${right.sourceName}\` partitions = ${r}. Please repartition either one so that the number of partitions match.`,
      );
  };
  visit(plan.sink);
}
