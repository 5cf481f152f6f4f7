/**
 * What a decoded state value costs on V8's heap, estimated (64-bit V8 without pointer
 * compression, as Node ships): the record cache charges its budget this, not the value's encoded
 * size, because it holds values decoded and decoding makes them several times larger (a BIGINT
 * is 8 bytes encoded and a 24-byte heap object decoded, an array adds its header and slots).
 * Over-estimates rather than under: shared sub-values are counted at each use.
 */
import { Decimal } from 'decimal.js';

/** a JSArray (32) plus its backing FixedArray header (16); each element slot is 8 more */
const ARRAY = 48;
/** a plain object's header, map pointer and properties/elements pointers */
const OBJECT = 32;
const SLOT = 8;
/** a non-Smi number is a boxed HeapNumber */
const HEAP_NUMBER = 16;
/** a BigInt's header, plus 8 bytes per 64-bit digit */
const BIGINT = 16;
/** a string's header (hash, length, map); one-byte characters follow */
const STRING = 24;
/** a Uint8Array / Buffer object with its ArrayBuffer and backing-store bookkeeping */
const TYPED_ARRAY = 160;
/** a Decimal: its object and its digits array */
const DECIMAL = 120;
/** a Map's hash table per entry: key, value and chain slots */
const MAP_ENTRY = 24;
/** nesting deeper than state values have is not walked (and never loops) */
const MAX_DEPTH = 32;

export function heapBytes(v: unknown): number {
  return size(v, 0);
}

function size(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'number':
      return (v | 0) === v ? 0 : HEAP_NUMBER;
    case 'string':
      // two-byte strings take twice the room; a rough check of the first character suffices
      return STRING + (v.length > 0 && v.charCodeAt(0) > 0xff ? 2 * v.length : v.length);
    case 'bigint': {
      const digits = v >= -0xffffffffffffffffn && v <= 0xffffffffffffffffn ? 1 : Math.ceil(v.toString(16).length / 16);
      return BIGINT + 8 * digits;
    }
    case 'object':
      if (v === null || depth > MAX_DEPTH) return 0;
      return objectSize(v, depth + 1);
    default:
      // booleans, undefined: immortal oddballs in the slot already counted
      return 0;
  }
}

function objectSize(v: object, depth: number): number {
  if (Array.isArray(v)) {
    let n = ARRAY + SLOT * v.length;
    for (let i = 0; i < v.length; i++) {
      // at(i): an indexed read would change the array's elements kind (see value-codec.ts writeObject)
      const e = v.at(i);
      if (typeof e === 'object' || typeof e === 'string' || typeof e === 'bigint' || typeof e === 'number') n += size(e, depth);
    }
    return n;
  }
  if (v instanceof Uint8Array) return TYPED_ARRAY + v.byteLength;
  if (v instanceof Decimal) return DECIMAL;
  if (v instanceof Map) {
    let n = OBJECT + 64;
    for (const [k, val] of v) n += MAP_ENTRY + size(k, depth) + size(val, depth);
    return n;
  }
  let n = OBJECT;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    n += SLOT + size((v as Record<string, unknown>)[k], depth);
  }
  return n;
}
