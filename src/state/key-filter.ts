/**
 * Which keys a store may hold, known without a read: a scalable Bloom filter (layers of growing
 * size, about 10 bits per key, ~1% false positives). A "no" is certain, so a lookup of a key the
 * store never held costs a few hashes instead of a LevelDB read; a "maybe" reads as before.
 * Deleted keys stay in the filter (a false positive, not a wrong answer).
 */
const BITS_PER_KEY = 10;
const HASHES = 5;
const FIRST_CAPACITY = 4096;

interface Layer {
  readonly bits: Uint32Array;
  /** number of bits - 1 (a power of two) */
  readonly mask: number;
  readonly capacity: number;
  count: number;
}

function layer(capacity: number): Layer {
  let nbits = 32;
  while (nbits < capacity * BITS_PER_KEY) nbits *= 2;
  return { bits: new Uint32Array(nbits >>> 5), mask: nbits - 1, capacity, count: 0 };
}

export class KeyFilter {
  private readonly layers: Layer[] = [layer(FIRST_CAPACITY)];
  private h1 = 0;
  private h2 = 0;

  /** two independent 32-bit hashes of the key's bytes (FNV-1a and a multiplicative variant) */
  private hash(key: Uint8Array): void {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < key.length; i++) {
      const c = key[i]!;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.h1 = a >>> 0;
    this.h2 = (b | 1) >>> 0;
  }

  /**
   * Adds a key unless the filter may already hold it: stores put the same keys again and again
   * (every commit writes each changed key), and counting each put as a new key would grow layers
   * (and the bits a lookup checks) with the number of writes rather than of keys.
   */
  add(key: Uint8Array): void {
    this.hash(key);
    if (this.holds()) return;
    let top = this.layers[this.layers.length - 1]!;
    if (top.count >= top.capacity) this.layers.push((top = layer(top.capacity * 4)));
    const { bits, mask } = top;
    let h = this.h1;
    for (let i = 0; i < HASHES; i++) {
      const bit = h & mask;
      bits[bit >>> 5]! |= 1 << (bit & 31);
      h = (h + this.h2) >>> 0;
    }
    top.count++;
  }

  mightContain(key: Uint8Array): boolean {
    this.hash(key);
    return this.holds();
  }

  /** whether a layer has every bit of the last hashed key */
  private holds(): boolean {
    outer: for (const { bits, mask, count } of this.layers) {
      if (count === 0) continue;
      let h = this.h1;
      for (let i = 0; i < HASHES; i++) {
        const bit = h & mask;
        if ((bits[bit >>> 5]! & (1 << (bit & 31))) === 0) continue outer;
        h = (h + this.h2) >>> 0;
      }
      return true;
    }
    return false;
  }

  /** bytes held by the filter */
  get size(): number {
    let n = 0;
    for (const l of this.layers) n += l.bits.byteLength;
    return n;
  }
}
