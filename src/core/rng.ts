/**
 * Deterministic random numbers: xoshiro128** (Blackman & Vigna 2018) on 32-bit integers, seeded by
 * splitmix32. The same seed gives the same bits on every platform; `fork(k)` derives an independent
 * stream for parallel or per-replication work so that results do not depend on scheduling.
 *
 * The state lives in an Int32Array, so that a draw allocates nothing (as four number fields holding uint32
 * values it was kept as heap numbers, and every nextU32 allocated: 30–50 ns a draw against ≈ 3 ns; BART
 * draws millions of variates per fit). The numbers are those of the field-based version (pinned in
 * test/core/rng.test.ts).
 */
export class Rng {
  private readonly s = new Int32Array(4);
  /** The polar method's second normal, kept in a typed slot (a `number | null` field boxes it per pair). */
  private readonly spare = new Float64Array(1);
  private hasSpare = false;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    this.seed = seed;
    let x = (Math.floor(Math.abs(seed)) % 4294967296) >>> 0;
    // Mix in the high part of large seeds so that seeds above 2^32 differ.
    x = (x ^ Math.floor(Math.abs(seed) / 4294967296)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let k = 0; k < 4; k++) this.s[k] = next() | 0;
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Next 32-bit unsigned integer (xoshiro128**: result = rotl(s1·5, 7)·9, then the state update). */
  nextU32(): number {
    const s = this.s;
    let s0 = s[0]!,
      s1 = s[1]!,
      s2 = s[2]!,
      s3 = s[3]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5; // 27 bits
    const b = this.nextU32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in {0, …, n−1}, unbiased (rejection sampling). */
  int(n: number): number {
    if (!(n >= 1) || n > 4294967296) throw new Error(`int(n) needs 1 ≤ n ≤ 2^32, got ${n}`);
    if (n === 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal draw (Marsaglia polar method). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare[0]!;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare[0] = v * f;
        this.hasSpare = true;
        return u * f;
      }
    }
  }

  /** ±1 with probability ½ each. */
  rademacher(): number {
    return (this.nextU32() & 1) === 1 ? 1 : -1;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Float64Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t as never;
    }
  }

  /** k distinct indices drawn uniformly from {0, …, n−1}, in draw order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new Error(`cannot draw ${k} of ${n} without replacement`);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    return idx.slice(0, k);
  }

  /** An independent stream derived from this generator's seed and a stream number. */
  fork(stream: number): Rng {
    return new Rng(hashSeed(this.seed, stream));
  }
}

/** Combine a seed and a stream id into a new 32-bit seed (murmur3 finaliser). */
export function hashSeed(seed: number, stream: number): number {
  let h = (Math.floor(Math.abs(seed)) ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
