/**
 * The unit keyword of DATEADD / TIMEADD / TIMESTAMPADD ... (java.util.concurrent.TimeUnit in
 * ksqlDB), with TimeUnit's conversion rules: sub-millisecond units truncate toward zero when
 * converted to milliseconds, and conversions to nanoseconds saturate at the long range.
 */

const NANOS_PER_UNIT: Record<string, bigint> = {
  NANOSECONDS: 1n,
  MICROSECONDS: 1_000n,
  MILLISECONDS: 1_000_000n,
  SECONDS: 1_000_000_000n,
  MINUTES: 60_000_000_000n,
  HOURS: 3_600_000_000_000n,
  DAYS: 86_400_000_000_000n,
};

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** 'seconds', 'SECOND' -> 'SECONDS'; throws for a name that is not a time unit. */
export function normalizeTimeUnit(unit: string): string {
  let u = unit.trim().toUpperCase();
  if (!u.endsWith('S')) u += 'S';
  if (!(u in NANOS_PER_UNIT)) throw new Error(`Unknown time unit: ${unit}`);
  return u;
}

/** TimeUnit.toNanos: saturates at Long.MIN_VALUE / Long.MAX_VALUE. */
export function unitToNanos(unit: string, amount: number): bigint {
  const nanos = BigInt(Math.trunc(amount)) * NANOS_PER_UNIT[normalizeTimeUnit(unit)]!;
  return nanos > LONG_MAX ? LONG_MAX : nanos < LONG_MIN ? LONG_MIN : nanos;
}

/** TimeUnit.toMillis: truncates sub-millisecond units toward zero. */
export function unitToMillis(unit: string, amount: number): number {
  const per = NANOS_PER_UNIT[normalizeTimeUnit(unit)]!;
  const whole = BigInt(Math.trunc(amount));
  // BigInt division truncates toward zero, as Java's long division does
  return Number(per >= 1_000_000n ? whole * (per / 1_000_000n) : whole / (1_000_000n / per));
}
