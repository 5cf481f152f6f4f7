/** A WINDOW clause as planned: sizes in milliseconds, and the grace period. */
import { PlanError } from '../../common/errors.js';
import type { WindowSpec } from '../../catalog/query-plan.js';
import type { WindowExpression } from '../../sql/ast.js';
import { durationMs } from './durations.js';

/** ksqlDB's default grace period for windows without GRACE PERIOD */
export const DEFAULT_GRACE_MS = 24 * 3_600_000;

type Spec<K extends WindowExpression['kind']> = (w: Extract<WindowExpression, { readonly kind: K }>, graceMs: number) => WindowSpec;

/**
 * Kafka Streams' window store retention as ksqlDB asks for it: RETENTION when given, else the
 * window size plus the grace period (ksqlDB's default grace when none is declared, whatever grace
 * EMIT FINAL closes windows by)
 */
function retentionMs(w: WindowExpression, sizeMs: number): number {
  if (!w.retention) return sizeMs + (w.grace ? durationMs(w.grace) : DEFAULT_GRACE_MS);
  const retention = durationMs(w.retention);
  // Kafka Streams refuses such a store: windows would be gone while they still accept records.
  // Without a declared grace, RETENTION alone is accepted, as older ksqlDB examples write it.
  const graceMs = w.grace ? durationMs(w.grace) : 0;
  if (retention < sizeMs + graceMs)
    throw new PlanError(
      `The retention period of the window store must be no smaller than its window size plus the grace period. Got size=[${sizeMs}], grace=[${graceMs}], retention=[${retention}]`,
      w.retention.pos,
    );
  return retention;
}

const SPECS: { readonly [K in WindowExpression['kind']]: Spec<K> } = {
  TumblingWindow: (w, graceMs) => {
    const sizeMs = durationMs(w.size);
    return { type: 'TUMBLING', sizeMs, graceMs, retentionMs: retentionMs(w, sizeMs) };
  },
  HoppingWindow: (w, graceMs) => {
    const sizeMs = durationMs(w.size);
    const advanceMs = durationMs(w.advance);
    if (advanceMs > sizeMs) throw new PlanError(`Window advance (${advanceMs} ms) must not be larger than the window size (${sizeMs} ms)`, w.pos);
    if (advanceMs <= 0) throw new PlanError('Window advance must be positive', w.pos);
    return { type: 'HOPPING', sizeMs, advanceMs, graceMs, retentionMs: retentionMs(w, sizeMs) };
  },
  SessionWindow: (w, graceMs) => ({ type: 'SESSION', gapMs: durationMs(w.gap), graceMs }),
};

export function windowSpec(w: WindowExpression, defaultGraceMs: number): WindowSpec {
  return (SPECS[w.kind] as Spec<WindowExpression['kind']>)(w as never, w.grace ? durationMs(w.grace) : defaultGraceMs);
}
