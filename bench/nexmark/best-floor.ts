/**
 * The second floor of q1 and q2: the best hand-written program for the query, with the trick the
 * engine uses (read only the fields the query needs, skip the rest of the record without building
 * it; write the output by concatenation, copying number and string tokens through unchanged where
 * input and output text coincide). It assumes well-formed input (the generator's), which the
 * engine may not: a lower bound on the cost of the work itself.
 */
import type { FloorProgram } from './floor.js';

/** start / end of each wanted top-level field's value token (last occurrence wins; -1: absent) */
export class TopLevelFields {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly index: Map<string, number>;

  constructor(names: readonly string[]) {
    this.index = new Map(names.map((n, i) => [n, i]));
    this.starts = new Int32Array(names.length);
    this.ends = new Int32Array(names.length);
  }

  scan(s: string): void {
    this.starts.fill(-1);
    const n = s.length;
    let p = s.indexOf('{') + 1;
    while (p < n) {
      const q = s.indexOf('"', p);
      if (q < 0) return;
      const keyEnd = stringEnd(s, q);
      const slot = this.index.get(s.slice(q + 1, keyEnd - 1));
      p = s.indexOf(':', keyEnd) + 1;
      while (s.charCodeAt(p) === 0x20) p++;
      const start = p;
      p = valueEnd(s, p);
      if (slot !== undefined) {
        this.starts[slot] = start;
        this.ends[slot] = p;
      }
      p = s.indexOf(',', p);
      if (p < 0) return;
      p++;
    }
  }
}

/** index just past the string whose opening quote is at q */
function stringEnd(s: string, q: number): number {
  let p = q + 1;
  for (;;) {
    const e = s.indexOf('"', p);
    let b = e - 1;
    while (s.charCodeAt(b) === 0x5c) b--;
    // an even run of backslashes before the quote: it closes the string
    if ((e - 1 - b) % 2 === 0) return e + 1;
    p = e + 1;
  }
}

function valueEnd(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c === 0x22) return stringEnd(s, p);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (;;) {
      const d = s.charCodeAt(p);
      if (d === 0x22) {
        p = stringEnd(s, p);
        continue;
      }
      p++;
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return p;
      }
    }
  }
  while (p < s.length) {
    const d = s.charCodeAt(p);
    if (d === 0x2c || d === 0x7d || d === 0x20) return p;
    p++;
  }
  return p;
}

/** q1: AUCTION, BIDDER, PRICE * 908 / 1000, DATETIME, EXTRA; numbers and the string copied as text */
export function q1BestFloor(): FloorProgram {
  const f = new TopLevelFields(['auction', 'bidder', 'price', 'dateTime', 'extra']);
  const { starts, ends } = f;
  const token = (s: string, i: number) => (starts[i]! < 0 ? 'null' : s.slice(starts[i], ends[i]));
  return {
    onRecord(_topic, r, out) {
      if (r.value === null) return;
      const s = r.value.toString('latin1');
      f.scan(s);
      const price = starts[2]! < 0 ? 'null' : String(Math.trunc((Number(s.slice(starts[2], ends[2])) * 908) / 1000));
      const text = `{"AUCTION":${token(s, 0)},"BIDDER":${token(s, 1)},"PRICE":${price},"DATETIME":${token(s, 3)},"EXTRA":${token(s, 4)}}`;
      out.push({ key: null, value: Buffer.from(text, 'latin1'), timestamp: r.timestamp });
    },
  };
}

/** q2: AUCTION, PRICE where auction % 123 = 0 */
export function q2BestFloor(): FloorProgram {
  const f = new TopLevelFields(['auction', 'price']);
  const { starts, ends } = f;
  return {
    onRecord(_topic, r, out) {
      if (r.value === null) return;
      const s = r.value.toString('latin1');
      f.scan(s);
      if (starts[0]! < 0) return;
      const auction = s.slice(starts[0], ends[0]);
      if (Number(auction) % 123 !== 0) return;
      const price = starts[1]! < 0 ? 'null' : s.slice(starts[1], ends[1]);
      out.push({ key: null, value: Buffer.from(`{"AUCTION":${auction},"PRICE":${price}}`, 'latin1'), timestamp: r.timestamp });
    },
  };
}
