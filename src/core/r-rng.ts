/**
 * R's default random number generator, for procedures whose published numbers depend on R's draws
 * (HonestDiD's folded-normal quantile and least-favourable critical values, both after `set.seed`).
 *
 * - `set.seed(s)` (R's RNG.c, `RNG_Init`): the 32-bit seed is scrambled by 50 steps of the LCG
 *   s ← 69069·s + 1 (mod 2³²); 625 further steps fill the Mersenne-Twister state (the first word is
 *   the position, reset to 624, so the first draw regenerates the whole table).
 * - `unif_rand()`: MT19937 (Matsumoto & Nishimura 1998) tempered output × 2.3283064365386963e-10,
 *   moved into the open interval (0, 1).
 * - `norm_rand()` with `normal.kind = "Inversion"`: u = ⌊2²⁷·U₁⌋ + U₂, z = Φ⁻¹(u/2²⁷), Φ⁻¹ by
 *   Wichura's AS 241 (PPND16), as R's `qnorm`.
 * - `rmvnorm(n, Σ)` as mvtnorm's default (`method = "eigen"`): the rows of Z·R with Z filled by row
 *   from `rnorm` and R = V·diag(√max(λ, 0))·V' (the symmetric square root, which does not depend on the
 *   signs of the eigenvectors).
 */
import { mat, symEigen } from "./linalg.js";

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const I2_32M1 = 2.328306437080797e-10; // 1/(2^32 − 1)

/** A Mersenne-Twister stream seeded as R's `set.seed(seed)` (sample.kind "Rejection", the default). */
export class RRng {
  private mt = new Uint32Array(N);
  private mti = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`R seed must be an integer, got ${seed}`);
    let s = seed >>> 0;
    for (let j = 0; j < 50; j++) s = (Math.imul(69069, s) + 1) >>> 0;
    // i_seed[0] is the position word (overwritten with 624 by FixupSeeds), i_seed[1..624] the table
    s = (Math.imul(69069, s) + 1) >>> 0;
    for (let j = 0; j < N; j++) {
      s = (Math.imul(69069, s) + 1) >>> 0;
      this.mt[j] = s;
    }
    this.mti = N;
  }

  private genrand(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      let y: number;
      for (; kk < N - M; kk++) {
        y = (mt[kk]! & UPPER) | (mt[kk + 1]! & LOWER);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        y = (mt[kk]! & UPPER) | (mt[kk + 1]! & LOWER);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      y = (mt[N - 1]! & UPPER) | (mt[0]! & LOWER);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return (y >>> 0) * 2.3283064365386963e-10;
  }

  /** R's `unif_rand()`: a uniform draw in (0, 1). */
  unif(): number {
    const x = this.genrand();
    if (x <= 0) return 0.5 * I2_32M1;
    if (1 - x <= 0) return 1 - 0.5 * I2_32M1;
    return x;
  }

  /** R's `norm_rand()` under the default Inversion method. */
  norm(): number {
    const BIG = 134217728;
    let u = this.unif();
    u = Math.trunc(BIG * u) + this.unif();
    return qnormAS241(u / BIG);
  }

  /** `rnorm(n)`: n standard normal draws. */
  rnorm(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.norm();
    return out;
  }

  /**
   * mvtnorm's `rmvnorm(n, sigma = Σ)` (eigen method): row-major n × d draws with covariance Σ
   * (d × d, row-major).
   */
  rmvnorm(n: number, sigma: Float64Array, d: number): Float64Array {
    const R = symmetricSqrt(sigma, d);
    const z = this.rnorm(n * d);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += z[i * d + k]! * R[k * d + j]!;
        out[i * d + j] = s;
      }
    return out;
  }
}

/** V·diag(√max(λ, 0))·V' of a symmetric d × d matrix (row-major). */
export function symmetricSqrt(sigma: Float64Array, d: number): Float64Array {
  const { values, vectors } = symEigen(mat(d, d, Float64Array.from(sigma)));
  const R = new Float64Array(d * d);
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors.data[a * d + k]! * Math.sqrt(Math.max(values[k]!, 0)) * vectors.data[b * d + k]!;
      R[a * d + b] = s;
      R[b * d + a] = s;
    }
  return R;
}

/**
 * Standard normal quantile by Wichura (1988), Algorithm AS 241 (PPND16), the algorithm of R's `qnorm`
 * (accurate to about 1e-16; used where R's exact draws matter).
 */
export function qnormAS241(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  let r: number, val: number;
  if (Math.abs(q) <= 0.425) {
    r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301227 + 33430.57558358813) * r + 67265.7709270087) * r + 45921.95393154987) * r + 13731.69376550946) * r + 1971.5909503065513) *
          r +
          133.14166789178438) *
          r +
          3.3871328727963665)) /
      (((((((r * 5226.495278852854 + 28729.085735721943) * r + 39307.89580009271) * r + 21213.794301586597) * r + 5394.196021424751) * r + 687.1870074920579) *
        r +
        42.31333070160091) *
        r +
        1)
    );
  }
  r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  if (r <= 5) {
    r += -1.6;
    val =
      (((((((r * 0.0007745450142783414 + 0.022723844989269184) * r + 0.2417807251774506) * r + 1.2704582524523684) * r + 3.6478483247632045) * r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
        1.4234371107496835) /
      (((((((r * 1.0507500716444169e-9 + 0.0005475938084995345) * r + 0.015198666563616457) * r + 0.14810397642748008) * r + 0.6897673349851) * r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
        1);
  } else {
    r += -5;
    val =
      (((((((r * 2.0103343992922881e-7 + 0.000027115555687434876) * r + 0.0012426609473880784) * r + 0.026532189526576124) * r + 0.29656057182850487) * r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
        6.657904643501103) /
      (((((((r * 2.0442631033899397e-15 + 1.421511758316446e-7) * r + 0.000018463183175100548) * r + 0.0007868691311456133) * r + 0.014875361290850615) * r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

/** R's `quantile(x, p)` (type 7): (1 − h)·x₍ⱼ₎ + h·x₍ⱼ₊₁₎ with index 1 + (n − 1)p = j + h, on a sorted copy. */
export function quantileType7(x: ArrayLike<number>, p: number): number {
  const v = Float64Array.from(x).sort();
  return quantileSorted7(v, p);
}

/** Type-7 quantile of an ascending array. */
export function quantileSorted7(v: Float64Array, p: number): number {
  const n = v.length;
  if (n === 0) return Number.NaN;
  const index = 1 + Math.max(n - 1, 0) * p;
  const lo = Math.floor(index),
    hi = Math.ceil(index);
  const qs = v[lo - 1]!;
  const h = index - lo;
  const xh = v[hi - 1]!;
  return index > lo && xh !== qs ? (1 - h) * qs + h * xh : qs;
}
