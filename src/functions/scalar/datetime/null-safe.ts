/** ksqlDB date/time UDFs return NULL when any argument is NULL. */
export function nullSafe<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => unknown {
  return (...args: A) => {
    for (const a of args) if (a === null || a === undefined) return null;
    return fn(...args);
  };
}

/** A BIGINT arrives as bigint; INTEGER, DATE, TIME and TIMESTAMP as number. */
export function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}
