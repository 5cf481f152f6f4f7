/**
 * Properties that change aggregate behaviour, as ksqlDB's Configurable UDAFs read them: a number or
 * a numeric string; a negative value means no limit.
 */
export const COLLECT_LIST_LIMIT = 'ksql.functions.collect_list.limit';
export const COLLECT_SET_LIMIT = 'ksql.functions.collect_set.limit';

export type AggregateProperties = Readonly<Record<string, unknown>>;

export function readLimit(props: AggregateProperties, name: string): number {
  const raw = props[name];
  let limit = Number.MAX_SAFE_INTEGER;
  if (typeof raw === 'number' || typeof raw === 'bigint') limit = Math.trunc(Number(raw));
  else if (typeof raw === 'string' && raw.trim() !== '') limit = Number.parseInt(raw, 10);
  if (!Number.isFinite(limit) || limit < 0) limit = Number.MAX_SAFE_INTEGER;
  return limit;
}
