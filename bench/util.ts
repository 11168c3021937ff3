/** Benchmark helpers: wall-clock timing and peak resident memory. */
import { performance } from "node:perf_hooks";

export async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(48)} ${seconds.toFixed(3)} s   peak RSS ${peakRssMb().toFixed(0)} MB`);
  return { value, seconds };
}

/** Peak resident set size of this process so far, in MB (process.resourceUsage().maxRSS is in KB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Cumulative Zipf(s) weights over ranks 1..n (normalised): cdf[i] = Σ_{r ≤ i+1} r^−s / Σ_r r^−s. */
export function zipfCdf(n: number, s: number): Float64Array {
  const c = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) c[i] = acc += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) c[i]! /= acc;
  return c;
}

/** The first index whose cumulative weight reaches u ∈ [0, 1) (binary search). */
export function draw(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
