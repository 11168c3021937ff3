/**
 * Distribution functions used for inference, from @stdlib (no hand-written special functions).
 *
 * Each @stdlib package is a tree of a few hundred small modules (0.1–0.4 s to load), so each is
 * required on its first use rather than when this module loads: commands that never compute a
 * t or F probability do not pay for them.
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);
type F1 = (x: number) => number;
type F2 = (x: number, a: number) => number;
type F3 = (x: number, a: number, b: number) => number;
let tcdf: F2 | undefined;
let tquantile: F2 | undefined;
let ncdf: F3 | undefined;
let nquantile: F3 | undefined;
let chisqcdf: F2 | undefined;
let fcdf: F3 | undefined;
let gammaln: F1 | undefined;
const n01cdf: F1 = (x) => (ncdf ??= load("@stdlib/stats-base-dists-normal-cdf") as F3)(x, 0, 1);
const n01quantile: F1 = (p) => (nquantile ??= load("@stdlib/stats-base-dists-normal-quantile") as F3)(p, 0, 1);

/** P(T ≤ x) for Student's t with df degrees of freedom (df = Infinity → normal). */
export function pt(x: number, df: number): number {
  return Number.isFinite(df) ? (tcdf ??= load("@stdlib/stats-base-dists-t-cdf") as F2)(x, df) : n01cdf(x);
}

/** Quantile of Student's t. */
export function qt(p: number, df: number): number {
  return Number.isFinite(df) ? (tquantile ??= load("@stdlib/stats-base-dists-t-quantile") as F2)(p, df) : n01quantile(p);
}

/** ln Γ(x) (@stdlib gammaln); ln(y!) = lgamma(y + 1) in the Poisson log-likelihood. */
export function lgamma(x: number): number {
  return (gammaln ??= load("@stdlib/math-base-special-gammaln") as F1)(x);
}

/** Standard normal CDF. */
export function pnorm(x: number): number {
  return n01cdf(x);
}

/** Standard normal quantile. */
export function qnorm(p: number): number {
  return n01quantile(p);
}

/** P(X ≤ x), X ~ χ²(df). */
export function pchisq(x: number, df: number): number {
  return (chisqcdf ??= load("@stdlib/stats-base-dists-chisquare-cdf") as F2)(x, df);
}

/** P(X ≤ x), X ~ F(d1, d2). */
export function pf(x: number, d1: number, d2: number): number {
  return (fcdf ??= load("@stdlib/stats-base-dists-f-cdf") as F3)(x, d1, d2);
}

/** Two-sided p-value of a t statistic: 2·P(T ≥ |t|). */
export function twoSidedT(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.NaN;
  return 2 * (1 - pt(Math.abs(t), df));
}
