/**
 * The entry of a task thread (runtime/task-thread-pool.ts starts it): the composition root on the
 * worker side, handing the runtime what it may not import itself: the operators, the built-in
 * function registry and the plan decoder.
 */
import { createBuiltinRegistry } from '../functions/builtin-registry.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import { operatorFactories } from '../operators/index.js';
import { runTaskThreadHost } from '../runtime/task-thread-host.js';
import { decodePlanJson } from './plan-codec.js';
import { encodeProduceRuns, runRecords, unpackStoredFetch } from '../log/local/index.js';

runTaskThreadHost({
  factories: operatorFactories,
  registry: (properties) => createBuiltinRegistry(properties),
  decodePlan: (json) => decodePlanJson<QueryPlan>(json),
  unpackStored: unpackStoredFetch,
  encodeProduce: encodeProduceRuns,
  runRecords,
});
