/**
 * Sluice's public embedding API. The CLI uses only what is exported here.
 *
 *   const engine = await Engine.open({ dataDir: './data', properties: { 'auto.offset.reset': 'earliest' } });
 *   await engine.execute(`CREATE STREAM ...; CREATE STREAM out AS SELECT ...;`);
 *   engine.start();            // or: await engine.runUntilIdle();
 *   await engine.close();
 */
export { Engine } from './engine/engine.js';
export type { EngineOptions } from './engine/engine.js';
export type { StatementResult, ResultTable } from './engine/statement-result.js';
export type { ProcessingErrorType, ProcessingLogEntry } from './runtime/processor.js';
export type { Cancellable, Downstream, OperatorContext, Punctuator, PunctuationType, StreamRecord } from './runtime/processor.js';
export type { KeyValueStore, ManagedStore, StateBackend, StateKeyspace, StateWrite, StoreSpec } from './state/index.js';
export { LocalStateBackend } from './state/index.js';
export type { PushQuery, PullResult, Row, RowChange, ResultColumn } from './engine/query-result.js';
export type { PullColumn } from './engine/pull-query.js';
export { COMMAND_TOPIC } from './engine/command-log.js';
export { protobufSchemaFor } from './serde/protobuf/index.js';
export type { EngineMetrics, QueryMetricsSnapshot, OperatorMetrics, PartitionLag, StoreMetrics, QueryTopology, TopologyNode } from './engine/engine-metrics.js';
export { toJsonValue, formatResultValue } from './engine/result-values.js';

export {
  SluiceError,
  ParseError,
  LocatedError,
  TypeCheckError,
  PlanError,
  CatalogError,
  SerdeError,
  ExecutionError,
  LogError,
  ConfigError,
  isSluiceError,
} from './common/errors.js';
export type { SourcePosition } from './common/errors.js';
export type { SqlType } from './common/sql-types.js';
export { SqlTypes, formatSqlType } from './common/sql-types.js';
export { resolveType } from './catalog/resolve-type.js';
export type { Column, LogicalSchema } from './common/schema.js';
export { formatSchema, keyColumns, valueColumns } from './common/schema.js';
export type { DataSource, FormatInfo } from './catalog/data-source.js';

export { parseStatements, parseStatement, parseExpression, parseType } from './sql/parse.js';
export { caretExcerpt } from './sql/parse-error.js';
export { formatStatement, formatExpression, quoteIdentifier } from './sql/printer.js';
export type * as ast from './sql/ast.js';

export { FunctionRegistry } from './functions/registry.js';
export { createBuiltinRegistry } from './functions/builtin-registry.js';
export type {
  ScalarFunction,
  ScalarOverload,
  AggregateFunction,
  AggregateOverload,
  Aggregator,
  TableFunction,
  TableOverload,
  BindContext,
  AggregateRecordContext,
  ParamType,
} from './functions/function-types.js';
export { p as paramType } from './functions/param-types.js';

export { createSerde, inferColumns, isSupportedFormat, isUnwrappedSingle, splitWindowedKey, windowedKeyBytes } from './serde/index.js';
export type { RowSerde, FormatName, FormatOptions, SchemaRegistry, RegisteredSchema, RegisteredSchemaType } from './serde/index.js';
export { InMemorySchemaRegistry } from './serde/index.js';
export { JsonNumber, parseJsonText } from './serde/lossless-json.js';

export type { Log, LogRecord, FetchedRecord, ProduceRecord, TopicDescription } from './log/log.js';
export { openLocalLog } from './log/local/index.js';
export { verifyDataDirectory } from './engine/verify-data-dir.js';
export type { DataDirReport, VerifyFinding } from './engine/verify-data-dir.js';
export { partitionForKey } from './log/murmur2-partitioner.js';

export * as connectApi from './connect/api/index.js';
export { PluginRegistry, createPluginRegistry } from './connect/plugins.js';
export type { ConnectorFactory, PluginInfo, PluginKind } from './connect/plugins.js';
export { Worker as ConnectWorker } from './connect/runtime/worker.js';
export type { ConnectorInfo, ConnectorStatus, ConnectorState, ValidationResult } from './connect/runtime/worker.js';
export { ConnectError } from './connect/runtime/connect-errors.js';
export { parseProperties, readWorkerProperties } from './connect/runtime/worker-config.js';

import { keywordTokens } from './sql/tokens.js';
/** the SQL keywords, upper case (for completion) */
export const sqlKeywords = (): string[] => [...keywordTokens.keys()];

export { KafkaBroker, parseListen } from './broker/kafka-broker.js';
export type { KafkaBrokerOptions } from './broker/kafka-broker.js';
export type { AdminEvent } from './broker/broker-context.js';
export { scramCredentialFor } from './broker/scram-credentials.js';
/** Prometheus metrics for an embedding program: a prom-client registry of its own, refreshed from engine.metrics() */
export { createMetricsRegistry } from './server/metrics-endpoint.js';
