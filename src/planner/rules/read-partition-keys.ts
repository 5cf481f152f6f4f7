/**
 * Rule: after PARTITION BY, a projected expression that is one of the PARTITION BY expressions
 * reads the key column computed for it instead of computing it again.
 */
import type { ColumnRef, Expression } from '../../sql/ast.js';
import { rewriteExpression, sameExpression } from '../rewrite-expression.js';
import type { LogicalPlan, ProjectNode } from '../logical/logical-plan.js';
import { mapNodes } from '../logical/map-nodes.js';

export interface PartitionKey {
  readonly expression: Expression;
  /** the key column it computes */
  readonly column: string;
}

export function readPartitionKeys(e: Expression, keys: readonly PartitionKey[]): Expression {
  if (!keys.length) return e;
  return rewriteExpression(e, (x) => {
    const key = keys.find((k) => sameExpression(k.expression, x));
    return key && x.kind !== 'ColumnRef' ? ({ kind: 'ColumnRef', name: key.column } satisfies ColumnRef) : undefined;
  });
}

export function readPartitionKeysRule(plan: LogicalPlan): LogicalPlan {
  return mapNodes(plan, 'Project', (node: ProjectNode) =>
    node.partitionKeys ? { ...node, expressions: node.expressions.map((e) => readPartitionKeys(e, node.partitionKeys!)) } : node,
  );
}
