/**
 * Rule: a join's projected key item reads the join key column (ROWKEY) rather than the column it
 * names, so the missing side of an outer join cannot make the key NULL.
 */
import type { Expression } from '../../sql/ast.js';
import type { LogicalPlan } from '../logical/logical-plan.js';
import { mapNodes } from '../logical/map-nodes.js';

export function readJoinKeyRule(plan: LogicalPlan): LogicalPlan {
  return mapNodes(plan, 'Project', (node) => {
    if (!node.joinKeyColumn) return node;
    const [key, ...values] = node.expressions;
    const read: Expression = { kind: 'ColumnRef', name: node.joinKeyColumn };
    // INSERT INTO may have cast the key to the sink's type (logical/cast-to-sink.ts): keep the cast
    return { ...node, expressions: [key?.kind === 'Cast' ? { ...key, operand: read } : read, ...values] };
  });
}
