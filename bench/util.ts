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
