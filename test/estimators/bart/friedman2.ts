/**
 * Friedman's (1991) second test function as simulated by R `bark::sim_Friedman2` (Ouyang 2008):
 * x₁ ~ U(0, 100), x₂ ~ U(40π, 560π), x₃ ~ U(0, 1), x₄ ~ U(1, 11);
 * f = √(x₁² + (x₂x₃ − 1/(x₂x₄))²), y = f + σε.
 */
import type { Rng } from "../../../src/core/rng.js";

export function friedman2(rng: Rng, n: number, sigma: number) {
  const X = Array.from({ length: 4 }, () => new Float64Array(n));
  const f = new Float64Array(n),
    y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x1 = 100 * rng.uniform(),
      x2 = 40 * Math.PI + 520 * Math.PI * rng.uniform(),
      x3 = rng.uniform(),
      x4 = 1 + 10 * rng.uniform();
    X[0]![i] = x1;
    X[1]![i] = x2;
    X[2]![i] = x3;
    X[3]![i] = x4;
    f[i] = Math.sqrt(x1 * x1 + (x2 * x3 - 1 / (x2 * x4)) ** 2);
    y[i] = f[i]! + sigma * rng.normal();
  }
  return { X, f, y };
}
