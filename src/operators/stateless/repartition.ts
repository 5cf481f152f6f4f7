/**
 * StreamRepartition, the writing half: sends each record to the internal topic's partition chosen
 * by its key values. The records are committed with the task's input offsets (exactly-once); the
 * downstream sub-topology reads them back (runtime/repartition-codec.ts).
 */
import type { RepartitionStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { encodeRepartitioned, repartitionKey, repartitionPartition } from '../../runtime/repartition-codec.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildRepartition(step: RepartitionStep, ctx: OperatorContext): Downstream {
  const keyFns = step.keyExpressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const partitions = ctx.topicPartitions(step.topic);
  return (rec) => {
    const key = repartitionKey(keyFns.map((f) => f(rec.row)));
    ctx.emit({ topic: step.topic, partition: repartitionPartition(key, partitions), key, value: encodeRepartitioned(rec), timestamp: rec.timestamp, headers: [...rec.headers] });
  };
}
