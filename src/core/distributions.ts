/**
 * Distribution functions used for inference, from @stdlib (no hand-written special functions).
 */
import tcdf from "@stdlib/stats-base-dists-t-cdf";
import tquantile from "@stdlib/stats-base-dists-t-quantile";
import ncdf from "@stdlib/stats-base-dists-normal-cdf";
import nquantile from "@stdlib/stats-base-dists-normal-quantile";
import chisqcdf from "@stdlib/stats-base-dists-chisquare-cdf";
import fcdf from "@stdlib/stats-base-dists-f-cdf";

/** P(T ≤ x) for Student's t with df degrees of freedom (df = Infinity → normal). */
export function pt(x: number, df: number): number {
  return Number.isFinite(df) ? tcdf(x, df) : ncdf(x, 0, 1);
}

/** Quantile of Student's t. */
export function qt(p: number, df: number): number {
  return Number.isFinite(df) ? tquantile(p, df) : nquantile(p, 0, 1);
}

/** Standard normal CDF. */
export function pnorm(x: number): number {
  return ncdf(x, 0, 1);
}

/** Standard normal quantile. */
export function qnorm(p: number): number {
  return nquantile(p, 0, 1);
}

/** P(X ≤ x), X ~ χ²(df). */
export function pchisq(x: number, df: number): number {
  return chisqcdf(x, df);
}

/** P(X ≤ x), X ~ F(d1, d2). */
export function pf(x: number, d1: number, d2: number): number {
  return fcdf(x, d1, d2);
}

/** Two-sided p-value of a t statistic: 2·P(T ≥ |t|). */
export function twoSidedT(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.NaN;
  return 2 * (1 - pt(Math.abs(t), df));
}
