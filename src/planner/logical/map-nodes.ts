/** Bottom-up rewriting of a logical plan: what the rules are written with. */
import type { LogicalKind, LogicalPlan, NodeOfKind, ProjectNode, SourceNode } from './logical-plan.js';

type Map = (child: LogicalPlan) => LogicalPlan;

const WITH_INPUTS: { readonly [K in LogicalKind]: (node: NodeOfKind<K>, map: Map) => NodeOfKind<K> } = {
  Source: (n) => n,
  Join: (n, map) => ({ ...n, left: map(n.left), right: map(n.right) as SourceNode }),
  FlatMap: (n, map) => ({ ...n, input: map(n.input) }),
  Filter: (n, map) => ({ ...n, input: map(n.input) }),
  SelectKey: (n, map) => ({ ...n, input: map(n.input) }),
  Aggregate: (n, map) => ({ ...n, input: map(n.input) }),
  Project: (n, map) => ({ ...n, input: map(n.input) }),
  Sink: (n, map) => ({ ...n, input: map(n.input) as ProjectNode }),
};

/** The plan with every node of `kind` replaced by `fn(node)`, inputs first. */
export function mapNodes<K extends LogicalKind>(plan: LogicalPlan, kind: K, fn: (node: NodeOfKind<K>) => LogicalPlan): LogicalPlan {
  const visit = (node: LogicalPlan): LogicalPlan => {
    const mapped = (WITH_INPUTS[node.kind] as (n: LogicalPlan, map: Map) => LogicalPlan)(node, visit);
    return mapped.kind === kind ? fn(mapped as NodeOfKind<K>) : mapped;
  };
  return visit(plan);
}
