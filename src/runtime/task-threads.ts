/**
 * `num.stream.threads` (also `ksql.streams.num.stream.threads`): how many threads a query's tasks
 * run on. 1 (the default, as in Kafka Streams) runs every task on the main thread; N > 1 spreads a
 * query with more than one task over the main thread and N - 1 task threads (task-thread-pool.ts),
 * the main thread keeping every N-th task and staying the embedded log's only writer (it does the
 * task threads' fetches and commits, so it is one of the N rather than an extra one: on two cores,
 * two busy task threads plus a busy main thread were slower than one thread). A query with one
 * task always runs on the main thread.
 */
import { ConfigError } from '../common/errors.js';

export const DEFAULT_STREAM_THREADS = 1;

export function streamThreads(config: ReadonlyMap<string, string>): number {
  for (const name of ['num.stream.threads', 'ksql.streams.num.stream.threads']) {
    const text = config.get(name);
    if (text === undefined) continue;
    const v = Number(text.trim());
    if (!Number.isInteger(v) || v < 1 || v > 64) throw new ConfigError(`Invalid value ${text} for configuration ${name}: must be an integer from 1 to 64`);
    return v;
  }
  return DEFAULT_STREAM_THREADS;
}

/**
 * Why a plan cannot run on task threads (undefined: it can). The schema-registry formats register
 * and look up schemas synchronously in the main thread's registry, so those plans stay there.
 */
export function mainThreadOnly(planJson: string): string | undefined {
  const m = /"format":"(AVRO|PROTOBUF|JSON_SR)"/.exec(planJson);
  return m ? `it uses the ${m[1]} format (schema registry)` : undefined;
}
