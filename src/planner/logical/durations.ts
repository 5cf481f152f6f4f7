/** WITHIN, WINDOW and GRACE PERIOD durations in milliseconds. */
import type { Duration } from '../../sql/ast.js';

const UNIT_MS = { MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 } as const;

export function durationMs(d: Duration): number {
  return d.value * UNIT_MS[d.unit];
}
