/** Every step kind's operator: a missing one fails to compile. */
import type { OperatorFactories } from '../runtime/processor.js';
import { buildFilter } from './stateless/filter.js';
import { fuseStatelessChain } from './stateless/fused-chain.js';
import { buildFlatMap } from './stateless/flat-map.js';
import { buildSelect } from './stateless/select.js';
import { buildSelectKey } from './stateless/select-key.js';
import { buildRepartition } from './stateless/repartition.js';
import { buildSink } from './stateless/sink.js';
import { buildSource } from './stateless/source.js';
import { buildAggregate } from './stateful/aggregate.js';
import { buildJoin } from './stateful/join.js';

export const operatorFactories: OperatorFactories = {
  StreamSource: buildSource,
  TableSource: buildSource,
  StreamFilter: buildFilter,
  TableFilter: buildFilter,
  StreamFlatMap: buildFlatMap,
  StreamSelectKey: buildSelectKey,
  StreamSelect: buildSelect,
  TableSelect: buildSelect,
  StreamAggregate: buildAggregate,
  TableAggregate: buildAggregate,
  StreamStreamJoin: buildJoin,
  StreamTableJoin: buildJoin,
  TableTableJoin: buildJoin,
  ForeignKeyTableJoin: buildJoin,
  StreamRepartition: buildRepartition,
  StreamSink: buildSink,
  TableSink: buildSink,
  fuseChain: fuseStatelessChain,
};
