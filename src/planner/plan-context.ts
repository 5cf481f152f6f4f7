/** What planning a persistent query needs, and what it gives back. */
import type { SqlType } from '../common/sql-types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource } from '../catalog/data-source.js';
import type { QueryPlan, RowColumn } from '../catalog/query-plan.js';
import type { SourceProperties } from '../catalog/source-properties.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Expression, Query, SourceType } from '../sql/ast.js';

export interface PlanContext {
  readonly catalog: Catalog;
  readonly registry: FunctionRegistry;
  /** ksql.* session/system properties */
  readonly config: ReadonlyMap<string, string>;
}

export interface SinkRequest {
  readonly name: string;
  readonly sourceType: SourceType;
  readonly properties: SourceProperties;
  /** INSERT INTO: the existing target */
  readonly existing?: DataSource;
  /** a transient query's internal sink (may read a windowed table) */
  readonly transient?: boolean;
}

export interface PlannedQuery {
  readonly plan: QueryPlan;
  /** the sink as it will be registered (without `sql`) */
  readonly sink: Omit<DataSource, 'sql'>;
  /** partitions for the sink topic if it must be created */
  readonly sinkPartitions: number;
  readonly inputSources: readonly string[];
}

/** The type of an expression over a row layout (throws TypeCheckError). */
export type TypeOf = (e: Expression, columns: readonly RowColumn[]) => SqlType;

/** Everything the logical plan builders share for one query. */
export interface QueryContext extends PlanContext {
  readonly query: Query;
  readonly sinkRequest: SinkRequest;
  readonly queryId: string;
  readonly typeOf: TypeOf;
}
