/**
 * Plans CREATE STREAM|TABLE AS SELECT and INSERT INTO ... SELECT: AST -> logical plan (validated,
 * logical/build-logical-plan.ts) -> rewrite rules (rules/) -> physical steps
 * (physical/plan-physical-steps.ts), and the sink as it will be registered. Everything is
 * validated here, before anything runs.
 */
import { typeCheck } from '../expr/index.js';
import type { Query } from '../sql/ast.js';
import { buildLogicalPlan } from './logical/build-logical-plan.js';
import type { SinkNode } from './logical/logical-plan.js';
import { sourceNodes } from './logical/logical-plan.js';
import { markNeededColumns } from './physical/mark-needed-columns.js';
import { physicalPlan } from './physical/plan-physical-steps.js';
import { addRepartitions } from './add-repartitions.js';
import { checkCoPartitioning } from './check-co-partitioning.js';
import type { PlanContext, PlannedQuery, QueryContext, SinkRequest } from './plan-context.js';
import { applyRules } from './rules/apply-rules.js';

export type { PlanContext, PlannedQuery, SinkRequest } from './plan-context.js';

/** The logical plan of a query, validated and rewritten by the rules. */
export function planLogicalQuery(query: Query, sinkRequest: SinkRequest, queryId: string, ctx: PlanContext): SinkNode {
  const qc: QueryContext = { ...ctx, query, sinkRequest, queryId, typeOf: (e, columns) => typeCheck(e, columns, ctx.registry).type };
  return applyRules(buildLogicalPlan(qc)) as SinkNode;
}

export function planPersistentQuery(
  query: Query,
  sinkRequest: SinkRequest,
  queryId: string,
  ctx: PlanContext,
  sourcePartitions: (topic: string) => number,
): PlannedQuery {
  const logical = planLogicalQuery(query, sinkRequest, queryId, ctx);
  const sources = sourceNodes(logical).map((s) => s.source);
  const plan = addRepartitions(physicalPlan(logical, queryId), (e, columns) => typeCheck(e, columns, ctx.registry).type);
  checkCoPartitioning(plan, sourcePartitions);
  return {
    // stored with the command, repartitions included: a restore runs exactly this topology
    plan: markNeededColumns(plan),
    sink: logical.sink,
    sinkPartitions: sinkRequest.properties.partitions ?? Math.max(...sources.map((s) => sourcePartitions(s.topic))),
    inputSources: [...new Set(sources.map((s) => s.name))],
  };
}
