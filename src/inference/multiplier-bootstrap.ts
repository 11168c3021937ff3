/**
 * Multiplier bootstrap of influence functions (R `did`'s `mboot`, METHODS.md §2.5). Draws are
 * u_b = Σ_r V_rb s_r with Rademacher V per unit (or per cluster, s_r = cluster sums of Ψ), from the
 * basis of `src/estimators/cs/cs-basis.ts`; an estimate with IF coefficients λ has draws λ'u_b.
 * - bootstrap SE: σ̃/n with σ̃ = (u_(⌈.75B⌉) − u_(⌈.25B⌉))/(z_.75 − z_.25) (type-1 quantiles) — equal to
 *   did's σ̂/sqrt(n) (R_b = u_b/sqrt(n)); with clusters did's σ̂·sqrt(G)/n (R_b = u_b/sqrt(G));
 * - uniform band over a family of estimates: c = (1−α) type-1 quantile of max_k |λ_k'u_b/σ̃_k| over the
 *   columns with σ̃_k/n > 10·sqrt(eps); CI = θ ± c·se; pointwise z if c is not finite or below z_{1−α/2}.
 * Seeded: the same seed gives the same draws bit for bit.
 */
import type { IfBasis } from "../estimators/cs/cs-basis.js";
import { Rng } from "../core/rng.js";
import { qnorm } from "../core/distributions.js";
import { quantile1 } from "../core/stats.js";

export interface MultiplierDraws {
  B: number;
  dim: number;
  /** B×dim */
  u: Float64Array;
}

/** Draw B multiplier-bootstrap sums from a basis with a seeded generator. */
export function multiplierDraws(basis: IfBasis, B: number, seed: number): MultiplierDraws {
  const rng = new Rng(seed);
  return { B, dim: basis.dim, u: basis.multiplierSums(B, rng) };
}

const SE_FLOOR = 10 * Math.sqrt(2.220446049250313e-16);
/** Φ⁻¹(0.75) − Φ⁻¹(0.25), computed on first use (the normal quantile loads lazily). */
let iqrZ: number | undefined;

/** λ'u_b for every draw. */
export function projectDraws(d: MultiplierDraws, lambda: Float64Array): Float64Array {
  const out = new Float64Array(d.B);
  const nz: number[] = [];
  for (let j = 0; j < d.dim; j++) if (lambda[j] !== 0) nz.push(j);
  for (let b = 0; b < d.B; b++) {
    let s = 0;
    const o = b * d.dim;
    for (const j of nz) s += d.u[o + j]! * lambda[j]!;
    out[b] = s;
  }
  return out;
}

/** IQR-based bootstrap SE of one estimate (NaN for NaN λ or a degenerate SE). */
export function bootstrapSe(d: MultiplierDraws, lambda: Float64Array, n: number): number {
  if (lambda.some((v) => Number.isNaN(v))) return Number.NaN;
  const r = projectDraws(d, lambda);
  const se = (quantile1(r, 0.75) - quantile1(r, 0.25)) / (iqrZ ??= qnorm(0.75) - qnorm(0.25)) / n;
  return Number.isFinite(se) && se > SE_FLOOR ? se : Number.NaN;
}

/**
 * Simultaneous critical value for a family of estimates with bootstrap SEs `se` (NaN = excluded).
 * Returns the critical value actually used and whether it is the uniform one.
 */
export function uniformCritical(d: MultiplierDraws, lambdas: Float64Array[], se: number[], n: number, alpha = 0.05): { crit: number; uniform: boolean } {
  const zp = qnorm(1 - alpha / 2);
  const cols = lambdas.map((l, k) => ({ l, s: se[k]! })).filter((c) => Number.isFinite(c.s) && c.s > SE_FLOOR);
  if (!cols.length) return { crit: zp, uniform: false };
  const maxes = new Float64Array(d.B);
  for (const c of cols) {
    const r = projectDraws(d, c.l);
    const sig = c.s * n;
    for (let b = 0; b < d.B; b++) {
      const v = Math.abs(r[b]! / sig);
      if (v > maxes[b]!) maxes[b] = v;
    }
  }
  const crit = quantile1(maxes, 1 - alpha);
  if (!Number.isFinite(crit) || crit < zp) return { crit: zp, uniform: false };
  return { crit, uniform: true };
}
