/**
 * A linear structural model with three ordered mediators, for the causal-paths tests and benches:
 * X ~ N(0, I₂); A ~ Bernoulli(logit⁻¹(0.5x₁ − 0.5x₂)); M₁ = a1·A + 0.5x₁ + ε; M₂ = a2·A + b21·M₁ + 0.3x₂ + ε;
 * M₃ = a3·A + b31·M₁ + b32·M₂ + 0.2x₁ + ε; Y = c·A + d1·M₁ + d2·M₂ + d3·M₃ + x₁ − x₂ + ε, ε ~ N(0, 1).
 */
import { Rng } from "../core/rng.js";

/** The model's coefficients. */
export const MEDIATION_SEM = { a1: 1, a2: 0.5, a3: 0.8, b21: 0.6, b31: 0.3, b32: 0.5, c: 0.7, d1: 1.2, d2: -0.8, d3: 0.9 } as const;

/** n draws of the model with `new Rng(seed)`: outcome y, treatment a, mediators m (in order), covariates x. */
export function simulateMediationSem(
  seed: number,
  n: number,
): { y: Float64Array; a: Float64Array; m: [Float64Array, Float64Array, Float64Array]; x: [Float64Array, Float64Array] } {
  const P = MEDIATION_SEM;
  const rng = new Rng(seed);
  const x: [Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n)];
  const a = new Float64Array(n),
    y = new Float64Array(n);
  const m: [Float64Array, Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const x1 = rng.normal(),
      x2 = rng.normal();
    x[0][i] = x1;
    x[1][i] = x2;
    a[i] = rng.uniform() < 1 / (1 + Math.exp(-(0.5 * x1 - 0.5 * x2))) ? 1 : 0;
    m[0][i] = P.a1 * a[i]! + 0.5 * x1 + rng.normal();
    m[1][i] = P.a2 * a[i]! + P.b21 * m[0][i]! + 0.3 * x2 + rng.normal();
    m[2][i] = P.a3 * a[i]! + P.b31 * m[0][i]! + P.b32 * m[1][i]! + 0.2 * x1 + rng.normal();
    y[i] = P.c * a[i]! + P.d1 * m[0][i]! + P.d2 * m[1][i]! + P.d3 * m[2][i]! + x1 - x2 + rng.normal();
  }
  return { y, a, m, x };
}
