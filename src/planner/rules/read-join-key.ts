/**
 * Rule: a join's projected key item reads the join key column (ROWKEY) rather than the column it
 * names, so the missing side of an outer join cannot make the key NULL.
 */
import type { LogicalPlan } from '../logical/logical-plan.js';
import { mapNodes } from '../logical/map-nodes.js';

export function readJoinKeyRule(plan: LogicalPlan): LogicalPlan {
  return mapNodes(plan, 'Project', (node) => {
    if (!node.joinKeyColumn) return node;
    const [, ...values] = node.expressions;
    return { ...node, expressions: [{ kind: 'ColumnRef', name: node.joinKeyColumn }, ...values] };
  });
}
