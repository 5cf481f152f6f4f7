/**
 * JSON for stored plans and commands, exact for every value a plan may hold: plans are plain data
 * (AST expressions, schemas, formats), but literal values inside them may be bigints, decimals,
 * bytes or non-finite doubles. Those are tagged (`{"$bigint":"12"}`); everything else is plain JSON,
 * so any new plain-data step kind round-trips without code of its own.
 */
import { Decimal } from 'decimal.js';

const TAGS = ['$bigint', '$decimal', '$bytes', '$double'] as const;

function replace(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls toJSON (Buffer, Decimal) before the replacer: read the raw holder value
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return { $bigint: raw.toString() };
  if (raw instanceof Decimal) return { $decimal: raw.toString() };
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
  if (typeof raw === 'number' && (!Number.isFinite(raw) || Object.is(raw, -0))) return { $double: Object.is(raw, -0) ? '-0' : String(raw) };
  // anything else that is not plain data would be lost silently (a Map as {}, a function dropped)
  if (typeof raw === 'function' || typeof raw === 'symbol') throw new TypeError(`A stored plan must be plain data: '${key}' is a ${typeof raw}`);
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const proto = Object.getPrototypeOf(raw);
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`A stored plan must be plain data: '${key}' is a ${raw.constructor?.name ?? 'class instance'}`);
  }
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !(TAGS as readonly string[]).includes(keys[0]!)) return value;
  const tag = keys[0] as (typeof TAGS)[number];
  const text = (value as Record<string, string>)[tag]!;
  switch (tag) {
    case '$bigint':
      return BigInt(text);
    case '$decimal':
      return new Decimal(text);
    case '$bytes':
      return Buffer.from(text, 'base64');
    case '$double':
      return text === '-0' ? -0 : Number(text);
  }
}

export function encodePlanJson(value: unknown): string {
  return JSON.stringify(value, replace);
}

export function decodePlanJson<T>(text: string): T {
  return JSON.parse(text, revive) as T;
}
