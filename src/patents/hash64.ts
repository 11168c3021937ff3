/**
 * An open-addressing hash map from 64-bit keys (DuckDB `hash()` values, given as two uint32 halves) to
 * non-negative int32 values, on typed arrays (no per-entry objects). Used by the patent reader to turn
 * DuckDB-hashed strings (IPC pieces, ids) into dictionary ids without creating a JS string per cell.
 */
export class Hash64Map {
  /** Per slot: [key lo, key hi, value (−1 = empty), unused] — one memory access per probe. */
  private t: Int32Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap * 0.75 < expected) cap *= 2;
    this.t = Hash64Map.empty(cap);
    this.mask = cap - 1;
  }

  private static empty(cap: number): Int32Array {
    const t = new Int32Array(4 * cap);
    for (let i = 2; i < t.length; i += 4) t[i] = -1;
    return t;
  }

  private slot(lo: number, hi: number): number {
    // The key is already a hash: mix the halves and probe linearly.
    return (Math.imul(lo ^ (hi >>> 7), 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The value stored for the key, or −1. */
  get(lo: number, hi: number): number {
    const t = this.t;
    const m = this.mask;
    const l = lo | 0;
    const h = hi | 0;
    for (let i = this.slot(lo, hi); ; i = (i + 1) & m) {
      const x = t[4 * i + 2]!;
      if (x < 0) return -1;
      if (t[4 * i] === l && t[4 * i + 1] === h) return x;
    }
  }

  /** Store value (≥ 0) for the key unless present; returns the value now stored (the old one if present). */
  setIfAbsent(lo: number, hi: number, value: number): number {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const t = this.t;
    const m = this.mask;
    const l = lo | 0;
    const h = hi | 0;
    for (let i = this.slot(lo, hi); ; i = (i + 1) & m) {
      const x = t[4 * i + 2]!;
      if (x < 0) {
        t[4 * i] = l;
        t[4 * i + 1] = h;
        t[4 * i + 2] = value;
        this.size++;
        return value;
      }
      if (t[4 * i] === l && t[4 * i + 1] === h) return x;
    }
  }

  private grow(): void {
    const old = this.t;
    const cap = (this.mask + 1) * 2;
    this.t = Hash64Map.empty(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 4) if (old[i + 2]! >= 0) this.setIfAbsent(old[i]! >>> 0, old[i + 1]! >>> 0, old[i + 2]!);
  }
}

/** The uint32 halves of a BigUint64Array's items (little-endian: [lo0, hi0, lo1, hi1, …]). */
export function u64Halves(a: BigUint64Array | BigInt64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}
