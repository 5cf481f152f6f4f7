/**
 * What an engine counts, as plain data (Engine.metrics()): per query and per operator records in
 * and out, lag per input partition, processing-log errors, commit latency, state store changelog
 * sizes and push queries. Counters are totals since the engine opened (rates are the reader's
 * job: two snapshots apart). Never per key. The server turns these into Prometheus metrics and the
 * console's graphs.
 */
import type { QueryPlan, Step } from '../catalog/query-plan.js';
import { stepInputs } from '../catalog/query-plan.js';
import type { Log } from '../log/log.js';
import type { ProcessingErrorType } from '../runtime/processor.js';
import type { QueryMetrics } from '../runtime/query-metrics.js';
import type { QueryRuntime } from '../runtime/query-runtime.js';
import { splitSubTopologies } from '../runtime/sub-topologies.js';

/** One node of a query's topology: a step of its plan. */
export interface TopologyNode {
  /** the step id: stable, from the plan path */
  readonly id: string;
  /** the step kind (StreamSource, StreamFilter, StreamRepartition, TableSink...) */
  readonly kind: string;
  /** the sub-topology (task group) that runs it; a repartition step is written by one and read by the next */
  readonly subTopology: number;
  /** the steps feeding it */
  readonly inputs: readonly string[];
  /** the topic it reads (sources), writes (sinks) or goes through (repartition) */
  readonly topic?: string;
  /** the source a source step reads */
  readonly source?: string;
  /** its state stores */
  readonly stores: readonly string[];
}

export interface QueryTopology {
  readonly queryId: string;
  readonly subTopologies: number;
  readonly nodes: readonly TopologyNode[];
}

export interface OperatorMetrics {
  readonly id: string;
  readonly kind: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** estimated seconds spent in the operator's own code (sampled) */
  readonly busySeconds: number;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** the next offset the query will process */
  readonly position: string;
  /** the partition's end (high watermark) */
  readonly end: string;
  readonly lag: number;
  /** a repartition topic of the query rather than a source topic */
  readonly internal: boolean;
}

export interface StoreMetrics {
  readonly name: string;
  readonly changelogTopic: string;
  /** records in the store's changelog (its entries plus updates not yet compacted away) */
  readonly changelogRecords: number;
}

export interface QueryMetricsSnapshot {
  readonly queryId: string;
  /** a persistent query (CSAS/CTAS/INSERT INTO); otherwise a push query's transient one */
  readonly persistent: boolean;
  readonly state: 'RUNNING' | 'PAUSED' | 'ERROR';
  readonly error?: string;
  /** records read from its source topics */
  readonly recordsIn: number;
  /** records written to its sink topic */
  readonly recordsOut: number;
  readonly operators: readonly OperatorMetrics[];
  readonly partitions: readonly PartitionLag[];
  readonly commits: { readonly count: number; readonly totalSeconds: number; readonly maxSeconds: number };
  readonly stores: readonly StoreMetrics[];
}

export interface EngineMetrics {
  /** Date.now() when taken */
  readonly time: number;
  readonly queries: readonly QueryMetricsSnapshot[];
  /** processing-log entries since the engine opened, by query and type */
  readonly processingErrors: readonly { readonly queryId: string; readonly type: ProcessingErrorType; readonly count: number }[];
  /** push queries running (engine.query and SELECT ... EMIT CHANGES over the server) */
  readonly pushQueries: number;
}

