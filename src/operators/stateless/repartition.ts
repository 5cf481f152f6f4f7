/**
 * StreamRepartition, the writing half: sends each record to the internal topic's partition chosen
 * by its key values. The records are committed with the task's input offsets (exactly-once); the
 * downstream sub-topology reads them back (runtime/repartition-codec.ts). A fused repartition
 * (every topic the query reads has one partition) hands each record straight on instead.
 */
import type { RepartitionStep } from '../../catalog/query-plan.js';
import { OutputRecord } from '../../runtime/output-record.js';
import type { Downstream, OperatorContext } from '../../runtime/processor.js';
import { encodeRepartitioned, repartitionKey, repartitionPartition } from '../../runtime/repartition-codec.js';
import { createSerde } from '../../serde/index.js';
import type { FormatName } from '../../serde/index.js';
import { compileStepExpression } from './compile-step-expression.js';

export function buildRepartition(step: RepartitionStep, ctx: OperatorContext, downstream: Downstream): Downstream {
  const keyFns = step.keyExpressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const like = step.partitionLike;
  const needed = step.neededColumns;
  // partitioned as the other side's topic is: its key format, Kafka's partitioner
  const likeSerde = like
    ? createSerde(like.keyFormat.format as FormatName, 'KEY', [like.keyColumn], { ...like.keyFormat, topic: like.topic, schemaRegistry: ctx.schemaRegistry })
    : undefined;
  if (ctx.fusedRepartition(step.topic)) {
    // one partition everywhere: the record goes on as it is, in this task. Its key is still
    // evaluated, and one the other side's key format cannot serialize dropped with its error,
    // as on the written path.
    return (rec) => {
      const values = keyFns.map((f) => f(rec.row));
      if (likeSerde) {
        try {
          likeSerde.serialize(values);
        } catch (e) {
          ctx.logError(step.id, e, { partition: rec.partition, offset: rec.offset });
          return;
        }
      }
      return downstream(rec);
    };
  }
  const partitions = ctx.topicPartitions(step.topic);
  return (rec) => {
    const values = keyFns.map((f) => f(rec.row));
    let key: Buffer | null;
    try {
      key = likeSerde ? likeSerde.serialize(values) : repartitionKey(values);
    } catch (e) {
      ctx.logError(step.id, e, { partition: rec.partition, offset: rec.offset });
      return;
    }
    // a null key cannot join: any partition will do
    const partition = key ? repartitionPartition(key, partitions) : 0;
    // no headers: the log's default (an empty list), without an array per record
    ctx.emit(new OutputRecord(step.topic, key, encodeRepartitioned(rec, needed), rec.timestamp, rec.headers.length ? [...rec.headers] : undefined, partition));
  };
}
