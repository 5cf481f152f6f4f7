/**
 * The built-in aggregate functions, as ksqlDB documents them. Those reading configuration
 * (COLLECT_LIST / COLLECT_SET limits) are built from the query's properties.
 */
import type { AggregateFunction } from '../function-types.js';
import type { AggregateProperties } from './aggregate-config.js';
import { ATTR } from './attr.js';
import { AVG } from './average.js';
import { EARLIEST_BY_OFFSET, LATEST_BY_OFFSET } from './by-offset.js';
import { collectList } from './collect-list.js';
import { collectSet } from './collect-set.js';
import { CORRELATION } from './correlation.js';
import { COUNT } from './count.js';
import { COUNT_DISTINCT } from './count-distinct.js';
import { HISTOGRAM } from './histogram.js';
import { MAX, MIN } from './min-max.js';
import { STDDEV_SAMP, STDDEV_SAMPLE } from './standard-deviation.js';
import { SUM } from './sum.js';
import { SUM_LIST } from './sum-list.js';
import { TOPK } from './top-k.js';
import { TOPKDISTINCT } from './top-k-distinct.js';

export { COLLECT_LIST_LIMIT, COLLECT_SET_LIMIT, type AggregateProperties } from './aggregate-config.js';

/** Built-ins configured by properties such as `ksql.functions.collect_list.limit`. */
export function createBuiltinAggregateFunctions(props: AggregateProperties = {}): AggregateFunction[] {
  return [
    ATTR,
    AVG,
    collectList(props),
    collectSet(props),
    CORRELATION,
    COUNT,
    COUNT_DISTINCT,
    EARLIEST_BY_OFFSET,
    HISTOGRAM,
    LATEST_BY_OFFSET,
    MAX,
    MIN,
    STDDEV_SAMP,
    STDDEV_SAMPLE,
    SUM,
    SUM_LIST,
    TOPK,
    TOPKDISTINCT,
  ];
}

/** Built-ins with default configuration (no collection limits). */
export const builtinAggregateFunctions: AggregateFunction[] = createBuiltinAggregateFunctions();
