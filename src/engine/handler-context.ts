/** What statement handlers may use of the engine. */
import type { Catalog } from '../catalog/catalog.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Log } from '../log/log.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { Command, CommandEffects } from './command-log.js';
import type { StatementResult } from './statement-result.js';
import type { QueryService } from './query-service.js';
import type { Worker } from '../connect/runtime/worker.js';

export interface EngineInternals {
  log(): Log;
  catalog(): Catalog;
  registry(): FunctionRegistry;
  /** session properties (SET) */
  config(): Map<string, string>;
  variables(): Map<string, string>;
  /** the command being replayed from the command log, if any */
  replaying(): Command | undefined;
  /** appends to the command log (a no-op while replaying), with what replay needs to redo it without planning */
  record(sql: string, effects?: CommandEffects): Promise<void>;
  nextQueryId(prefix: string): string;
  startQuery(plan: QueryPlan): void;
  stopQuery(queryId: string): Promise<void>;
  pauseQuery(queryId: string, paused: boolean): void;
  plan(queryId: string): QueryPlan | undefined;
  /** the error that stopped a query (its state is then ERROR) */
  queryFailure(queryId: string): Error | undefined;
  /** a new task for a query stopped by a failure, from its last committed offsets */
  restartQuery(queryId: string): void;
  execute(sql: string): Promise<StatementResult[]>;
  /** lets every query consume all available input */
  runUntilIdle(): Promise<void>;
  schemaRegistry(): SchemaRegistry;
  flushSchemaRegistrations(): Promise<void>;
  /** transient (push and pull) queries */
  queries(): QueryService;
  /** the embedded Connect worker */
  connect(): Worker;
}

export interface HandlerContext {
  /** the statement's text */
  readonly text: string;
  readonly engine: EngineInternals;
}
