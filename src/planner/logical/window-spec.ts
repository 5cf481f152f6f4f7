/** A WINDOW clause as planned: sizes in milliseconds, and the grace period. */
import { PlanError } from '../../common/errors.js';
import type { WindowSpec } from '../../catalog/query-plan.js';
import type { WindowExpression } from '../../sql/ast.js';
import { durationMs } from './durations.js';

/** ksqlDB's default grace period for windows without GRACE PERIOD */
export const DEFAULT_GRACE_MS = 24 * 3_600_000;

export function windowSpec(w: WindowExpression, defaultGraceMs: number): WindowSpec {
  const graceMs = w.grace ? durationMs(w.grace) : defaultGraceMs;
  switch (w.kind) {
    case 'TumblingWindow':
      return { type: 'TUMBLING', sizeMs: durationMs(w.size), graceMs };
    case 'HoppingWindow': {
      const sizeMs = durationMs(w.size);
      const advanceMs = durationMs(w.advance);
      if (advanceMs > sizeMs) throw new PlanError(`Window advance (${advanceMs} ms) must not be larger than the window size (${sizeMs} ms)`, w.pos);
      if (advanceMs <= 0) throw new PlanError('Window advance must be positive', w.pos);
      return { type: 'HOPPING', sizeMs, advanceMs, graceMs };
    }
    case 'SessionWindow':
      return { type: 'SESSION', gapMs: durationMs(w.gap), graceMs };
  }
}
