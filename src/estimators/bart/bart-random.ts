/**
 * Random variates BART needs, built only on the seeded `Rng`: gamma (Marsaglia & Tsang 2000), χ², and
 * the standard normal truncated to (a, ∞) (Robert 1995 exponential rejection in the far tail).
 */
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
