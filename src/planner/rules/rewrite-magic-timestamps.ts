/**
 * Rule: in WHERE and HAVING, a string literal compared with ROWTIME, WINDOWSTART or WINDOWEND is
 * read as a timestamp (ksqlDB's "magic timestamps"; the filter was type-checked that way).
 */
import { rewriteMagicTimestamps } from '../../expr/index.js';
import type { LogicalPlan } from '../logical/logical-plan.js';
import { mapNodes } from '../logical/map-nodes.js';

export function rewriteMagicTimestampsRule(plan: LogicalPlan): LogicalPlan {
  return mapNodes(plan, 'Filter', (node) => ({ ...node, predicate: rewriteMagicTimestamps(node.predicate) }));
}
