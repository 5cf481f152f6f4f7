/** A WINDOW clause as planned: sizes in milliseconds, and the grace period. */
import { PlanError } from '../../common/errors.js';
import type { WindowSpec } from '../../catalog/query-plan.js';
import type { WindowExpression } from '../../sql/ast.js';
import { durationMs } from './durations.js';

/** ksqlDB's default grace period for windows without GRACE PERIOD */
export const DEFAULT_GRACE_MS = 24 * 3_600_000;

type Spec<K extends WindowExpression['kind']> = (w: Extract<WindowExpression, { readonly kind: K }>, graceMs: number) => WindowSpec;

const SPECS: { readonly [K in WindowExpression['kind']]: Spec<K> } = {
  TumblingWindow: (w, graceMs) => ({ type: 'TUMBLING', sizeMs: durationMs(w.size), graceMs }),
  HoppingWindow: (w, graceMs) => {
    const sizeMs = durationMs(w.size);
    const advanceMs = durationMs(w.advance);
    if (advanceMs > sizeMs) throw new PlanError(`Window advance (${advanceMs} ms) must not be larger than the window size (${sizeMs} ms)`, w.pos);
    if (advanceMs <= 0) throw new PlanError('Window advance must be positive', w.pos);
    return { type: 'HOPPING', sizeMs, advanceMs, graceMs };
  },
  SessionWindow: (w, graceMs) => ({ type: 'SESSION', gapMs: durationMs(w.gap), graceMs }),
};

export function windowSpec(w: WindowExpression, defaultGraceMs: number): WindowSpec {
  return (SPECS[w.kind] as Spec<WindowExpression['kind']>)(w as never, w.grace ? durationMs(w.grace) : defaultGraceMs);
}
