/**
 * Splits a plan at its repartition steps into sub-topologies (Kafka Streams' term): each reads
 * source topics and/or repartition topics, and ends at the sink or at a repartition step that
 * writes the next one's input. Listed upstream first, so one pass over them moves a record all
 * the way through; numbered in that order, which depends only on the plan's shape (and on which
 * repartitions are fused).
 *
 * A fused repartition (every topic the query reads has one partition: see query-runtime.ts) is no
 * split point: its rows go straight on to the steps above it, in the same task.
 */
import { isCoPartitioned } from '../catalog/key-partitioning.js';
import type { QueryPlan, RepartitionStep, Step } from '../catalog/query-plan.js';
import { stepInputs } from '../catalog/query-plan.js';

export interface SubTopology {
  readonly index: number;
  /** the sink, or the repartition step whose operator writes its topic */
  readonly root: Step;
  /** every topic it reads, in plan order (a topic read twice is listed once) */
  readonly inputTopics: readonly string[];
  /** repartition topics it writes */
  readonly outputRepartitions: readonly RepartitionStep[];
  /** its stateful steps see input partitioned on their keys: one task per partition may run it */
  readonly coPartitioned: boolean;
}

export function splitSubTopologies(plan: QueryPlan, fused: (topic: string) => boolean = () => false): SubTopology[] {
  const out: SubTopology[] = [];
  const visit = (root: Step): void => {
    const inputs: string[] = [];
    const below: RepartitionStep[] = [];
    const walk = (step: Step): void => {
      if (step !== root && step.kind === 'StreamRepartition' && !fused(step.topic)) {
        below.push(step);
        if (!inputs.includes(step.topic)) inputs.push(step.topic);
        return;
      }
      if (step.kind === 'StreamSource' || step.kind === 'TableSource') {
        if (!inputs.includes(step.topic)) inputs.push(step.topic);
        return;
      }
      for (const s of stepInputs(step)) walk(s);
    };
    walk(root);
    for (const r of below) visit(r);
    out.push({
      index: out.length,
      root,
      inputTopics: inputs,
      outputRepartitions: root.kind === 'StreamRepartition' ? [root] : [],
      coPartitioned: isCoPartitioned(root),
    });
  };
  visit(plan.sink);
  return out;
}

/** Every repartition step of a plan. */
export function repartitionSteps(plan: QueryPlan): RepartitionStep[] {
  return splitSubTopologies(plan).flatMap((s) => s.outputRepartitions);
}
