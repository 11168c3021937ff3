/**
 * Deterministic random numbers: xoshiro128** (Blackman & Vigna 2018) on 32-bit integers, seeded by
 * splitmix32. The same seed gives the same bits on every platform; `fork(k)` derives an independent
 * stream for parallel or per-replication work so that results do not depend on scheduling.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;
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
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
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
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }

  /** Word k ∈ {0, 1, 2, 3} of the generator's state (as a signed 32-bit integer; for FastRng). */
  stateWord(k: number): number {
    return [this.s0, this.s1, this.s2, this.s3][k]! | 0;
  }

  /** The cached second normal of the last polar pair, if any (for FastRng). */
  pendingNormal(): number | null {
    return this.spareNormal;
  }

  /** Set the state (four 32-bit words and the cached normal): FastRng.handBack. */
  restoreState(words: Int32Array, spare: number | null): void {
    this.s0 = words[0]! >>> 0;
    this.s1 = words[1]! >>> 0;
    this.s2 = words[2]! >>> 0;
    this.s3 = words[3]! >>> 0;
    this.spareNormal = spare;
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

/**
 * `Rng`'s generator and draws with the state in an Int32Array, so that a draw allocates nothing (Rng's
 * uint32 fields are heap numbers: every nextU32 allocates): `new FastRng(s)` gives exactly the numbers
 * of `new Rng(s)` (nextU32, uniform, int, normal — the same polar pairs), and `FastRng.take(rng)`
 * continues `rng`'s stream, `handBack(rng)` returns the state to it, so that a sampler can use it in
 * place of an Rng with the same bits. For samplers that draw millions of variates (BART).
 */
export class FastRng {
  private readonly s = new Int32Array(4);
  private spareNormal: number | null = null;

  constructor(seed: number) {
    const r = new Rng(seed);
    for (let k = 0; k < 4; k++) this.s[k] = r.stateWord(k);
  }

  /** A FastRng at `rng`'s current state (same next draws as `rng`); give it back with `handBack`. */
  static take(rng: Rng): FastRng {
    const f = new FastRng(0);
    for (let k = 0; k < 4; k++) f.s[k] = rng.stateWord(k);
    f.spareNormal = rng.pendingNormal();
    return f;
  }

  /** Move this generator's state into `rng` (which then continues where this one stopped). */
  handBack(rng: Rng): void {
    rng.restoreState(this.s, this.spareNormal);
  }

  /** Next 32-bit unsigned integer (xoshiro128**, as Rng.nextU32). */
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

  /** Uniform double in [0, 1) with 53 random bits (as Rng.uniform). */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in {0, …, n−1}, unbiased (as Rng.int). */
  int(n: number): number {
    if (!(n >= 1) || n > 4294967296) throw new Error(`int(n) needs 1 ≤ n ≤ 2^32, got ${n}`);
    if (n === 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal draw (Marsaglia polar method; the same numbers as Rng.normal). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Combine a seed and a stream id into a new 32-bit seed (murmur3 finaliser). */
export function hashSeed(seed: number, stream: number): number {
  let h = (Math.floor(Math.abs(seed)) ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
