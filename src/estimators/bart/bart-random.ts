/**
 * Random variates BART needs, built only on the seeded `Rng`: gamma (Marsaglia & Tsang 2000), χ², and
 * the standard normal truncated to (a, ∞) (Robert 1995 exponential rejection in the far tail).
 */
import type { Rng } from "../../core/rng.js";
import { pnorm } from "../../core/distributions.js";

/** What the variates need (an Rng). */
export interface UniformNormalSource {
  uniform(): number;
  normal(): number;
}

/** Gamma(shape, 1). Marsaglia–Tsang squeeze for shape ≥ 1; shape < 1 via G(a+1)·U^{1/a}. */
export function rgamma(rng: UniformNormalSource, shape: number): number {
  if (!(shape > 0)) throw new Error(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) return rgamma(rng, shape + 1) * Math.pow(rng.uniform() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** χ² with df degrees of freedom = 2·Gamma(df/2). */
export function rchisq(rng: UniformNormalSource, df: number): number {
  return 2 * rgamma(rng, df / 2);
}

/**
 * Standard normal conditioned on Z > a. For a ≤ 0.4 plain rejection (acceptance ≥ 34%); beyond,
 * Robert's (1995) translated-exponential proposal with the optimal rate λ = (a + √(a²+4))/2.
 */
export function rtruncnormAbove(rng: UniformNormalSource, a: number): number {
  if (a <= 0.4) {
    for (;;) {
      const z = rng.normal();
      if (z > a) return z;
    }
  }
  const lam = (a + Math.sqrt(a * a + 4)) / 2;
  for (;;) {
    const u = rng.uniform();
    const z = a - Math.log(1 - u) / lam;
    const d = z - lam;
    if (rng.uniform() <= Math.exp(-0.5 * d * d)) return z;
  }
}

/**
 * Standard normal by the ziggurat method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8)) over the half
 * density f(x) = exp(−x²/2), 128 layers of equal area v, and a random sign. Layer i ≥ 1 is the rectangle
 * [0, x_i] × [f(x_i), f(x_{i+1})] (x_1 = r > x_2 > … > x_128 = 0); layer 0 is [0, v/f(r)] × [0, f(r)]
 * plus the tail beyond r, sampled by Marsaglia's (1964) method. A point x = U·x_i with x < x_{i+1}
 * lies under f and is returned at once (≈ 99 % of draws); otherwise the wedge test y < f(x) or the
 * tail decides, so the draw is exactly N(0, 1) (up to the 53-bit uniform). Two 32-bit draws a normal:
 * 7 bits pick the layer, 1 the sign, 53 make U. An exact sampler, not the Rng's polar method, so it is
 * another stream of the same distribution; BART uses it for its μ and latent draws.
 */
export class ZigguratNormal implements UniformNormalSource {
  constructor(readonly rng: Rng) {
    if (ZIG_R === 0) ZIG_R = zigTables();
  }

  /** Uniform [0, 1) from the underlying Rng. */
  uniform(): number {
    return this.rng.uniform();
  }

  /** One N(0, 1) draw. */
  normal(): number {
    const rng = this.rng;
    for (;;) {
      const u1 = rng.nextU32(),
        u2 = rng.nextU32();
      const i = u1 & 127;
      const U = ((u1 >>> 8) * 536870912 + (u2 >>> 3)) * 1.1102230246251565e-16; // 53 bits / 2^53
      const x = U * ZX[i]!;
      if (U < ZQ[i]!) return u1 & 128 ? -x : x;
      if (i === 0) {
        // tail x > r: a = E₁/r, accept when 2E₂ > a²
        let a: number, b: number;
        do {
          a = -Math.log(1 - rng.uniform()) / ZIG_R;
          b = -Math.log(1 - rng.uniform());
        } while (2 * b <= a * a);
        return u1 & 128 ? -(ZIG_R + a) : ZIG_R + a;
      }
      if (ZF[i]! + rng.uniform() * (ZF[i + 1]! - ZF[i]!) < Math.exp(-0.5 * x * x)) return u1 & 128 ? -x : x;
    }
  }
}

const ZN = 128;
/** x_i (ZX[0] = v/f(r), ZX[ZN] = 0), f(x_i) (ZF[0] = 0, ZF[ZN] = 1) and x_{i+1}/x_i. */
const ZX = new Float64Array(ZN + 1),
  ZF = new Float64Array(ZN + 1),
  ZQ = new Float64Array(ZN);
/**
 * r solves: starting from x_1 = r with v = r f(r) + ∫_r^∞ f, the recursion x_{i+1} = f⁻¹(f(x_i) + v/x_i)
 * reaches f = 1 exactly at layer 128. Found by bisection on r (the top overshoots for r too small).
 */
let ZIG_R = 0;
function zigTables(): number {
  const tail = (r: number) => Math.sqrt(2 * Math.PI) * pnorm(-r);
  // residual f(x_ZN−1) + v/x_ZN−1 − 1 of the recursion from r (> 0: r too small)
  const top = (r: number, fill: boolean): number => {
    const f = (x: number) => Math.exp(-0.5 * x * x);
    const v = r * f(r) + tail(r);
    let x = r;
    if (fill) {
      ZX[0] = v / f(r);
      ZX[1] = r;
    }
    for (let i = 1; i < ZN - 1; i++) {
      const y = f(x) + v / x;
      if (y >= 1) return 1;
      x = Math.sqrt(-2 * Math.log(y));
      if (fill) ZX[i + 1] = x;
    }
    return f(x) + v / x - 1;
  };
  let lo = 2,
    hi = 5;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (top(mid, false) > 0) lo = mid;
    else hi = mid;
  }
  const r = hi;
  top(r, true);
  ZX[ZN] = 0;
  ZF[0] = 0;
  for (let i = 1; i <= ZN; i++) ZF[i] = Math.exp(-0.5 * ZX[i]! * ZX[i]!);
  for (let i = 0; i < ZN; i++) ZQ[i] = ZX[i + 1]! / ZX[i]!;
  return r;
}

/** Nodes of pnormFast's table: x_k = k/128 − 6, k = 0..1792 (up to 8), with Φ(x_k) and φ(x_k). */
const PH = 128,
  PLO = -6,
  PK = 14 * PH;
let PHI0 = new Float64Array(0),
  DEN0 = new Float64Array(0);
/** Fill the table (on first use, so that importing BART does not load @stdlib's Φ). */
function phiTables(): void {
  PHI0 = new Float64Array(PK + 1);
  DEN0 = new Float64Array(PK + 1);
  for (let k = 0; k <= PK; k++) {
    const x = PLO + k / PH;
    PHI0[k] = pnorm(x);
    DEN0[k] = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  }
}

/**
 * Standard normal CDF Φ(x) from a table and a Taylor series: for −6 ≤ x ≤ 8, with x₀ the nearest node
 * k/128 and t = x − x₀ (|t| ≤ 1/256), Φ(x) = Φ(x₀) + φ(x₀)·Σ_{j=1}^{8} (−1)^{j−1} He_{j−1}(x₀) t^j / j!
 * (φ^{(m)} = (−1)^m He_m φ, He the probabilists' Hermite polynomials, He_{m+1} = x He_m − m He_{m−1});
 * Φ(x₀) from @stdlib. Agrees with @stdlib's Φ to ≤ 1e-14 relative (test/estimators/bart; the
 * difference grows like x² ulp in the lower tail, @stdlib's own rounding of x/√2); outside [−6, 8] it
 * is @stdlib's. 3–4 × faster than @stdlib's erfc-based Φ.
 */
export function pnormFast(x: number): number {
  const u = (x - PLO) * PH;
  if (!(u >= 0 && u <= PK)) return pnorm(x);
  if (PHI0.length === 0) phiTables();
  const k = Math.round(u);
  const x0 = PLO + k / PH;
  const t = x - x0;
  // S = Σ_{j=1}^{8} (−1)^{j−1} He_{j−1}(x0) t^j / j!
  let hPrev = 1, // He_0
    h = x0; // He_1
  let pw = t; // (−1)^{j−1} t^j / j!
  let s = t;
  pw *= -t / 2;
  s += h * pw;
  for (let j = 3; j <= 8; j++) {
    const hn = x0 * h - (j - 2) * hPrev; // He_{j−1}
    hPrev = h;
    h = hn;
    pw *= -t / j;
    s += h * pw;
  }
  return PHI0[k]! + DEN0[k]! * s;
}
