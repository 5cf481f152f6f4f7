/**
 * Planning without an engine: a real Catalog holding a few sources (declared as plain data), the
 * built-in function registry, and the SQL parser.
 */
import { Catalog } from '../../src/catalog/catalog.js';
import type { DataSource } from '../../src/catalog/data-source.js';
import type { Step } from '../../src/catalog/query-plan.js';
import { stepInputs } from '../../src/catalog/query-plan.js';
import { readSourceProperties } from '../../src/catalog/source-properties.js';
import type { Column } from '../../src/common/schema.js';
import { SqlTypes, type SqlType } from '../../src/common/sql-types.js';
import { createBuiltinRegistry } from '../../src/functions/builtin-registry.js';
import type { LogicalPlan } from '../../src/planner/logical/logical-plan.js';
import { logicalInputs } from '../../src/planner/logical/logical-plan.js';
import { planLogicalQuery, planPersistentQuery, type PlanContext, type PlannedQuery } from '../../src/planner/plan-persistent-query.js';
import { parseStatement } from '../../src/sql/parse.js';
import type { Statement } from '../../src/sql/ast.js';

type ColumnSpec = readonly [name: string, type: SqlType, namespace?: 'KEY'];

function source(name: string, sourceType: 'STREAM' | 'TABLE', columns: readonly ColumnSpec[], extra: Partial<DataSource> = {}): DataSource {
  const schema = { columns: columns.map(([n, type, ns]): Column => ({ name: n, type, namespace: ns ?? 'VALUE' })) };
  return {
    name,
    sourceType,
    schema,
    topic: name.toLowerCase(),
    keyFormat: { format: 'KAFKA' },
    valueFormat: { format: 'JSON' },
    isSource: false,
    sql: `CREATE ${sourceType} ${name} ...`,
    ...extra,
  };
}

const { INTEGER, BIGINT, STRING } = SqlTypes;

/** ORDERS (stream keyed by ID), CUSTOMERS (table keyed by CUSTOMER_ID), PAYMENTS (stream), RAW (KAFKA values). */
export function testCatalog(): Catalog {
  const catalog = new Catalog();
  catalog.putSource(source('ORDERS', 'STREAM', [['ID', INTEGER, 'KEY'], ['CUSTOMER_ID', STRING], ['ITEM', STRING], ['QTY', INTEGER], ['TAGS', SqlTypes.array(STRING)]]));
  catalog.putSource(source('CUSTOMERS', 'TABLE', [['CUSTOMER_ID', STRING, 'KEY'], ['NAME', STRING], ['REGION', STRING]]));
  catalog.putSource(source('PAYMENTS', 'STREAM', [['PID', BIGINT, 'KEY'], ['ORDER_ID', INTEGER], ['AMOUNT', INTEGER]]));
  catalog.putSource(source('RAW', 'STREAM', [['V', STRING]], { valueFormat: { format: 'KAFKA' } }));
  return catalog;
}

export function testContext(): PlanContext {
  return { catalog: testCatalog(), registry: createBuiltinRegistry(), config: new Map() };
}

type AsSelect = Extract<Statement, { kind: 'CreateAsSelect' }>;

function asSelect(sql: string): AsSelect {
  const stmt = parseStatement(sql);
  if (stmt.kind !== 'CreateAsSelect') throw new Error(`not a CREATE ... AS SELECT: ${sql}`);
  return stmt;
}

/** Plans `CREATE STREAM|TABLE x AS SELECT ...` against the test catalog. */
export function plan(sql: string): PlannedQuery {
  const stmt = asSelect(sql);
  const request = { name: stmt.name, sourceType: stmt.sourceType, properties: readSourceProperties(stmt.properties) };
  return planPersistentQuery(stmt.query, request, 'Q1', testContext(), () => 1);
}

export function logicalPlan(sql: string): LogicalPlan {
  const stmt = asSelect(sql);
  const request = { name: stmt.name, sourceType: stmt.sourceType, properties: readSourceProperties(stmt.properties) };
  return planLogicalQuery(stmt.query, request, 'Q1', testContext());
}

/** `StreamSink(StreamSelect(StreamSource))`: a step tree by kinds. */
export function stepShape(step: Step): string {
  const inputs = stepInputs(step);
  return inputs.length ? `${step.kind}(${inputs.map(stepShape).join(', ')})` : step.kind;
}

export function logicalShape(node: LogicalPlan): string {
  const inputs = logicalInputs(node);
  return inputs.length ? `${node.kind}(${inputs.map(logicalShape).join(', ')})` : node.kind;
}