/** The topology of a plan: its steps, each tagged with its sub-topology, and the stores its tasks opened. */
export function planTopology(plan: QueryPlan, storeNames: readonly string[]): QueryTopology {
  const subs = splitSubTopologies(plan);
  const nodes = new Map<string, TopologyNode>();
  const subOf = new Map<Step, number>();
  for (const sub of subs) {
    const mark = (step: Step): void => {
      if (subOf.has(step) && step !== sub.root) return;
      subOf.set(step, sub.index);
      if (step !== sub.root && step.kind === 'StreamRepartition') return;
      for (const s of stepInputs(step)) mark(s);
    };
    mark(sub.root);
  }
  const visit = (step: Step): void => {
    if (nodes.has(step.id)) return;
    const topic = 'topic' in step ? step.topic : undefined;
    nodes.set(step.id, {
      id: step.id,
      kind: step.kind,
      subTopology: subOf.get(step) ?? 0,
      inputs: stepInputs(step).map((s) => s.id),
      ...(topic !== undefined ? { topic } : {}),
      ...(step.kind === 'StreamSource' || step.kind === 'TableSource' ? { source: step.sourceName } : {}),
      stores: storeNames.filter((n) => n === step.id || n.startsWith(`${step.id}/`)),
    });
    for (const s of stepInputs(step)) visit(s);
  };
  visit(plan.sink);
  return { queryId: plan.queryId, subTopologies: subs.length, nodes: [...nodes.values()].reverse() };
}

export interface MetricsSources {
  readonly log: Log;
  readonly plan: (queryId: string) => QueryPlan | undefined;
  readonly runtime: (queryId: string) => QueryRuntime | undefined;
  readonly persistent: (queryId: string) => { state: 'RUNNING' | 'PAUSED' | 'ERROR' } | undefined;
}

export async function querySnapshot(queryId: string, counters: QueryMetrics, src: MetricsSources): Promise<QueryMetricsSnapshot> {
  const plan = src.plan(queryId);
  const runtime = src.runtime(queryId);
  const info = src.persistent(queryId);
  const steps = new Map<string, Step>();
  const walk = (s: Step): void => {
    steps.set(s.id, s);
    stepInputs(s).forEach(walk);
  };
  if (plan) walk(plan.sink);
  const operators = [...counters.operators].map(([id, c]) => ({ id, kind: steps.get(id)?.kind ?? 'unknown', recordsIn: c.recordsIn, recordsOut: c.recordsOut, busySeconds: Math.max(0, c.selfSeconds) }));
  const sourceIds = [...steps.values()].filter((s) => s.kind === 'StreamSource' || s.kind === 'TableSource').map((s) => s.id);
  const recordsIn = sourceIds.reduce((n, id) => n + (counters.operators.get(id)?.recordsIn ?? 0), 0);
  const recordsOut = plan ? (counters.operators.get(plan.sink.id)?.recordsOut ?? 0) : 0;
  const sourceTopics = new Set(plan?.sourceTopics ?? []);
  const partitions: PartitionLag[] = [];
  const stores = new Map<string, string>();
  for (const task of runtime?.taskList() ?? []) {
    for (const p of task.inputPositions()) {
      let end: bigint;
      try {
        end = await src.log.latestOffset(p.topic, p.partition);
      } catch {
        continue;
      }
      partitions.push({ topic: p.topic, partition: p.partition, position: String(p.offset), end: String(end), lag: Math.max(0, Number(end - p.offset)), internal: !sourceTopics.has(p.topic) });
    }
    for (const s of task.storeList()) stores.set(s.name, s.changelogTopic);
  }
  const storeMetrics: StoreMetrics[] = [];
  for (const [name, changelogTopic] of stores) {
    let changelogRecords = 0;
    try {
      for (const p of (await src.log.describeTopic(changelogTopic)).partitions) changelogRecords += Number(p.highWatermark - p.logStartOffset);
    } catch {
      // not created yet (no write so far)
    }
    storeMetrics.push({ name, changelogTopic, changelogRecords });
  }
  const failure = runtime?.failure;
  const state = failure ? 'ERROR' : (info?.state ?? (runtime?.paused ? 'PAUSED' : 'RUNNING'));
  return {
    queryId,
    persistent: info !== undefined,
    state,
    ...(failure ? { error: failure.message } : {}),
    recordsIn,
    recordsOut,
    operators,
    partitions: partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    commits: { ...counters.commits },
    stores: storeMetrics,
  };
}
