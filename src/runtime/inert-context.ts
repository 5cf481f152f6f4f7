/**
 * An operator context with nothing attached: no timers, no output, stores that hold nothing. For
 * building a topology without running it as a task (validating a plan before anything changes,
 * a pull query pushing rows through the planned filter and projection).
 */
import type { FunctionRegistry } from '../functions/registry.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { KeyValueStore } from '../state/index.js';
import type { OperatorContext } from './processor.js';

export interface InertContextOptions {
  readonly queryId: string;
  readonly registry: FunctionRegistry;
  readonly config: ReadonlyMap<string, string>;
  readonly schemaRegistry: SchemaRegistry;
  /** defaults to stores that hold nothing (operators only ask for their stores when built) */
  readonly keyValueStore?: <V>(name: string) => KeyValueStore<V>;
}

const inertStore = <V>(name: string): KeyValueStore<V> => ({ name, flush: () => {}, get: () => undefined, put: () => {} });

export function inertOperatorContext(options: InertContextOptions): OperatorContext {
  return {
    queryId: options.queryId,
    taskId: 'inert',
    registry: options.registry,
    config: options.config,
    schemaRegistry: options.schemaRegistry,
    keyValueStore: options.keyValueStore ?? inertStore,
    logError: () => {},
    emit: () => {},
    schedule: () => ({ cancel: () => {} }),
    streamTime: () => Number.NEGATIVE_INFINITY,
    // a repartition step asks for its topic's partitions: any count builds the same operator
    topicPartitions: () => 1,
    fusedRepartition: () => false,
    observeTimestamp: () => {},
    onClose: () => {},
  };
}
