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
 * The generator of `Rng` (xoshiro128**, same splitmix32 seeding: `new FastRng(s).nextU32()` and
 * `uniform()`/`int()` give the same numbers as `new Rng(s)`'s) with its state in an Int32Array, so
 * that a draw allocates nothing (Rng's uint32 fields are stored as heap numbers), and a ziggurat
 * `normal()`. For samplers that draw millions of variates (BART).
 */
export class FastRng {
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    const r = new Rng(seed);
    for (let k = 0; k < 4; k++) this.s[k] = r.stateWord(k);
  }

  /** A generator seeded from `rng`'s next 32-bit output (advances `rng` by one draw). */
  static from(rng: Rng): FastRng {
    return new FastRng(rng.nextU32());
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

  /**
   * Standard normal draw by the ziggurat method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8)): 256
   * layers of equal area v under f(x) = exp(−x²/2), x ≥ 0, the base layer including the tail beyond r.
   * A try takes two 32-bit words — 8 bits pick the layer i, 1 the sign, 53 the position u ∈ [0, 1) —
   * and returns ±u·x_i if u·x_i < x_{i+1} (inside the curve: 99.3 % of tries); otherwise the edge test
   * f(x_i) + U·(f(x_{i+1}) − f(x_i)) < f(u·x_i), or in the base layer Marsaglia's (1964) tail: r + X,
   * X = −ln(U₁)/r, accepted if −2 ln U₂ > X². Exact: the same N(0, 1) as Rng.normal (another stream);
   * r and v solve the 256-layer closure (computed to 50 digits).
   */
  normal(): number {
    for (;;) {
      const a = this.nextU32(),
        b = this.nextU32();
      const i = a & 255;
      const u = ((a >>> 11) * 4294967296 + b) / 9007199254740992;
      const x = u * ZIG_X[i]!;
      if (u < ZIG_K[i]!) return (a & 256) === 0 ? x : -x;
      if (i === 0) {
        let t: number, e: number;
        do {
          t = -Math.log(1 - this.uniform()) / ZIG_R;
          e = -Math.log(1 - this.uniform());
        } while (e + e < t * t);
        return (a & 256) === 0 ? ZIG_R + t : -(ZIG_R + t);
      }
      if (ZIG_F[i]! + this.uniform() * (ZIG_F[i + 1]! - ZIG_F[i]!) < Math.exp(-0.5 * x * x)) return (a & 256) === 0 ? x : -x;
    }
  }
}

// Ziggurat tables (FastRng.normal): layer i ∈ [0, 256) is [0, x_i] × [f(x_i), f(x_{i+1})], f(x) = exp(−x²/2),
// x_1 = r, x_{i+1} = f⁻¹(v/x_i + f(x_i)), x_256 = 0; the base layer's x_0 = v/f(r) includes the tail.
// ZIG_K[i] = x_{i+1}/x_i (the share of layer i inside the curve).
const ZIG_N = 256;
const ZIG_R = 3.6541528853610088;
const ZIG_V = 0.004928673233974655;
const ZIG_X = new Float64Array(ZIG_N + 1);
const ZIG_F = new Float64Array(ZIG_N + 1);
const ZIG_K = new Float64Array(ZIG_N);
{
  ZIG_X[0] = ZIG_V / Math.exp(-0.5 * ZIG_R * ZIG_R);
  ZIG_X[1] = ZIG_R;
  for (let i = 1; i < ZIG_N - 1; i++) {
    const xi = ZIG_X[i]!;
    ZIG_X[i + 1] = Math.sqrt(-2 * Math.log(ZIG_V / xi + Math.exp(-0.5 * xi * xi)));
  }
  ZIG_X[ZIG_N] = 0;
  for (let i = 0; i <= ZIG_N; i++) ZIG_F[i] = Math.exp(-0.5 * ZIG_X[i]! * ZIG_X[i]!);
  for (let i = 0; i < ZIG_N; i++) ZIG_K[i] = ZIG_X[i + 1]! / ZIG_X[i]!;
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
