/**
 * An open-addressing hash map from 64-bit keys (DuckDB `hash()` values, given as two uint32 halves) to
 * non-negative int32 values, on typed arrays (no per-entry objects). Used by the patent reader to turn
 * DuckDB-hashed strings (IPC pieces, ids) into dictionary ids without creating a JS string per cell.
 */
export class Hash64Map {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private val: Int32Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap * 0.75 < expected) cap *= 2;
    this.lo = new Uint32Array(cap);
    this.hi = new Uint32Array(cap);
    this.val = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  private slot(lo: number, hi: number): number {
    // The key is already a hash: mix the halves and probe linearly.
    return (Math.imul(lo ^ (hi >>> 7), 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The value stored for the key, or −1. */
  get(lo: number, hi: number): number {
    const lk = this.lo;
    const hk = this.hi;
    const v = this.val;
    const m = this.mask;
    for (let i = this.slot(lo, hi); ; i = (i + 1) & m) {
      const x = v[i]!;
      if (x < 0) return -1;
      if (lk[i] === lo && hk[i] === hi) return x;
    }
  }

  /** Store value (≥ 0) for the key unless present; returns the value now stored (the old one if present). */
  setIfAbsent(lo: number, hi: number, value: number): number {
    if ((this.size + 1) * 4 > this.val.length * 3) this.grow();
    const lk = this.lo;
    const hk = this.hi;
    const v = this.val;
    const m = this.mask;
    for (let i = this.slot(lo, hi); ; i = (i + 1) & m) {
      const x = v[i]!;
      if (x < 0) {
        lk[i] = lo;
        hk[i] = hi;
        v[i] = value;
        this.size++;
        return value;
      }
      if (lk[i] === lo && hk[i] === hi) return x;
    }
  }

  private grow(): void {
    const { lo, hi, val } = this;
    const cap = val.length * 2;
    this.lo = new Uint32Array(cap);
    this.hi = new Uint32Array(cap);
    this.val = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < val.length; i++) if (val[i]! >= 0) this.setIfAbsent(lo[i]!, hi[i]!, val[i]!);
  }
}

/** The uint32 halves of a BigUint64Array's items (little-endian: [lo0, hi0, lo1, hi1, …]). */
export function u64Halves(a: BigUint64Array | BigInt64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}
