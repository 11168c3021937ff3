/** Small descriptive statistics on typed arrays (sample moments, quantiles as R's type 7 and type 1). */

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Sample variance with divisor n − 1. */
export function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / (x.length - 1);
}

export function sd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x));
}

/** Quantile with linear interpolation between order statistics (R type 7, numpy default). */
export function quantile7(x: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Inverse-CDF quantile (R type 1): the ⌈n·p⌉-th order statistic. */
export function quantile1(x: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  const k = Math.max(1, Math.ceil(n * p - 1e-12));
  return s[Math.min(k, n) - 1]!;
}
