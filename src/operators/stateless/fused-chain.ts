/**
 * The fused stateless chain: a sub-topology that is one StreamSource, then only StreamFilter and
 * StreamSelect steps, into a StreamSink, built as one function per record. The steps are the
 * operators' own (the same predicates, projections, serializers and error reports); what goes is
 * what lies between them: a record object per step, a closure hop and two metering wrappers per
 * step. Every step's records in and out are still counted, and on a timed record (QueryMetrics'
 * sampling) every step's own time, as the step-by-step build counts them.
 */
import type { FilterStep, SelectStep, SinkStep, SourceStep, Step } from '../../catalog/query-plan.js';
import type { FetchedRecord } from '../../log/log.js';
import type { ChainFuser, OperatorContext, OperatorFactories, StreamRecord, Topology } from '../../runtime/processor.js';
import { SAMPLE_EVERY, type OperatorCounters, type QueryMetrics } from '../../runtime/query-metrics.js';
import { buildFilter, streamFilterTest } from './filter.js';
import { buildSelect, projection } from './select.js';
import { buildSink, sinkWriter } from './sink.js';
import { buildSource } from './source.js';

/** `false` builds such chains step by step (for comparison; the default is true) */
export const STATELESS_FUSION = 'sluice.stateless.fusion';

/** one step between source and sink: the row it passes on, or undefined when it drops the record */
type Stage = (row: unknown[], tombstone: boolean) => unknown[] | undefined;

/** The chain's steps, root first, when `root` heads a fusable chain built by these factories. */
function fusableChain(root: Step, factories: OperatorFactories): { sink: SinkStep; middle: (FilterStep | SelectStep)[]; source: SourceStep } | undefined {
  // only the operators this file fuses (a pull query, say, replaces the sink with its own)
  if (root.kind !== 'StreamSink' || factories.StreamSink !== buildSink) return undefined;
  const middle: (FilterStep | SelectStep)[] = [];
  let step = root.input;
  for (;;) {
    if (step.kind === 'StreamFilter' && factories.StreamFilter === buildFilter) middle.push(step);
    else if (step.kind === 'StreamSelect' && factories.StreamSelect === buildSelect) middle.push(step);
    else break;
    step = step.input;
  }
  if (step.kind !== 'StreamSource' || factories.StreamSource !== buildSource) return undefined;
  return { sink: root, middle, source: step };
}

function stageOf(step: FilterStep | SelectStep, ctx: OperatorContext): Stage | Prefilter {
  if (step.kind === 'StreamFilter') return { passes: streamFilterTest(step, ctx) };
  const project = projection(step as SelectStep, ctx);
  return (row, tombstone) => project(row, tombstone);
}

/** a filter's test, run as a stage or (the chain's first step) by the source before a record is made */
interface Prefilter {
  readonly passes: (row: unknown[], tombstone: boolean) => boolean;
}

const asStage = (s: Stage | Prefilter): Stage => {
  if (typeof s === 'function') return s;
  const passes = s.passes;
  return (row, tombstone) => (passes(row, tombstone) ? row : undefined);
};

export const fuseStatelessChain: ChainFuser = (root, factories, ctx, metrics): Topology | undefined => {
  // (a context built by hand may have no config)
  if (ctx.config?.get(STATELESS_FUSION)?.trim().toLowerCase() === 'false') return undefined;
  const chain = fusableChain(root, factories);
  if (!chain) return undefined;
  const { sink, middle, source } = chain;
  // built (and so validated) root first, as the step-by-step build does: the same error first
  const write = sinkWriter(sink, ctx);
  const built = middle.map((s) => stageOf(s, ctx));
  // counters registered root first too (the order metrics list operators in)
  const counter = (id: string): OperatorCounters => metrics?.operator(id) ?? { recordsIn: 0, recordsOut: 0, selfSeconds: 0 };
  const sinkC = counter(sink.id);
  const middleC = middle.map((s) => counter(s.id));
  const sourceC = counter(source.id);
  // source first from here on
  const steps = built.reverse();
  const stageC = middleC.reverse();
  // a filter right after the source runs in it, on the row before the record is made; the
  // chain's function then starts at the next step
  const first = steps[0];
  const prefiltered = first !== undefined && typeof first !== 'function';
  const skip = prefiltered ? 1 : 0;
  const stages = steps.slice(skip).map(asStage);
  const n = stages.length;
  const scale = SAMPLE_EVERY / 1000;

  let prefilter: ((row: unknown[], tombstone: boolean) => boolean) | undefined;
  if (prefiltered) {
    const passes = first.passes;
    const c = stageC[0]!;
    prefilter = (row, tombstone) => {
      sourceC.recordsOut++;
      c.recordsIn++;
      let passed: boolean;
      if (metrics?.timingRecord) {
        // a timed record: the filter's time is its own, not the source's
        const t0 = performance.now();
        try {
          passed = passes(row, tombstone);
        } finally {
          const spent = (performance.now() - t0) * scale;
          c.selfSeconds += spent;
          sourceC.selfSeconds -= spent;
        }
      } else passed = passes(row, tombstone);
      if (passed) c.recordsOut++;
      return passed;
    };
  }
  const chainC = stageC.slice(skip);

  const run = (rec: StreamRecord): void => {
    // (the prefilter counted the record out of the source)
    if (!prefiltered) sourceC.recordsOut++;
    if (metrics?.timingRecord) return timed(rec);
    const tombstone = rec.tombstone === true;
    let row: unknown[] | undefined = rec.row;
    for (let i = 0; i < n; i++) {
      const c = chainC[i]!;
      c.recordsIn++;
      row = stages[i]!(row, tombstone);
      if (row === undefined) return;
      c.recordsOut++;
    }
    sinkC.recordsIn++;
    write(row, rec);
  };

  /** a timed record: each step's time is its own (the source's excludes the chain) */
  const timed = (rec: StreamRecord): void => {
    const start = performance.now();
    let t0 = start;
    const tombstone = rec.tombstone === true;
    let row: unknown[] | undefined = rec.row;
    try {
      for (let i = 0; i < n; i++) {
        const c = chainC[i]!;
        c.recordsIn++;
        try {
          row = stages[i]!(row, tombstone);
        } finally {
          const t1 = performance.now();
          c.selfSeconds += (t1 - t0) * scale;
          t0 = t1;
        }
        if (row === undefined) return;
        c.recordsOut++;
      }
      sinkC.recordsIn++;
      try {
        write(row, rec);
      } finally {
        sinkC.selfSeconds += (performance.now() - t0) * scale;
      }
    } finally {
      sourceC.selfSeconds -= (performance.now() - start) * scale;
    }
  };

  const entry = buildSource(source, ctx, run, prefilter ? { prefilter } : {});
  if (!metrics) return { sources: new Map([[source.topic, [entry]]]) };
  // the source's meterIn, inlined: counts the record in and decides whether it is timed
  const m = metrics;
  const metered = (rec: FetchedRecord): void => {
    sourceC.recordsIn++;
    if (!m.startRecord()) return void entry(rec);
    const start = performance.now();
    void entry(rec);
    sourceC.selfSeconds += (performance.now() - start) * scale;
  };
  const timestampOf = entry.timestampOf;
  return { sources: new Map([[source.topic, [timestampOf ? Object.assign(metered, { timestampOf }) : metered]]]) };
};
