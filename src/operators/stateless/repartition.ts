/**
 * StreamRepartition, the writing half: sends each record to the internal topic's partition chosen
 * by its key values. The records are committed with the task's input offsets (exactly-once); the
 * downstream sub-topology reads them back (runtime/repartition-codec.ts).
 */
import type { RepartitionStep } from '../../catalog/query-plan.js';
import type { Downstream, OperatorContext, StreamRecord } from '../../runtime/processor.js';
import { encodeRepartitioned, repartitionKey, repartitionPartition } from '../../runtime/repartition-codec.js';
import { createSerde } from '../../serde/index.js';
import type { FormatName } from '../../serde/index.js';
import { compileStepExpression } from './compile-step-expression.js';
import { withRow } from './select.js';

export function buildRepartition(step: RepartitionStep, ctx: OperatorContext): Downstream {
  const keyFns = step.keyExpressions.map((e) => compileStepExpression(e, step.input.columns, ctx, step.id));
  const partitions = ctx.topicPartitions(step.topic);
  const like = step.partitionLike;
  // partitioned as the other side's topic is: its key format, Kafka's partitioner
  const likeSerde = like
    ? createSerde(like.keyFormat.format as FormatName, 'KEY', [like.keyColumn], { ...like.keyFormat, topic: like.topic, schemaRegistry: ctx.schemaRegistry })
    : undefined;
  // only the columns read downstream cross the topic (the rest NULL, same layout)
  const needed = step.neededColumns && step.neededColumns.length < step.columns.length ? step.neededColumns : undefined;
  const kept = (rec: StreamRecord): StreamRecord => {
    if (!needed) return rec;
    const row = new Array<unknown>(rec.row.length).fill(null);
    for (const i of needed) row[i] = rec.row[i];
    return withRow(rec, row);
  };
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
    ctx.emit({ topic: step.topic, partition, key, value: encodeRepartitioned(kept(rec)), timestamp: rec.timestamp, headers: [...rec.headers] });
  };
}
