/**
 * GET /metrics: the engine's figures in Prometheus' text format, through prom-client with a
 * registry of its own (an embedding program's default registry is never touched). Every scrape
 * takes one Engine.metrics() snapshot and sets the metrics from it, so the figures are the
 * engine's own counts at that moment: per query and per operator, never per key.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine, EngineMetrics } from '../index.js';

export interface MetricsSources {
  readonly engine: Engine;
  /** push queries streaming to HTTP/websocket clients of this server */
  readonly pushClients: () => number;
}

/** A registry holding Sluice's metrics, refreshed from an engine snapshot by `refresh`. */
export function createMetricsRegistry(): { registry: Registry; refresh: (m: EngineMetrics, pushClients: number) => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const queryIn = counter('sluice_query_records_in_total', 'Records a query read from its source topics', ['query']);
  const queryOut = counter('sluice_query_records_out_total', 'Records a query wrote to its sink topic', ['query']);
  const state = gauge('sluice_query_state', 'A query\'s state: 1 for the state it is in', ['query', 'state']);
  const opIn = counter('sluice_operator_records_in_total', 'Records into an operator', ['query', 'operator', 'kind']);
  const opOut = counter('sluice_operator_records_out_total', 'Records out of an operator', ['query', 'operator', 'kind']);
  const opBusy = counter('sluice_operator_busy_seconds_total', 'Estimated time spent in an operator\'s own code (sampled)', ['query', 'operator', 'kind']);
  const lag = gauge('sluice_consumer_lag_records', 'Records in an input partition not yet processed by a query', ['query', 'topic', 'partition']);
  const queryLag = gauge('sluice_query_lag_records', 'Records not yet processed by a query, over its input partitions', ['query']);
  const errors = counter('sluice_processing_errors_total', 'Processing-log entries by query and type', ['query', 'type']);
  const commits = counter('sluice_commits_total', 'Commits of a query\'s tasks (output, state and offsets together)', ['query']);
  const commitSeconds = counter('sluice_commit_seconds_total', 'Time spent committing', ['query']);
  const commitMax = gauge('sluice_commit_seconds_max', 'The longest commit so far', ['query']);
  const store = gauge('sluice_state_store_changelog_records', 'Records in a state store\'s changelog (its entries plus updates not yet compacted)', ['query', 'store']);
  const push = gauge('sluice_push_queries', 'Push queries running in the engine', []);
  const clients = gauge('sluice_push_query_clients', 'Push queries streaming to clients of this server', []);
  const all = [queryIn, queryOut, state, opIn, opOut, opBusy, lag, queryLag, errors, commits, commitSeconds, commitMax, store];

  const refresh = (m: EngineMetrics, pushClients: number) => {
    // reset first: a terminated query's series disappear instead of freezing
    for (const metric of all) metric.reset();
    for (const q of m.queries) {
      const query = q.queryId;
      queryIn.inc({ query }, q.recordsIn);
      queryOut.inc({ query }, q.recordsOut);
      for (const s of ['RUNNING', 'PAUSED', 'ERROR']) state.set({ query, state: s }, q.state === s ? 1 : 0);
      for (const o of q.operators) {
        const labels = { query, operator: o.id, kind: o.kind };
        opIn.inc(labels, o.recordsIn);
        opOut.inc(labels, o.recordsOut);
        opBusy.inc(labels, o.busySeconds);
      }
      let total = 0;
      for (const p of q.partitions) {
        lag.set({ query, topic: p.topic, partition: String(p.partition) }, p.lag);
        total += p.lag;
      }
      queryLag.set({ query }, total);
      commits.inc({ query }, q.commits.count);
      commitSeconds.inc({ query }, q.commits.totalSeconds);
      commitMax.set({ query }, q.commits.maxSeconds);
      for (const s of q.stores) store.set({ query, store: s.name }, s.changelogRecords);
    }
    for (const e of m.processingErrors) errors.inc({ query: e.queryId, type: e.type }, e.count);
    push.set(m.pushQueries);
    clients.set(pushClients);
  };
  return { registry, refresh };
}

export function registerMetricsEndpoint(app: FastifyInstance, sources: MetricsSources): void {
  const { registry, refresh } = createMetricsRegistry();
  app.get('/metrics', async (_req, reply) => {
    refresh(await sources.engine.metrics(), sources.pushClients());
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
