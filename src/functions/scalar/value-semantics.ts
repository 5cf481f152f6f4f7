/**
 * Equality, hashing and ordering of runtime SQL values as Java's equals/hashCode/compareTo see
 * them, which the collection functions (ARRAY_DISTINCT, ARRAY_REMOVE, NULLIF, ...) rely on.
 */
import { ExecutionError } from '../../common/errors.js';
import { Decimal } from 'decimal.js';

/** Deep equality: maps compare as sets of entries (Java HashMap.equals), NULL equals NULL. */
export function sqlValueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Decimal.isDecimal(a) && Decimal.isDecimal(b)) return (a as Decimal).eq(b as Decimal);
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sqlValueEquals(v, b[i]));
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !sqlValueEquals(v, b.get(k))) return false;
    }
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && sqlValueEquals(a[k], b[k]));
  }
  return false;
}

/** A string that is equal for equal values: lets set-like functions use a JS Map/Set. */
export function sqlValueKey(v: unknown): string {
  if (v === null || v === undefined) return 'n';
  switch (typeof v) {
    case 'boolean':
      return v ? 'T' : 'F';
    case 'number':
      return `d${v}`;
    case 'bigint':
      return `l${v}`;
    case 'string':
      return `s${JSON.stringify(v)}`;
  }
  if (Decimal.isDecimal(v)) return `D${(v as Decimal).toString()}`;
  if (Buffer.isBuffer(v)) return `b${v.toString('base64')}`;
  if (Array.isArray(v)) return `[${v.map(sqlValueKey).join(',')}]`;
  if (v instanceof Map) {
    const entries = [...v].map(([k, val]) => `${sqlValueKey(k)}:${sqlValueKey(val)}`).sort();
    return `{${entries.join(',')}}`;
  }
  if (isPlainObject(v)) {
    return `(${Object.keys(v).map((k) => `${JSON.stringify(k)}:${sqlValueKey(v[k])}`).join(',')})`;
  }
  return `?${String(v)}`;
}

/**
 * Natural order of two non-null values of the same primitive SQL type (Java compareTo):
 * strings by UTF-16 code units, bytes unsigned lexicographically, false < true.
 */
export function compareSqlValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    // Double.compare: -0.0 < 0.0 and NaN is greater than everything
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    if (a === b) return Object.is(a, -0) && Object.is(b, 0) ? -1 : Object.is(a, 0) && Object.is(b, -0) ? 1 : 0;
    return a < b ? -1 : 1;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Decimal.isDecimal(a) && Decimal.isDecimal(b)) return (a as Decimal).cmp(b as Decimal);
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  throw new ExecutionError(`cannot compare values ${String(a)} and ${String(b)}`);
}

/** Order with NULLs last, as Comparator.nullsLast(naturalOrder()). */
export function compareNullsLast(a: unknown, b: unknown): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return compareSqlValues(a, b);
}

export function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Java's hashCode of a map key, for the key types ksqlDB maps use; undefined for others. */
function javaKeyHash(k: unknown): number | undefined {
  if (typeof k === 'string') {
    let h = 0;
    for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
    return h;
  }
  if (typeof k === 'number' && Number.isInteger(k)) return k | 0;
  if (typeof k === 'bigint') return Number(BigInt.asIntN(32, k ^ (BigInt.asUintN(64, k) >> 32n)));
  if (typeof k === 'boolean') return k ? 1231 : 1237;
  return undefined;
}

/**
 * The entries of a map in the order a java.util.HashMap built from it (as ksqlDB's deserializers
 * do, with `new HashMap<>(size)`) iterates them: by bucket, then by insertion. Functions whose
 * result depends on iteration order (REDUCE over a map, MAP_KEYS, MAP_VALUES) use it. Maps with
 * keys Java hashes differently are iterated in insertion order.
 */
export function javaHashMapEntries<K, V>(m: ReadonlyMap<K, V>): [K, V][] {
  const entries = [...m.entries()];
  if (entries.length < 2) return entries;
  const hashes = entries.map(([k]) => javaKeyHash(k));
  if (hashes.some((h) => h === undefined)) return entries;
  // HashMap(n): capacity tableSizeFor(n), doubled while the size exceeds 3/4 of it
  let capacity = 1;
  while (capacity < entries.length) capacity *= 2;
  while (entries.length > capacity * 0.75) capacity *= 2;
  const bucket = (h: number) => (h ^ (h >>> 16)) & (capacity - 1);
  return entries
    .map((e, i) => ({ e, b: bucket(hashes[i]!), i }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.e);
}
