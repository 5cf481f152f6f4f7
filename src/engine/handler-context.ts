/** What statement handlers may use of the engine. */
import type { Catalog } from '../catalog/catalog.js';
import type { QueryPlan } from '../catalog/query-plan.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Log } from '../log/log.js';
import type { SchemaRegistry } from '../serde/index.js';
import type { Command } from './command-log.js';
import type { StatementResult } from './statement-result.js';
import type { QueryService } from './query-service.js';

export interface EngineInternals {
  log(): Log;
  catalog(): Catalog;
  registry(): FunctionRegistry;
  /** session properties (SET) */
  config(): Map<string, string>;
  variables(): Map<string, string>;
  /** the command being replayed from the command log, if any */
  replaying(): Command | undefined;
  /** appends to the command log (a no-op while replaying) */
  record(sql: string, queryId?: string): Promise<void>;
  nextQueryId(prefix: string): string;
  startQuery(plan: QueryPlan): void;
  stopQuery(queryId: string): Promise<void>;
  pauseQuery(queryId: string, paused: boolean): void;
  plan(queryId: string): QueryPlan | undefined;
  execute(sql: string): Promise<StatementResult[]>;
  /** lets every query consume all available input */
  runUntilIdle(): Promise<void>;
  schemaRegistry(): SchemaRegistry;
  flushSchemaRegistrations(): Promise<void>;
  /** transient (push and pull) queries */
  queries(): QueryService;
}

export interface HandlerContext {
  /** the statement's text */
  readonly text: string;
  readonly engine: EngineInternals;
}
